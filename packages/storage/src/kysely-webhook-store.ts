/**
 * The webhook store port on kysely: outgoing webhook endpoints and their delivery queue.
 */
import { randomUUID } from "node:crypto";
import { type RawBuilder, type Selectable, sql } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from "./integration-schema.ts";
import type {
	DeliveryOutcome,
	DueDelivery,
	NewWebhookEndpoint,
	NewWebhookEvent,
	WebhookDelivery,
	WebhookEndpoint,
	WebhookEndpointPatch,
	WebhookEndpointWithSecret,
	WebhookStore,
} from "./integration-storage.ts";
import { KyselyPort } from "./kysely-port.ts";
import { leaseDueRows } from "./lease.ts";
import { deleteInOrg, findInOrg, insertOne, listOwned, updateInOrg } from "./org-rows.ts";
import { CLAIM_ACTIONS, isUuid, json, REPLY_ACTIONS, recordOf } from "./rows.ts";

function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
	const { sealed_secret: _, ...endpoint } = row;
	return recordOf(endpoint);
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
	const { dedupe_key: _, ...delivery } = row;
	return recordOf(delivery);
}

/**
 * The statement that queues each event once for every enabled endpoint of its organisation
 * that subscribes to it, in one statement however many there are. With `onlyFor`, each
 * event names the row it announces (`about`), and only those of rows in `onlyFor` (a query
 * of `id`s: the mention store's rows just inserted, in the same statement) are queued.
 */
export function webhookDeliveriesInsert(
	inputs: readonly (NewWebhookEvent & { about?: string })[],
	onlyFor?: RawBuilder<unknown>,
): RawBuilder<unknown> {
	const events = inputs.map((input) => ({
		org_id: input.orgId,
		event: input.event,
		dedupe_key: input.dedupeKey,
		payload: input.payload,
		now: input.now,
		about: input.about ?? null,
	}));
	return sql`
		insert into webhook_deliveries
			(id, org_id, endpoint_id, event, dedupe_key, payload, status, attempts, next_attempt_at, created_at)
		select gen_random_uuid(), e.org_id, e.id, v.event, v.dedupe_key, v.payload, 'pending', 0, v.now, v.now
		from jsonb_to_recordset(${json(events)}::jsonb)
			as v(org_id text, event text, dedupe_key text, payload jsonb, now timestamptz, about text)
		join webhook_endpoints e on e.org_id = v.org_id and e.enabled and e.events ? v.event
		${onlyFor ? sql`where v.about in (${onlyFor})` : sql``}
		on conflict (endpoint_id, dedupe_key) do nothing
	`;
}

export class KyselyWebhookStore extends KyselyPort implements WebhookStore {
	createWebhookEndpoint(input: NewWebhookEndpoint): Promise<WebhookEndpoint> {
		return mapConstraintErrors("A webhook with that id", () =>
			insertOne(
				this.db,
				"webhook_endpoints",
				{
					id: input.id ?? randomUUID(),
					org_id: input.orgId,
					url: input.url,
					sealed_secret: input.sealedSecret,
					events: json(input.events),
					enabled: input.enabled ?? true,
				},
				toEndpoint,
			),
		);
	}

	listWebhookEndpoints(orgId: string): Promise<WebhookEndpoint[]> {
		return listOwned(this.db, "webhook_endpoints", "org_id", orgId, "created_at", toEndpoint);
	}

	getWebhookEndpoint(orgId: string, endpointId: string): Promise<WebhookEndpointWithSecret | null> {
		return findInOrg(this.db, "webhook_endpoints", orgId, endpointId, (row) => ({
			...toEndpoint(row),
			sealedSecret: row.sealed_secret,
		}));
	}

	updateWebhookEndpoint(
		orgId: string,
		endpointId: string,
		patch: WebhookEndpointPatch,
	): Promise<WebhookEndpoint | null> {
		return updateInOrg(
			this.db,
			"webhook_endpoints",
			orgId,
			endpointId,
			{
				...(patch.url !== undefined ? { url: patch.url } : {}),
				...(patch.events !== undefined ? { events: json(patch.events) } : {}),
				...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
				...(patch.sealedSecret !== undefined ? { sealed_secret: patch.sealedSecret } : {}),
				updated_at: sql<Date>`now()`,
			},
			toEndpoint,
		);
	}

	deleteWebhookEndpoint(orgId: string, endpointId: string): Promise<boolean> {
		return deleteInOrg(this.db, "webhook_endpoints", orgId, endpointId);
	}

	enqueueWebhookEvent(input: NewWebhookEvent): Promise<number> {
		return this.enqueueWebhookEvents([input]);
	}

	async enqueueWebhookEvents(inputs: readonly NewWebhookEvent[]): Promise<number> {
		if (inputs.length === 0) return 0;
		const result = await webhookDeliveriesInsert(inputs).execute(this.db);
		return Number(result.numAffectedRows ?? 0);
	}

	async enqueueActivityEvents(now: string, since: string): Promise<number> {
		const event = sql`case when a.action in (${sql.join(REPLY_ACTIONS)}) then 'mention.replied' else 'mention.claimed' end`;
		const result = await sql`
			insert into webhook_deliveries
				(id, org_id, endpoint_id, event, dedupe_key, payload, status, attempts, next_attempt_at, created_at)
			select gen_random_uuid(), a.org_id, e.id, ${event}, 'activity:' || a.id,
				jsonb_build_object(
					'orgId', a.org_id, 'boardId', m.board_id, 'mentionId', a.mention_id,
					'actorId', a.actor_id, 'action', a.action, 'status', a.to_status, 'at', a.at,
					'detail', a.detail,
					'mention', jsonb_build_object(
						'network', m.network, 'externalId', m.external_id, 'url', m.url,
						'priority', m.priority, 'ownerId', m.owner_id, 'reply', m.reply
					)
				),
				'pending', 0, ${now}::timestamptz, ${now}::timestamptz
			from activity a
			join webhook_endpoints e on e.org_id = a.org_id and e.enabled and a.at >= e.created_at
			join mentions m on m.id = a.mention_id
			where a.at >= ${since}::timestamptz
				and a.action in (${sql.join([...CLAIM_ACTIONS, ...REPLY_ACTIONS])})
				and e.events ? (${event})
				and not exists (
					select 1 from webhook_deliveries d
					where d.endpoint_id = e.id and d.dedupe_key = 'activity:' || a.id
				)
			on conflict (endpoint_id, dedupe_key) do nothing
		`.execute(this.db);
		return Number(result.numAffectedRows ?? 0);
	}

	async countPendingDeliveries(): Promise<number> {
		const row = await this.db
			.selectFrom("webhook_deliveries")
			.select((eb) => eb.fn.countAll<string>().as("count"))
			.where("status", "=", "pending")
			.executeTakeFirstOrThrow();
		return Number(row.count);
	}

	claimDueDeliveries(now: string, leaseUntil: string, limit: number): Promise<DueDelivery[]> {
		return this.db.transaction().execute(async (trx) => {
			const rows = await leaseDueRows(
				trx,
				"webhook_deliveries",
				(eb) => eb("status", "=", "pending"),
				{ now, leaseUntil, limit },
			);
			if (rows.length === 0) return [];
			const endpoints = await trx
				.selectFrom("webhook_endpoints")
				.select(["id", "url", "sealed_secret", "enabled"])
				.where("id", "in", [...new Set(rows.map((row) => row.endpoint_id))])
				.execute();
			const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
			const due: DueDelivery[] = [];
			for (const row of rows) {
				const endpoint = byId.get(row.endpoint_id);
				// A disabled endpoint keeps its queue until it is enabled again.
				if (!endpoint?.enabled) continue;
				due.push({ ...toDelivery(row), url: endpoint.url, sealedSecret: endpoint.sealed_secret });
			}
			return due;
		});
	}

	async recordDeliveryAttempt(deliveryId: string, outcome: DeliveryOutcome): Promise<void> {
		await this.db
			.updateTable("webhook_deliveries")
			.set((eb) =>
				outcome.ok
					? {
							status: "delivered",
							attempts: eb("attempts", "+", 1),
							delivered_at: outcome.at,
							last_status: outcome.status,
							last_error: null,
						}
					: {
							status: outcome.nextAttemptAt === null ? "failed" : "pending",
							attempts: eb("attempts", "+", 1),
							last_error: outcome.error,
							last_status: outcome.status,
							...(outcome.nextAttemptAt !== null ? { next_attempt_at: outcome.nextAttemptAt } : {}),
						},
			)
			.where("id", "=", deliveryId)
			.execute();
	}

	async listWebhookDeliveries(
		orgId: string,
		filter: { endpointId?: string; status?: WebhookDelivery["status"]; limit?: number } = {},
	): Promise<WebhookDelivery[]> {
		let query = this.db.selectFrom("webhook_deliveries").selectAll().where("org_id", "=", orgId);
		if (filter.endpointId !== undefined) query = query.where("endpoint_id", "=", filter.endpointId);
		if (filter.status !== undefined) query = query.where("status", "=", filter.status);
		query = query.orderBy("created_at", "desc").orderBy("id", "desc");
		if (filter.limit !== undefined) query = query.limit(filter.limit);
		const rows = await query.execute();
		return rows.map(toDelivery);
	}

	async retryWebhookDelivery(
		orgId: string,
		endpointId: string,
		deliveryId: string,
		now: string,
	): Promise<WebhookDelivery | null> {
		if (!isUuid(deliveryId)) return null;
		const row = await this.db
			.updateTable("webhook_deliveries")
			.set({ status: "pending", next_attempt_at: now, attempts: 0 })
			.where("org_id", "=", orgId)
			.where("endpoint_id", "=", endpointId)
			.where("id", "=", deliveryId)
			.returningAll()
			.executeTakeFirst();
		return row ? toDelivery(row) : null;
	}
}
