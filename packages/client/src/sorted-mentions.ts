/**
 * The board's mentions by id and as one list, oldest post first. The list is the same
 * array until a mention changes; then a copy with the changed entries replaced (O(n)
 * copy), or a new sort when mentions came or went or a post time changed (O(n log n)).
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
	/** Position of each mention in `#list`; null when mentions came or went since. */
	#index: Map<string, number> | null = null;
	#list: M[] = [];
	/** Mentions replaced in place since `#list` was built. */
	readonly #changed = new Set<string>();

	get size(): number {
		return this.#byId.size;
	}

	get(id: string): M | undefined {
		return this.#byId.get(id);
	}

	/** Add a mention or replace the one with its id. */
	set(mention: M): void {
		const before = this.#byId.get(mention.id);
		this.#byId.set(mention.id, mention);
		if (!before || before.postedAt !== mention.postedAt) this.#index = null;
		else if (this.#index) this.#changed.add(mention.id);
	}

	delete(id: string): void {
		if (this.#byId.delete(id)) this.#index = null;
	}

	/** Every mention, oldest post first. */
	list(): readonly M[] {
		if (!this.#index) {
			const sorted = [...this.#byId.values()].sort(byPostedAt);
			this.#index = new Map(sorted.map((mention, i) => [mention.id, i]));
			this.#list = sorted;
			this.#changed.clear();
		} else if (this.#changed.size > 0) {
			const list = this.#list.slice();
			for (const id of this.#changed) {
				const i = this.#index.get(id);
				const mention = this.#byId.get(id);
				if (i !== undefined && mention) list[i] = mention;
			}
			this.#list = list;
			this.#changed.clear();
		}
		return this.#list;
	}
}
