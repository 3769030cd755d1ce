/**
 * What a webhook source last did with a delivery, for the admin's Sources screen: when it
 * last accepted one, and when it last refused one, why (a `WebhookRefusalReason` of
 * @switchboard/domain) and that reason in an admin's words. Without them a webhook that
 * refused every request (a wrong secret, a skewed clock) looked the same as one that worked.
 * Null until the first of each. Frozen like every migration.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.alterTable("sources")
		.addColumn("last_delivery_at", "timestamptz")
		.addColumn("last_refused_at", "timestamptz")
		.addColumn("last_refusal_reason", "text")
		.addColumn("last_refusal", "text")
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.alterTable("sources")
		.dropColumn("last_delivery_at")
		.dropColumn("last_refused_at")
		.dropColumn("last_refusal_reason")
		.dropColumn("last_refusal")
		.execute();
}
