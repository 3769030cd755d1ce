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
 * - Writers find a key through an index that follows the array's events (`KeyedIndex`),
 *   so a single write costs O(1), not a scan of the list.
 */
import * as Y from "yjs";

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

/**
 * Read one key's winning entry; never writes. The first call on a list scans it and builds
 * an index that follows the array's events; later calls are O(1).
 */
export function readEntry<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	key: string,
): KeyedValue<T> | undefined {
	return indexOf(yarray).get(key);
}

/** Elements `from` (inclusive) to `to` (exclusive) of one item. */
interface ItemRange {
	item: Y.Item;
	from: number;
	to: number;
}

/** Told of the items a transaction added to and deleted from a list. */
type ItemFollower = (added: readonly ItemRange[], deleted: readonly ItemRange[]) => void;

/**
 * The elements a transaction added to and deleted from `yarray`, found through the
 * transaction's new structs and delete set: O(changes). (`event.changes` walks the whole
 * array, which made every write to a board of thousands of cards cost a scan.) An element
 * added and deleted in the same transaction is in neither, as in `event.changes`.
 */
function changedItems(
	yarray: object,
	transaction: Y.Transaction,
): { added: ItemRange[]; deleted: ItemRange[] } {
	const added: ItemRange[] = [];
	const deleted: ItemRange[] = [];
	const clients = transaction.doc.store.clients;
	for (const [client, after] of transaction.afterState) {
		const from = transaction.beforeState.get(client) ?? 0;
		const structs = clients.get(client);
		if (!structs || from >= after) continue;
		// A transaction's new structs are the last of their client's array: walk back to them
		// rather than search (a board's client array holds thousands of structs).
		let i = structs.length - 1;
		while (i > 0 && (structs[i - 1] as Y.Item | Y.GC).id.clock >= from) i--;
		if ((structs[i] as Y.Item | Y.GC).id.clock > from) i = Y.findIndexSS(structs, from);
		collect(yarray, structs, i, from, after, added, true);
	}
	for (const [client, ranges] of transaction.deleteSet.clients) {
		const before = transaction.beforeState.get(client) ?? 0;
		const structs = clients.get(client);
		if (!structs) continue;
		for (const { clock, len } of ranges) {
			const to = Math.min(clock + len, before);
			if (clock >= to) continue;
			collect(yarray, structs, Y.findIndexSS(structs, clock), clock, to, deleted, false);
		}
	}
	return { added, deleted };
}

/** The items of `yarray` in `structs` from index `i` on that overlap clocks [from, to). */
function collect(
	yarray: object,
	structs: (Y.Item | Y.GC)[],
	i: number,
	from: number,
	to: number,
	into: ItemRange[],
	live: boolean,
): void {
	for (; i < structs.length; i++) {
		const struct = structs[i] as Y.Item | Y.GC;
		const clock = struct.id.clock;
		if (clock >= to) break;
		if (!(struct instanceof Y.Item) || struct.parent !== yarray || struct.deleted === live)
			continue;
		into.push({
			item: struct,
			from: Math.max(0, from - clock),
			to: Math.min(struct.length, to - clock),
		});
	}
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
	readonly #follow: ItemFollower | undefined;
	readonly #observer = (_event: Y.YArrayEvent<KeyedEntry<T>>, transaction: Y.Transaction) => {
		this.#apply(transaction);
	};

	/**
	 * `follow` (the writers' index) is told of the items each transaction added and
	 * deleted, found once for both.
	 */
	constructor(yarray: Y.Array<KeyedEntry<T>>, follow?: ItemFollower) {
		this.#yarray = yarray;
		this.#follow = follow;
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

	#apply(transaction: Y.Transaction): void {
		const { added, deleted } = changedItems(this.#yarray, transaction);
		this.#follow?.(added, deleted);
		const winners = this.#winners;
		// The winners before the transaction, kept only for listeners.
		const before =
			this.#listeners.size > 0 ? new Map<string, KeyedEntry<T> | undefined>() : undefined;
		// Keys whose winner cannot be told from the event alone: rescan them.
		const dirty = new Set<string>();
		// Additions first, so that a write's own deletion of the entry it replaces is seen
		// as the removal of a loser rather than of the winner.
		for (const { item, from, to } of added) {
			const content = item.content.getContent();
			for (let offset = from; offset < to; offset++) {
				const entry = content[offset];
				if (!isEntry(entry)) continue;
				const current = winners.get(entry.k);
				if (before && !before.has(entry.k)) before.set(entry.k, current);
				if (!current || entry.rev > current.rev) winners.set(entry.k, entry as KeyedEntry<T>);
				else if (entry.rev === current.rev) dirty.add(entry.k);
			}
		}
		for (const { item, from, to } of deleted) {
			const content = item.content.getContent();
			for (let offset = from; offset < to; offset++) {
				const entry = content[offset];
				if (!isEntry(entry) || winners.get(entry.k) !== entry) continue;
				if (before && !before.has(entry.k)) before.set(entry.k, entry as KeyedEntry<T>);
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
		if (!before) return;
		const changes: KeyedChange<T>[] = [];
		for (const [key, previous] of before) {
			const now = winners.get(key);
			if (now !== previous) changes.push({ key, before: previous, after: now });
		}
		if (changes.length === 0) return;
		for (const listener of this.#listeners) listener(changes, transaction);
	}
}

/**
 * The longest run of live entries one item of the list holds, as far as this module
 * decides. Yjs merges consecutive items of one client into one item whose content is a
 * single array, and copies that array on every merge and every split: a board that
 * appends each change after the last one built a run of every live card, so each change
 * copied the whole board twice (append, then delete the card's old entry). Appended items
 * join the run on their left until it holds RUN entries; then one deleted element (a
 * `ContentDeleted` item of length 1) closes the run, and Yjs never merges a live item with
 * a deleted one. Deleted items still merge with each other, the closing element too, so the
 * size follows the live entries as before.
 *
 * Why 256: a change splits its old entry off a run and merges the new one into the last
 * run, copying up to RUN pointers each time, and Yjs splices the client's struct array (two
 * structs a run) at the split and again when the deleted element merges with its deleted
 * neighbour. On a board of 10,000 cards the splices cost more than the copies: Switchboard's
 * churn alone, CPU µs per change after its first 20,000, 14.4–21.9 at 64 (627 structs),
 * 12.9–15.7 at 256 (159), 13.1–13.6 at 1,024, 22.6–32.0 at 16; in a random order 29.2–34.0
 * at 64 against 25.4–26.3 at 256 (bench/findings/04.md, churn2).
 *
 * Entries are written as `ContentJSON`: a reader decodes each entry as one string and
 * `JSON.parse`, and Yjs encodes it again for the document's `update` listener (every
 * provider has one) with one `JSON.stringify`, where `ContentAny` decodes and encodes every
 * key and string of the entry on its own. A claim's entry is 13 % more bytes as JSON and
 * about 0.6x the reader's time (bench/findings/05.md). Lists written before hold `ContentAny`
 * runs, or runs alternating between the two classes (December 2026); both read the same.
 */
const RUN = 256;

/**
 * The length (up to RUN) of the run of live items of `client` ending at `left` that a JSON
 * item at `clock` would merge into, or 0 when it would not merge.
 */
function runBefore(left: Y.Item | null, client: number, clock: number): number {
	let length = 0;
	let next = clock;
	for (let item = left; item !== null && length < RUN; item = item.left) {
		if (
			item.deleted ||
			item.id.client !== client ||
			item.id.clock + item.length !== next ||
			item.content.constructor !== Y.ContentJSON
		) {
			break;
		}
		length += item.length;
		next = item.id.clock;
	}
	return length;
}

/** Where an entry sits in the document: its item's client and the element's clock. */
interface Location<T> {
	readonly client: number;
	readonly clock: number;
	readonly entry: KeyedEntry<T>;
}

/**
 * What the writers know of one list, so that a single write costs O(1) instead of a scan:
 * where every live entry of each key is (with the entry itself), the winners (a view
 * following the array's events, local and remote) and the list's last item.
 *
 * A key with one live entry (every key this module wrote last) is answered from its
 * location, which a write updates at once; the view, which learns of a transaction when it
 * ends, decides only between the several entries that concurrent writers leave. So a write
 * keeps no per-transaction state to reset (a document `afterTransaction` listener emptying
 * pending writes was 1.25 µs of a 17 µs change in a CPU profile, bench/findings/04.md).
 *
 * Writes go through Yjs' item API (`Item.integrate`, `Item.delete`) rather than the
 * index-based `insert`/`delete`: those find positions by walking the list, and the search
 * markers that shorten the walk cannot sit inside a run of one client's consecutive
 * items, which is what a server appending to its own board produces.
 */
class KeyedIndex<T> {
	readonly view: KeyedListView<T>;
	/** A key's one location, or its several (duplicates that concurrent writers left). */
	readonly #locations = new Map<string, Location<T> | Location<T>[]>();
	readonly #yarray: Y.Array<KeyedEntry<T>>;
	#last: Y.Item | null = null;

	constructor(yarray: Y.Array<KeyedEntry<T>>) {
		this.#yarray = yarray;
		this.view = new KeyedListView(yarray, (added, deleted) => {
			for (const { item, from, to } of deleted) this.#untrack(item, from, to);
			// `append` tracked its own items already; tracking them again finds them known.
			for (const { item, from, to } of added) this.#track(item, from, to);
		});
		for (let item = yarray._start; item !== null; item = item.right) {
			if (!item.deleted) this.#track(item, 0, item.length);
		}
	}

	get(key: string): KeyedEntry<T> | undefined {
		const known = this.#locations.get(key);
		if (known === undefined) return undefined;
		if (!Array.isArray(known)) return known.entry;
		return this.view.get(key) as KeyedEntry<T> | undefined;
	}

	/** Forget `key`'s entries, which the caller deleted by index in the running transaction. */
	forget(key: string): void {
		this.#locations.delete(key);
	}

	/** Append entries after the list's last item, in `transaction`, in runs of at most RUN. */
	append(transaction: Y.Transaction, entries: KeyedEntry<T>[]): void {
		const doc = transaction.doc;
		let last = this.#last;
		// Yjs merges an item into its left neighbour at the end of a transaction: step left
		// from an item that is no longer linked into the list to the one that took it in.
		while (last !== null && (last.left === null ? this.#yarray._start : last.left.right) !== last) {
			last = last.left;
		}
		last ??= this.#yarray._start;
		while (last?.right) last = last.right;
		for (let at = 0; at < entries.length; ) {
			let clock = Y.getState(doc.store, doc.clientID);
			const run = runBefore(last, doc.clientID, clock);
			let room = RUN - run;
			if (room <= 0) {
				// Close the full run with one deleted element, which no live item merges with.
				const gap = this.#item(doc, clock, last, new Y.ContentDeleted(1));
				gap.integrate(transaction, 0);
				last = gap;
				clock++;
				room = RUN;
			}
			const item = this.#item(
				doc,
				clock,
				last,
				new Y.ContentJSON(
					at === 0 && entries.length <= room ? entries : entries.slice(at, at + room),
				),
			);
			item.integrate(transaction, 0);
			this.#track(item, 0, item.length);
			last = item;
			at += room;
		}
		this.#last = last;
	}

	/** A new item of this document's client at `clock`, right of `left`, at the list's end. */
	#item(
		doc: Y.Doc,
		clock: number,
		left: Y.Item | null,
		content: Y.ContentJSON | Y.ContentDeleted,
	): Y.Item {
		return new Y.Item(
			Y.createID(doc.clientID, clock),
			left,
			left?.lastId ?? null,
			null,
			null,
			this.#yarray,
			null,
			content,
		);
	}

	/** Delete every entry of `key`, in `transaction`. Returns how many there were. */
	deleteKey(transaction: Y.Transaction, key: string): number {
		const known = this.#locations.get(key);
		if (known === undefined) return 0;
		this.#locations.delete(key);
		let deleted = 0;
		if (!Array.isArray(known)) deleted += this.#deleteAt(transaction, known);
		else for (const location of known) deleted += this.#deleteAt(transaction, location);
		// Positions after the deleted elements moved; Yjs resets its search markers the same
		// way after a remote change.
		if (deleted > 0 && this.#yarray._searchMarker) this.#yarray._searchMarker.length = 0;
		return deleted;
	}

	/** Delete the element at `location`: 1, or 0 when it is gone already. */
	#deleteAt(transaction: Y.Transaction, { client, clock }: Location<T>): number {
		const item = Y.getItemCleanStart(transaction, Y.createID(client, clock)) as Y.Item | Y.GC;
		if (!(item instanceof Y.Item) || item.deleted || item.parent !== this.#yarray) return 0;
		// Split the element off its right neighbours; `item` is then exactly the one element.
		if (item.length > 1) Y.getItemCleanStart(transaction, Y.createID(client, clock + 1));
		item.delete(transaction);
		return 1;
	}

	#track(item: Y.Item, from: number, to: number): void {
		const content = item.content.getContent();
		const client = item.id.client;
		for (let offset = from; offset < to; offset++) {
			const entry = content[offset];
			if (!isEntry(entry)) continue;
			const clock = item.id.clock + offset;
			const known = this.#locations.get(entry.k);
			if (known === undefined) {
				this.#locations.set(entry.k, { client, clock, entry: entry as KeyedEntry<T> });
			} else if (!Array.isArray(known)) {
				if (known.client === client && known.clock === clock) continue;
				this.#locations.set(entry.k, [known, { client, clock, entry: entry as KeyedEntry<T> }]);
			} else if (!known.some((l) => l.client === client && l.clock === clock)) {
				known.push({ client, clock, entry: entry as KeyedEntry<T> });
			}
		}
	}

	#untrack(item: Y.Item, from: number, to: number): void {
		const content = item.content.getContent();
		const client = item.id.client;
		for (let offset = from; offset < to; offset++) {
			const entry = content[offset];
			if (!isEntry(entry)) continue;
			const known = this.#locations.get(entry.k);
			if (known === undefined) continue;
			const clock = item.id.clock + offset;
			if (!Array.isArray(known)) {
				if (known.client === client && known.clock === clock) this.#locations.delete(entry.k);
				continue;
			}
			const at = known.findIndex((l) => l.client === client && l.clock === clock);
			if (at < 0) continue;
			known.splice(at, 1);
			if (known.length === 1) this.#locations.set(entry.k, known[0] as Location<T>);
		}
	}
}

const indexes = new WeakMap<object, unknown>();

function indexOf<T>(yarray: Y.Array<KeyedEntry<T>>): KeyedIndex<T> {
	const known = indexes.get(yarray) as KeyedIndex<T> | undefined;
	if (known) return known;
	docOf(yarray);
	const index = new KeyedIndex(yarray);
	indexes.set(yarray, index);
	return index;
}

// Server-side writers. Clients never call these: the board doc is read-only for them.

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
 * O(1) (after the first write to the list, which indexes it).
 * Runs in one transaction with `origin` (joins the caller's transaction if there is one).
 */
export function setEntry<T>(
	yarray: Y.Array<KeyedEntry<T>>,
	key: string,
	rev: number,
	value: T,
	origin: unknown = null,
): boolean {
	const doc = docOf(yarray);
	checkRevision(rev);
	const index = indexOf(yarray);
	const stored = index.get(key);
	if (stored && stored.rev >= rev) return false;
	const entry: KeyedEntry<T> = { k: key, rev, v: value };
	doc.transact((transaction) => {
		index.deleteKey(transaction, key);
		index.append(transaction, [entry]);
	}, origin);
	return true;
}

function checkRevision(rev: number): void {
	if (!Number.isFinite(rev)) throw new RangeError(`A revision must be a finite number: ${rev}`);
}

/** Replace the keys of `fresh` (entries newer than the stored ones) in one transaction. */
function writeFresh<T>(
	doc: Y.Doc,
	index: KeyedIndex<T>,
	fresh: KeyedEntry<T>[],
	origin: unknown,
): void {
	doc.transact((transaction) => {
		for (const entry of fresh) index.deleteKey(transaction, entry.k);
		index.append(transaction, fresh);
	}, origin);
}

/** One write of a batch for `setEntries`. */
export interface KeyedWrite<T> {
	key: string;
	rev: number;
	value: T;
}

/**
 * `setEntry` for many keys in one transaction: O(m) for m writes. A later write of the
 * same key in `writes` wins when its rev is higher. Returns the keys written.
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
		checkRevision(write.rev);
		const current = wanted.get(write.key);
		if (!current || write.rev > current.rev) wanted.set(write.key, write);
	}
	const index = indexOf(yarray);
	const fresh: KeyedEntry<T>[] = [];
	for (const write of wanted.values()) {
		const stored = index.get(write.key);
		if (stored && stored.rev >= write.rev) continue;
		fresh.push({ k: write.key, rev: write.rev, v: write.value });
	}
	if (fresh.length === 0) return [];
	writeFresh(doc, index, fresh, origin);
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
	const index = indexOf(yarray);
	doc.transact(() => {
		deleteIndexes(yarray, positions);
		index.forget(key);
	}, origin);
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
	if (positions.length === 0) return 0;
	const index = indexOf(yarray);
	doc.transact(() => {
		deleteIndexes(yarray, positions);
		for (const key of doomed) index.forget(key);
	}, origin);
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
