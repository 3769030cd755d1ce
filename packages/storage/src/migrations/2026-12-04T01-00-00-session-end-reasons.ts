/**
 * Why a session ended, kept with its row (a `SessionEndReason` of @switchboard/domain), so
 * that the device it was ended under can say why: "your password was changed on another
 * device" rather than a bare "sign in again". Null for a session that has not ended, and
 * for one ended before this migration (that device is told only that it ended). Frozen
 * like every migration.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable("sessions").addColumn("revoked_reason", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable("sessions").dropColumn("revoked_reason").execute();
}
