/**
 * Keeps loaded board documents in step with the database: a board is reconciled when
 * it loads, and `publish` projects mentions that arrived while it may be loaded here
 * or on another instance.
 */
import type { afterLoadDocumentPayload, Extension, Hocuspocus } from "@hocuspocus/server";
import { boardDocumentName, type MemberCard, parseDocumentName } from "@switchboard/domain";
import type { StoredMention } from "@switchboard/storage";
import type { Logger } from "pino";
import type * as Y from "yjs";
import type { BoardProjector } from "./board-projector.ts";

export class BoardExtension implements Extension {
	readonly extensionName = "switchboard-board";
	private readonly projector: BoardProjector;
	private readonly logger: Pick<Logger, "error"> | null;
	private instance: Hocuspocus | null = null;

	constructor(projector: BoardProjector, logger?: Pick<Logger, "error">) {
		this.projector = projector;
		this.logger = logger ?? null;
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
		const documentName = boardDocumentName(orgId, boardId);
		const connection = await this.instance.openDirectConnection(documentName);
		try {
			if (connection.document) write(connection.document);
		} finally {
			// Not the default immediate store: that compacts the whole board into its snapshot
			// on every ingest request. And not waited for: `disconnect` calls Hocuspocus' store
			// debounce, which, once `maxDebounce` has passed, runs the store there and then and
			// has its caller wait for it (a compaction: 0.6 s of a 20,000-card board, inside a
			// webhook's request; a write that changed the board usually starts that store first
			// from its update, unawaited, but one that changed nothing waits for it whole). The
			// write needs no store: its update is logged as it happens (DurableDocuments'
			// onChange), the database is the truth, and every change schedules the debounced
			// store, which runs at the latest `maxDebounce` after the first change since the last.
			connection.disconnect({ unloadImmediately: false }).catch((error: unknown) => {
				this.logger?.error({ err: error, documentName }, "closing a board write failed");
			});
		}
	}
}
