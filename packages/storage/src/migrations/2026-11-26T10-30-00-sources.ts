/**
 * Sources, triage rules, connected accounts, reply sends and outgoing webhooks. Frozen
 * like every migration: the value lists are written out, not imported from the domain.
 * Secrets and credentials are stored sealed (encrypted by the server); the database
 * never sees them in the clear.
 */
import { type Kysely, sql } from "kysely";
import { createIndex, oneOf } from "../migration-helpers.ts";

const SOURCE_KINDS = ["webhook", "rss", "mastodon", "bluesky"];
const REPLY_NETWORKS = ["mastodon", "bluesky"];
const SEND_STATUSES = ["sending", "sent", "failed"];
const DELIVERY_STATUSES = ["pending", "delivered", "failed"];

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("triage_rules")
		.addColumn("org_id", "text", (col) => col.primaryKey().references("organisations.id"))
		.addColumn("rules", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable("sources")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("board_id", "text", (col) => col.notNull())
		.addColumn("kind", "text", (col) => col.notNull())
		.addColumn("name", "text", (col) => col.notNull())
		.addColumn("config", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn("sealed_secret", "text")
		.addColumn("enabled", "boolean", (col) => col.notNull().defaultTo(true))
		// Where the last poll stopped (ETag, newest id seen); the poller's own business.
		.addColumn("cursor", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn("last_error", "text")
		.addColumn("last_polled_at", "timestamptz")
		.addColumn("next_poll_at", "timestamptz")
		.addColumn("failures", "integer", (col) => col.notNull().defaultTo(0))
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addForeignKeyConstraint("sources_board", ["org_id", "board_id"], "boards", ["org_id", "id"])
		.addCheckConstraint("sources_kind_known", oneOf("kind", SOURCE_KINDS))
		.execute();
	await createIndex(db, "sources_org", "sources", ["org_id"]);
	// The scheduler asks for the polled sources that are due, across organisations.
	await db.schema
		.createIndex("sources_due")
		.on("sources")
		.column("next_poll_at")
		.where(sql.ref("enabled"), "=", true)
		.execute();

	await db.schema
		.createTable("connected_accounts")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		.addColumn("network", "text", (col) => col.notNull())
		.addColumn("server_url", "text", (col) => col.notNull())
		.addColumn("handle", "text", (col) => col.notNull())
		.addColumn("sealed_credential", "text", (col) => col.notNull())
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		// One account per network and member: send picks it by the mention's network.
		.addUniqueConstraint("connected_accounts_member_network", ["member_id", "network"])
		.addCheckConstraint("connected_accounts_network_known", oneOf("network", REPLY_NETWORKS))
		.execute();

	await db.schema
		.createTable("reply_sends")
		.addColumn("id", "uuid", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("board_id", "text", (col) => col.notNull())
		.addColumn("mention_id", "text", (col) => col.notNull().references("mentions.id"))
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		.addColumn("network", "text", (col) => col.notNull())
		.addColumn("text", "text", (col) => col.notNull())
		.addColumn("status", "text", (col) => col.notNull())
		.addColumn("error", "text")
		.addColumn("url", "text")
		.addColumn("attempts", "integer", (col) => col.notNull().defaultTo(1))
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addCheckConstraint("reply_sends_status_known", oneOf("status", SEND_STATUSES))
		.execute();
	await createIndex(db, "reply_sends_mention", "reply_sends", [
		"org_id",
		"mention_id",
		"created_at",
	]);

	await db.schema
		.createTable("webhook_endpoints")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("url", "text", (col) => col.notNull())
		.addColumn("sealed_secret", "text", (col) => col.notNull())
		.addColumn("events", "jsonb", (col) => col.notNull())
		.addColumn("enabled", "boolean", (col) => col.notNull().defaultTo(true))
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await createIndex(db, "webhook_endpoints_org", "webhook_endpoints", ["org_id"]);

	await db.schema
		.createTable("webhook_deliveries")
		.addColumn("id", "uuid", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("endpoint_id", "text", (col) =>
			col.notNull().references("webhook_endpoints.id").onDelete("cascade"),
		)
		.addColumn("event", "text", (col) => col.notNull())
		// One delivery per endpoint and happening (an activity id, a mention's arrival).
		.addColumn("dedupe_key", "text", (col) => col.notNull())
		.addColumn("payload", "jsonb", (col) => col.notNull())
		.addColumn("status", "text", (col) => col.notNull().defaultTo("pending"))
		.addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
		.addColumn("next_attempt_at", "timestamptz", (col) => col.notNull())
		.addColumn("last_error", "text")
		.addColumn("last_status", "integer")
		.addColumn("delivered_at", "timestamptz")
		.addColumn("created_at", "timestamptz", (col) => col.notNull())
		.addUniqueConstraint("webhook_deliveries_once", ["endpoint_id", "dedupe_key"])
		.addCheckConstraint("webhook_deliveries_status_known", oneOf("status", DELIVERY_STATUSES))
		.execute();
	await db.schema
		.createIndex("webhook_deliveries_due")
		.on("webhook_deliveries")
		.column("next_attempt_at")
		.where(sql.ref("status"), "=", "pending")
		.execute();
	await createIndex(db, "webhook_deliveries_endpoint", "webhook_deliveries", [
		"endpoint_id",
		"created_at",
	]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	for (const table of [
		"webhook_deliveries",
		"webhook_endpoints",
		"reply_sends",
		"connected_accounts",
		"sources",
		"triage_rules",
	]) {
		await db.schema.dropTable(table).execute();
	}
}
