/**
 * Revocable sessions (issue 15): a row per sign-in, named by the `jti` of its token, so
 * logout ends that session at once; and a cut-off per member, so a password change or a
 * deactivation ends every session of the member, tokens without a session id included.
 * Frozen like every migration.
 */
import { type Kysely, sql } from "kysely";
import { createIndex } from "../migration-helpers.ts";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("sessions")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("expires_at", "timestamptz", (col) => col.notNull())
		.addColumn("revoked_at", "timestamptz")
		.execute();
	await createIndex(db, "sessions_member", "sessions", ["member_id", "expires_at"]);
	await db.schema
		.createTable("session_cutoffs")
		.addColumn("member_id", "text", (col) => col.primaryKey().references("members.id"))
		.addColumn("revoked_before", "timestamptz", (col) => col.notNull())
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable("session_cutoffs").execute();
	await db.schema.dropTable("sessions").execute();
}
