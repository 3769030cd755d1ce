/**
 * Schema migrations. The list is static rather than a folder scan, so it works the same
 * from source, from a bundle and under test runners, and a missing file fails to compile.
 */
import type { Kysely } from "kysely";
import { type Migration, type MigrationResultSet, Migrator } from "kysely/migration";
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
 */
export function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
	return createMigrator(db).migrateToLatest();
}
