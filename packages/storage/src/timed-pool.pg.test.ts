/**
 * The statement deadline (timed-pool.ts): a statement that gets no answer in time fails with
 * DatabaseTimeoutError and its connection leaves the pool; the pool goes on with a fresh one.
 * tests/partition.redis.test.ts holds the same promise across a silent network partition.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { DatabaseTimeoutError, timedPool } from "./timed-pool.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

describe.runIf(adminUrl)("a statement deadline", () => {
	let database: TestDatabase;
	let pool: pg.Pool;

	beforeAll(async () => {
		database = await createTestDatabase(adminUrl ?? "");
		pool = new pg.Pool({ connectionString: database.url, max: 2 });
	}, 120_000);
	afterAll(async () => {
		await pool?.end();
		await database?.drop();
	});

	it("fails a statement past it and discards its connection; the pool goes on", async () => {
		let deadline = 300;
		const timed = timedPool(pool, () => deadline);
		const slow = await timed.connect();
		await slow.query("begin");
		const failure = await slow.query("select pg_sleep(3)").catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(DatabaseTimeoutError);
		slow.release();
		// Gone, not lent again inside its open transaction.
		expect(pool.totalCount).toBe(0);

		deadline = 0;
		const fresh = await timed.connect();
		const { rows } = await fresh.query("select 1 as one, pg_sleep(0.5)::text as slept");
		expect(rows).toEqual([{ one: 1, slept: "" }]);
		fresh.release();
		// Answered in time: kept for the next caller.
		expect(pool.idleCount).toBe(1);
	});
});
