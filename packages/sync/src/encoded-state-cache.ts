/**
 * A large document's whole state, encoded once per version.
 *
 * `Y.encodeStateAsUpdate` walks every struct of a document and encodes each field of its
 * content again: a 10,000-card board (6.6 MB encoded) took 200–300 ms of CPU here, on
 * every new client's sync step 2 (bench scenario 4, `pnpm bench --only 4 --cpu-prof`), and
 * twice more on every store (compaction and the size measurement). Between two changes the
 * answer is the same bytes, so it is kept until the document changes.
 *
 * Only documents that encode to at least `minBytes` keep their encoding: a small draft is
 * cheap to encode and changes on every keystroke, and a copy per idle document would only
 * cost memory.
 *
 * A new client's answer is kept too, as one array: the message's few header bytes followed
 * by the state (`framed`), and the kept state becomes a view into it. Written into
 * Hocuspocus' message encoder, the 6.6 MB state was copied twice per client (into the
 * encoder, then out of it as the message), 13 MB of fresh memory per sync that brought on a
 * major GC every second or third client: 20-100 ms of server CPU per sync instead of about
 * 20 (bench/findings/04.md, 2026-12-04).
 */
import { withDefaults } from "@switchboard/domain";
import * as Y from "yjs";

/** When an encoding is kept; the defaults are in `defaultEncodedStateTuning`. */
export interface EncodedStateTuning {
	/**
	 * Smallest encoded state kept, in bytes: below it encoding takes well under a
	 * millisecond, and keeping a copy of every draft would only cost memory.
	 * @default 65536
	 */
	minBytes: number;
}

export const defaultEncodedStateTuning: EncodedStateTuning = {
	minBytes: 64 * 1024,
};

const caches = new WeakMap<Y.Doc, EncodedStateCache>();

/** Keeps `doc`'s encoded state between changes (see the file's comment). Idempotent. */
export function attachEncodedStateCache(
	doc: Y.Doc,
	tuning: Partial<EncodedStateTuning> = {},
): EncodedStateCache {
	let cache = caches.get(doc);
	if (!cache) {
		cache = new EncodedStateCache(doc, withDefaults(defaultEncodedStateTuning, tuning));
		caches.set(doc, cache);
	}
	return cache;
}

/** The cache attached to `doc`, if any. */
export function encodedStateCacheOf(doc: Y.Doc): EncodedStateCache | undefined {
	return caches.get(doc);
}

/**
 * `Y.encodeStateAsUpdate(doc)`, from the cache when one is attached. The bytes may be
 * shared with other callers: read them, never write into them.
 */
export function encodedStateOf(doc: Y.Doc): Uint8Array {
	return caches.get(doc)?.encode() ?? Y.encodeStateAsUpdate(doc);
}

/**
 * `make(encodedStateOf(doc))`, kept for the document's version under `key` when the
 * document keeps its encoding (`EncodedStateCache.derive`).
 */
export function derivedFromState<T>(doc: Y.Doc, key: string, make: (state: Uint8Array) => T): T {
	const cache = caches.get(doc);
	return cache ? cache.derive(key, make) : make(Y.encodeStateAsUpdate(doc));
}

export class EncodedStateCache {
	private readonly doc: Y.Doc;
	private readonly tuning: EncodedStateTuning;
	private encoded: Uint8Array | null = null;
	/** A header followed by `encoded`, which is then a view into it. */
	private frame: Uint8Array | null = null;
	/** Values made from this version's state (`derive`), by key. */
	private derived = new Map<string, unknown>();
	/** Encodings made and served from the cache, for tests and metrics. */
	readonly counts = { encoded: 0, served: 0 };

	constructor(doc: Y.Doc, tuning: EncodedStateTuning) {
		this.doc = doc;
		this.tuning = tuning;
		// Every transaction that changes the document emits "update" (Hocuspocus listens to
		// it already, so the transaction's update is encoded anyway); one that changes
		// nothing leaves the encoding as it was.
		doc.on("update", this.invalidate);
		doc.on("destroy", this.invalidate);
	}

	private readonly invalidate = (): void => {
		this.encoded = null;
		this.frame = null;
		if (this.derived.size > 0) this.derived = new Map();
	};

	/** The same bytes as `Y.encodeStateAsUpdate(doc)` at this moment. */
	encode(): Uint8Array {
		if (!this.keepable()) {
			this.encoded = null;
			return Y.encodeStateAsUpdate(this.doc);
		}
		if (this.encoded) {
			this.counts.served++;
			return this.encoded;
		}
		const encoded = Y.encodeStateAsUpdate(this.doc);
		this.counts.encoded++;
		if (encoded.byteLength >= this.tuning.minBytes) this.encoded = encoded;
		return encoded;
	}

	/**
	 * `make(state)` for the state `encode()` returns, made once per version and `key` when
	 * that state is kept (a compressed copy of it, say), else made on every call. Like the
	 * state, the value is shared: never change it.
	 */
	derive<T>(key: string, make: (state: Uint8Array) => T): T {
		const state = this.encode();
		if (state !== this.encoded) return make(state);
		if (this.derived.has(key)) return this.derived.get(key) as T;
		const value = make(state);
		this.derived.set(key, value);
		return value;
	}

	/** Whether the state may be kept: nothing pending, and not inside a transaction. */
	private keepable(): boolean {
		// Updates waiting for a missing dependency are part of the encoding but change it
		// without an "update" event: never keep or serve one while there are any.
		// Inside a transaction the document may have changed already, before its event.
		const { pendingStructs, pendingDs } = this.doc.store;
		return pendingStructs === null && pendingDs === null && this.doc._transaction === null;
	}

	/**
	 * `header(state)` followed by the state `encode()` returns, in one array: a message that
	 * carries the whole state, made once per version and header rather than once per client.
	 * The header must depend on nothing but its arguments (its bytes tell whether the kept
	 * array fits). Like `encode()`'s, the bytes may be shared: never write into them.
	 */
	framed(header: (state: Uint8Array) => Uint8Array): Uint8Array {
		const state = this.encode();
		const head = header(state);
		if (state !== this.encoded) return concat(head, state);
		if (this.frame && startsWith(this.frame, head, state.byteLength)) return this.frame;
		const frame = concat(head, state);
		this.frame = frame;
		// The state once in memory: the kept encoding is the frame's tail.
		this.encoded = frame.subarray(head.byteLength);
		return frame;
	}
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
	const joined = new Uint8Array(head.byteLength + tail.byteLength);
	joined.set(head);
	joined.set(tail, head.byteLength);
	return joined;
}

/** Whether `frame` is `head` followed by `tailLength` bytes. */
function startsWith(frame: Uint8Array, head: Uint8Array, tailLength: number): boolean {
	if (frame.byteLength !== head.byteLength + tailLength) return false;
	for (let i = 0; i < head.byteLength; i++) if (frame[i] !== head[i]) return false;
	return true;
}
