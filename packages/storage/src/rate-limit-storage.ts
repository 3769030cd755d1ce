/**
 * The rate-limit port (issue 15): the counters rate-limiter-flexible's RateLimiterPostgres
 * keeps in `rate_limits` when several instances share one PostgreSQL. The library writes
 * its own statements (an atomic upsert per request); this port runs them on the storage's
 * own connections, so the limiter needs no pool of its own.
 */

/** A statement in node-postgres' shape, as the library issues it. */
export interface RateLimitQuery {
	text: string;
	values?: readonly unknown[];
	/** A prepared-statement name; ignored (kysely prepares nothing by name). */
	name?: string;
}

/** The node-postgres answer the library reads. */
export interface RateLimitQueryResult {
	rows: Record<string, unknown>[];
	rowCount: number;
}

export interface RateLimitTable {
	/**
	 * Run one statement on the `rate_limits` table (key, points, expire in ms since the
	 * epoch). A statement that names no `rate_limits` table is refused: this port is not a
	 * way around the others.
	 */
	queryRateLimits(query: RateLimitQuery): Promise<RateLimitQueryResult>;
}
