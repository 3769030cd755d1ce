/**
 * Teams = boards (issue 12, part 4): a board can be archived. An archived board keeps its
 * conversations (history search still finds them) but takes no new ones and no changes;
 * its rows stay, so nothing that refers to it breaks. Frozen like every migration.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable("boards").addColumn("archived_at", "timestamptz").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable("boards").dropColumn("archived_at").execute();
}
