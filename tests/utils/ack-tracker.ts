/**
 * What a client saw acknowledged, message by message. The provider's `unsyncedChanges`
 * is a counter that a reconnect resets to 1, and updates queued while offline are
 * acknowledged before the sync step 2 that carries the older edits: it can read 0 while
 * an edit is still unacknowledged. So the tests watch the wire instead: a WebSocket
 * subclass records, per socket, the note ids each outgoing update (or sync step 2)
 * carries, and the server's sync-status answers, which come one per such message and in
 * order. A note is acknowledged when a message carrying it was answered "applied".
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import type { DraftNote } from "@switchboard/domain";
import * as decoding from "lib0/decoding";
import * as Y from "yjs";

const MessageType = { sync: 0, syncStatus: 8 } as const;
const SyncStep = { step2: 1, update: 2 } as const;

/** Ids of the notes (objects with an `id`) an update inserts. */
export function noteIdsIn(update: Uint8Array): string[] {
	const ids: string[] = [];
	for (const struct of Y.decodeUpdate(update).structs) {
		if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) continue;
		for (const value of struct.content.arr) {
			const id = (value as { id?: unknown } | null)?.id;
			if (typeof id === "string") ids.push(id);
		}
	}
	return ids;
}

/** One socket's view: messages waiting for their status, and whether its sync step 2 was applied. */
interface SocketState {
	waiting: { ids: string[]; step2: boolean }[];
	synced: boolean;
}

/** Acknowledgements seen by one client, across all its sockets. */
export class AckLedger {
	readonly acked = new Set<string>();
	/** Messages answered "not applied" (read-only documents). */
	refused = 0;
	/** Sockets currently open. */
	open = 0;
	/** The socket opened last. */
	current: SocketState | null = null;
	/** Messages received on the socket opened last, by message type (for failure reports). */
	received = new Map<number, number>();

	/**
	 * True when the server has everything this client has: on the open socket the client's
	 * sync step 2 (all the server lacked) was applied, and no later message waits for its
	 * status. A note the server stored whose status was lost in a crash is never
	 * acknowledged (the next step 2 leaves it out); this tells when it no longer matters.
	 */
	get settled(): boolean {
		return (
			this.open > 0 &&
			this.current !== null &&
			this.current.synced &&
			this.current.waiting.length === 0
		);
	}
}

function toBytes(data: unknown): Uint8Array | null {
	if (data instanceof Uint8Array) return data;
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	if (ArrayBuffer.isView(data))
		return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
	return null;
}

/** A WebSocket class for `WebSocketPolyfill` that books acknowledgements into `ledger`. */
export function trackingWebSocket(ledger: AckLedger): typeof WebSocket {
	return class TrackingWebSocket extends WebSocket {
		/** Note ids of each sent message still waiting for its sync status, oldest first. */
		readonly #state: SocketState = { waiting: [], synced: false };
		#opened = false;

		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			this.addEventListener("open", () => {
				this.#opened = true;
				ledger.open += 1;
				ledger.current = this.#state;
				ledger.received = new Map();
			});
			this.addEventListener("close", () => {
				if (this.#opened) ledger.open -= 1;
				this.#opened = false;
			});
			this.addEventListener("message", (event) => this.#received(event.data));
		}

		override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
			const bytes = toBytes(data);
			if (bytes) this.#sent(bytes);
			super.send(data);
		}

		#sent(bytes: Uint8Array): void {
			const decoder = decoding.createDecoder(bytes);
			decoding.readVarString(decoder);
			if (decoding.readVarUint(decoder) !== MessageType.sync) return;
			const step = decoding.readVarUint(decoder);
			if (step !== SyncStep.step2 && step !== SyncStep.update) return;
			this.#state.waiting.push({
				ids: noteIdsIn(decoding.readVarUint8Array(decoder)),
				step2: step === SyncStep.step2,
			});
		}

		#received(data: unknown): void {
			const bytes = toBytes(data);
			if (!bytes || bytes.length < 2) return;
			const decoder = decoding.createDecoder(bytes);
			decoding.readVarString(decoder);
			const type = decoding.readVarUint(decoder);
			ledger.received.set(type, (ledger.received.get(type) ?? 0) + 1);
			if (type !== MessageType.syncStatus) return;
			const applied = decoding.readVarUint(decoder) === 1;
			const message = this.#state.waiting.shift();
			if (!applied) {
				ledger.refused += 1;
				return;
			}
			if (message?.step2) this.#state.synced = true;
			for (const id of message?.ids ?? []) ledger.acked.add(id);
		}
	};
}

export interface NoteWriter {
	index: number;
	documentName: string;
	doc: Y.Doc;
	provider: HocuspocusProvider;
	socket: HocuspocusProviderWebsocket;
	ledger: AckLedger;
	/** Ids of every note this client inserted, in order. */
	inserted: string[];
	/** Insert a new note with a unique id; returns the id. */
	insert(): string;
	destroy(): void;
}

export interface NoteWriterOptions {
	index: number;
	url: string;
	documentName: string;
	token: string;
	memberId: string;
	/** Prefix of the note ids, so several runs never share one. @default "c" */
	prefix?: string;
}

/** A provider on a draft that inserts notes and books what the server acknowledged. */
export function connectNoteWriter(options: NoteWriterOptions): NoteWriter {
	const ledger = new AckLedger();
	const socket = new HocuspocusProviderWebsocket({
		url: options.url,
		WebSocketPolyfill: trackingWebSocket(ledger),
		delay: 100,
		minDelay: 50,
		maxDelay: 500,
		factor: 1.5,
		maxAttempts: 0,
	});
	const doc = new Y.Doc();
	const provider = new HocuspocusProvider({
		websocketProvider: socket,
		name: options.documentName,
		document: doc,
		token: options.token,
	});
	provider.attach();
	const inserted: string[] = [];
	const notes = doc.getArray<DraftNote>("notes");
	return {
		index: options.index,
		documentName: options.documentName,
		doc,
		provider,
		socket,
		ledger,
		inserted,
		insert() {
			const id = `${options.prefix ?? "c"}${options.index}-${inserted.length}`;
			notes.push([
				{
					id,
					authorId: options.memberId,
					text: `note ${id}`,
					at: new Date().toISOString(),
					mentions: [],
				},
			]);
			inserted.push(id);
			return id;
		},
		destroy() {
			provider.destroy();
			socket.destroy();
		},
	};
}

/** Note ids of a document in insertion order, duplicates kept (so they can be counted). */
export function noteIds(doc: Y.Doc): string[] {
	return doc
		.getArray<DraftNote>("notes")
		.toArray()
		.map((note) => note.id);
}

export interface LostReport {
	/** Acknowledged notes the database has not got: lost. */
	lost: string[];
	/** Acknowledged notes stored but waiting for older, unacknowledged notes of their client. */
	waiting: string[];
}

/**
 * The acknowledged notes the database does not show. An acknowledged update can wait in
 * the stored log for older edits of the same client that were never acknowledged (after a
 * reconnect the provider sends the updates it queued before its sync step 2 carries the
 * older ones): it is stored, and shows once that client's next sync delivers them. Such a
 * note counts as waiting, not lost, when it is in the stored bytes and older notes of its
 * client are missing from them, none of which was acknowledged (an acknowledged one would
 * be reported lost itself). Each note is one struct, so a client's n-th note has clock n.
 */
export function findLostNotes(
	writers: readonly NoteWriter[],
	acked: ReadonlySet<string>,
	stored: ReadonlyMap<
		string,
		{ visible: string[]; inBytes: Set<string>; stateVector: Map<number, number> }
	>,
): LostReport {
	const report: LostReport = { lost: [], waiting: [] };
	for (const writer of writers) {
		const notes = stored.get(writer.documentName);
		if (!notes) throw new Error(`nothing loaded for ${writer.documentName}`);
		const visible = new Set(notes.visible);
		const shown = notes.stateVector.get(writer.doc.clientID) ?? 0;
		for (const [clock, id] of writer.inserted.entries()) {
			if (!acked.has(id) || visible.has(id)) continue;
			// The older notes of this client that are not stored at all hold it back.
			const gap = writer.inserted.slice(shown, clock).filter((older) => !notes.inBytes.has(older));
			const waitsForUnacked =
				notes.inBytes.has(id) && gap.length > 0 && gap.every((older) => !acked.has(older));
			(waitsForUnacked ? report.waiting : report.lost).push(id);
		}
	}
	return report;
}
