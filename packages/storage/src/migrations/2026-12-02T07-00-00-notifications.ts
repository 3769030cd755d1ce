/**
 * Notifications (issue 13, part 3) and the devices they reach by Web Push (issue 14):
 * a feed per member, unique by what caused each entry so that a cause told twice (a
 * replayed command, two instances seeing one breach) makes one entry; each member's
 * choice of kinds and channels; and each device a member opted in from.
 * Frozen like every migration.
 */
import { type Kysely, sql } from "kysely";
import { createIndex } from "../migration-helpers.ts";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("notifications")
		.addColumn("id", "bigserial", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		.addColumn("kind", "text", (col) => col.notNull())
		.addColumn("mention_id", "text", (col) => col.notNull())
		.addColumn("board_id", "text", (col) => col.notNull())
		.addColumn("actor_id", "text")
		.addColumn("detail", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
		/** What caused it (`command:<id>`, `note:<mention>:<note>`, `breach:…`): told once. */
		.addColumn("key", "text", (col) => col.notNull())
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("read_at", "timestamptz")
		.addUniqueConstraint("notifications_member_key", ["member_id", "key"])
		.execute();
	// The feed, newest first, a page at a time.
	await createIndex(db, "notifications_member_feed", "notifications", ["member_id", "id desc"]);
	// The unread count and the unread filter stay cheap however long the feed grows.
	await sql`create index notifications_member_unread on notifications (member_id, id) where read_at is null`.execute(
		db,
	);
	await db.schema
		.createTable("notification_settings")
		.addColumn("member_id", "text", (col) => col.primaryKey().references("members.id"))
		.addColumn("settings", "jsonb", (col) => col.notNull())
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createTable("push_devices")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		/** A push service's URL is the device's identity: one row per browser subscription. */
		.addColumn("endpoint", "text", (col) => col.notNull().unique())
		.addColumn("p256dh", "text", (col) => col.notNull())
		.addColumn("auth", "text", (col) => col.notNull())
		.addColumn("label", "text")
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("last_sent_at", "timestamptz")
		.execute();
	await createIndex(db, "push_devices_member", "push_devices", ["member_id"]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable("push_devices").execute();
	await db.schema.dropTable("notification_settings").execute();
	await db.schema.dropTable("notifications").execute();
}
