/**
 * Group commit for rate-limit counters (keyed-groups.ts): the takes of one key that arrive
 * while that key's count is on its way to the store wait for it, then go as one count of as
 * many points. Each is judged by its own place in that count, as if they had been counted
 * one after the other at that moment, so the limit holds to the request.
 *
 * Why: every API request counts one for its address, and a bridge posting webhooks sends
 * all its requests from one address. Counted one statement each, 32 concurrent requests
 * were 32 upserts of one row in PostgreSQL's `rate_limits`, each waiting for the previous
 * one's row lock (17 ms median per request in bench scenario 6 with one mention per
 * request, before the request's own work began).
 */
import { KeyedGroups } from "./keyed-groups.ts";

/** What the store says after adding points for a key. */
export interface StoreCount {
	/** The store's limiter refused the count (it passes the limit, or the key is blocked). */
	refused: boolean;
	/** Points counted in the window, those just added included. */
	consumedPoints: number;
	/** Until the window ends, in ms. */
	msBeforeNext: number;
}

/** One take's verdict. */
export type TakeVerdict =
	| { kind: "counted" }
	| { kind: "refused"; msBeforeNext: number }
	/** The store failed (and its insurance): not counted; the caller decides. */
	| { kind: "uncounted"; error: unknown };

/** Adds `points` for `key` in the store; rejects when the store (and its insurance) failed. */
export type Consume = (key: string, points: number) => Promise<StoreCount>;

export class GroupedCounts {
	private readonly consume: Consume;
	private readonly points: number;
	private readonly groups = new KeyedGroups<StoreCount>();

	/** `points`: the window's limit, the same the store's limiter refuses past. */
	constructor(consume: Consume, points: number) {
		this.consume = consume;
		this.points = points;
	}

	/** Count one for `key`: at once when no count of the key is under way, else with the next. */
	async take(key: string): Promise<TakeVerdict> {
		const joined = await this.groups.join(key, (size) => this.consume(key, size));
		if (!joined.ok) return { kind: "uncounted", error: joined.error };
		const { value: count, index, size } = joined;
		// The store holds `before` plus this group: this take is the (before + index + 1)-th.
		// A refusal that the count does not explain (a key blocked without counting) refuses
		// the whole group, as it would have refused each take.
		const before = count.consumedPoints - size;
		const blocked = count.refused && count.consumedPoints <= this.points;
		return !blocked && before + index + 1 <= this.points
			? { kind: "counted" }
			: { kind: "refused", msBeforeNext: count.msBeforeNext };
	}
}
