/**
 * An upgrade on PostgreSQL: the database the first release wrote
 * (tests/fixtures/first-release/postgres.sql, a pg_dump; make.sh there) is restored into a
 * fresh database and opened by the current code, which migrates it. Everything is intact.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openStorage } from "@switchboard/storage";
import { createTestDatabase, type TestDatabase } from "@switchboard/storage/test-database";
import pg from "pg";
import { afterAll, it } from "vitest";
import {
	expectFirstReleaseIntact,
	FIRST_RELEASE,
	readFirstRelease,
} from "./utils/first-release.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

let database: TestDatabase | undefined;

afterAll(async () => {
	await database?.drop();
});

// CI sets TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test).
it.skipIf(!adminUrl)(
	"opens the first release's PostgreSQL database with everything in it",
	async () => {
		const expected = await readFirstRelease("postgres");
		database = await createTestDatabase(adminUrl!);
		const client = new pg.Client({ connectionString: database.url });
		await client.connect();
		try {
			await client.query(await readFile(join(FIRST_RELEASE, "postgres.sql"), "utf8"));
		} finally {
			await client.end();
		}
		const storage = await openStorage({ databaseUrl: database.url });
		try {
			const { checked } = await expectFirstReleaseIntact(storage, expected);
			console.log(`[reliability] upgrade (PostgreSQL): ${JSON.stringify(checked)}`);
		} finally {
			await storage.close();
		}
	},
);
