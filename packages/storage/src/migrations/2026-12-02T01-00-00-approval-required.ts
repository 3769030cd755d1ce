/**
 * A conversation that once needed approval keeps needing it (issue 15): the work state
 * records it, so lowering the priority or removing a tag cannot walk around the rule.
 * Frozen like every migration.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.alterTable("mentions")
		.addColumn("approval_required", "boolean", (col) => col.notNull().defaultTo(false))
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable("mentions").dropColumn("approval_required").execute();
}
