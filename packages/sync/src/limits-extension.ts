/**
 * Limits that need the document, not just the frame: how large a draft may grow, and
 * telling each socket's MessageGuard when a document has finished authenticating (from
 * then on its messages no longer count as queued).
 *
 * A document's size is measured when it loads and after every store, and grows by the
 * size of every update in between: an over-estimate (deletions shrink a document, run
 * merging makes it smaller), measured again when it comes near the limit.
 */
import type {
	afterLoadDocumentPayload,
	afterStoreDocumentPayload,
	afterUnloadDocumentPayload,
	beforeSyncPayload,
	connectedPayload,
	Extension,
	onChangePayload,
	onDisconnectPayload,
} from "@hocuspocus/server";
import { CloseError } from "./close-error.ts";
import type { SocketContext, SyncContext } from "./context.ts";
import { encodedStateOf } from "./encoded-state-cache.ts";
import { writesDocument } from "./frame-codec.ts";
import { defaultSyncLimits } from "./message-guard.ts";

export interface LimitsExtensionOptions {
	/** @default defaultSyncLimits.maxDocumentBytes */
	maxDocumentBytes?: number;
}

export class LimitsExtension implements Extension {
	readonly extensionName = "switchboard-limits";
	/** Before DurableDocuments: an update refused here is never stored. */
	readonly priority = 200;
	private readonly maxDocumentBytes: number;
	private readonly sizes = new Map<string, number>();

	constructor(options: LimitsExtensionOptions = {}) {
		this.maxDocumentBytes = options.maxDocumentBytes ?? defaultSyncLimits.maxDocumentBytes;
	}

	/** The estimated encoded size of a loaded document, in bytes. */
	documentSize(documentName: string): number | undefined {
		return this.sizes.get(documentName);
	}

	/**
	 * Room for an update that is stored before its turn (DurableDocuments appends updates as
	 * they arrive, before this extension's `beforeSync` sees them): true, and counted in the
	 * estimate at once, while the estimate with it stays within half the limit; false
	 * otherwise, and the update waits for its turn and the exact check. Everything stored
	 * early since the last measurement is then at most half the limit, so what is stored
	 * stays within it. Counted again when applied: an over-estimate, which only brings the
	 * exact measurement sooner.
	 */
	reserve(documentName: string, bytes: number): boolean {
		const size = this.sizes.get(documentName);
		if (size === undefined || size + bytes > this.maxDocumentBytes / 2) return false;
		this.sizes.set(documentName, size + bytes);
		return true;
	}

	async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
		this.sizes.set(documentName, encodedStateOf(document).byteLength);
	}

	async beforeSync(sync: beforeSyncPayload<SyncContext>): Promise<void> {
		if (!writesDocument(sync)) return;
		const { payload, document, documentName, context } = sync;
		const estimate = this.sizes.get(documentName) ?? 0;
		if (estimate + payload.byteLength <= this.maxDocumentBytes) return;
		// Near the limit the estimate is not good enough (a paste deleted again counts twice):
		// measure before refusing.
		const size = encodedStateOf(document).byteLength;
		this.sizes.set(documentName, size);
		if (size + payload.byteLength <= this.maxDocumentBytes) return;
		const error = new CloseError(
			"documentTooLarge",
			`a document may be at most ${this.maxDocumentBytes} bytes; this update was not stored`,
		);
		context.closeSocket(error.code, error.reason);
		throw error;
	}

	async onChange({ documentName, update }: onChangePayload): Promise<void> {
		const size = this.sizes.get(documentName);
		if (size !== undefined) this.sizes.set(documentName, size + update.byteLength);
	}

	async afterStoreDocument({ documentName, document }: afterStoreDocumentPayload): Promise<void> {
		if (this.sizes.has(documentName)) {
			this.sizes.set(documentName, encodedStateOf(document).byteLength);
		}
	}

	async afterUnloadDocument({ documentName, instance }: afterUnloadDocumentPayload): Promise<void> {
		// A client may have loaded the document again already (unload hooks run late).
		if (!instance.documents.has(documentName)) this.sizes.delete(documentName);
	}

	async connected({ context, connection }: connectedPayload<SocketContext>): Promise<void> {
		context.guard?.authenticated(connection.messageAddress);
	}

	async onDisconnect({ context, documentName }: onDisconnectPayload<SocketContext>): Promise<void> {
		context.guard?.forget(documentName);
		context.order?.forget(documentName);
	}
}
