/**
 * The sources-and-replies part of the kysely storage (see `integration-storage.ts`).
 * `KyselyStorage` extends this class, so one object serves the whole Storage interface.
 */
import { randomUUID } from "node:crypto";
import { AppError, type ReplyNetwork, type TriageRule } from "@switchboard/domain";
import { type Kysely, type Selectable, sql } from "kysely";
import { isDatabaseError, SqlState } from "./database-errors.ts";
import type {
	ConnectedAccountsTable,
	ReplySendsTable,
	SourcesTable,
	WebhookDeliveriesTable,
	WebhookEndpointsTable,
} from "./integration-schema.ts";
import type {
	ConnectedAccount,
	ConnectedAccountWithCredential,
	DeliveryOutcome,
	DueDelivery,
	IntegrationStorage,
	NewConnectedAccount,
	NewReplySend,
	NewSource,
	NewWebhookEndpoint,
	NewWebhookEvent,
	ReplySend,
	ReplySendPatch,
	Source,
	SourcePatch,
	SourcePollRecord,
	SourceWithSecret,
	WebhookDelivery,
	WebhookEndpoint,
	WebhookEndpointPatch,
	WebhookEndpointWithSecret,
} from "./integration-storage.ts";
import { iso, isoOrNull } from "./rows.ts";
import type { Database } from "./schema.ts";

/** Commands whose activity records become `mention.claimed` / `mention.replied` events. */
const CLAIM_ACTIONS = ["claim", "claimNext", "assign"];
const REPLY_ACTIONS = ["markReplied"];

function json(value: unknown): string {
	return JSON.stringify(value);
}

/** Constraint violations as AppErrors the API maps to 404/409. */
async function write<T>(subject: string, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		if (isDatabaseError(error, SqlState.uniqueViolation)) {
			throw new AppError("conflict", `${subject} already exists.`);
		}
		if (isDatabaseError(error, SqlState.foreignKeyViolation)) {
			throw new AppError(
				"not_found",
				"It refers to an organisation, board or member that does not exist.",
			);
		}
		throw error;
	}
}

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
		},
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at),
	};
}

function toSourceWithSecret(row: Selectable<SourcesTable>): SourceWithSecret {
	return { ...toSource(row), sealedSecret: row.sealed_secret, cursor: row.cursor };
}

function toAccount(row: Selectable<ConnectedAccountsTable>): ConnectedAccount {
	return {
		id: row.id,
		orgId: row.org_id,
		memberId: row.member_id,
		network: row.network,
		serverUrl: row.server_url,
		handle: row.handle,
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at),
	};
}

function toSend(row: Selectable<ReplySendsTable>): ReplySend {
	return {
		id: row.id,
		orgId: row.org_id,
		boardId: row.board_id,
		mentionId: row.mention_id,
		memberId: row.member_id,
		network: row.network,
		text: row.text,
		status: row.status,
		error: row.error,
		url: row.url,
		attempts: row.attempts,
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at),
	};
}

function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
	return {
		id: row.id,
		orgId: row.org_id,
		url: row.url,
		events: row.events,
		enabled: row.enabled,
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at),
	};
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
	return {
		id: row.id,
		orgId: row.org_id,
		endpointId: row.endpoint_id,
		event: row.event,
		payload: row.payload,
		status: row.status,
		attempts: row.attempts,
		nextAttemptAt: iso(row.next_attempt_at),
		lastError: row.last_error,
		lastStatus: row.last_status,
		deliveredAt: isoOrNull(row.delivered_at),
		createdAt: iso(row.created_at),
	};
}

export class IntegrationStore implements IntegrationStorage {
	readonly #db: Kysely<Database>;

	constructor(db: Kysely<Database>) {
		this.#db = db;
	}

	async getTriageRules(orgId: string): Promise<TriageRule[]> {
		const row = await this.#db
			.selectFrom("triage_rules")
			.select("rules")
			.where("org_id", "=", orgId)
			.executeTakeFirst();
		return row?.rules ?? [];
	}

	setTriageRules(orgId: string, rules: TriageRule[]): Promise<TriageRule[]> {
		return write("Rules", async () => {
			const row = await this.#db
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
		return write("A source with that id", async () => {
			const row = await this.#db
				.insertInto("sources")
				.values({
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
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			return toSource(row);
		});
	}

	async getSource(orgId: string, sourceId: string): Promise<SourceWithSecret | null> {
		const row = await this.#db
			.selectFrom("sources")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("id", "=", sourceId)
			.executeTakeFirst();
		return row ? toSourceWithSecret(row) : null;
	}

	async listSources(orgId: string): Promise<Source[]> {
		const rows = await this.#db
			.selectFrom("sources")
			.selectAll()
			.where("org_id", "=", orgId)
			.orderBy("created_at")
			.orderBy("id")
			.execute();
		return rows.map(toSource);
	}

	updateSource(orgId: string, sourceId: string, patch: SourcePatch): Promise<Source | null> {
		return write("A source", async () => {
			const row = await this.#db
				.updateTable("sources")
				.set({
					...(patch.name !== undefined ? { name: patch.name } : {}),
					...(patch.boardId !== undefined ? { board_id: patch.boardId } : {}),
					...(patch.config !== undefined ? { config: json(patch.config) } : {}),
					...(patch.sealedSecret !== undefined ? { sealed_secret: patch.sealedSecret } : {}),
					...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
					...(patch.nextPollAt !== undefined ? { next_poll_at: patch.nextPollAt } : {}),
					...(patch.resetState ? { cursor: json({}), failures: 0, last_error: null } : {}),
					updated_at: sql<Date>`now()`,
				})
				.where("org_id", "=", orgId)
				.where("id", "=", sourceId)
				.returningAll()
				.executeTakeFirst();
			return row ? toSource(row) : null;
		});
	}

	async deleteSource(orgId: string, sourceId: string): Promise<boolean> {
		const result = await this.#db
			.deleteFrom("sources")
			.where("org_id", "=", orgId)
			.where("id", "=", sourceId)
			.executeTakeFirst();
		return result.numDeletedRows > 0n;
	}

	claimDueSources(now: string, leaseUntil: string, limit: number): Promise<SourceWithSecret[]> {
		return this.#db.transaction().execute(async (trx) => {
			const rows = await trx
				.selectFrom("sources")
				.selectAll()
				.where("enabled", "=", true)
				.where("kind", "!=", "webhook")
				.where("next_poll_at", "<=", new Date(now))
				.orderBy("next_poll_at")
				.limit(limit)
				.forUpdate()
				.skipLocked()
				.execute();
			if (rows.length === 0) return [];
			await trx
				.updateTable("sources")
				.set({ next_poll_at: leaseUntil })
				.where(
					"id",
					"in",
					rows.map((row) => row.id),
				)
				.execute();
			return rows.map(toSourceWithSecret);
		});
	}

	async recordSourcePoll(sourceId: string, record: SourcePollRecord): Promise<void> {
		await this.#db
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

	saveConnectedAccount(input: NewConnectedAccount): Promise<ConnectedAccount> {
		return write("That account", async () => {
			const row = await this.#db
				.insertInto("connected_accounts")
				.values({
					id: randomUUID(),
					org_id: input.orgId,
					member_id: input.memberId,
					network: input.network,
					server_url: input.serverUrl,
					handle: input.handle,
					sealed_credential: input.sealedCredential,
				})
				.onConflict((conflict) =>
					conflict.columns(["member_id", "network"]).doUpdateSet((eb) => ({
						server_url: eb.ref("excluded.server_url"),
						handle: eb.ref("excluded.handle"),
						sealed_credential: eb.ref("excluded.sealed_credential"),
						updated_at: sql<Date>`now()`,
					})),
				)
				.returningAll()
				.executeTakeFirstOrThrow();
			return toAccount(row);
		});
	}

	async listConnectedAccounts(memberId: string): Promise<ConnectedAccount[]> {
		const rows = await this.#db
			.selectFrom("connected_accounts")
			.selectAll()
			.where("member_id", "=", memberId)
			.orderBy("network")
			.execute();
		return rows.map(toAccount);
	}

	async getConnectedAccount(
		memberId: string,
		network: ReplyNetwork,
	): Promise<ConnectedAccountWithCredential | null> {
		const row = await this.#db
			.selectFrom("connected_accounts")
			.selectAll()
			.where("member_id", "=", memberId)
			.where("network", "=", network)
			.executeTakeFirst();
		return row ? { ...toAccount(row), sealedCredential: row.sealed_credential } : null;
	}

	async deleteConnectedAccount(memberId: string, network: ReplyNetwork): Promise<boolean> {
		const result = await this.#db
			.deleteFrom("connected_accounts")
			.where("member_id", "=", memberId)
			.where("network", "=", network)
			.executeTakeFirst();
		return result.numDeletedRows > 0n;
	}

	async getMentionBoardId(orgId: string, mentionId: string): Promise<string | null> {
		const row = await this.#db
			.selectFrom("mentions")
			.select("board_id")
			.where("org_id", "=", orgId)
			.where("id", "=", mentionId)
			.executeTakeFirst();
		return row?.board_id ?? null;
	}

	createReplySend(input: NewReplySend): Promise<ReplySend> {
		return write("A send with that id", async () => {
			const row = await this.#db
				.insertInto("reply_sends")
				.values({
					id: input.id ?? randomUUID(),
					org_id: input.orgId,
					board_id: input.boardId,
					mention_id: input.mentionId,
					member_id: input.memberId,
					network: input.network,
					text: input.text,
					status: "sending",
					attempts: 1,
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			return toSend(row);
		});
	}

	async updateReplySend(
		orgId: string,
		sendId: string,
		patch: ReplySendPatch,
	): Promise<ReplySend | null> {
		const row = await this.#db
			.updateTable("reply_sends")
			.set((eb) => ({
				status: patch.status,
				...(patch.error !== undefined ? { error: patch.error } : {}),
				...(patch.url !== undefined ? { url: patch.url } : {}),
				...(patch.text !== undefined ? { text: patch.text } : {}),
				...(patch.attempt ? { attempts: eb("attempts", "+", 1) } : {}),
				updated_at: sql<Date>`now()`,
			}))
			.where("org_id", "=", orgId)
			.where("id", "=", sendId)
			.returningAll()
			.executeTakeFirst();
		return row ? toSend(row) : null;
	}

	async getReplySend(orgId: string, sendId: string): Promise<ReplySend | null> {
		if (!UUID.test(sendId)) return null;
		const row = await this.#db
			.selectFrom("reply_sends")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("id", "=", sendId)
			.executeTakeFirst();
		return row ? toSend(row) : null;
	}

	async listReplySends(
		orgId: string,
		filter: { mentionId?: string; memberId?: string; status?: ReplySend["status"] } = {},
	): Promise<ReplySend[]> {
		let query = this.#db.selectFrom("reply_sends").selectAll().where("org_id", "=", orgId);
		if (filter.mentionId !== undefined) query = query.where("mention_id", "=", filter.mentionId);
		if (filter.memberId !== undefined) query = query.where("member_id", "=", filter.memberId);
		if (filter.status !== undefined) query = query.where("status", "=", filter.status);
		const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").execute();
		return rows.map(toSend);
	}

	createWebhookEndpoint(input: NewWebhookEndpoint): Promise<WebhookEndpoint> {
		return write("A webhook with that id", async () => {
			const row = await this.#db
				.insertInto("webhook_endpoints")
				.values({
					id: input.id ?? randomUUID(),
					org_id: input.orgId,
					url: input.url,
					sealed_secret: input.sealedSecret,
					events: json(input.events),
					enabled: input.enabled ?? true,
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			return toEndpoint(row);
		});
	}

	async listWebhookEndpoints(orgId: string): Promise<WebhookEndpoint[]> {
		const rows = await this.#db
			.selectFrom("webhook_endpoints")
			.selectAll()
			.where("org_id", "=", orgId)
			.orderBy("created_at")
			.orderBy("id")
			.execute();
		return rows.map(toEndpoint);
	}

	async getWebhookEndpoint(
		orgId: string,
		endpointId: string,
	): Promise<WebhookEndpointWithSecret | null> {
		const row = await this.#db
			.selectFrom("webhook_endpoints")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("id", "=", endpointId)
			.executeTakeFirst();
		return row ? { ...toEndpoint(row), sealedSecret: row.sealed_secret } : null;
	}

	async updateWebhookEndpoint(
		orgId: string,
		endpointId: string,
		patch: WebhookEndpointPatch,
	): Promise<WebhookEndpoint | null> {
		const row = await this.#db
			.updateTable("webhook_endpoints")
			.set({
				...(patch.url !== undefined ? { url: patch.url } : {}),
				...(patch.events !== undefined ? { events: json(patch.events) } : {}),
				...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
				...(patch.sealedSecret !== undefined ? { sealed_secret: patch.sealedSecret } : {}),
				updated_at: sql<Date>`now()`,
			})
			.where("org_id", "=", orgId)
			.where("id", "=", endpointId)
			.returningAll()
			.executeTakeFirst();
		return row ? toEndpoint(row) : null;
	}

	async deleteWebhookEndpoint(orgId: string, endpointId: string): Promise<boolean> {
		const result = await this.#db
			.deleteFrom("webhook_endpoints")
			.where("org_id", "=", orgId)
			.where("id", "=", endpointId)
			.executeTakeFirst();
		return result.numDeletedRows > 0n;
	}

	async enqueueWebhookEvent(input: NewWebhookEvent): Promise<number> {
		const result = await sql`
			insert into webhook_deliveries
				(id, org_id, endpoint_id, event, dedupe_key, payload, status, attempts, next_attempt_at, created_at)
			select gen_random_uuid(), e.org_id, e.id, ${input.event}, ${input.dedupeKey},
				${json(input.payload)}::jsonb, 'pending', 0, ${input.now}::timestamptz, ${input.now}::timestamptz
			from webhook_endpoints e
			where e.org_id = ${input.orgId} and e.enabled and e.events ? ${input.event}
			on conflict (endpoint_id, dedupe_key) do nothing
		`.execute(this.#db);
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
		`.execute(this.#db);
		return Number(result.numAffectedRows ?? 0);
	}

	claimDueDeliveries(now: string, leaseUntil: string, limit: number): Promise<DueDelivery[]> {
		return this.#db.transaction().execute(async (trx) => {
			const rows = await trx
				.selectFrom("webhook_deliveries")
				.selectAll()
				.where("status", "=", "pending")
				.where("next_attempt_at", "<=", new Date(now))
				.orderBy("next_attempt_at")
				.limit(limit)
				.forUpdate()
				.skipLocked()
				.execute();
			if (rows.length === 0) return [];
			await trx
				.updateTable("webhook_deliveries")
				.set({ next_attempt_at: leaseUntil })
				.where(
					"id",
					"in",
					rows.map((row) => row.id),
				)
				.execute();
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
		await this.#db
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
		let query = this.#db.selectFrom("webhook_deliveries").selectAll().where("org_id", "=", orgId);
		if (filter.endpointId !== undefined) query = query.where("endpoint_id", "=", filter.endpointId);
		if (filter.status !== undefined) query = query.where("status", "=", filter.status);
		query = query.orderBy("created_at", "desc").orderBy("id", "desc");
		if (filter.limit !== undefined) query = query.limit(filter.limit);
		const rows = await query.execute();
		return rows.map(toDelivery);
	}

	async retryWebhookDelivery(
		orgId: string,
		deliveryId: string,
		now: string,
	): Promise<WebhookDelivery | null> {
		if (!UUID.test(deliveryId)) return null;
		const row = await this.#db
			.updateTable("webhook_deliveries")
			.set({ status: "pending", next_attempt_at: now, attempts: 0 })
			.where("org_id", "=", orgId)
			.where("id", "=", deliveryId)
			.returningAll()
			.executeTakeFirst();
		return row ? toDelivery(row) : null;
	}
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
