/** The rate-limit port on kysely (see `rate-limit-storage.ts`). */
import { CompiledQuery } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import type { RateLimitQuery, RateLimitQueryResult, RateLimitTable } from "./rate-limit-storage.ts";

/** `rate_limits`, quoted or not, as a whole name. */
const RATE_LIMITS_TABLE = /(^|[\s."])rate_limits($|[\s"(])/;

export class KyselyRateLimitTable extends KyselyPort implements RateLimitTable {
	async queryRateLimits(query: RateLimitQuery): Promise<RateLimitQueryResult> {
		if (!RATE_LIMITS_TABLE.test(query.text)) {
			throw new Error("queryRateLimits runs statements on the rate_limits table only.");
		}
		const result = await this.db.executeQuery<Record<string, unknown>>(
			CompiledQuery.raw(query.text, [...(query.values ?? [])]),
		);
		// A SELECT's rows count itself (PGlite reports 0 affected rows for it); a DELETE
		// without RETURNING has no rows but its affected count.
		return {
			rows: result.rows,
			rowCount: result.rows.length > 0 ? result.rows.length : Number(result.numAffectedRows ?? 0),
		};
	}
}
