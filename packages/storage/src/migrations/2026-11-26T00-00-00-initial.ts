/**
 * The initial schema. Frozen: a later change is a new migration, never an edit here.
 * For the same reason the value lists below are written out rather than imported from
 * `@switchboard/domain`, whose lists may grow after this migration has run.
 *
 * `Kysely<unknown>`: a migration must not depend on today's table types (kysely's own
 * advice is `Kysely<any>`; `unknown` says the same without switching off type checking).
 */
import { type Kysely, sql } from "kysely";
import { createIndex, oneOf } from "../migration-helpers.ts";

const ROLES = ["ambassador", "moderator", "admin"];
const PRIORITIES = ["high", "normal", "low"];
const STATUSES = [
	"new",
	"claimed",
	"drafting",
	"in_review",
	"approved",
	"replied",
	"closed",
	"dismissed",
	"snoozed",
	"escalated",
];

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("organisations")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("name", "text", (col) => col.notNull())
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable("members")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("email", "text", (col) => col.notNull().unique())
		.addColumn("name", "text", (col) => col.notNull())
		.addColumn("role", "text", (col) => col.notNull())
		.addColumn("capacity", "integer", (col) => col.notNull())
		.addColumn("skills", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("languages", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("active", "boolean", (col) => col.notNull().defaultTo(true))
		.addColumn("password_hash", "text", (col) => col.notNull())
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		// Sign-in looks members up by email; lower case makes the unique index case-blind.
		.addCheckConstraint("members_email_lower_case", sql`email = lower(email)`)
		.addCheckConstraint("members_role_known", oneOf("role", ROLES))
		.addCheckConstraint("members_capacity_not_negative", sql`capacity >= 0`)
		.execute();
	await createIndex(db, "members_org", "members", ["org_id"]);

	await db.schema
		.createTable("boards")
		.addColumn("id", "text", (col) => col.notNull())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("name", "text", (col) => col.notNull())
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint("boards_pkey", ["org_id", "id"])
		.execute();

	await db.schema
		.createTable("mentions")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("board_id", "text", (col) => col.notNull())
		.addColumn("network", "text", (col) => col.notNull())
		.addColumn("external_id", "text", (col) => col.notNull())
		.addColumn("url", "text")
		.addColumn("author", "jsonb", (col) => col.notNull())
		.addColumn("text", "text", (col) => col.notNull())
		.addColumn("thread", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("posted_at", "timestamptz", (col) => col.notNull())
		.addColumn("ingested_at", "timestamptz", (col) => col.notNull())
		.addColumn("language", "text")
		.addColumn("sentiment", "double precision", (col) => col.notNull().defaultTo(0))
		.addColumn("priority", "text", (col) => col.notNull().defaultTo("normal"))
		.addColumn("tags", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("status", "text", (col) => col.notNull().defaultTo("new"))
		.addColumn("owner_id", "text", (col) => col.references("members.id"))
		.addColumn("owner_since", "timestamptz")
		.addColumn("review", "jsonb")
		.addColumn("reply", "jsonb")
		.addColumn("snoozed_until", "timestamptz")
		.addColumn("updated_at", "timestamptz", (col) => col.notNull())
		.addColumn("rev", "integer", (col) => col.notNull().defaultTo(1))
		.addForeignKeyConstraint("mentions_board", ["org_id", "board_id"], "boards", ["org_id", "id"])
		// Ingest is idempotent by where a mention came from.
		.addUniqueConstraint("mentions_source_unique", ["org_id", "network", "external_id"])
		.addCheckConstraint("mentions_priority_known", oneOf("priority", PRIORITIES))
		.addCheckConstraint("mentions_status_known", oneOf("status", STATUSES))
		.addCheckConstraint("mentions_owner_complete", sql`(owner_id is null) = (owner_since is null)`)
		.execute();
	await createIndex(db, "mentions_board_status", "mentions", ["org_id", "board_id", "status"]);
	// Capacity checks count a member's open conversations on every claim.
	await db.schema
		.createIndex("mentions_owner")
		.on("mentions")
		.column("owner_id")
		.where(sql.ref("owner_id"), "is not", null)
		.execute();

	await db.schema
		.createTable("ownerships")
		.addColumn("id", "bigserial", (col) => col.primaryKey())
		.addColumn("mention_id", "text", (col) => col.notNull().references("mentions.id"))
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		.addColumn("since", "timestamptz", (col) => col.notNull())
		.addColumn("until", "timestamptz")
		.addColumn("reason", "text")
		.execute();
	// The database itself holds "a conversation has at most one owner": whatever races
	// past the row locks, a second open ownership row cannot be committed.
	await db.schema
		.createIndex("ownerships_one_active_owner")
		.on("ownerships")
		.column("mention_id")
		.unique()
		.where(sql.ref("until"), "is", null)
		.execute();
	await createIndex(db, "ownerships_mention_history", "ownerships", ["mention_id", "id"]);

	await db.schema
		.createTable("activity")
		.addColumn("id", "bigserial", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("mention_id", "text", (col) => col.references("mentions.id"))
		.addColumn("actor_id", "text", (col) => col.references("members.id"))
		.addColumn("action", "text", (col) => col.notNull())
		.addColumn("command_id", "uuid")
		.addColumn("from_status", "text")
		.addColumn("to_status", "text")
		.addColumn("detail", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn("at", "timestamptz", (col) => col.notNull())
		.execute();
	await createIndex(db, "activity_org", "activity", ["org_id", "id"]);
	await createIndex(db, "activity_mention", "activity", ["mention_id", "id"]);
	// The log is evidence of who did what: refuse to rewrite it, whoever asks.
	await sql`
		create function activity_append_only() returns trigger language plpgsql as $$
		begin
			raise exception 'activity is append-only: % refused', tg_op;
		end
		$$
	`.execute(db);
	await sql`
		create trigger activity_append_only before update or delete on activity
		for each row execute function activity_append_only()
	`.execute(db);

	await db.schema
		.createTable("processed_commands")
		.addColumn("id", "uuid", (col) => col.primaryKey())
		// No foreign keys: a command from an unknown actor is answered and remembered too.
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("actor_id", "text", (col) => col.notNull())
		.addColumn("name", "text", (col) => col.notNull())
		.addColumn("outcome", "jsonb", (col) => col.notNull())
		.addColumn("at", "timestamptz", (col) => col.notNull())
		.execute();

	await db.schema
		.createTable("document_snapshots")
		.addColumn("name", "text", (col) => col.primaryKey())
		.addColumn("snapshot", "bytea", (col) => col.notNull())
		.addColumn("up_to_update_id", "bigint", (col) => col.notNull())
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable("document_updates")
		.addColumn("id", "bigserial", (col) => col.primaryKey())
		.addColumn("name", "text", (col) => col.notNull())
		.addColumn("update", "bytea", (col) => col.notNull())
		.addColumn("at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await createIndex(db, "document_updates_name", "document_updates", ["name", "id"]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	for (const table of [
		"document_updates",
		"document_snapshots",
		"processed_commands",
		"activity",
		"ownerships",
		"mentions",
		"boards",
		"members",
		"organisations",
	]) {
		await db.schema.dropTable(table).execute();
	}
	await sql`drop function activity_append_only()`.execute(db);
}
