/**
 * Durable documents. Loading applies the stored snapshot and the update log; every
 * update a client sends is appended to the log (group commit) in `beforeSync`, which
 * Hocuspocus awaits before it applies the update and acknowledges it; the server's own
 * writes are appended as they happen; compaction merges the log into the snapshot in
 * the background (`onStoreDocument`, debounced) and when the document unloads.
 */
import { createHash } from "node:crypto";
import type {
	afterHandleMessagePayload,
	afterLoadDocumentPayload,
	afterUnloadDocumentPayload,
	beforeHandleMessagePayload,
	beforeSyncPayload,
	beforeUnloadDocumentPayload,
	Connection,
	connectedPayload,
	Document,
	Extension,
	onChangePayload,
	onLoadDocumentPayload,
	onStoreDocumentPayload,
} from "@hocuspocus/server";
import { withDefaults } from "@switchboard/domain";
import type { DocumentLog } from "@switchboard/storage";
import type { Logger } from "pino";
import * as Y from "yjs";
import { CloseError } from "./close-error.ts";
import type { SyncContext } from "./context.ts";
import { isProjectionOrigin } from "./context.ts";
import { encodedStateOf } from "./encoded-state-cache.ts";
import {
	carriesContent,
	decodeFrame,
	isValidUpdate,
	MessageTypes,
	writesDocument,
} from "./frame-codec.ts";
import type { GroupCommitter } from "./group-commit.ts";
import { interceptIncoming } from "./hocuspocus-seams.ts";
import { defaultSyncLimits } from "./message-guard.ts";
import { noSyncMetrics, type SyncMetrics } from "./sync-metrics.ts";

/** The durable log's tuning; the defaults are in `defaultDurableDocumentsTuning`. */
export interface DurableDocumentsTuning {
	/**
	 * A document loaded with more log entries than this is compacted right away, in the
	 * background: after crashes (no store on unload) the log only grows, and every load
	 * would replay it.
	 * @default 200
	 */
	compactOnLoadAbove: number;
	/**
	 * Largest single update a client may send, in bytes.
	 * @default defaultSyncLimits.maxUpdateBytes (1 MiB)
	 */
	maxUpdateBytes: number;
}

export const defaultDurableDocumentsTuning: DurableDocumentsTuning = {
	compactOnLoadAbove: 200,
	maxUpdateBytes: defaultSyncLimits.maxUpdateBytes,
};

export interface DurableDocumentsOptions extends Partial<DurableDocumentsTuning> {
	storage: DocumentLog;
	committer: GroupCommitter;
	logger: Logger;
	/**
	 * Whether an update of this many bytes may be logged as soon as it arrives (see
	 * `connected`): it must fit the document's size limit whatever else is stored early
	 * (LimitsExtension.reserve). Updates it does not admit are logged in their turn, after
	 * every check.
	 * @default nothing is logged early
	 */
	admitsEarly?(documentName: string, bytes: number): boolean;
	/** Where the time from an update's arrival to its acknowledgement is reported. */
	metrics?: Pick<SyncMetrics, "updateStored">;
}

/** An append started when its message arrived, before Hocuspocus handled the message. */
interface EarlyAppend {
	payload: Uint8Array;
	id: Promise<number>;
	/** `performance.now()` when the message arrived, for the acknowledgement latency. */
	arrivedAt: number;
}

/** The update a sync message (update or sync step 2) carries, or null for other messages. */
function syncPayload(data: Uint8Array): Uint8Array | null {
	const frame = decodeFrame(data);
	if (frame.kind !== "sync" || frame.type !== MessageTypes.sync) return null;
	if (!carriesContent(frame.step)) return null;
	return frame.payload;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
	a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;

interface LogEntry {
	id: number;
	update?: Uint8Array;
}

/** Another instance may have compacted what this copy has not received yet: keep both. */
function mergeSnapshots(stored: Uint8Array, fresh: Uint8Array): Uint8Array {
	return Y.mergeUpdates([stored, fresh]);
}

/**
 * A snapshot's fingerprint: the md5 of its bytes in hex (19 ms for 12 MB here), what the
 * document log's `holds` is compared with.
 */
function digestOf(snapshot: Uint8Array): string {
	return createHash("md5").update(snapshot).digest("hex");
}

/**
 * Apply logged updates in their order, except that one starting past what the document
 * holds of its client waits until the entries before it are in. Such entries exist after a
 * crash: a provider sends the edits it queued while offline before its sync step 2 carries
 * the older ones, and the server stored the former and died. Applied as they come, Yjs
 * keeps them as pending structs and merges that whole pending update again with every
 * later entry, which makes loading a long log quadratic.
 */
function applyLog(
	document: Y.Doc,
	updates: readonly Uint8Array[],
	skip: (error: unknown) => void,
): void {
	const apply = (update: Uint8Array) => {
		try {
			Y.applyUpdate(document, update);
		} catch (error) {
			skip(error);
		}
	};
	const startsInside = (update: Uint8Array) => {
		try {
			for (const [client, clock] of Y.parseUpdateMeta(update).from) {
				if (clock > Y.getState(document.store, client)) return false;
			}
		} catch {
			// Unreadable: applying it reports it.
		}
		return true;
	};
	let waiting: Uint8Array[] = [];
	for (const update of updates) {
		if (startsInside(update)) apply(update);
		else waiting.push(update);
	}
	// Each pass applies what the previous ones made applicable.
	for (let progress = true; progress && waiting.length > 0; ) {
		const still: Uint8Array[] = [];
		for (const update of waiting) {
			if (startsInside(update)) apply(update);
			else still.push(update);
		}
		progress = still.length < waiting.length;
		waiting = still;
	}
	// What is left waits for edits only its clients have: pending structs, merged once.
	if (waiting.length > 0) {
		try {
			apply(Y.mergeUpdates(waiting));
		} catch {
			for (const update of waiting) apply(update);
		}
	}
}

/** An empty Yjs update (no structs, no deletions) is two zero bytes. */
function isEmptyUpdate(update: Uint8Array): boolean {
	return update.length <= 2 && update.every((byte) => byte === 0);
}

export class DurableDocuments implements Extension {
	readonly extensionName = "switchboard-durable-documents";
	private readonly options: DurableDocumentsOptions;
	private readonly tuning: DurableDocumentsTuning;
	private readonly maxUpdateBytes: number;
	private readonly metrics: Pick<SyncMetrics, "updateStored">;
	/**
	 * Log entries of each loaded document that a snapshot may replace. Client updates keep
	 * their bytes until compaction confirms the document contains them: the row is
	 * committed a moment before Hocuspocus applies the update.
	 */
	private readonly included = new Map<string, LogEntry[]>();
	/** Server writes not yet in the log, so unload can wait for them. */
	private readonly pendingWrites = new Map<string, Set<Promise<unknown>>>();
	/** One compaction at a time per document. */
	private readonly compacting = new Map<string, Promise<void>>();
	/**
	 * Client messages being handled, per document. Hocuspocus removes a connection from its
	 * document as soon as the socket closes, while the connection's last messages may still
	 * wait for their log append; unloading then would apply them to a destroyed document
	 * after the last compaction. Unload waits for them instead.
	 */
	private readonly handling = new Map<
		string,
		{ count: number; idle: Promise<void>; resolve: () => void }
	>();
	/** Appends started on arrival, per document connection, oldest first. */
	private readonly early = new WeakMap<Connection, EarlyAppend[]>();
	/**
	 * Per loaded copy, the digest of a stored snapshot the copy holds all of: the one it was
	 * loaded from, or the last it wrote of its own state. A compaction that finds that
	 * snapshot still stored writes the copy's state as it is, without merging the two:
	 * `Y.mergeUpdates` of a 20,000-card board with its previous snapshot took 1.2-1.6 s of
	 * the core, two thirds of the whole compaction (bench/findings/06.md).
	 */
	private readonly holdsSnapshot = new WeakMap<Document, string>();

	constructor(options: DurableDocumentsOptions) {
		this.options = options;
		this.tuning = withDefaults(defaultDurableDocumentsTuning, options);
		this.maxUpdateBytes = this.tuning.maxUpdateBytes;
		this.metrics = options.metrics ?? noSyncMetrics;
	}

	async onLoadDocument({ documentName, document }: onLoadDocumentPayload): Promise<void> {
		const stored = await this.options.storage.loadDocument(documentName);
		Y.transact(
			document,
			() => {
				if (stored.snapshot) Y.applyUpdate(document, stored.snapshot);
				applyLog(document, stored.updates, (error) =>
					// A log entry that cannot be applied must not make the document unloadable.
					this.options.logger.error(
						{ err: error, documentName },
						"skipped an unreadable logged update",
					),
				);
			},
			{ source: "local", skipStoreHooks: true },
		);
		this.included.set(
			documentName,
			stored.updateIds.map((id) => ({ id })),
		);
		if (stored.snapshot) this.holdsSnapshot.set(document, digestOf(stored.snapshot));
	}

	async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
		const logged = this.included.get(documentName)?.length ?? 0;
		if (logged <= this.tuning.compactOnLoadAbove) return;
		this.compact(documentName, document).catch((error: unknown) => {
			// The log keeps everything; the next store tries again.
			this.options.logger.warn({ err: error, documentName }, "compaction after load failed");
		});
	}

	async beforeSync(sync: beforeSyncPayload<SyncContext>): Promise<void> {
		if (!writesDocument(sync)) return;
		const { payload, connection, documentName, context } = sync;
		if (payload.byteLength > this.maxUpdateBytes) {
			throw new CloseError(
				"tooLarge",
				`an update may be at most ${this.maxUpdateBytes} bytes, this one has ${payload.byteLength}`,
			);
		}
		if (isEmptyUpdate(payload)) return;
		const early = this.takeEarly(connection, payload);
		const since = early?.arrivedAt ?? performance.now();
		if (!early) {
			try {
				Y.decodeUpdate(payload);
			} catch {
				throw new CloseError("invalidUpdate", "the update is not a valid Yjs update");
			}
		}
		try {
			const id = await (early?.id ?? this.options.committer.append(documentName, payload));
			this.included.get(documentName)?.push({ id, update: payload });
			this.metrics.updateStored((performance.now() - since) / 1000);
		} catch (error) {
			(context.log ?? this.options.logger).error(
				{ err: error, documentName },
				"could not store an update; not acknowledged",
			);
			const unavailable = new CloseError(
				"unavailable",
				"the update could not be stored; it will be sent again",
			);
			// The whole socket: a provider resends what is not acknowledged only when it
			// connects again (a closed document connection alone would leave it waiting).
			context.closeSocket(unavailable.code, unavailable.reason);
			throw unavailable;
		}
	}

	/**
	 * Hocuspocus handles a connection's messages one after the other, and each update
	 * waits for its log append: a typist whose appends take longer than its keystrokes
	 * falls behind without end, one commit per keystroke. So, once a writable connection
	 * is authenticated, each update is appended as soon as it arrives (the same checks as
	 * `beforeSync`, and `admitsEarly` for the size limit); updates queued behind a slow
	 * commit then share the next one. `beforeSync` still waits for the append before the
	 * update is applied and acknowledged. An update appended early whose message is never
	 * handled (the socket closed) is in the log unacknowledged, as after a crash: the next
	 * load applies it, and the client sends it again.
	 */
	async connected({ connection, documentName }: connectedPayload<SyncContext>): Promise<void> {
		if (connection.readOnly || !this.options.admitsEarly) return;
		interceptIncoming(connection, (data) => this.appendEarly(connection, documentName, data));
	}

	private appendEarly(connection: Connection, documentName: string, data: Uint8Array): void {
		const payload = syncPayload(data);
		if (!payload || payload.byteLength > this.maxUpdateBytes || isEmptyUpdate(payload)) return;
		// The guard decoded it on arrival; a frame that did not pass it is decoded here.
		if (!isValidUpdate(payload)) {
			try {
				Y.decodeUpdate(payload);
			} catch {
				return;
			}
		}
		if (!this.options.admitsEarly?.(documentName, payload.byteLength)) return;
		const queue = this.early.get(connection) ?? [];
		const arrivedAt = performance.now();
		const id = this.options.committer.append(documentName, payload);
		// Handled in beforeSync; a message that never gets there must not fail the process.
		id.catch(() => undefined);
		this.early.set(connection, queue);
		queue.push({ payload, id, arrivedAt });
	}

	/**
	 * The early append of this payload, or null for a message that arrived before
	 * `connected` (or was not admitted). Entries ahead of it belong to older messages that
	 * never got here (dropped with a failed message): they are discarded.
	 */
	private takeEarly(connection: Connection, payload: Uint8Array): EarlyAppend | null {
		const queue = this.early.get(connection);
		const index = queue?.findIndex((entry) => sameBytes(entry.payload, payload)) ?? -1;
		if (!queue || index === -1) return null;
		const [entry] = queue.splice(0, index + 1).slice(-1);
		return entry ?? null;
	}

	async beforeHandleMessage({ documentName }: beforeHandleMessagePayload): Promise<void> {
		const current = this.handling.get(documentName);
		if (current) {
			current.count += 1;
			return;
		}
		let resolve = () => {};
		const idle = new Promise<void>((done) => {
			resolve = done;
		});
		this.handling.set(documentName, { count: 1, idle, resolve });
	}

	/** Called after every message, also one that failed (Hocuspocus calls it in `finally`). */
	async afterHandleMessage({ documentName }: afterHandleMessagePayload): Promise<void> {
		const current = this.handling.get(documentName);
		if (!current) return;
		current.count -= 1;
		if (current.count > 0) return;
		this.handling.delete(documentName);
		current.resolve();
	}

	async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
		// Hocuspocus checks again afterwards: a message that changed the document scheduled
		// a store, and the document stays until that store has run.
		await this.handling.get(documentName)?.idle;
	}

	async onChange({ documentName, update, transactionOrigin }: onChangePayload): Promise<void> {
		// Client updates were logged in beforeSync, updates from other instances by the
		// instance that received them. Only the server's own writes are logged here.
		if (!isProjectionOrigin(transactionOrigin)) return;
		const write = this.options.committer
			.append(documentName, update)
			.then((id) => {
				this.included.get(documentName)?.push({ id });
			})
			.catch((error: unknown) => {
				// The database already holds the authoritative state; the next load reconciles.
				this.options.logger.error({ err: error, documentName }, "could not log a board write");
			});
		const pending = this.pendingWrites.get(documentName) ?? new Set();
		this.pendingWrites.set(documentName, pending);
		pending.add(write);
		write.finally(() => pending.delete(write));
	}

	async onStoreDocument({ documentName, document }: onStoreDocumentPayload): Promise<void> {
		await this.compact(documentName, document);
	}

	async afterUnloadDocument({ documentName, instance }: afterUnloadDocumentPayload): Promise<void> {
		// Unload hooks run after the document left the map: a client may have loaded it
		// again meanwhile, and its entries are the new copy's.
		if (instance.documents.has(documentName) || instance.loadingDocuments.has(documentName)) {
			return;
		}
		this.included.delete(documentName);
		this.pendingWrites.delete(documentName);
	}

	/** Merge what the document holds into its snapshot and drop the log entries it includes. */
	async compact(documentName: string, document: Document): Promise<void> {
		// Wait until no compaction of this name runs: several callers may have waited on
		// the same one, and only the first of them may start next.
		for (let running = this.compacting.get(documentName); running; ) {
			await running.catch(() => undefined);
			running = this.compacting.get(documentName);
		}
		const task = (async () => {
			await Promise.all(this.pendingWrites.get(documentName) ?? []);
			const entries = this.included.get(documentName) ?? [];
			const state = encodedStateOf(document);
			const snapshot = Y.snapshot(document);
			const done = entries.filter(
				(entry) => !entry.update || Y.snapshotContainsUpdate(snapshot, entry.update),
			);
			const held = this.holdsSnapshot.get(document);
			let written = state;
			await this.options.storage.compactDocument(
				documentName,
				state,
				done.map((entry) => entry.id),
				(stored, fresh) => {
					written = mergeSnapshots(stored, fresh);
					return written;
				},
				held,
			);
			// A merged snapshot may hold what this copy has not received yet.
			if (written === state) this.holdsSnapshot.set(document, digestOf(state));
			else this.holdsSnapshot.delete(document);
			const compacted = new Set(done);
			// The document may have been unloaded while the snapshot was written.
			if (!this.included.has(documentName)) return;
			this.included.set(
				documentName,
				(this.included.get(documentName) ?? []).filter((entry) => !compacted.has(entry)),
			);
		})();
		this.compacting.set(documentName, task);
		try {
			await task;
		} finally {
			if (this.compacting.get(documentName) === task) this.compacting.delete(documentName);
		}
	}
}
