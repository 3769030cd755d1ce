/**
 * The document log's own connection (held-connection.ts) keeps the pool's guarantees: a
 * statement past the deadline fails with DatabaseTimeoutError and its connection is never
 * used again, a statement the database refuses fails with its error and its connection is
 * replaced, as is a connection the database dropped, and after `end` nothing is
 * left open. The appends through it are the document log's (storage.pg.test.ts and
 * document-log.pg.test.ts run on PostgreSQL through it).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeldConnection } from "./held-connection.ts";
import { silentLogger } from "./logger.ts";
import { openStorage } from "./open.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { DatabaseTimeoutError } from "./timed-pool.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

/** A fresh database, and a connection to it that watches the others in pg_stat_activity. */
async function watchedDatabase(url: string): Promise<{ database: TestDatabase; admin: pg.Client }> {
	const database = await createTestDatabase(url);
	const admin = new pg.Client({ connectionString: database.url });
	await admin.connect();
	return { database, admin };
}

describe.runIf(adminUrl)("the document log's held connection", () => {
	let database: TestDatabase;
	let admin: pg.Client;

	beforeAll(async () => {
		({ database, admin } = await watchedDatabase(adminUrl ?? ""));
	}, 120_000);
	afterAll(async () => {
		await admin?.end();
		await database?.drop();
	});

	/** Backends still open in the test database other than the admin's, once they are gone. */
	async function openBackends(where = "true"): Promise<number> {
		for (let tries = 0; ; tries++) {
			const { rows } = await admin.query<{ open: number }>(
				`select count(*)::int as open from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and ${where}`,
			);
			const open = rows[0]?.open ?? 0;
			// A backend leaves pg_stat_activity a moment after its client said goodbye.
			if (open === 0 || tries >= 50) return open;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}

	const backend = async (held: HeldConnection) =>
		(await held.query("backend", "select pg_backend_pid()", []))[0]?.[0];

	it("fails a statement past its deadline and runs the next on a fresh connection", async () => {
		let deadline = 300;
		const held = new HeldConnection({
			config: { connectionString: database.url },
			statementTimeoutMs: () => deadline,
			logger: silentLogger,
		});
		try {
			const first = await backend(held);
			const failure = await held
				.query(undefined, "select pg_sleep(3)", [])
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(DatabaseTimeoutError);
			deadline = 0;
			const second = await backend(held);
			expect(second).not.toBe(first);
			// Prepared again on the fresh connection, under the same name.
			expect(await backend(held)).toBe(second);
		} finally {
			await held.end();
		}
	});

	it("fails a statement PostgreSQL refuses with its error, and runs the next on a fresh connection", async () => {
		const held = new HeldConnection({
			config: { connectionString: database.url },
			statementTimeoutMs: () => 5_000,
			logger: silentLogger,
		});
		try {
			const first = await backend(held);
			const failure = await held
				.query("divide", "select 1 / $1::int", ["0"])
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(pg.DatabaseError);
			expect((failure as pg.DatabaseError).code).toBe("22012");
			expect(await backend(held)).not.toBe(first);
			// Statements queued together under a name not yet parsed: the first parses it.
			const [two, three] = await Promise.all([
				held.query("increment", "select $1::int + 1", ["1"]),
				held.query("increment", "select $1::int + 1", ["2"]),
			]);
			expect([two, three]).toEqual([[["2"]], [["3"]]]);
		} finally {
			await held.end();
		}
	});

	it("replaces a connection the database dropped, and leaves none open after end", async () => {
		const held = new HeldConnection({
			config: { connectionString: database.url },
			statementTimeoutMs: () => 5_000,
			logger: silentLogger,
		});
		const first = await backend(held);
		await admin.query("select pg_terminate_backend($1)", [first]);
		// The statement that meets the dropped connection may fail; the next one may not.
		const next = await backend(held).catch(() => backend(held));
		expect(next).not.toBe(first);
		await held.end();
		await expect(backend(held)).rejects.toThrow(/closed/);
		expect(await openBackends(`pid = ${Number(next)}`)).toBe(0);
	});

	it("carries the storage's appends, and closes with it", async () => {
		const storage = await openStorage({ databaseUrl: database.url });
		const name = "draft/acme/held";
		const ids = await storage.appendUpdates([
			{ name, update: new Uint8Array([1]) },
			{ name, update: new Uint8Array([2]) },
		]);
		expect(ids).toHaveLength(2);
		const appenders = await admin.query<{ open: number }>(
			"select count(*)::int as open from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like '%insert into document_updates%'",
		);
		expect(appenders.rows[0]?.open).toBe(1);
		expect((await storage.loadDocument(name)).updates).toEqual([
			new Uint8Array([1]),
			new Uint8Array([2]),
		]);
		await storage.close();
		expect(await openBackends()).toBe(0);
	});
});
