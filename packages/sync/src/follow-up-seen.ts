/**
 * "2 new" on a card lasts until the owner opens the conversation: when a member opens a
 * conversation's draft (the conversation page does), and they own it, its follow-ups are
 * seen (`ThreadStore.markFollowUpsSeen`) and the board shows it. The owner's own device
 * says it, so no command is needed; another member opening it changes nothing.
 */
import type { connectedPayload, Extension } from "@hocuspocus/server";
import type { StoredMention, ThreadStore } from "@switchboard/storage";
import type { Logger } from "pino";
import type { SyncContext } from "./context.ts";

export interface FollowUpSeenOptions {
	storage: ThreadStore;
	/** Where the changed conversation is projected (the board extension). */
	publisher: { publish(orgId: string, boardId: string, stored: StoredMention[]): Promise<void> };
	logger: Pick<Logger, "warn">;
}

export class FollowUpSeenExtension implements Extension {
	readonly extensionName = "switchboard-follow-up-seen";
	readonly #options: FollowUpSeenOptions;

	constructor(options: FollowUpSeenOptions) {
		this.#options = options;
	}

	async connected({ context }: connectedPayload<SyncContext>): Promise<void> {
		const doc = context.doc;
		if (doc?.kind !== "draft") return;
		// Not awaited: opening the draft must not wait for the board.
		void this.#seen(doc.orgId, doc.mentionId, context.member.memberId);
	}

	async #seen(orgId: string, mentionId: string, memberId: string): Promise<void> {
		try {
			const changed = await this.#options.storage.markFollowUpsSeen(orgId, mentionId, memberId);
			if (changed) await this.#options.publisher.publish(orgId, changed.boardId, [changed.stored]);
		} catch (error) {
			this.#options.logger.warn({ err: error, mentionId }, "follow-ups could not be marked seen");
		}
	}
}
