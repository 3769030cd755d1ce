/**
 * Schema migrations. The list is static rather than a folder scan, so it works the same
 * from source, from a bundle and under test runners, and a missing file fails to compile.
 */
import { type Kysely, sql } from "kysely";
import {
	DEFAULT_MIGRATION_TABLE,
	type Migration,
	type MigrationResultSet,
	Migrator,
} from "kysely/migration";
import * as initial from "./migrations/2026-11-26T00-00-00-initial.ts";
import * as sources from "./migrations/2026-11-26T10-30-00-sources.ts";
import * as coverage from "./migrations/2026-11-26T11-30-00-coverage.ts";
import * as approvalRequired from "./migrations/2026-12-02T01-00-00-approval-required.ts";
import * as sessions from "./migrations/2026-12-02T02-00-00-sessions.ts";
import * as rateLimits from "./migrations/2026-12-02T03-00-00-rate-limits.ts";
import * as threads from "./migrations/2026-12-02T05-00-00-threads.ts";
import * as notifications from "./migrations/2026-12-02T07-00-00-notifications.ts";
import * as people from "./migrations/2026-12-02T08-00-00-people.ts";
import * as historySearch from "./migrations/2026-12-02T10-00-00-history-search.ts";
import * as boards from "./migrations/2026-12-03T01-00-00-boards.ts";
import * as sso from "./migrations/2026-12-03T02-00-00-sso.ts";
import * as auditLog from "./migrations/2026-12-03T03-00-00-audit-log.ts";
import * as dataRemoval from "./migrations/2026-12-03T05-00-00-data-removal.ts";
import * as historyWords from "./migrations/2026-12-03T06-00-00-history-words.ts";
import * as sessionEndReasons from "./migrations/2026-12-04T01-00-00-session-end-reasons.ts";
import * as webhookDeliveries from "./migrations/2026-12-07T01-00-00-webhook-deliveries.ts";

/** Every migration by name; names sort in the order the migrations run. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
	"2026-11-26T00-00-00-initial": initial,
	"2026-11-26T10-30-00-sources": sources,
	"2026-11-26T11-30-00-coverage": coverage,
	"2026-12-02T01-00-00-approval-required": approvalRequired,
	"2026-12-02T02-00-00-sessions": sessions,
	"2026-12-02T03-00-00-rate-limits": rateLimits,
	"2026-12-02T05-00-00-threads": threads,
	"2026-12-02T07-00-00-notifications": notifications,
	"2026-12-02T08-00-00-people": people,
	"2026-12-02T10-00-00-history-search": historySearch,
	"2026-12-03T01-00-00-boards": boards,
	"2026-12-03T02-00-00-sso": sso,
	"2026-12-03T03-00-00-audit-log": auditLog,
	"2026-12-03T05-00-00-data-removal": dataRemoval,
	"2026-12-03T06-00-00-history-words": historyWords,
	"2026-12-04T01-00-00-session-end-reasons": sessionEndReasons,
	"2026-12-07T01-00-00-webhook-deliveries": webhookDeliveries,
};

/** A kysely Migrator over {@link MIGRATIONS}. */
export function createMigrator<DB>(db: Kysely<DB>): Migrator {
	return new Migrator({
		db,
		provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
		// Migrations written side by side land in any order: a database that already ran a
		// later-named one still runs an earlier-named one it has not (each stands alone).
		allowUnorderedMigrations: true,
	});
}

/**
 * Bring the schema up to date. Like kysely's Migrator, never throws: a failure comes
 * back as `error`, with `results` telling which migration failed.
 *
 * A database that has run exactly the migrations of this release is answered after one
 * query. The Migrator, before it looks, introspects every table and column of the schema
 * twice and takes its lock in a transaction: about 80 ms of a command line's start on the
 * embedded database, each time it opens it (bench/findings/06.md). Any other case (a new
 * database, a pending migration, one this release does not know) goes to the Migrator,
 * which does what it did. A migration committed by another instance is seen by the query;
 * one still running is not, and then the Migrator waits for its lock as before.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
	if (await ranExactly(db, Object.keys(MIGRATIONS))) return { results: [] };
	return createMigrator(db).migrateToLatest();
}

/** Whether the database's migration table lists exactly `names`; false when it has none. */
async function ranExactly<DB>(db: Kysely<DB>, names: readonly string[]): Promise<boolean> {
	try {
		const table = sql.table(DEFAULT_MIGRATION_TABLE);
		const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
		const ran = new Set(rows.map((row) => row.name));
		return ran.size === names.length && names.every((name) => ran.has(name));
	} catch {
		// No migration table yet (a new database): the Migrator creates it.
		return false;
	}
}
