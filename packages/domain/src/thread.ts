/**
 * Conversations that go on. A message may name the conversation it continues
 * (`inReplyTo`: the external id, on the same network, of any earlier message of that
 * conversation), and a mention sent again may carry a longer thread; either way its
 * messages join the conversation's thread instead of starting a new one or being dropped.
 * Pure: the server looks the parents up and locks the conversation; these functions say
 * where each message of a batch goes, what the thread becomes and what the work state
 * becomes (a follow-up reopens a replied or closed conversation to its owner).
 */
import { draftHash } from "./draft-doc.ts";
import {
	type Member,
	type Mention,
	type MentionStatus,
	type MentionWork,
	mentionWork,
	type Network,
	type Reply,
	type ThreadMessage,
} from "./model.ts";

/**
 * The identity of a thread message: its external id when it has one, else what it says,
 * who said it and when (a sender that gives no ids still must not double a thread by
 * sending it again).
 */
export function threadMessageKey(message: ThreadMessage): string {
	return message.externalId !== undefined && message.externalId !== ""
		? `id:${message.externalId}`
		: `at:${message.postedAt}\u0000${message.handle}\u0000${message.text}`;
}

/** Posted order, ties by key: one order whatever order the messages arrived in. */
export function compareThreadMessages(a: ThreadMessage, b: ThreadMessage): number {
	const byTime = a.postedAt.localeCompare(b.postedAt);
	if (byTime !== 0) return byTime;
	const ka = threadMessageKey(a);
	const kb = threadMessageKey(b);
	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A thread after a merge, and the messages the merge added to it (in posted order). */
export interface ThreadMerge {
	thread: ThreadMessage[];
	added: ThreadMessage[];
}

/**
 * Our reply as the thread shows it once it was recorded by hand (markReplied): the
 * organisation's message with the draft text the record's hash names, who recorded it,
 * when, and its link. Null when the record names no text (recorded without a hash) or
 * `text` is not the one it names (edited since).
 *
 * @param handle how the thread names the sender (the member's name: the account they
 *   posted from is not known).
 */
export function recordedReplyMessage(
	reply: Reply,
	text: string,
	handle: string,
): ThreadMessage | null {
	if (reply.hash === null || draftHash(text) !== reply.hash) return null;
	const trimmed = text.trim();
	if (trimmed === "") return null;
	return {
		handle,
		fromOrganisation: true,
		text: trimmed,
		postedAt: reply.sentAt,
		by: reply.by,
		url: reply.url,
	};
}

/** A reply recorded by hand: ours, with no id the network gave it. */
const isRecordedReply = (message: ThreadMessage) =>
	message.fromOrganisation &&
	message.by !== undefined &&
	(message.externalId === undefined || message.externalId === "");

const ourWords = (message: ThreadMessage) => message.text.trim();

/**
 * Merge messages into a conversation's thread. A message the thread holds already (same
 * key), or the conversation's own mention (same external id), is skipped; the result is in
 * posted order. Idempotent, and the same whatever order the messages come in.
 *
 * A reply recorded by hand (`recordedReplyMessage`) and the same reply as the network
 * reports it later (ours, with an id, saying the same) are one message: whichever the
 * thread holds first stays, the other is skipped (in one batch, the report), so our words
 * never show twice. Only which of the two stays depends on the order.
 */
export function mergeThread(
	conversation: { externalId: string; thread: readonly ThreadMessage[] },
	incoming: readonly ThreadMessage[],
): ThreadMerge {
	const seen = new Set(conversation.thread.map(threadMessageKey));
	seen.add(`id:${conversation.externalId}`);
	const ours = conversation.thread.filter((m) => m.fromOrganisation);
	const recorded = new Set(ours.filter(isRecordedReply).map(ourWords));
	const reported = new Set(ours.filter((m) => !isRecordedReply(m)).map(ourWords));
	const added = new Map<string, ThreadMessage>();
	for (const message of incoming) {
		const key = threadMessageKey(message);
		if (seen.has(key)) continue;
		if (message.fromOrganisation) {
			const words = ourWords(message);
			if (isRecordedReply(message) ? reported.has(words) : recorded.has(words)) continue;
		}
		// The same message twice in one batch: keep one, whichever came first in posted order.
		const other = added.get(key);
		if (!other || compareThreadMessages(message, other) < 0) added.set(key, message);
	}
	// A recorded reply and its report in one batch: the report, which has the network's id.
	const reportedNow = new Set(
		[...added.values()].filter((m) => m.fromOrganisation && !isRecordedReply(m)).map(ourWords),
	);
	const fresh = [...added.values()]
		.filter((m) => !(isRecordedReply(m) && reportedNow.has(ourWords(m))))
		.sort(compareThreadMessages);
	if (fresh.length === 0) return { thread: [...conversation.thread], added: [] };
	return { thread: [...conversation.thread, ...fresh].sort(compareThreadMessages), added: fresh };
}

/**
 * True when a message that joined a thread asks for an answer: the public wrote it (not
 * the organisation's own account), and not before the conversation's mention (an older
 * message is context the sender filled in late).
 */
export function isFollowUp(message: ThreadMessage, mention: Pick<Mention, "postedAt">): boolean {
	return !message.fromOrganisation && message.postedAt >= mention.postedAt;
}

/** Finished conversations a follow-up opens again. Dismissed ones stay dismissed (spam). */
export const REOPENED_BY_FOLLOW_UP: readonly MentionStatus[] = ["replied", "closed"];

/** What `applyFollowUps` may look at; the caller has locked the conversation. */
export interface FollowUpContext {
	/** ISO time the follow-ups arrived. */
	now: string;
	/** The conversation's owner as a member, when it has one still in the organisation. */
	owner: Member | undefined;
	/** How many conversations that owner holds now that count against their capacity. */
	ownerOpenCount: number;
}

/** The work state after follow-ups, and what to record and whom to tell. */
export interface FollowUpOutcome {
	work: MentionWork;
	fromStatus: MentionStatus;
	toStatus: MentionStatus;
	/** True when a finished conversation was opened again. */
	reopened: boolean;
	/**
	 * Who should hear of it: the owner, or the owner it had before it went back to the
	 * board (gone, inactive or full); null when nobody owned it.
	 */
	notify: string | null;
	/** For the activity record. */
	detail: Record<string, unknown>;
}

/**
 * The work state after `count` follow-ups joined a conversation (count > 0):
 * - a replied or closed conversation opens again: to its owner (claimed) while they are
 *   an active member with room, else to the board (`new`, no owner); its reply target
 *   starts again from now (`slaFrom`) and the old review no longer applies;
 * - a snoozed one wakes up (`new`): the customer it waited for has answered;
 * - any other stays where it is (an open one keeps its clock: writing again does not
 *   postpone an answer that is due);
 * - every one counts the follow-ups its owner has not seen (`unseenFollowUps`).
 */
export function applyFollowUps(
	mention: Mention,
	count: number,
	ctx: FollowUpContext,
): FollowUpOutcome {
	const before = mentionWork(mention);
	const from = mention.status;
	const ownerId = mention.owner?.memberId ?? null;
	const work: MentionWork = {
		...before,
		unseenFollowUps: before.unseenFollowUps + count,
		updatedAt: ctx.now,
	};
	const detail: Record<string, unknown> = { count };
	let reopened = false;
	if (REOPENED_BY_FOLLOW_UP.includes(from)) {
		reopened = true;
		const owner = ctx.owner;
		const keeps =
			owner !== undefined &&
			owner.id === ownerId &&
			owner.active &&
			// The owner's capacity holds at all times; a full owner hears of it, the board takes it.
			ctx.ownerOpenCount < owner.capacity;
		work.status = keeps ? "claimed" : "new";
		work.owner = keeps ? before.owner : null;
		work.review = null;
		work.snoozedUntil = null;
		work.slaFrom = ctx.now;
		detail.reopened = true;
		if (ownerId && !keeps) detail.previousOwner = ownerId;
	} else if (from === "snoozed") {
		work.status = "new";
		work.owner = null;
		work.snoozedUntil = null;
	}
	return {
		work,
		fromStatus: from,
		toStatus: work.status,
		reopened,
		notify: ownerId,
		detail,
	};
}

/** A message of a batch, as far as placing it is concerned. */
export interface BatchItem {
	network: Network;
	externalId: string;
	/** The external id (same network) of an earlier message of the conversation it continues. */
	inReplyTo?: string | undefined;
}

/** Where one message of a batch goes. */
export type Placement =
	/** Starts a conversation of its own: it continues nothing, or nothing known. */
	| { kind: "new" }
	/** Joins a stored conversation (or is that conversation's own mention, sent again). */
	| { kind: "existing"; mentionId: string }
	/** Joins the conversation another message of this batch starts (its key). */
	| { kind: "batch"; root: string };

/** The key of a message in a batch: network and external id. */
export function batchKey(network: string, externalId: string): string {
	return `${network}\u0000${externalId}`;
}

/**
 * Place each message of a batch (keys unique): a message whose own id is known joins its
 * conversation; else one that continues a known message joins that one's conversation; one
 * that continues a message of the batch goes where that one goes; and one whose parent is
 * unknown (or that continues nothing) starts a conversation. A loop of messages naming each
 * other starts one conversation, at its smallest key. The placement depends on the set of
 * messages only, never on their order.
 *
 * @param known the conversation a stored message belongs to (a mention, or a message of a
 *   thread), by network and external id; null when none.
 */
export function placeBatch(
	items: readonly BatchItem[],
	known: (network: string, externalId: string) => string | null,
): Map<string, Placement> {
	const byKey = new Map(items.map((item) => [batchKey(item.network, item.externalId), item]));
	const placed = new Map<string, Placement>();
	const place = (start: string): Placement => {
		const path: string[] = [];
		const onPath = new Set<string>();
		let key = start;
		let result: Placement | undefined;
		for (;;) {
			const done = placed.get(key);
			if (done) {
				result = done.kind === "new" ? { kind: "batch", root: key } : done;
				break;
			}
			const item = byKey.get(key);
			if (!item) throw new Error("placeBatch: a key outside the batch");
			const own = known(item.network, item.externalId);
			if (own !== null) {
				placed.set(key, { kind: "existing", mentionId: own });
				result = { kind: "existing", mentionId: own };
				break;
			}
			path.push(key);
			onPath.add(key);
			const parent = item.inReplyTo;
			if (parent === undefined || parent === "" || parent === item.externalId) {
				placed.set(key, { kind: "new" });
				path.pop();
				result = { kind: "batch", root: key };
				break;
			}
			const parentKey = batchKey(item.network, parent);
			if (byKey.has(parentKey)) {
				if (onPath.has(parentKey)) {
					// A loop: its smallest key starts the conversation.
					const loop = path.slice(path.indexOf(parentKey));
					const root = [...loop].sort()[0] ?? parentKey;
					placed.set(root, { kind: "new" });
					path.splice(path.indexOf(root), 1);
					result = { kind: "batch", root };
					break;
				}
				key = parentKey;
				continue;
			}
			const mentionId = known(item.network, parent);
			if (mentionId !== null) {
				result = { kind: "existing", mentionId };
			} else {
				placed.set(key, { kind: "new" });
				path.pop();
				result = { kind: "batch", root: key };
			}
			break;
		}
		for (const step of path) if (!placed.has(step)) placed.set(step, result);
		return placed.get(start) ?? result;
	};
	for (const key of [...byKey.keys()].sort()) place(key);
	return placed;
}
