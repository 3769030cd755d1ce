/**
 * Rate-limit counters shared by the instances of one PostgreSQL (issue 15): the table
 * rate-limiter-flexible's RateLimiterPostgres keeps its fixed windows in (a key, the points
 * used, when the window ends in ms since the epoch), created here rather than by the
 * library at start so the schema has one owner. Frozen like every migration.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("rate_limits")
		.addColumn("key", "varchar(255)", (col) => col.primaryKey())
		.addColumn("points", "integer", (col) => col.notNull().defaultTo(0))
		.addColumn("expire", "bigint")
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable("rate_limits").execute();
}
