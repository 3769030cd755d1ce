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

export class EncodedStateCache {
	private readonly doc: Y.Doc;
	private readonly tuning: EncodedStateTuning;
	private encoded: Uint8Array | null = null;
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
	};

	/** The same bytes as `Y.encodeStateAsUpdate(doc)` at this moment. */
	encode(): Uint8Array {
		// Updates waiting for a missing dependency are part of the encoding but change it
		// without an "update" event: never keep or serve one while there are any.
		// Inside a transaction the document may have changed already, before its event.
		const { pendingStructs, pendingDs } = this.doc.store;
		if (pendingStructs !== null || pendingDs !== null || this.doc._transaction !== null) {
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
}
