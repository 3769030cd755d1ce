/**
 * Conversations that go on (issue 13): an index of every thread message with an external
 * id (a follow-up names one as `inReplyTo`; the same message is stored once), the count of
 * follow-ups the owner has not seen, the start of the current service-level round, and
 * one breach per conversation, kind and round instead of per conversation and kind.
 * Frozen like every migration.
 */
import { type Kysely, sql } from "kysely";
import { createIndex } from "../migration-helpers.ts";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("thread_messages")
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("network", "text", (col) => col.notNull())
		.addColumn("external_id", "text", (col) => col.notNull())
		.addColumn("mention_id", "text", (col) =>
			col.notNull().references("mentions.id").onDelete("cascade"),
		)
		.addPrimaryKeyConstraint("thread_messages_pkey", ["org_id", "network", "external_id"])
		.execute();
	await createIndex(db, "thread_messages_mention", "thread_messages", ["mention_id"]);
	// Threads stored before: their messages with ids become findable.
	await sql`
		insert into thread_messages (org_id, network, external_id, mention_id)
		select m.org_id, m.network, t.message->>'externalId', m.id
		from mentions m, jsonb_array_elements(m.thread) as t(message)
		where coalesce(t.message->>'externalId', '') <> ''
		on conflict do nothing
	`.execute(db);
	await db.schema
		.alterTable("mentions")
		.addColumn("unseen_follow_ups", "integer", (col) => col.notNull().defaultTo(0))
		.addColumn("sla_from", "timestamptz")
		.execute();
	await db.schema.dropIndex("activity_sla_breach_once").execute();
	await sql`
		create unique index activity_sla_breach_once_per_round
		on activity (mention_id, (detail->>'kind'), (coalesce(detail->>'round', '')))
		where action = 'sla_breached'
	`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropIndex("activity_sla_breach_once_per_round").execute();
	await sql`
		create unique index activity_sla_breach_once on activity (mention_id, (detail->>'kind'))
		where action = 'sla_breached'
	`.execute(db);
	await db.schema
		.alterTable("mentions")
		.dropColumn("unseen_follow_ups")
		.dropColumn("sla_from")
		.execute();
	await db.schema.dropTable("thread_messages").execute();
}
