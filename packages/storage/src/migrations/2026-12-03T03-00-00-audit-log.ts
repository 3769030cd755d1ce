/**
 * The admin audit log (issue 12, part 7): one row per admin act, added and never changed.
 * The database itself refuses UPDATE, DELETE and TRUNCATE on it (a trigger), so a bug or
 * an injected statement in the application cannot rewrite history; only the database's
 * owner, by dropping the trigger on purpose, could. Frozen like every migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("audit_log")
		.addColumn("id", "bigserial", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		// member, system (the server's periodic tasks) or cli (`pnpm switchboard …`).
		.addColumn("actor_kind", "text", (col) => col.notNull())
		.addColumn("actor_id", "text", (col) => col.references("members.id"))
		.addColumn("action", "text", (col) => col.notNull())
		.addColumn("target_type", "text")
		.addColumn("target_id", "text")
		.addColumn("details", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn("at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addCheckConstraint(
			"audit_log_actor_known",
			sql`actor_kind in ('member', 'system', 'cli') and (actor_kind = 'member') = (actor_id is not null)`,
		)
		.addCheckConstraint("audit_log_target_whole", sql`(target_type is null) = (target_id is null)`)
		.execute();
	// The log newest first, whole or by action or actor, a page at a time.
	const indexes = {
		org: ["org_id", "id"],
		org_action: ["org_id", "action", "id"],
		org_actor: ["org_id", "actor_id", "id"],
	};
	for (const [name, columns] of Object.entries(indexes)) {
		await db.schema.createIndex(`audit_log_${name}`).on("audit_log").columns(columns).execute();
	}
	await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
		begin
			raise exception 'the audit log is append-only: % is refused', tg_op
				using errcode = 'insufficient_privilege';
		end
	$$`.execute(db);
	await sql`create trigger audit_log_no_change before update or delete on audit_log
		for each row execute function audit_log_append_only()`.execute(db);
	await sql`create trigger audit_log_no_truncate before truncate on audit_log
		for each statement execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable("audit_log").execute();
	await sql`drop function audit_log_append_only()`.execute(db);
}
