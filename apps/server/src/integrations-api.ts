/**
 * HTTP API for sources and replies, behind the session:
 *
 * - admins of an organisation: `/api/orgs/:orgId/rules`, `/api/orgs/:orgId/sources`,
 *   `/api/orgs/:orgId/webhooks` (with their deliveries);
 * - every member: `/api/me/accounts` (their connected Mastodon/Bluesky accounts),
 *   `POST /api/mentions/:mentionId/send`, `GET /api/mentions/:mentionId/sends`,
 *   `POST /api/sends/:sendId/retry`.
 *
 * Secrets are shown once: a webhook source's or endpoint's secret in the answer that
 * creates (or rotates) it; tokens and app passwords are never shown again.
 */
import { randomBytes } from "node:crypto";
import {
	defaultConnectorTuning,
	loginBluesky,
	type OutboundClient,
	outboundRefusalReason,
	SourceError,
	verifyMastodonAccount,
} from "@switchboard/connectors";
import {
	AppError,
	CREDENTIAL_KINDS,
	describeIssues,
	HttpRoutes,
	isActiveMembership,
	MEMBERSHIP_ENDED,
	SOURCE_CONFIG_SCHEMAS,
	type SourceKind,
	webhookHost,
} from "@switchboard/domain";
import type {
	AuditLog,
	Directory,
	MentionStore,
	NewAuditEntry,
	ReplyStore,
	SourceStore,
	WebhookStore,
} from "@switchboard/storage";
import { type Context, Hono } from "hono";
import * as v from "valibot";
import { auditRequest, changesOf } from "./audit.ts";
import { checkRoutableBoard, createBoardAccess } from "./boards-api.ts";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";
import { blueskyCredential, type ReplySender } from "./reply-sender.ts";
import type { SecretBox } from "./secret-box.ts";

export interface IntegrationsApiOptions {
	storage: Directory &
		SourceStore &
		ReplyStore &
		WebhookStore &
		AuditLog &
		Pick<MentionStore, "getMentionBoardId">;
	secrets: SecretBox;
	sender: ReplySender;
	/** The guarded client a connected account is checked through (a member gives its URL). */
	outbound: OutboundClient;
	/** Per request when checking a connected account. @default defaultConnectorTuning.timeoutMs */
	timeoutMs?: number;
}

const NO_SOURCE = "No such source.";
const NO_WEBHOOK = "No such webhook.";

/** A webhook secret: 32 random bytes, prefixed so it is recognisable in a config file. */
function newSecret(): string {
	return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** The config field of each polled kind that holds the URL the server fetches. */
const URL_FIELDS: Partial<Record<SourceKind, string>> = {
	rss: "url",
	mastodon: "instanceUrl",
	bluesky: "service",
};

/**
 * A kind's config, parsed; a URL the outbound guard would refuse by its host alone (a
 * private address or `localhost` the operator did not allow) is refused here, at its field,
 * instead of saving a source that can never poll.
 */
function parseConfig(kind: SourceKind, config: unknown, outbound: OutboundClient) {
	const parsed = v.safeParse(SOURCE_CONFIG_SCHEMAS[kind], config);
	if (!parsed.success) {
		throw new AppError("invalid", `config: ${describeIssues(parsed.issues)}`);
	}
	const output = parsed.output as Record<string, unknown>;
	const field = URL_FIELDS[kind];
	const url = field === undefined ? undefined : output[field];
	if (typeof url === "string") refuseByHost(outbound, url, `config.${field}`);
	return output;
}

/**
 * Refuses, at its field, a URL the outbound guard would refuse by its host alone (a private
 * address or `localhost` the operator did not allow): what is saved with it could never
 * reach it.
 */
function refuseByHost(outbound: OutboundClient, url: string, field: string): void {
	try {
		outbound.checkUrl(url);
	} catch (error) {
		const reason = outboundRefusalReason(error);
		if (reason) throw new AppError("invalid", `${field}: ${reason}`);
		throw error;
	}
}

export function createIntegrationsApi(options: IntegrationsApiOptions): Hono<ApiEnv> {
	const { storage, secrets, sender } = options;
	const timeoutMs = options.timeoutMs ?? defaultConnectorTuning.timeoutMs;
	const app = new Hono<ApiEnv>();
	const boards = createBoardAccess(storage);

	/** Record an admin's act on the thing the action names (`source.deleted`: a source). */
	const audit = (
		c: Context<ApiEnv>,
		action: `${"rules" | "source" | "webhook"}.${string}` & NewAuditEntry["action"],
		id: string,
		details: NewAuditEntry["details"] = {},
	) => {
		const type = action.slice(0, action.indexOf(".")) as "rules" | "source" | "webhook";
		const { orgId } = c.get("member");
		return auditRequest(storage, c, {
			orgId,
			action,
			target: { type, id },
			details,
		});
	};

	/** The organisation's source with this id; 404 when there is none. */
	const sourceOf = async (orgId: string, sourceId: string) => {
		const source = await storage.getSource(orgId, sourceId);
		if (!source) throw new AppError("not_found", NO_SOURCE);
		return source;
	};

	/** The organisation's webhook with this id; 404 when there is none. */
	const webhookOf = async (orgId: string, webhookId: string) => {
		const webhook = await storage.getWebhookEndpoint(orgId, webhookId);
		if (!webhook) throw new AppError("not_found", NO_WEBHOOK);
		return webhook;
	};

	handle(app, HttpRoutes.rules, async (_c, { params }) => ({
		rules: await storage.getTriageRules(params.orgId),
	}));

	handle(app, HttpRoutes.saveRules, async (c, { params, body }) => {
		for (const [index, rule] of body.rules.entries()) {
			if (rule.apply.board === undefined) continue;
			await checkRoutableBoard(
				storage,
				params.orgId,
				rule.apply.board,
				`rules.${index}.apply.board`,
			);
		}
		const before = await storage.getTriageRules(params.orgId);
		const rules = await storage.setTriageRules(params.orgId, body.rules);
		await audit(c, "rules.changed", params.orgId, { before: before.length, after: rules.length });
		return { rules };
	});

	handle(app, HttpRoutes.sources, async (_c, { params }) => ({
		sources: await storage.listSources(params.orgId),
	}));

	handle(app, HttpRoutes.createSource, async (c, { params: { orgId }, body: input }) => {
		const config = parseConfig(input.kind, input.config, options.outbound);
		await checkRoutableBoard(storage, orgId, input.boardId, "boardId");
		const needsCredential = CREDENTIAL_KINDS.includes(input.kind);
		if (needsCredential && !input.credential) {
			throw new AppError(
				"invalid",
				`credential: a ${input.kind} source needs ${input.kind === "mastodon" ? "an access token" : "an app password"}.`,
			);
		}
		const webhookSecret = input.kind === "webhook" ? newSecret() : null;
		const plain = webhookSecret ?? (needsCredential ? (input.credential ?? null) : null);
		const source = await storage.createSource({
			orgId,
			boardId: input.boardId,
			kind: input.kind,
			name: input.name,
			config,
			sealedSecret: plain === null ? null : secrets.seal(plain),
			enabled: input.enabled,
			nextPollAt: input.kind === "webhook" || !input.enabled ? null : new Date().toISOString(),
		});
		await audit(c, "source.created", source.id, {
			kind: source.kind,
			name: source.name,
			boardId: source.boardId,
		});
		if (!webhookSecret) return { source };
		return {
			source,
			secret: webhookSecret,
			webhookUrl: `/api/orgs/${orgId}/sources/${source.id}/webhook`,
		};
	});

	handle(app, HttpRoutes.source, async (_c, { params }) => {
		const { sealedSecret, cursor, ...visible } = await sourceOf(params.orgId, params.sourceId);
		return { source: visible };
	});

	handle(app, HttpRoutes.updateSource, async (c, { params: { orgId, sourceId }, body: input }) => {
		const existing = await sourceOf(orgId, sourceId);
		if (input.boardId !== undefined && input.boardId !== existing.boardId) {
			await checkRoutableBoard(storage, orgId, input.boardId, "boardId");
		}
		if (input.credential !== undefined && !CREDENTIAL_KINDS.includes(existing.kind)) {
			throw new AppError("invalid", "credential: this kind of source has none to set.");
		}
		const polled = existing.kind !== "webhook";
		const enabled = input.enabled ?? existing.enabled;
		// What the poller knew (ETag, newest id, the failures) is about the old settings.
		const changed = input.config !== undefined || input.credential !== undefined;
		const source = await storage.updateSource(orgId, existing.id, {
			...(input.name !== undefined ? { name: input.name } : {}),
			...(input.boardId !== undefined ? { boardId: input.boardId } : {}),
			...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
			...(input.config !== undefined
				? { config: parseConfig(existing.kind, input.config, options.outbound) }
				: {}),
			...(input.credential !== undefined ? { sealedSecret: secrets.seal(input.credential) } : {}),
			...(changed ? { resetState: true } : {}),
			...(polled && (changed || input.enabled !== undefined)
				? { nextPollAt: enabled ? new Date().toISOString() : null }
				: {}),
		});
		if (!source) throw new AppError("not_found", NO_SOURCE);
		const fields = (of: typeof source) => ({
			name: of.name,
			boardId: of.boardId,
			enabled: of.enabled,
			config: of.config,
		});
		await audit(c, "source.changed", source.id, {
			...changesOf(fields(existing), fields(source)),
			...(input.credential !== undefined ? { credential: "replaced" } : {}),
		});
		return { source };
	});

	handle(app, HttpRoutes.rotateSourceSecret, async (c, { params: { orgId, sourceId } }) => {
		const existing = await sourceOf(orgId, sourceId);
		if (existing.kind !== "webhook") {
			throw new AppError("invalid", "Only webhook sources have a secret to rotate.");
		}
		const secret = newSecret();
		await storage.updateSource(orgId, existing.id, { sealedSecret: secrets.seal(secret) });
		await audit(c, "source.secret_rotated", existing.id);
		return { secret };
	});

	handle(app, HttpRoutes.deleteSource, async (c, { params: { orgId, sourceId } }) => {
		const existing = await sourceOf(orgId, sourceId);
		// Deleted meanwhile by someone else: the same 404.
		if (!(await storage.deleteSource(orgId, sourceId))) throw new AppError("not_found", NO_SOURCE);
		await audit(c, "source.deleted", existing.id, { kind: existing.kind, name: existing.name });
		return { ok: true };
	});

	handle(app, HttpRoutes.webhooks, async (_c, { params }) => ({
		webhooks: await storage.listWebhookEndpoints(params.orgId),
	}));

	handle(app, HttpRoutes.createWebhook, async (c, { params, body: input }) => {
		refuseByHost(options.outbound, input.url, "url");
		const secret = newSecret();
		const webhook = await storage.createWebhookEndpoint({
			orgId: params.orgId,
			url: input.url,
			events: [...new Set(input.events)],
			enabled: input.enabled,
			sealedSecret: secrets.seal(secret),
		});
		await audit(c, "webhook.created", webhook.id, {
			host: webhookHost(webhook.url),
			events: webhook.events,
		});
		return { webhook, secret };
	});

	handle(app, HttpRoutes.updateWebhook, async (c, { params, body: input }) => {
		if (input.url !== undefined) refuseByHost(options.outbound, input.url, "url");
		const before = await storage.getWebhookEndpoint(params.orgId, params.webhookId);
		const webhook = await storage.updateWebhookEndpoint(params.orgId, params.webhookId, {
			...(input.url !== undefined ? { url: input.url } : {}),
			...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
			...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
		});
		if (!webhook) throw new AppError("not_found", NO_WEBHOOK);
		const fields = (w: typeof webhook | null) => ({
			// A hook's URL may carry its own secret (a chat's incoming hook): the host only.
			host: w ? webhookHost(w.url) : null,
			url: w?.url === webhook.url ? "same" : "changed",
			events: w?.events ?? null,
			enabled: w?.enabled ?? null,
		});
		await audit(c, "webhook.changed", webhook.id, changesOf(fields(before), fields(webhook)));
		return { webhook };
	});

	handle(app, HttpRoutes.rotateWebhookSecret, async (c, { params }) => {
		const secret = newSecret();
		const webhook = await storage.updateWebhookEndpoint(params.orgId, params.webhookId, {
			sealedSecret: secrets.seal(secret),
		});
		if (!webhook) throw new AppError("not_found", NO_WEBHOOK);
		await audit(c, "webhook.secret_rotated", webhook.id);
		return { secret };
	});

	handle(app, HttpRoutes.deleteWebhook, async (c, { params: { orgId, webhookId } }) => {
		const existing = await webhookOf(orgId, webhookId);
		// Deleted meanwhile by someone else: the same 404.
		if (!(await storage.deleteWebhookEndpoint(orgId, webhookId))) {
			throw new AppError("not_found", NO_WEBHOOK);
		}
		await audit(c, "webhook.deleted", existing.id, { host: webhookHost(existing.url) });
		return { ok: true };
	});

	handle(app, HttpRoutes.deliveries, async (_c, { params: { orgId, webhookId }, query }) => {
		await webhookOf(orgId, webhookId);
		const deliveries = await storage.listWebhookDeliveries(orgId, {
			endpointId: webhookId,
			...(query.status !== undefined ? { status: query.status } : {}),
			limit: 200,
		});
		return { deliveries };
	});

	// The endpoint is part of the update's condition: checked after the reset, another
	// webhook's path would have requeued the delivery and only then answered 404.
	handle(app, HttpRoutes.retryDelivery, async (c, { params }) => {
		const delivery = await storage.retryWebhookDelivery(
			params.orgId,
			params.webhookId,
			params.deliveryId,
			new Date().toISOString(),
		);
		if (!delivery) throw new AppError("not_found", "No such delivery.");
		await audit(c, "webhook.delivery_retried", params.webhookId, {
			delivery: params.deliveryId,
			event: delivery.event,
		});
		return { delivery };
	});

	handle(app, HttpRoutes.accounts, async (c) => ({
		accounts: await storage.listConnectedAccounts(c.get("member").memberId),
	}));

	/** Checks with the network first; its refusal is the caller's to fix. */
	const connecting = async <T>(check: () => Promise<T>): Promise<T> => {
		try {
			return await check();
		} catch (error) {
			if (error instanceof SourceError) {
				throw new AppError("invalid", `The account could not be connected. ${error.message}`);
			}
			throw error;
		}
	};

	handle(app, HttpRoutes.connectMastodon, async (c, { body: input }) => {
		const member = c.get("member");
		const verified = await connecting(() =>
			verifyMastodonAccount({ ...input, timeoutMs, outbound: options.outbound }),
		);
		const account = await storage.saveConnectedAccount({
			orgId: member.orgId,
			memberId: member.memberId,
			network: "mastodon",
			serverUrl: input.instanceUrl,
			handle: verified.handle,
			sealedCredential: secrets.seal(input.accessToken),
		});
		return { account };
	});

	handle(app, HttpRoutes.connectBluesky, async (c, { body: input }) => {
		const member = c.get("member");
		const agent = await connecting(() =>
			loginBluesky({
				outbound: options.outbound,
				service: input.service,
				identifier: input.identifier,
				password: input.appPassword,
				timeoutMs,
			}),
		);
		const account = await storage.saveConnectedAccount({
			orgId: member.orgId,
			memberId: member.memberId,
			network: "bluesky",
			serverUrl: input.service,
			handle: agent.session?.handle ?? input.identifier,
			sealedCredential: secrets.seal(blueskyCredential(input.identifier, input.appPassword)),
		});
		return { account };
	});

	handle(app, HttpRoutes.disconnectAccount, async (c, { params }) => {
		if (!(await storage.deleteConnectedAccount(c.get("member").memberId, params.network))) {
			throw new AppError("not_found", "No such connected account.");
		}
		return { ok: true };
	});

	const caller = async (c: Context<ApiEnv>) => {
		const { memberId, orgId } = c.get("member");
		const member = await storage.getMember(memberId);
		if (!isActiveMembership(member, orgId)) throw new AppError("unauthorized", MEMBERSHIP_ENDED);
		return member;
	};

	/** A failed post is an outcome with the stored send, not only an error. */
	const answerSend = (c: Context<ApiEnv>, outcome: Awaited<ReturnType<ReplySender["send"]>>) => {
		if (outcome.ok) return { send: outcome.send, mention: outcome.mention };
		return c.json(
			{ error: { code: "unavailable", message: outcome.error }, send: outcome.send },
			502,
		);
	};

	handle(app, HttpRoutes.send, async (c, { params, body }) => {
		await boards.openMentionBoard(c.get("member"), params.mentionId);
		return answerSend(c, await sender.send(await caller(c), params.mentionId, body.text));
	});

	handle(app, HttpRoutes.sends, async (c, { params }) => {
		await boards.openMentionBoard(c.get("member"), params.mentionId);
		return {
			sends: await storage.listReplySends(c.get("member").orgId, { mentionId: params.mentionId }),
		};
	});

	handle(app, HttpRoutes.retrySend, async (c, { params }) =>
		answerSend(c, await sender.retry(await caller(c), params.sendId)),
	);

	return app;
}
