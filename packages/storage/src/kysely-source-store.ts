/**
 * The source store port on kysely: triage rules, sources and their poll schedule.
 */
import { randomUUID } from "node:crypto";
import type { TriageRule, WebhookRefusal } from "@switchboard/domain";
import { type Selectable, sql } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import type { SourcesTable } from "./integration-schema.ts";
import type {
	NewSource,
	Source,
	SourcePatch,
	SourcePollRecord,
	SourceStore,
	SourceWithSecret,
} from "./integration-storage.ts";
import { KyselyPort } from "./kysely-port.ts";
import { leaseDueRows } from "./lease.ts";
import { deleteInOrg, findInOrg, insertOne, listOwned, updateInOrg } from "./org-rows.ts";
import { iso, isoOrNull, json } from "./rows.ts";

function toSource(row: Selectable<SourcesTable>): Source {
	return {
		id: row.id,
		orgId: row.org_id,
		boardId: row.board_id,
		kind: row.kind,
		name: row.name,
		config: row.config,
		enabled: row.enabled,
		status: {
			lastError: row.last_error,
			lastPolledAt: isoOrNull(row.last_polled_at),
			nextPollAt: isoOrNull(row.next_poll_at),
			failures: row.failures,
			lastDeliveryAt: isoOrNull(row.last_delivery_at),
			lastRefusal:
				row.last_refused_at && row.last_refusal_reason
					? {
							at: iso(row.last_refused_at),
							reason: row.last_refusal_reason,
							message: row.last_refusal ?? "",
						}
					: null,
		},
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at),
	};
}

function toSourceWithSecret(row: Selectable<SourcesTable>): SourceWithSecret {
	return { ...toSource(row), sealedSecret: row.sealed_secret, cursor: row.cursor };
}

export class KyselySourceStore extends KyselyPort implements SourceStore {
	async getTriageRules(orgId: string): Promise<TriageRule[]> {
		const row = await this.db
			.selectFrom("triage_rules")
			.select("rules")
			.where("org_id", "=", orgId)
			.executeTakeFirst();
		return row?.rules ?? [];
	}

	setTriageRules(orgId: string, rules: TriageRule[]): Promise<TriageRule[]> {
		return mapConstraintErrors("Rules", async () => {
			const row = await this.db
				.insertInto("triage_rules")
				.values({ org_id: orgId, rules: json(rules) })
				.onConflict((conflict) =>
					conflict.column("org_id").doUpdateSet((eb) => ({
						rules: eb.ref("excluded.rules"),
						updated_at: sql<Date>`now()`,
					})),
				)
				.returning("rules")
				.executeTakeFirstOrThrow();
			return row.rules;
		});
	}

	createSource(input: NewSource): Promise<Source> {
		return mapConstraintErrors("A source with that id", () =>
			insertOne(
				this.db,
				"sources",
				{
					id: input.id ?? randomUUID(),
					org_id: input.orgId,
					board_id: input.boardId,
					kind: input.kind,
					name: input.name,
					config: json(input.config),
					sealed_secret: input.sealedSecret,
					enabled: input.enabled ?? true,
					cursor: json({}),
					failures: 0,
					next_poll_at: input.nextPollAt ?? null,
				},
				toSource,
			),
		);
	}

	getSource(orgId: string, sourceId: string): Promise<SourceWithSecret | null> {
		return findInOrg(this.db, "sources", orgId, sourceId, toSourceWithSecret);
	}

	listSources(orgId: string): Promise<Source[]> {
		return listOwned(this.db, "sources", "org_id", orgId, "created_at", toSource);
	}

	updateSource(orgId: string, sourceId: string, patch: SourcePatch): Promise<Source | null> {
		return mapConstraintErrors("A source", () =>
			updateInOrg(
				this.db,
				"sources",
				orgId,
				sourceId,
				{
					...(patch.name !== undefined ? { name: patch.name } : {}),
					...(patch.boardId !== undefined ? { board_id: patch.boardId } : {}),
					...(patch.config !== undefined ? { config: json(patch.config) } : {}),
					...(patch.sealedSecret !== undefined ? { sealed_secret: patch.sealedSecret } : {}),
					...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
					...(patch.nextPollAt !== undefined ? { next_poll_at: patch.nextPollAt } : {}),
					...(patch.resetState ? { cursor: json({}), failures: 0, last_error: null } : {}),
					updated_at: sql<Date>`now()`,
				},
				toSource,
			),
		);
	}

	deleteSource(orgId: string, sourceId: string): Promise<boolean> {
		return deleteInOrg(this.db, "sources", orgId, sourceId);
	}

	claimDueSources(now: string, leaseUntil: string, limit: number): Promise<SourceWithSecret[]> {
		return this.db.transaction().execute(async (trx) => {
			const rows = await leaseDueRows(
				trx,
				"sources",
				(eb) => eb.and([eb("enabled", "=", true), eb("kind", "!=", "webhook")]),
				{ now, leaseUntil, limit },
			);
			return rows.map(toSourceWithSecret);
		});
	}

	async recordSourcePoll(sourceId: string, record: SourcePollRecord): Promise<void> {
		await this.db
			.updateTable("sources")
			.set({
				...(record.cursor !== undefined ? { cursor: json(record.cursor) } : {}),
				last_error: record.lastError,
				last_polled_at: record.lastPolledAt,
				next_poll_at: record.nextPollAt,
				failures: record.failures,
			})
			.where("id", "=", sourceId)
			// A source disabled meanwhile stays off the schedule.
			.where("enabled", "=", true)
			.execute();
	}

	async recordWebhookDelivery(orgId: string, sourceId: string, at: string): Promise<boolean> {
		const result = await this.db
			.updateTable("sources")
			.set({ last_delivery_at: at })
			.where("org_id", "=", orgId)
			.where("id", "=", sourceId)
			.where("kind", "=", "webhook")
			// Instances record side by side: a late write of an earlier delivery loses.
			.where((eb) =>
				eb.or([eb("last_delivery_at", "is", null), eb("last_delivery_at", "<", new Date(at))]),
			)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	async recordWebhookRefusal(
		orgId: string,
		sourceId: string,
		refusal: WebhookRefusal,
	): Promise<boolean> {
		const result = await this.db
			.updateTable("sources")
			.set({
				last_refused_at: refusal.at,
				last_refusal_reason: refusal.reason,
				last_refusal: refusal.message,
			})
			.where("org_id", "=", orgId)
			.where("id", "=", sourceId)
			.where("kind", "=", "webhook")
			// A paused source refuses everything, and says so already.
			.where("enabled", "=", true)
			.where((eb) =>
				eb.or([
					eb("last_refused_at", "is", null),
					eb("last_refused_at", "<", new Date(refusal.at)),
				]),
			)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}
}
