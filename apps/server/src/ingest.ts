/**
 * The one way mentions enter Switchboard, whatever the source (webhook, feed, Mastodon,
 * Bluesky, import): place each message (a new conversation, or a message of one already
 * there: `inReplyTo`, or a mention sent again with a longer thread), triage and store the
 * new conversations idempotently by network and external id (with the high-priority event
 * for the organisation's webhooks in the same transaction), add the rest to their
 * conversations' threads (follow-ups reopen and count as unseen, see the domain's
 * thread.ts), project everything onto the live boards, and tell the follow-up listeners.
 */
import { type IncomingMention, triageMention } from "@switchboard/connectors";
import {
	batchKey,
	evaluateTriageRules,
	isFollowUp,
	type Placement,
	placeBatch,
	routeToBoard,
	type ThreadMessage,
	threadMessageKey,
	WebhookEvents,
	withDefaults,
} from "@switchboard/domain";
import type {
	Directory,
	MentionAsSent,
	MentionStore,
	NewWebhookEvent,
	SourceStore,
	StoredMention,
	ThreadAppend,
	ThreadStore,
	WebhookStore,
} from "@switchboard/storage";
import type { Logger } from "pino";

/** Where stored or changed mentions are projected (the board extension in a running server). */
export interface MentionPublisher {
	publish(orgId: string, boardId: string, stored: StoredMention[]): Promise<void>;
}

/**
 * Follow-ups joined a conversation: the event the notification feed listens to. One per
 * conversation and ingest, after the conversation is stored and projected.
 */
export interface FollowUpEvent {
	orgId: string;
	boardId: string;
	mentionId: string;
	/**
	 * Whom it concerns: the owner, or the owner it had before it went back to the board
	 * (gone, inactive or full); null when nobody owned it.
	 */
	ownerId: string | null;
	/** The follow-up messages, in posted order. */
	messages: ThreadMessage[];
	/** A replied or closed conversation was opened again. */
	reopened: boolean;
	/** The conversation as it is now. */
	mention: StoredMention["mention"];
}

export type FollowUpListener = (event: FollowUpEvent) => void | Promise<void>;

export interface IngestResult {
	/** Mentions stored now as new conversations. */
	accepted: number;
	/** Mentions that added nothing: stored before (thread and all), or twice in the batch. */
	duplicates: number;
	/** Mentions that joined a conversation already there, adding messages to its thread. */
	followUps: number;
	/** The new conversations. */
	stored: StoredMention[];
	/** The conversations messages were added to, with what was added. */
	threads: ThreadAppend[];
	/** The conversations this ingest started or added to, each once, in batch order. */
	mentionIds: string[];
}

export interface IngestorOptions {
	storage: MentionStore & ThreadStore & SourceStore & WebhookStore & Pick<Directory, "listBoards">;
	/** Null where no board is live in this process (the import CLI). */
	publisher: MentionPublisher | null;
	logger: Pick<Logger, "warn">;
	/** How ingests that arrive together are grouped (see `defaultIngestTuning`). */
	tuning?: Partial<IngestTuning>;
}

/** How the ingest path groups work; every field has a default. */
export interface IngestTuning {
	/**
	 * Most mentions one grouped pass takes from the ingests waiting for an organisation. A
	 * single ingest larger than this still runs whole, alone.
	 * @default 1000 (a pass of that size stays in the tens of milliseconds)
	 */
	maxGroupMentions: number;
}

export const defaultIngestTuning: IngestTuning = { maxGroupMentions: 1_000 };

/** A message of the batch as a message of a thread. */
function asThreadMessage(mention: IncomingMention): ThreadMessage {
	return {
		externalId: mention.externalId,
		handle: mention.author.handle,
		fromOrganisation: false,
		text: mention.text,
		postedAt: mention.postedAt,
	};
}

/** One caller's ingest, waiting for its organisation's next pass. */
interface Waiting {
	boardId: string;
	/** Its mentions, one per network and id (the last of a repeated one), by key. */
	unique: Map<string, IncomingMention>;
	/** How many mentions it brought, repeats included. */
	count: number;
	now: Date;
	resolve(result: IngestResult): void;
	reject(error: unknown): void;
}

/** The ingests of one organisation: those waiting, and whether a pass is under way. */
interface OrgQueue {
	waiting: Waiting[];
	busy: boolean;
}

/**
 * Group commit for ingest: the ingests of an organisation that arrive while a pass is
 * under way (twenty webhook requests at once, say) wait for it and then run as one pass,
 * with one lookup, one triage-rule read, one insert per board and one projection per board
 * instead of one each. A lone ingest runs at once. Ingests that share a mention (a retried
 * delivery) never share a pass, so each is answered as if it came after the other.
 */
export class Ingestor {
	private readonly options: IngestorOptions;
	private readonly tuning: IngestTuning;
	private readonly listeners = new Set<FollowUpListener>();
	private readonly queues = new Map<string, OrgQueue>();

	constructor(options: IngestorOptions) {
		this.options = options;
		this.tuning = withDefaults(defaultIngestTuning, options.tuning);
	}

	/**
	 * Call `listener` for every conversation follow-ups join from now on (the notification
	 * feed's `follow_up`). A listener that throws is logged, never fails the ingest.
	 * Returns a function that removes it.
	 */
	onFollowUp(listener: FollowUpListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/**
	 * Store, triage and project `incoming` (new conversations go to `boardId` unless a rule
	 * routes them elsewhere). Resolves once they are stored and on the live boards.
	 */
	ingest(
		orgId: string,
		boardId: string,
		incoming: readonly IncomingMention[],
		now: Date = new Date(),
	): Promise<IngestResult> {
		// One mention per network and id, even within a batch.
		const unique = new Map<string, IncomingMention>();
		for (const mention of incoming)
			unique.set(batchKey(mention.network, mention.externalId), mention);
		return new Promise((resolve, reject) => {
			let queue = this.queues.get(orgId);
			if (!queue) {
				queue = { waiting: [], busy: false };
				this.queues.set(orgId, queue);
			}
			queue.waiting.push({ boardId, unique, count: incoming.length, now, resolve, reject });
			if (!queue.busy) void this.drain(orgId, queue);
		});
	}

	/** Run the organisation's waiting ingests, a group at a time, until none waits. */
	private async drain(orgId: string, queue: OrgQueue): Promise<void> {
		queue.busy = true;
		try {
			// After the I/O of this turn: requests read together join the first pass.
			await new Promise((resolve) => setImmediate(resolve));
			while (queue.waiting.length > 0) {
				const group = this.takeGroup(queue);
				try {
					const results = await this.ingestGroup(orgId, group);
					for (const [i, waiting] of group.entries()) waiting.resolve(results[i] as IngestResult);
				} catch (error) {
					for (const waiting of group) waiting.reject(error);
				}
			}
		} finally {
			queue.busy = false;
			this.queues.delete(orgId);
		}
	}

	/** The longest run of waiting ingests that share no mention and fit in one pass. */
	private takeGroup(queue: OrgQueue): Waiting[] {
		const keys = new Set<string>();
		let mentions = 0;
		let taken = 0;
		for (const waiting of queue.waiting) {
			if (taken > 0 && mentions + waiting.unique.size > this.tuning.maxGroupMentions) break;
			if ([...waiting.unique.keys()].some((key) => keys.has(key))) break;
			for (const key of waiting.unique.keys()) keys.add(key);
			mentions += waiting.unique.size;
			taken++;
		}
		return queue.waiting.splice(0, taken);
	}

	/** One pass over a group of ingests whose mentions are all different; a result for each. */
	private async ingestGroup(orgId: string, group: readonly Waiting[]): Promise<IngestResult[]> {
		const { storage } = this.options;
		const now = new Date(Math.max(...group.map((waiting) => waiting.now.getTime())));
		const nowIso = now.toISOString();
		const items = group.flatMap((waiting) => [...waiting.unique.entries()]);
		const boardOf = new Map(
			group.flatMap((waiting) => [...waiting.unique.keys()].map((key) => [key, waiting.boardId])),
		);

		const known = await storage.findConversations(
			orgId,
			items.flatMap(([, m]) => [
				{ network: m.network, externalId: m.externalId },
				...(m.inReplyTo ? [{ network: m.network, externalId: m.inReplyTo }] : []),
			]),
		);
		const placement = placeBatch(
			items.map(([, m]) => m),
			(network, externalId) => known.get(batchKey(network, externalId))?.mentionId ?? null,
		);
		const placeOf = (key: string): Placement => placement.get(key) ?? { kind: "new" };

		// New conversations first: a message of the batch may continue one of them. Each
		// goes to the board its first routing rule names, else its source's; an archived
		// board's go to the organisation's first active board (routeToBoard).
		const roots = items.filter(([key]) => placeOf(key).kind === "new");
		const rules = await storage.getTriageRules(orgId);
		const boards = roots.length > 0 ? await storage.listBoards(orgId) : [];
		const rootsOn = new Map<string, IncomingMention[]>();
		for (const [key, mention] of roots) {
			const { board } = evaluateTriageRules(
				{ network: mention.network, text: mention.text, reach: mention.author.reach },
				rules,
			);
			const fallback = boardOf.get(key) as string;
			const target = routeToBoard(boards, board, fallback) ?? fallback;
			rootsOn.set(target, [...(rootsOn.get(target) ?? []), mention]);
		}
		const storedOn = new Map<string, StoredMention[]>();
		for (const [target, list] of rootsOn) {
			storedOn.set(
				target,
				await storage.insertMentions(
					orgId,
					target,
					list.map((mention) => triageMention(mention, rules)),
					(mention) => highPriorityEvents(orgId, target, mention, nowIso),
				),
			);
		}
		const storedByKey = new Map<string, StoredMention>();
		const conversationOf = new Map<string, string>();
		for (const stored of storedOn.values()) {
			for (const row of stored) {
				const key = batchKey(row.mention.network, row.mention.externalId);
				storedByKey.set(key, row);
				conversationOf.set(key, row.mention.id);
			}
		}
		const raced = roots.filter(([key]) => !conversationOf.has(key));
		if (raced.length > 0) {
			// Stored meanwhile by another delivery: then these join that conversation.
			const again = await storage.findConversations(
				orgId,
				raced.map(([, m]) => ({ network: m.network, externalId: m.externalId })),
			);
			for (const [key, ref] of again) conversationOf.set(key, ref.mentionId);
		}
		const targetOf = (key: string): string | undefined => {
			const place = placeOf(key);
			if (place.kind === "existing") return place.mentionId;
			return conversationOf.get(place.kind === "batch" ? place.root : key);
		};
		const inserted = new Set([...storedByKey.values()].map(({ mention }) => mention.id));
		const isNew = (key: string, target: string) =>
			inserted.has(target) && placeOf(key).kind === "new";

		// Everything else joins a thread: one append per conversation, in any order.
		const messages = new Map<string, ThreadMessage[]>();
		for (const [key, mention] of items) {
			const target = targetOf(key);
			if (!target || isNew(key, target)) continue;
			const list = messages.get(target) ?? [];
			list.push(asThreadMessage(mention), ...mention.thread);
			messages.set(target, list);
		}
		const threads = new Map<string, ThreadAppend>();
		for (const [mentionId, list] of messages) {
			const appended = await storage.appendToThread({
				orgId,
				mentionId,
				messages: list,
				now: nowIso,
			});
			if (appended && appended.added.length > 0) threads.set(mentionId, appended);
		}

		await this.project(orgId, storedOn, [...threads.values()]);
		await this.tellFollowUps(orgId, [...threads.values()]);

		// Each ingest's answer, from its own mentions: new, joined a conversation, or nothing new.
		const addedKeys = new Map(
			[...threads].map(([id, t]) => [id, new Set(t.added.map(threadMessageKey))]),
		);
		return group.map((waiting) => {
			const stored: StoredMention[] = [];
			const joinedThreads = new Set<ThreadAppend>();
			let followUps = 0;
			const mentionIds: string[] = [];
			for (const [key, mention] of waiting.unique) {
				const target = targetOf(key);
				if (!target) continue;
				const fresh = isNew(key, target);
				const added = addedKeys.get(target);
				const joined =
					!fresh &&
					added !== undefined &&
					[asThreadMessage(mention), ...mention.thread].some((m) => added.has(threadMessageKey(m)));
				if (fresh) stored.push(storedByKey.get(key) as StoredMention);
				if (joined) {
					followUps++;
					joinedThreads.add(threads.get(target) as ThreadAppend);
				}
				if ((fresh || joined) && !mentionIds.includes(target)) mentionIds.push(target);
			}
			return {
				accepted: stored.length,
				duplicates: waiting.count - stored.length - followUps,
				followUps,
				stored,
				threads: [...joinedThreads],
				mentionIds,
			};
		});
	}

	/** Onto the live boards: new conversations on the boards they were routed to, threads on their own. */
	private async project(
		orgId: string,
		storedOn: ReadonlyMap<string, StoredMention[]>,
		threads: ThreadAppend[],
	): Promise<void> {
		const { publisher, logger } = this.options;
		if (!publisher) return;
		const byBoard = new Map<string, StoredMention[]>();
		for (const [boardId, stored] of storedOn) {
			if (stored.length > 0) byBoard.set(boardId, [...stored]);
		}
		for (const thread of threads) {
			const list = byBoard.get(thread.boardId) ?? [];
			list.push(thread.stored);
			byBoard.set(thread.boardId, list);
		}
		for (const [board, list] of byBoard) {
			try {
				await publisher.publish(orgId, board, list);
			} catch (error) {
				// Stored is what counts: the board reconciles with the database when it loads.
				logger.warn({ err: error, orgId, boardId: board }, "mentions could not be projected now");
			}
		}
	}

	private async tellFollowUps(orgId: string, threads: ThreadAppend[]): Promise<void> {
		for (const thread of threads) {
			if (thread.followUps === 0) continue;
			const mention = thread.stored.mention;
			const event: FollowUpEvent = {
				orgId,
				boardId: thread.boardId,
				mentionId: mention.id,
				ownerId: thread.notify,
				messages: thread.added.filter((message) => isFollowUp(message, mention)),
				reopened: thread.reopened,
				mention,
			};
			for (const listener of this.listeners) {
				try {
					await listener(event);
				} catch (error) {
					this.options.logger.warn(
						{ err: error, orgId, mentionId: mention.id },
						"a follow-up listener failed",
					);
				}
			}
		}
	}
}

/**
 * The high-priority event of a new conversation that has it: queued with the mention in its
 * commit, so a mention is never stored without its announcement.
 */
function highPriorityEvents(
	orgId: string,
	boardId: string,
	mention: MentionAsSent,
	now: string,
): NewWebhookEvent[] {
	if (mention.priority !== "high") return [];
	return [
		{
			orgId,
			event: WebhookEvents.highPriority,
			dedupeKey: `mention:${mention.id}:high`,
			payload: {
				orgId,
				boardId,
				mentionId: mention.id,
				mention: {
					network: mention.network,
					externalId: mention.externalId,
					url: mention.url,
					author: mention.author,
					text: mention.text,
					language: mention.language,
					sentiment: mention.sentiment,
					priority: mention.priority,
					tags: mention.tags,
					postedAt: mention.postedAt,
				},
			},
			now,
		},
	];
}
