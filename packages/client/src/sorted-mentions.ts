/**
 * The board's mentions by id and as one list, oldest post first. The list is the same
 * array until a mention changes; then one new array: changed entries replaced in place,
 * mentions that left or whose post time changed taken out, and new ones merged in, in
 * O(n + k log n) for k changes, without sorting the board again.
 * A list once handed out is never mutated (stores compare by identity).
 */
import type { Mention } from "@switchboard/domain";

/**
 * Code-unit order, for strings no reader sorts by eye: ids, and ISO-8601 times in UTC, whose
 * code-unit order is their order in time. About 10x faster than `localeCompare` (which
 * sorting 10,000 cards by their times spent 15-35 ms on).
 */
export function compareCodeUnits(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** ISO-8601 times in UTC, earliest first. */
export const compareIsoTimes = compareCodeUnits;

/** Oldest post first; the id breaks ties. */
export function byPostedAt(a: Mention, b: Mention): number {
	return compareIsoTimes(a.postedAt, b.postedAt) || compareCodeUnits(a.id, b.id);
}

export class SortedMentions<M extends Mention = Mention> {
	readonly #byId = new Map<string, M>();
	#list: M[] = [];
	/**
	 * Mentions set or deleted since `#list` was built, each with the entry it has in `#list`
	 * (undefined when it has none): where to find it there, by its post time and id.
	 */
	readonly #touched = new Map<string, M | undefined>();

	get size(): number {
		return this.#byId.size;
	}

	get(id: string): M | undefined {
		return this.#byId.get(id);
	}

	/** Add a mention or replace the one with its id. */
	set(mention: M): void {
		const before = this.#byId.get(mention.id);
		if (!this.#touched.has(mention.id)) this.#touched.set(mention.id, before);
		this.#byId.set(mention.id, mention);
	}

	delete(id: string): void {
		const before = this.#byId.get(id);
		if (before === undefined) return;
		if (!this.#touched.has(id)) this.#touched.set(id, before);
		this.#byId.delete(id);
	}

	/** Every mention, oldest post first. */
	list(): readonly M[] {
		if (this.#touched.size === 0) return this.#list;
		const list = this.#list;
		// Positions in `list` to leave out or to fill with a newer entry, and mentions to merge in.
		const out = new Set<number>();
		const replaced = new Map<number, M>();
		const added: M[] = [];
		for (const [id, listed] of this.#touched) {
			const now = this.#byId.get(id);
			const at = listed === undefined ? -1 : indexOf(list, listed);
			if (at >= 0 && now !== undefined && now.postedAt === listed?.postedAt) {
				replaced.set(at, now);
				continue;
			}
			if (at >= 0) out.add(at);
			if (now !== undefined) added.push(now);
		}
		this.#touched.clear();
		added.sort(byPostedAt);
		const next: M[] = new Array(list.length - out.size + added.length);
		let n = 0;
		let a = 0;
		for (let i = 0; i < list.length; i++) {
			if (out.has(i)) continue;
			const kept = replaced.get(i) ?? (list[i] as M);
			while (a < added.length && byPostedAt(added[a] as M, kept) < 0) next[n++] = added[a++] as M;
			next[n++] = kept;
		}
		while (a < added.length) next[n++] = added[a++] as M;
		this.#list = next;
		return next;
	}
}

/** Where `mention` is in `list` (sorted by `byPostedAt`), by binary search; -1 if absent. */
function indexOf<M extends Mention>(list: readonly M[], mention: M): number {
	let low = 0;
	let high = list.length - 1;
	while (low <= high) {
		const mid = (low + high) >>> 1;
		const order = byPostedAt(list[mid] as M, mention);
		if (order === 0) return mid;
		if (order < 0) low = mid + 1;
		else high = mid - 1;
	}
	return -1;
}
