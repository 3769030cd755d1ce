/**
 * A reply recorded by hand (markReplied naming the draft's hash) is what the team just
 * posted: it joins the conversation's thread as the organisation's message (who recorded
 * it, its link), so a follow-up reads in context, and the draft it was written in is
 * emptied for the next answer. The draft is emptied only while it holds exactly the
 * recorded text: a word typed after the hash was taken is never lost. A record that names
 * no hash, or whose text the draft no longer holds, adds nothing to the thread.
 */
import { type Reply, recordedReplyMessage } from "@switchboard/domain";
import type { Directory, StoredMention, ThreadStore } from "@switchboard/storage";
import type { DraftTexts } from "./draft-texts.ts";

export interface RecordedRepliesOptions {
	storage: Pick<ThreadStore, "appendToThread"> & Pick<Directory, "getMember">;
	/** Projects a conversation whose thread grew onto its board. */
	publisher: { publish(orgId: string, boardId: string, stored: StoredMention[]): Promise<void> };
	drafts: Pick<DraftTexts, "textFor" | "emptyIf">;
	/** The clock; tests pass a fixed one. */
	now?: () => Date;
}

/** One recorded reply, as the command extension tells it. */
export interface RecordedReply {
	orgId: string;
	mentionId: string;
	reply: Reply;
	/**
	 * False when the command was a replay: the thread is repaired (appending is idempotent)
	 * but the draft is left alone, since its text may have been written again on purpose.
	 */
	firstTime: boolean;
}

export class RecordedReplies {
	readonly #options: RecordedRepliesOptions;

	constructor(options: RecordedRepliesOptions) {
		this.#options = options;
	}

	/** Add the reply to its thread and, the first time, empty its draft. */
	async recorded({ orgId, mentionId, reply, firstTime }: RecordedReply): Promise<void> {
		const { storage, publisher, drafts } = this.#options;
		if (reply.hash === null) return;
		const text = await drafts.textFor(orgId, mentionId, reply.hash);
		const member = await storage.getMember(reply.by);
		const message = recordedReplyMessage(reply, text, member?.name ?? "Our team");
		if (!message) return;
		const appended = await storage.appendToThread({
			orgId,
			mentionId,
			messages: [message],
			now: (this.#options.now?.() ?? new Date()).toISOString(),
		});
		if (appended && appended.added.length > 0) {
			await publisher.publish(orgId, appended.boardId, [appended.stored]);
		}
		if (firstTime) await drafts.emptyIf(orgId, mentionId, text);
	}
}
