/**
 * The storage contract on a real PostgreSQL, where concurrent commands run on separate
 * connections and row locks and constraints do the arbitration. Set TEST_DATABASE_URL
 * to a database the user may CREATE DATABASE from; each run gets a fresh database,
 * dropped afterwards.
 */
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import type { KyselyStorage } from "./kysely-storage.ts";
import { databasePoolUse, openStorage } from "./open.ts";
import { storageContract } from "./storage-contract.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

if (adminUrl) {
	let database: TestDatabase | undefined;

	afterAll(async () => {
		await database?.drop();
	});

	storageContract("PostgreSQL", async () => {
		database = await createTestDatabase(adminUrl);
		return openStorage({ databaseUrl: database.url });
	});

	describe("PostgreSQL", () => {
		it("reports its pool's use: connections busy while a query holds one, queries waiting", async () => {
			const pooled = await createTestDatabase(adminUrl);
			const storage = await openStorage({ databaseUrl: pooled.url, maxConnections: 2 });
			try {
				expect(databasePoolUse(storage)).toMatchObject({ max: 2, waiting: 0 });
				// Three sleeps on two connections: two busy, one waiting.
				const sleeps = Promise.all(
					[1, 2, 3].map(() => sql`select pg_sleep(1)`.execute((storage as KyselyStorage).db)),
				);
				await expect
					.poll(() => databasePoolUse(storage), { timeout: 60_000, interval: 20 })
					.toMatchObject({ open: 2, idle: 0, waiting: 1 });
				await sleeps;
				expect(databasePoolUse(storage)).toMatchObject({ open: 2, idle: 2, waiting: 0 });
			} finally {
				await storage.close();
				await pooled.drop();
			}
		});

		it("fails to open with an Error naming the problem when the database is unreachable", async () => {
			const unreachable = new URL(adminUrl);
			unreachable.hostname = "127.0.0.1";
			unreachable.port = "1";
			await expect(openStorage({ databaseUrl: unreachable.href })).rejects.toThrow(
				/Could not migrate the database|migration/,
			);
		});
	});
} else {
	describe.skip("storage contract: PostgreSQL", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
