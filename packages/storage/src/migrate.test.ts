/**
 * `migrateToLatest` answers an up-to-date database after one query; everything else still
 * goes to kysely's Migrator, with its results and its refusals.
 */
import { sql } from "kysely";
import { DEFAULT_MIGRATION_TABLE } from "kysely/migration";
import { describe, expect, it } from "vitest";
import { KyselyStorage } from "./kysely-storage.ts";
import { MIGRATIONS, migrateToLatest } from "./migrate.ts";
import { openStorage } from "./open.ts";
import { testTemplate } from "./test-template.ts";

const migrationTable = sql.table(DEFAULT_MIGRATION_TABLE);
const latest = Object.keys(MIGRATIONS).sort().at(-1) as string;

async function withDatabase(test: (storage: KyselyStorage) => Promise<void>): Promise<void> {
	const storage = await openStorage({ template: await testTemplate() });
	try {
		if (!(storage instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
		await test(storage);
	} finally {
		await storage.close();
	}
}

describe("migrateToLatest", () => {
	it("has nothing to run on a database that ran every migration", async () => {
		await withDatabase(async ({ db }) => {
			expect(await migrateToLatest(db)).toEqual({ results: [] });
		});
	});

	it("runs a migration the database has not recorded", async () => {
		await withDatabase(async ({ db }) => {
			await sql`delete from ${migrationTable} where name = ${latest}`.execute(db);
			const { results } = await migrateToLatest(db);
			// Its tables are there already, so running it again fails: what matters is that it ran.
			expect(results?.map((result) => result.migrationName)).toContain(latest);
		});
	});

	it("refuses a database that ran a migration this release does not know", async () => {
		await withDatabase(async ({ db }) => {
			await sql`insert into ${migrationTable} (name, timestamp)
				values ('2999-01-01T00-00-00-from-a-later-release', ${new Date().toISOString()})`.execute(
				db,
			);
			const { error } = await migrateToLatest(db);
			expect(String(error)).toMatch(/2999-01-01T00-00-00-from-a-later-release/);
		});
	});
});
