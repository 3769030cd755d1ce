/**
 * Coverage: board settings kept in the database (SLA targets, lease, approval rules),
 * who is connected where (for leases), one SLA breach record per conversation and kind,
 * and the indexes the reports read the activity log through. Frozen like every migration.
 */
import { type Kysely, sql } from "kysely";
import { createIndex } from "../migration-helpers.ts";

export async function up(db: Kysely<unknown>): Promise<void> {
	// Settings are the database's, projected onto the board document like everything else
	// on it; a board without a row uses the defaults.
	await db.schema
		.createTable("board_settings")
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("board_id", "text", (col) => col.notNull())
		.addColumn("settings", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint("board_settings_pkey", ["org_id", "board_id"])
		.addForeignKeyConstraint("board_settings_board", ["org_id", "board_id"], "boards", [
			"org_id",
			"id",
		])
		.execute();

	// One row per member and server instance: how many board connections the instance
	// holds for the member, and when it last said so. Rows of an instance that died go
	// stale (the heartbeat stops) instead of keeping the member online.
	await db.schema
		.createTable("member_presence")
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		.addColumn("instance_id", "text", (col) => col.notNull())
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("connections", "integer", (col) => col.notNull())
		.addColumn("last_seen_at", "timestamptz", (col) => col.notNull())
		.addPrimaryKeyConstraint("member_presence_pkey", ["member_id", "instance_id"])
		.addCheckConstraint("member_presence_connections_not_negative", sql`connections >= 0`)
		.execute();
	await createIndex(db, "member_presence_org", "member_presence", ["org_id"]);

	// A breach is recorded once per conversation and kind, however many watchers run.
	await sql`
		create unique index activity_sla_breach_once on activity (mention_id, (detail->>'kind'))
		where action = 'sla_breached'
	`.execute(db);
	// Reports and the webhook pick-up read the log by organisation, action and time.
	await createIndex(db, "activity_org_action_at", "activity", ["org_id", "action", "at"]);
	await createIndex(db, "mentions_org_ingested", "mentions", ["org_id", "ingested_at"]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropIndex("mentions_org_ingested").execute();
	await db.schema.dropIndex("activity_org_action_at").execute();
	await db.schema.dropIndex("activity_sla_breach_once").execute();
	await db.schema.dropTable("member_presence").execute();
	await db.schema.dropTable("board_settings").execute();
}
