/**
 * The rate-limit port's part of the contract suite: the statements RateLimiterPostgres
 * issues (rate-limiter-flexible 11, lib/RateLimiterPostgres.js) run on `rate_limits` and
 * answer rows and a row count in node-postgres' shape, on PGlite and PostgreSQL alike.
 */
import { describe, expect, it } from "vitest";
import type { RateLimitTable } from "./rate-limit-storage.ts";
import { unique } from "./test-fixtures.ts";

/** The library's upsert: a new window, or more points in the current one. */
const UPSERT = `INSERT INTO "rate_limits" VALUES ($1, $2, $3)
  ON CONFLICT(key) DO UPDATE SET
    points = CASE WHEN ("rate_limits".expire <= $4 OR 1=0) THEN $2 ELSE "rate_limits".points + ($2) END,
    expire = CASE WHEN "rate_limits".expire <= $4 THEN $3 ELSE "rate_limits".expire END
  RETURNING points, expire;`;

export function rateLimitTableContract(portOf: () => RateLimitTable): void {
	describe("rate-limit counters", () => {
		it("counts points in a window, starts a new one after it, and deletes a key", async () => {
			const table = portOf();
			const key = unique("login:ip");
			const now = Date.now();
			const upsert = (at: number, expire: number) =>
				table.queryRateLimits({ text: UPSERT, values: [key, 1, expire, at] });
			const first = await upsert(now, now + 60_000);
			expect(first.rows).toHaveLength(1);
			expect(Number(first.rows[0]?.points)).toBe(1);
			expect(Number((await upsert(now, now + 60_000)).rows[0]?.points)).toBe(2);
			// The window has ended by then: the count starts again, with a new end.
			const later = await upsert(now + 61_000, now + 121_000);
			expect(Number(later.rows[0]?.points)).toBe(1);
			expect(Number(later.rows[0]?.expire)).toBe(now + 121_000);

			const read = await table.queryRateLimits({
				text: `SELECT points, expire FROM "rate_limits" WHERE key = $1 AND (expire > $2 OR expire IS NULL);`,
				values: [key, now],
			});
			expect(read.rowCount).toBe(1);
			const deleted = await table.queryRateLimits({
				text: `DELETE FROM "rate_limits" WHERE key = $1`,
				values: [key],
			});
			expect(deleted.rowCount).toBe(1);
		});

		it("refuses a statement on another table", async () => {
			await expect(portOf().queryRateLimits({ text: "SELECT * FROM members" })).rejects.toThrow(
				/rate_limits/,
			);
		});
	});
}
