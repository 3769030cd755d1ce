/**
 * The pool's deadlines (timed-pool.ts): a statement that gets no answer in time fails with
 * DatabaseTimeoutError and its connection leaves the pool; a query waits for a busy pool's
 * connection up to its own deadline, not the one for opening a connection; a connection that
 * cannot be opened fails everyone waiting at once. tests/partition.redis.test.ts holds the
 * statement deadline across a silent network partition.
 */
import { createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { DatabaseTimeoutError, PoolWaitTimeoutError, timedPool } from "./timed-pool.ts";

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
		const timed = timedPool(pool, {
			max: 2,
			poolWaitTimeoutMs: 60_000,
			statementTimeoutMs: () => deadline,
		});
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

describe.runIf(adminUrl)("waiting for a connection", () => {
	let database: TestDatabase;
	let pool: pg.Pool;

	beforeAll(async () => {
		database = await createTestDatabase(adminUrl ?? "");
		// Opening a connection may take 200 ms at most; node-postgres' own queue had the same
		// deadline, so a query waiting longer behind a busy connection failed.
		pool = new pg.Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: 200 });
	}, 120_000);
	afterAll(async () => {
		await pool?.end();
		await database?.drop();
	});

	it("waits for a busy pool past the connect deadline, up to a deadline of its own", async () => {
		const timed = timedPool(pool, {
			max: 1,
			poolWaitTimeoutMs: 60_000,
			statementTimeoutMs: () => 0,
		});
		const busy = await timed.connect();
		const waiting = timed.connect();
		expect(timed.waitingCount).toBe(1);
		// Busy for longer than opening a connection may take.
		await busy.query("select pg_sleep(0.6)");
		busy.release();
		const next = await waiting;
		expect((await next.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
		next.release();
		expect(timed.waitingCount).toBe(0);

		const impatient = timedPool(pool, {
			max: 1,
			poolWaitTimeoutMs: 50,
			statementTimeoutMs: () => 0,
		});
		const held = await impatient.connect();
		await expect(impatient.connect()).rejects.toBeInstanceOf(PoolWaitTimeoutError);
		held.release();
		// The connection given back is lent again.
		const again = await impatient.connect();
		again.release();
	});
});

describe("a database that cannot be reached", () => {
	let silent: Server;
	const sockets = new Set<Socket>();

	beforeAll(async () => {
		// Accepts connections and never answers, as a database behind a dead network does.
		silent = createServer((socket) => {
			sockets.add(socket);
			socket.on("close", () => sockets.delete(socket));
		});
		await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
	});
	afterAll(async () => {
		for (const socket of sockets) socket.destroy();
		await new Promise((resolve) => silent.close(resolve));
	});

	it("fails everyone waiting with the connection's error, not after their wait", async () => {
		const address = silent.address();
		const port = typeof address === "object" && address ? address.port : 0;
		const pool = new pg.Pool({ host: "127.0.0.1", port, max: 1, connectionTimeoutMillis: 200 });
		// Without failing the waiting, the second and third would wait a minute each.
		const timed = timedPool(pool, {
			max: 1,
			poolWaitTimeoutMs: 60_000,
			statementTimeoutMs: () => 0,
		});
		try {
			const outcomes = await Promise.allSettled([
				timed.connect(),
				timed.connect(),
				timed.connect(),
			]);
			const reasons = outcomes.map((outcome) =>
				outcome.status === "rejected" ? (outcome.reason as Error) : null,
			);
			expect(reasons[0]?.message).toMatch(/timeout/i);
			expect(reasons).toEqual([reasons[0], reasons[0], reasons[0]]);
			expect(timed.waitingCount).toBe(0);
		} finally {
			await pool.end();
		}
	});
});
