/**
 * "2 new" on a card lasts until the owner looks at the conversation: when a member opens a
 * conversation's draft (the conversation page does), and they own it, its follow-ups are
 * seen (`ThreadStore.markFollowUpsSeen`) and the board shows it. A follow-up that arrives
 * while the owner has the conversation open is seen as it arrives: the board's change
 * (projected here, or from another instance through Redis) is checked against the drafts
 * open on this instance. The owner's own device says it, so no command is needed; another
 * member looking at it changes nothing.
 */
import type {
	connectedPayload,
	Extension,
	onChangePayload,
	onDisconnectPayload,
} from "@hocuspocus/server";
import { boardDocumentName, parseDocumentName, readMention } from "@switchboard/domain";
import type { StoredMention, ThreadStore } from "@switchboard/storage";
import type { Logger } from "pino";
import type { SyncContext } from "./context.ts";

/** What every board's document name starts with: "board/". */
const BOARD_PREFIX = boardDocumentName("", "").slice(0, -1);

export interface FollowUpSeenOptions {
	storage: ThreadStore;
	/** Where the changed conversation is projected (the board extension). */
	publisher: { publish(orgId: string, boardId: string, stored: StoredMention[]): Promise<void> };
	logger: Pick<Logger, "warn">;
	/** Told once a member's follow-ups of a conversation were marked seen (their feed's too). */
	onSeen?: (memberId: string, mentionId: string) => Promise<void>;
}

export class FollowUpSeenExtension implements Extension {
	readonly extensionName = "switchboard-follow-up-seen";
	readonly #options: FollowUpSeenOptions;
	/**
	 * The drafts open on this instance: organisation → conversation → member → connections.
	 * Only these conversations are read when a board changes.
	 */
	readonly #open = new Map<string, Map<string, Map<string, number>>>();
	/**
	 * Conversations being marked seen now (by `mentionId memberId`), and whether a follow-up may have come meanwhile
	 * (then they are marked once more when this round ends).
	 */
	readonly #marking = new Map<string, boolean>();

	constructor(options: FollowUpSeenOptions) {
		this.#options = options;
	}

	async connected({ context }: connectedPayload<SyncContext>): Promise<void> {
		const doc = context.doc;
		if (doc?.kind !== "draft") return;
		this.#count(doc.orgId, doc.mentionId, context.member.memberId, 1);
		// Not awaited: opening the draft must not wait for the board.
		void this.#seen(doc.orgId, doc.mentionId, context.member.memberId);
	}

	async onDisconnect({ context }: onDisconnectPayload<SyncContext>): Promise<void> {
		const doc = context.doc;
		// A connection that never authenticated has no document and was never counted.
		if (doc?.kind !== "draft" || !context.member) return;
		this.#count(doc.orgId, doc.mentionId, context.member.memberId, -1);
	}

	async onChange({ documentName, document }: onChangePayload): Promise<void> {
		// Every keystroke in a draft passes here: no parse for what cannot be a board.
		if (!documentName.startsWith(BOARD_PREFIX)) return;
		const ref = parseDocumentName(documentName);
		if (ref?.kind !== "board") return;
		const open = this.#open.get(ref.orgId);
		if (!open) return;
		for (const [mentionId, members] of open) {
			const mention = readMention(document, mentionId);
			const ownerId = mention?.owner?.memberId;
			if (!mention?.unseenFollowUps || !ownerId || !members.has(ownerId)) continue;
			const key = `${mentionId} ${ownerId}`;
			if (this.#marking.has(key)) this.#marking.set(key, true);
			else void this.#seen(ref.orgId, mentionId, ownerId);
		}
	}

	#count(orgId: string, mentionId: string, memberId: string, delta: 1 | -1): void {
		const conversations = this.#open.get(orgId) ?? new Map<string, Map<string, number>>();
		this.#open.set(orgId, conversations);
		const members = conversations.get(mentionId) ?? new Map<string, number>();
		conversations.set(mentionId, members);
		const count = (members.get(memberId) ?? 0) + delta;
		if (count > 0) members.set(memberId, count);
		else members.delete(memberId);
		if (members.size === 0) conversations.delete(mentionId);
		if (conversations.size === 0) this.#open.delete(orgId);
	}

	async #seen(orgId: string, mentionId: string, memberId: string): Promise<void> {
		const key = `${mentionId} ${memberId}`;
		try {
			do {
				this.#marking.set(key, false);
				const changed = await this.#options.storage.markFollowUpsSeen(orgId, mentionId, memberId);
				if (changed) {
					await this.#options.publisher.publish(orgId, changed.boardId, [changed.stored]);
					await this.#options.onSeen?.(memberId, mentionId);
				}
			} while (this.#marking.get(key));
		} catch (error) {
			this.#options.logger.warn({ err: error, mentionId }, "follow-ups could not be marked seen");
		} finally {
			this.#marking.delete(key);
		}
	}
}
