/**
 * The one way mentions enter Switchboard, whatever the source (webhook, feed, Mastodon,
 * Bluesky, import): place each message (a new conversation, or a message of one already
 * there: `inReplyTo`, or a mention sent again with a longer thread), triage and store the
 * new conversations idempotently by network and external id, add the rest to their
 * conversations' threads (follow-ups reopen and count as unseen, see the domain's
 * thread.ts), project everything onto the live boards, queue the high-priority event for
 * the organisation's webhooks, and tell the follow-up listeners.
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
} from "@switchboard/domain";
import type {
	Directory,
	MentionStore,
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
}

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

export class Ingestor {
	private readonly options: IngestorOptions;
	private readonly listeners = new Set<FollowUpListener>();

	constructor(options: IngestorOptions) {
		this.options = options;
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

	async ingest(
		orgId: string,
		boardId: string,
		incoming: readonly IncomingMention[],
		now: Date = new Date(),
	): Promise<IngestResult> {
		const { storage } = this.options;
		const nowIso = now.toISOString();
		// One mention per network and id, even within a batch.
		const unique = new Map<string, IncomingMention>();
		for (const mention of incoming)
			unique.set(batchKey(mention.network, mention.externalId), mention);
		const items = [...unique.entries()];

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
		for (const [, mention] of roots) {
			const { board } = evaluateTriageRules(
				{ network: mention.network, text: mention.text, reach: mention.author.reach },
				rules,
			);
			const target = routeToBoard(boards, board, boardId) ?? boardId;
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
				),
			);
		}
		const stored = [...storedOn.values()].flat();
		const conversationOf = new Map<string, string>();
		for (const { mention } of stored) {
			conversationOf.set(batchKey(mention.network, mention.externalId), mention.id);
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

		// Everything else joins a thread: one append per conversation, in any order.
		const inserted = new Set(stored.map(({ mention }) => mention.id));
		const messages = new Map<string, ThreadMessage[]>();
		for (const [key, mention] of items) {
			const target = targetOf(key);
			if (!target || (inserted.has(target) && placeOf(key).kind === "new")) continue;
			const list = messages.get(target) ?? [];
			list.push(asThreadMessage(mention), ...mention.thread);
			messages.set(target, list);
		}
		const threads: ThreadAppend[] = [];
		for (const [mentionId, list] of messages) {
			const appended = await storage.appendToThread({
				orgId,
				mentionId,
				messages: list,
				now: nowIso,
			});
			if (appended && appended.added.length > 0) threads.push(appended);
		}

		await this.project(orgId, storedOn, threads);
		for (const [target, list] of storedOn) {
			await this.announceHighPriority(orgId, target, list, now);
		}
		await this.tellFollowUps(orgId, threads);

		// Each mention of the request: new, joined a conversation, or nothing new.
		const addedKeys = new Map(
			threads.map((t) => [t.stored.mention.id, new Set(t.added.map(threadMessageKey))]),
		);
		let followUps = 0;
		const mentionIds: string[] = [];
		for (const [key, mention] of items) {
			const target = targetOf(key);
			if (!target) continue;
			const added = addedKeys.get(target);
			const isNew = inserted.has(target) && placeOf(key).kind === "new";
			const joined =
				!isNew &&
				added !== undefined &&
				[asThreadMessage(mention), ...mention.thread].some((m) => added.has(threadMessageKey(m)));
			if (joined) followUps++;
			if ((isNew || joined) && !mentionIds.includes(target)) mentionIds.push(target);
		}
		return {
			accepted: stored.length,
			duplicates: incoming.length - stored.length - followUps,
			followUps,
			stored,
			threads,
			mentionIds,
		};
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

	private async announceHighPriority(
		orgId: string,
		boardId: string,
		stored: StoredMention[],
		now: Date,
	): Promise<void> {
		for (const { mention } of stored) {
			if (mention.priority !== "high") continue;
			await this.options.storage.enqueueWebhookEvent({
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
				now: now.toISOString(),
			});
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
