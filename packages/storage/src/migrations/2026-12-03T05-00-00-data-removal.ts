/**
 * Data the organisation deletes (issue 16): each organisation's retention of finished
 * conversations (off until an admin sets a number of days), an index that finds a
 * conversation's notifications when it is deleted, and the one way a conversation's
 * activity may leave the append-only activity log: a transaction that deletes the
 * conversation itself says so first (`set_config('switchboard.removal', 'conversation',
 * true)`, local to that transaction). Any other DELETE, and every UPDATE, is refused as
 * before. The audit log is not touched: what was deleted, when and by whom stays recorded.
 * Frozen like every migration.
 */
import { type Kysely, sql } from "kysely";
import { createIndex } from "../migration-helpers.ts";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("retention_settings")
		.addColumn("org_id", "text", (col) => col.primaryKey().references("organisations.id"))
		// Null: finished conversations are kept (the default).
		.addColumn("finished_days", "integer")
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addCheckConstraint(
			"retention_settings_days_range",
			sql`finished_days is null or finished_days between 1 and 3650`,
		)
		.execute();
	await createIndex(db, "notifications_mention", "notifications", ["mention_id"]);
	await sql`
		create or replace function activity_append_only() returns trigger language plpgsql as $$
		begin
			if tg_op = 'DELETE' and current_setting('switchboard.removal', true) = 'conversation' then
				return old;
			end if;
			raise exception 'activity is append-only: % refused', tg_op;
		end
		$$
	`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await sql`
		create or replace function activity_append_only() returns trigger language plpgsql as $$
		begin
			raise exception 'activity is append-only: % refused', tg_op;
		end
		$$
	`.execute(db);
	await db.schema.dropIndex("notifications_mention").execute();
	await db.schema.dropTable("retention_settings").execute();
}
