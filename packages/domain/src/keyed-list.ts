/**
 * A key → value store on a `Y.Array<{k, rev, v}>` whose encoded size follows the live
 * entries, not the history of changes.
 *
 * Why not a `Y.Map`: every `set` on a map key leaves a tombstone struct behind that is
 * never merged with its neighbours, so a board whose cards change status thousands of
 * times grows with every change. Here a write appends the new entry and deletes the old
 * one (the idea of y-utility's `YKeyValue`); runs of deleted array items merge into a
 * few structs and their content is garbage collected.
 *
 * Differences from `YKeyValue`:
 * - Precedence is by `rev` (the database revision, which is the truth): the entry with
 *   the highest rev wins; on equal revs the rightmost wins. Two server instances that
 *   write the same key concurrently therefore converge on the newer revision.
 * - Reading never writes. Clients hold the board read-only, so `readKeyed`,
 *   `readEntry` and `KeyedListView` only look; superseded duplicates stay until a server
 *   calls `compactDuplicates`.
 */
import type * as Y from "yjs";

/** One element of the underlying array. */
export interface KeyedEntry<T> {
	readonly k: string;
	readonly rev: number;
	readonly v: T;
}

/**
 * The current value of a key. Values are the objects held by the Yjs document itself:
 * treat them as read-only (mutating them corrupts the local view of the document).
 */
export interface KeyedValue<T> {
	readonly rev: number;
	readonly v: T;
}

/** How one key changed in a transaction. `before`/`after` are undefined when absent. */
export interface KeyedChange<T> {
	key: string;
	before: KeyedValue<T> | undefined;
	after: KeyedValue<T> | undefined;
}

/** Entries written by someone else are checked for shape; malformed ones are ignored. */
function isEntry(value: unknown): value is KeyedEntry<unknown> {
	if (typeof value !== "object" || value === null) return false;
	const entry = value as Record<string, unknown>;
	return typeof entry.k === "string" && typeof entry.rev === "number" && !Number.isNaN(entry.rev);
}

/** True when `later` (further right) takes precedence over `earlier`. */
function supersedes(later: KeyedEntry<unknown>, earlier: KeyedEntry<unknown>): boolean {
	return later.rev >= earlier.rev;
}

function winningEntries<T>(yarray: Y.Array<KeyedEntry<T>>): Map<string, KeyedEntry<T>> {
	const winners = new Map<string, KeyedEntry<T>>();
	yarray.forEach((entry) => {
		if (!isEntry(entry)) return;
		const current = winners.get(entry.k);
		if (!current || supersedes(entry, current)) winners.set(entry.k, entry);
	});
	return winners;
}

/** Read every key's winning entry. O(n); never writes. */
export function readKeyed<T>(yarray: Y.Array<KeyedEntry<T>>): Map<string, KeyedValue<T>> {
	return winningEntries(yarray);
}

/** Read one key's winning entry. O(n); never writes. */
export function readEntry<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	key: string,
): KeyedValue<T> | undefined {
	let winner: KeyedEntry<T> | undefined;
	yarray.forEach((entry) => {
		if (isEntry(entry) && entry.k === key && (!winner || supersedes(entry, winner))) {
			winner = entry;
		}
	});
	return winner;
}

/**
 * A read-only, incrementally maintained view of a keyed list: it follows the array's
 * events (local or remote) and never writes to the document, so a client may keep one
 * on a doc it holds read-only.
 *
 * An event costs O(changed entries), plus one O(n) scan when a winning entry was deleted
 * or a new entry ties with the winner's rev (then the position decides).
 */
export class KeyedListView<T> {
	readonly #yarray: Y.Array<KeyedEntry<T>>;
	readonly #winners: Map<string, KeyedEntry<T>>;
	readonly #listeners = new Set<(changes: KeyedChange<T>[], transaction: Y.Transaction) => void>();
	readonly #observer = (event: Y.YArrayEvent<KeyedEntry<T>>, transaction: Y.Transaction) => {
		this.#apply(event, transaction);
	};

	constructor(yarray: Y.Array<KeyedEntry<T>>) {
		this.#yarray = yarray;
		this.#winners = winningEntries(yarray);
		yarray.observe(this.#observer);
	}

	get size(): number {
		return this.#winners.size;
	}

	get(key: string): KeyedValue<T> | undefined {
		return this.#winners.get(key);
	}

	has(key: string): boolean {
		return this.#winners.has(key);
	}

	/** The current entries, in no particular order. */
	entries(): IterableIterator<[string, KeyedValue<T>]> {
		return this.#winners.entries();
	}

	/** A snapshot of the current entries. */
	toMap(): Map<string, KeyedValue<T>> {
		return new Map(this.#winners);
	}

	/**
	 * Call `listener` after every transaction that changed at least one key's winning
	 * entry. Returns a function that removes the listener.
	 */
	onChange(listener: (changes: KeyedChange<T>[], transaction: Y.Transaction) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Stop following the array. */
	destroy(): void {
		this.#yarray.unobserve(this.#observer);
		this.#listeners.clear();
	}

	#apply(event: Y.YArrayEvent<KeyedEntry<T>>, transaction: Y.Transaction): void {
		const winners = this.#winners;
		const before = new Map<string, KeyedEntry<T> | undefined>();
		const remember = (key: string) => {
			if (!before.has(key)) before.set(key, winners.get(key));
		};
		// Keys whose winner cannot be told from the event alone: rescan them.
		const dirty = new Set<string>();
		const { added, deleted } = event.changes;
		// Additions first, so that a write's own deletion of the entry it replaces is seen
		// as the removal of a loser rather than of the winner.
		for (const item of added) {
			for (const entry of item.content.getContent()) {
				if (!isEntry(entry)) continue;
				const current = winners.get(entry.k);
				remember(entry.k);
				if (!current || entry.rev > current.rev) winners.set(entry.k, entry as KeyedEntry<T>);
				else if (entry.rev === current.rev) dirty.add(entry.k);
			}
		}
		for (const item of deleted) {
			for (const entry of item.content.getContent()) {
				if (!isEntry(entry) || winners.get(entry.k) !== entry) continue;
				remember(entry.k);
				winners.delete(entry.k);
				dirty.add(entry.k);
			}
		}
		if (dirty.size > 0) {
			for (const key of dirty) winners.delete(key);
			this.#yarray.forEach((entry) => {
				if (!isEntry(entry) || !dirty.has(entry.k)) return;
				const current = winners.get(entry.k);
				if (!current || supersedes(entry, current)) winners.set(entry.k, entry as KeyedEntry<T>);
			});
		}
		if (this.#listeners.size === 0) return;
		const changes: KeyedChange<T>[] = [];
		for (const [key, previous] of before) {
			const now = winners.get(key);
			if (now !== previous) changes.push({ key, before: previous, after: now });
		}
		if (changes.length === 0) return;
		for (const listener of this.#listeners) listener(changes, transaction);
	}
}

// Server-side writers. Clients never call these: the board doc is read-only for them.
//
// Each write scans the array once to find the key's entries: O(n) per write, fine for a
// board of a few thousand cards. A writer that needs more could keep a key → Y.Item map
// up to date from the array's events and delete items without the scan.

function docOf<T>(yarray: Y.Array<T>): Y.Doc {
	const doc = yarray.doc;
	if (!doc) throw new Error("A keyed list must be part of a Y.Doc before it is written.");
	return doc;
}

/** Delete the given indexes (ascending), one Yjs delete per run of neighbours. */
function deleteIndexes<T>(yarray: Y.Array<T>, ascending: readonly number[]): void {
	let end = ascending.length - 1;
	while (end >= 0) {
		let start = end;
		while (start > 0 && ascending[start - 1] === (ascending[start] as number) - 1) start--;
		yarray.delete(ascending[start] as number, end - start + 1);
		end = start - 1;
	}
}

/**
 * Set `key` to `value` at revision `rev`: append the new entry and delete every older
 * entry of the key. Returns false and writes nothing when the stored rev is `>= rev`.
 * Runs in one transaction with `origin` (joins the caller's transaction if there is one).
 */
export function setEntry<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	key: string,
	rev: number,
	value: T,
	origin: unknown = null,
): boolean {
	if (!Number.isFinite(rev)) throw new RangeError(`A revision must be a finite number: ${rev}`);
	const doc = docOf(yarray);
	let stored = Number.NEGATIVE_INFINITY;
	const positions: number[] = [];
	yarray.forEach((entry, index) => {
		if (!isEntry(entry) || entry.k !== key) return;
		positions.push(index);
		stored = Math.max(stored, entry.rev);
	});
	if (stored >= rev) return false;
	doc.transact(() => {
		deleteIndexes(yarray, positions);
		yarray.push([{ k: key, rev, v: value }]);
	}, origin);
	return true;
}

/** One write of a batch for `setEntries`. */
export interface KeyedWrite<T> {
	key: string;
	rev: number;
	value: T;
}

/**
 * `setEntry` for many keys with one scan of the array: O(n + m) instead of O(n · m), for
 * loading or reconciling a whole board. A later write of the same key in `writes` wins
 * when its rev is higher. Returns the keys written.
 */
export function setEntries<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	writes: readonly KeyedWrite<T>[],
	origin: unknown = null,
): string[] {
	if (writes.length === 0) return [];
	const doc = docOf(yarray);
	const wanted = new Map<string, KeyedWrite<T>>();
	for (const write of writes) {
		if (!Number.isFinite(write.rev))
			throw new RangeError(`A revision must be a finite number: ${write.rev}`);
		const current = wanted.get(write.key);
		if (!current || write.rev > current.rev) wanted.set(write.key, write);
	}
	const stored = new Map<string, { rev: number; positions: number[] }>();
	yarray.forEach((entry, index) => {
		if (!isEntry(entry) || !wanted.has(entry.k)) return;
		const found = stored.get(entry.k) ?? { rev: Number.NEGATIVE_INFINITY, positions: [] };
		found.rev = Math.max(found.rev, entry.rev);
		found.positions.push(index);
		stored.set(entry.k, found);
	});
	const positions: number[] = [];
	const fresh: KeyedEntry<T>[] = [];
	for (const write of wanted.values()) {
		const found = stored.get(write.key);
		if (found && found.rev >= write.rev) continue;
		if (found) positions.push(...found.positions);
		fresh.push({ k: write.key, rev: write.rev, v: write.value });
	}
	if (fresh.length === 0) return [];
	positions.sort((a, b) => a - b);
	doc.transact(() => {
		deleteIndexes(yarray, positions);
		yarray.push(fresh);
	}, origin);
	return fresh.map((entry) => entry.k);
}

/**
 * Delete every entry of `key`. Returns false when there was none.
 *
 * There is no tombstone: a concurrent `setEntry` of the same key on another instance
 * survives the delete. The server's reconciliation against the database removes such
 * leftovers.
 */
export function deleteEntry<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	key: string,
	origin: unknown = null,
): boolean {
	const doc = docOf(yarray);
	const positions: number[] = [];
	yarray.forEach((entry, index) => {
		if (isEntry(entry) && entry.k === key) positions.push(index);
	});
	if (positions.length === 0) return false;
	doc.transact(() => deleteIndexes(yarray, positions), origin);
	return true;
}

/** `deleteEntry` for many keys with one scan. Returns how many entries were deleted. */
export function deleteEntries<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	keys: Iterable<string>,
	origin: unknown = null,
): number {
	const doomed = new Set(keys);
	if (doomed.size === 0) return 0;
	const doc = docOf(yarray);
	const positions: number[] = [];
	yarray.forEach((entry, index) => {
		if (isEntry(entry) && doomed.has(entry.k)) positions.push(index);
	});
	if (positions.length > 0) doc.transact(() => deleteIndexes(yarray, positions), origin);
	return positions.length;
}

/**
 * Delete entries that no longer win (duplicates left by concurrent writes on several
 * instances) and malformed elements. Returns how many were deleted. Server only.
 *
 * Safe to run concurrently on several instances: an entry that lost once loses forever
 * (winners only ever get replaced by higher or further-right revisions).
 */
export function compactDuplicates<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	origin: unknown = null,
): number {
	const doc = docOf(yarray);
	const winnerIndex = new Map<string, { index: number; entry: KeyedEntry<T> }>();
	const losers: number[] = [];
	yarray.forEach((entry, index) => {
		if (!isEntry(entry)) {
			losers.push(index);
			return;
		}
		const current = winnerIndex.get(entry.k);
		if (!current) {
			winnerIndex.set(entry.k, { index, entry });
		} else if (supersedes(entry, current.entry)) {
			losers.push(current.index);
			winnerIndex.set(entry.k, { index, entry });
		} else {
			losers.push(index);
		}
	});
	if (losers.length === 0) return 0;
	losers.sort((a, b) => a - b);
	doc.transact(() => deleteIndexes(yarray, losers), origin);
	return losers.length;
}
