/**
 * Keeps loaded board documents in step with the database: a board is reconciled when
 * it loads, and `publish` projects mentions that arrived while it may be loaded here
 * or on another instance.
 */
import type { afterLoadDocumentPayload, Extension, Hocuspocus } from "@hocuspocus/server";
import { boardDocumentName, type MemberCard, parseDocumentName } from "@switchboard/domain";
import type { StoredMention } from "@switchboard/storage";
import type * as Y from "yjs";
import type { BoardProjector } from "./board-projector.ts";

export class BoardExtension implements Extension {
	readonly extensionName = "switchboard-board";
	private readonly projector: BoardProjector;
	private instance: Hocuspocus | null = null;

	constructor(projector: BoardProjector) {
		this.projector = projector;
	}

	async onConfigure({ instance }: { instance: Hocuspocus }): Promise<void> {
		this.instance = instance;
	}

	async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
		const ref = parseDocumentName(documentName);
		if (ref?.kind !== "board") return;
		await this.projector.reconcile(document, ref.orgId, ref.boardId);
	}

	/**
	 * Project newly stored mentions onto their board. Loading the board here (a direct
	 * connection) reconciles it; with Redis the change reaches the other instances.
	 */
	async publish(orgId: string, boardId: string, stored: StoredMention[]): Promise<void> {
		if (stored.length === 0) return;
		await this.#write(orgId, boardId, (doc) => this.projector.apply(doc, stored));
	}

	/**
	 * Take deleted conversations off a board, here and (through Redis) on every instance:
	 * connected clients see their cards go.
	 */
	async withdraw(orgId: string, boardId: string, mentionIds: readonly string[]): Promise<void> {
		if (mentionIds.length === 0) return;
		await this.#write(orgId, boardId, (doc) => this.projector.remove(doc, mentionIds));
	}

	/** Project members' changed cards (a new member, a new capacity) onto a board. */
	async publishMembers(
		orgId: string,
		boardId: string,
		members: readonly MemberCard[],
	): Promise<void> {
		if (members.length === 0) return;
		await this.#write(orgId, boardId, (doc) => this.projector.applyMembers(doc, members));
	}

	async #write(orgId: string, boardId: string, write: (doc: Y.Doc) => void): Promise<void> {
		if (!this.instance) return;
		const connection = await this.instance.openDirectConnection(boardDocumentName(orgId, boardId));
		try {
			if (connection.document) write(connection.document);
		} finally {
			// Not the default immediate store: that compacts the whole board into its snapshot
			// on every ingest request. The projection is already durable (its updates are
			// logged as they happen, and the database is the truth); the debounced store
			// compacts once for many requests.
			await connection.disconnect({ unloadImmediately: false });
		}
	}
}
