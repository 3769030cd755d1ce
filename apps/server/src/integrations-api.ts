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
	SourceError,
	verifyMastodonAccount,
} from "@switchboard/connectors";
import {
	AppError,
	DeliveryStatuses,
	isActiveMembership,
	MEMBERSHIP_ENDED,
	ReplyNetworkSchema,
	SourceKindSchema,
	TriageRulesSchema,
	WebhookEventSchema,
} from "@switchboard/domain";
import type { Directory, ReplyStore, SourceStore, WebhookStore } from "@switchboard/storage";
import { type Context, Hono } from "hono";
import * as v from "valibot";
import { type ApiEnv, describeIssues } from "./http-api.ts";
import { blueskyCredential, type ReplySender } from "./reply-sender.ts";
import type { SecretBox } from "./secret-box.ts";
import { CREDENTIAL_KINDS, SOURCE_CONFIG_SCHEMAS } from "./source-config.ts";

export interface IntegrationsApiOptions {
	storage: Directory & SourceStore & ReplyStore & WebhookStore;
	secrets: SecretBox;
	sender: ReplySender;
	/** The guarded client a connected account is checked through (a member gives its URL). */
	outbound: OutboundClient;
	/** Per request when checking a connected account. @default defaultConnectorTuning.timeoutMs */
	timeoutMs?: number;
}

const Name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));
const BoardId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a board id"));
const HttpUrl = v.pipe(
	v.string(),
	v.trim(),
	v.url("must be a URL"),
	v.check((url) => /^https?:\/\//i.test(url), "must be an http(s) URL"),
	v.maxLength(2000),
);
const Credential = v.pipe(v.string(), v.minLength(1), v.maxLength(4000));

const CreateSourceSchema = v.strictObject({
	kind: SourceKindSchema,
	name: Name,
	boardId: v.optional(BoardId, "main"),
	enabled: v.optional(v.boolean(), true),
	config: v.optional(v.record(v.string(), v.unknown()), {}),
	/** Mastodon access token or Bluesky app password. */
	credential: v.optional(Credential),
});

const UpdateSourceSchema = v.strictObject({
	name: v.optional(Name),
	boardId: v.optional(BoardId),
	enabled: v.optional(v.boolean()),
	config: v.optional(v.record(v.string(), v.unknown())),
	credential: v.optional(Credential),
});

const RulesBodySchema = v.strictObject({ rules: TriageRulesSchema });

const Events = v.pipe(
	v.array(WebhookEventSchema),
	v.minLength(1, "subscribe to at least one event"),
);
const CreateWebhookSchema = v.strictObject({
	url: HttpUrl,
	events: Events,
	enabled: v.optional(v.boolean(), true),
});
const UpdateWebhookSchema = v.strictObject({
	url: v.optional(HttpUrl),
	events: v.optional(Events),
	enabled: v.optional(v.boolean()),
});

const MastodonAccountSchema = v.strictObject({
	instanceUrl: HttpUrl,
	accessToken: Credential,
});
const BlueskyAccountSchema = v.strictObject({
	service: v.optional(HttpUrl, "https://bsky.social"),
	identifier: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(300)),
	appPassword: Credential,
});

const SendSchema = v.strictObject({ text: v.pipe(v.string(), v.maxLength(20_000)) });

async function body<T extends v.GenericSchema>(
	c: Context<ApiEnv>,
	schema: T,
): Promise<v.InferOutput<T>> {
	const json = await c.req.json().catch(() => {
		throw new AppError("invalid", "The body must be JSON.");
	});
	const parsed = v.safeParse(schema, json);
	if (!parsed.success) throw new AppError("invalid", describeIssues(parsed.issues));
	return parsed.output;
}

/** A webhook secret: 32 random bytes, prefixed so it is recognisable in a config file. */
function newSecret(): string {
	return `whsec_${randomBytes(32).toString("base64url")}`;
}

function parseConfig(kind: v.InferOutput<typeof SourceKindSchema>, config: unknown) {
	const parsed = v.safeParse(SOURCE_CONFIG_SCHEMAS[kind], config);
	if (!parsed.success) {
		throw new AppError("invalid", `config: ${describeIssues(parsed.issues)}`);
	}
	return parsed.output as Record<string, unknown>;
}

export function createIntegrationsApi(options: IntegrationsApiOptions): Hono<ApiEnv> {
	const { storage, secrets, sender } = options;
	const timeoutMs = options.timeoutMs ?? defaultConnectorTuning.timeoutMs;
	const app = new Hono<ApiEnv>();

	// Organisation settings are for that organisation's admins only.
	app.use("/api/orgs/:orgId/*", async (c, next) => {
		const member = c.get("member");
		if (member.orgId !== c.req.param("orgId")) {
			throw new AppError("forbidden", "That is another organisation.");
		}
		if (member.role !== "admin") throw new AppError("forbidden", "Only admins manage this.");
		await next();
	});

	app.get("/api/orgs/:orgId/rules", async (c) =>
		c.json({ rules: await storage.getTriageRules(c.req.param("orgId")) }),
	);

	app.put("/api/orgs/:orgId/rules", async (c) => {
		const { rules } = await body(c, RulesBodySchema);
		return c.json({ rules: await storage.setTriageRules(c.req.param("orgId"), rules) });
	});

	app.get("/api/orgs/:orgId/sources", async (c) =>
		c.json({ sources: await storage.listSources(c.req.param("orgId")) }),
	);

	app.post("/api/orgs/:orgId/sources", async (c) => {
		const orgId = c.req.param("orgId");
		const input = await body(c, CreateSourceSchema);
		const config = parseConfig(input.kind, input.config);
		if (!(await storage.getBoard(orgId, input.boardId))) {
			throw new AppError("invalid", `boardId: no board ${input.boardId} in this organisation.`);
		}
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
		return c.json(
			{
				source,
				...(webhookSecret
					? {
							secret: webhookSecret,
							webhookUrl: `/api/orgs/${orgId}/sources/${source.id}/webhook`,
						}
					: {}),
			},
			201,
		);
	});

	app.get("/api/orgs/:orgId/sources/:sourceId", async (c) => {
		const source = await storage.getSource(c.req.param("orgId"), c.req.param("sourceId"));
		if (!source) throw new AppError("not_found", "No such source.");
		const { sealedSecret, cursor, ...visible } = source;
		return c.json({ source: visible });
	});

	app.patch("/api/orgs/:orgId/sources/:sourceId", async (c) => {
		const orgId = c.req.param("orgId");
		const existing = await storage.getSource(orgId, c.req.param("sourceId"));
		if (!existing) throw new AppError("not_found", "No such source.");
		const input = await body(c, UpdateSourceSchema);
		if (input.boardId !== undefined && !(await storage.getBoard(orgId, input.boardId))) {
			throw new AppError("invalid", `boardId: no board ${input.boardId} in this organisation.`);
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
			...(input.config !== undefined ? { config: parseConfig(existing.kind, input.config) } : {}),
			...(input.credential !== undefined ? { sealedSecret: secrets.seal(input.credential) } : {}),
			...(changed ? { resetState: true } : {}),
			...(polled && (changed || input.enabled !== undefined)
				? { nextPollAt: enabled ? new Date().toISOString() : null }
				: {}),
		});
		return c.json({ source });
	});

	app.post("/api/orgs/:orgId/sources/:sourceId/rotate-secret", async (c) => {
		const orgId = c.req.param("orgId");
		const existing = await storage.getSource(orgId, c.req.param("sourceId"));
		if (!existing) throw new AppError("not_found", "No such source.");
		if (existing.kind !== "webhook") {
			throw new AppError("invalid", "Only webhook sources have a secret to rotate.");
		}
		const secret = newSecret();
		await storage.updateSource(orgId, existing.id, { sealedSecret: secrets.seal(secret) });
		return c.json({ secret });
	});

	app.delete("/api/orgs/:orgId/sources/:sourceId", async (c) => {
		const deleted = await storage.deleteSource(c.req.param("orgId"), c.req.param("sourceId"));
		if (!deleted) throw new AppError("not_found", "No such source.");
		return c.json({ ok: true });
	});

	app.get("/api/orgs/:orgId/webhooks", async (c) =>
		c.json({ webhooks: await storage.listWebhookEndpoints(c.req.param("orgId")) }),
	);

	app.post("/api/orgs/:orgId/webhooks", async (c) => {
		const input = await body(c, CreateWebhookSchema);
		const secret = newSecret();
		const webhook = await storage.createWebhookEndpoint({
			orgId: c.req.param("orgId"),
			url: input.url,
			events: [...new Set(input.events)],
			enabled: input.enabled,
			sealedSecret: secrets.seal(secret),
		});
		return c.json({ webhook, secret }, 201);
	});

	app.patch("/api/orgs/:orgId/webhooks/:webhookId", async (c) => {
		const input = await body(c, UpdateWebhookSchema);
		const webhook = await storage.updateWebhookEndpoint(
			c.req.param("orgId"),
			c.req.param("webhookId"),
			{
				...(input.url !== undefined ? { url: input.url } : {}),
				...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
				...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
			},
		);
		if (!webhook) throw new AppError("not_found", "No such webhook.");
		return c.json({ webhook });
	});

	app.post("/api/orgs/:orgId/webhooks/:webhookId/rotate-secret", async (c) => {
		const secret = newSecret();
		const webhook = await storage.updateWebhookEndpoint(
			c.req.param("orgId"),
			c.req.param("webhookId"),
			{
				sealedSecret: secrets.seal(secret),
			},
		);
		if (!webhook) throw new AppError("not_found", "No such webhook.");
		return c.json({ secret });
	});

	app.delete("/api/orgs/:orgId/webhooks/:webhookId", async (c) => {
		const deleted = await storage.deleteWebhookEndpoint(
			c.req.param("orgId"),
			c.req.param("webhookId"),
		);
		if (!deleted) throw new AppError("not_found", "No such webhook.");
		return c.json({ ok: true });
	});

	app.get("/api/orgs/:orgId/webhooks/:webhookId/deliveries", async (c) => {
		const orgId = c.req.param("orgId");
		const webhookId = c.req.param("webhookId");
		if (!(await storage.getWebhookEndpoint(orgId, webhookId))) {
			throw new AppError("not_found", "No such webhook.");
		}
		const status = c.req.query("status");
		if (status !== undefined && !(DeliveryStatuses as readonly string[]).includes(status)) {
			throw new AppError("invalid", `status: one of ${DeliveryStatuses.join(", ")}.`);
		}
		const deliveries = await storage.listWebhookDeliveries(orgId, {
			endpointId: webhookId,
			...(status !== undefined ? { status: status as (typeof DeliveryStatuses)[number] } : {}),
			limit: 200,
		});
		return c.json({ deliveries });
	});

	app.post("/api/orgs/:orgId/webhooks/:webhookId/deliveries/:deliveryId/retry", async (c) => {
		const orgId = c.req.param("orgId");
		const delivery = await storage.retryWebhookDelivery(
			orgId,
			c.req.param("deliveryId"),
			new Date().toISOString(),
		);
		if (!delivery || delivery.endpointId !== c.req.param("webhookId")) {
			throw new AppError("not_found", "No such delivery.");
		}
		return c.json({ delivery });
	});

	app.get("/api/me/accounts", async (c) =>
		c.json({ accounts: await storage.listConnectedAccounts(c.get("member").memberId) }),
	);

	app.put("/api/me/accounts/:network", async (c) => {
		const member = c.get("member");
		const network = v.safeParse(ReplyNetworkSchema, c.req.param("network"));
		if (!network.success)
			throw new AppError("not_found", "Accounts connect on mastodon or bluesky.");
		try {
			if (network.output === "mastodon") {
				const input = await body(c, MastodonAccountSchema);
				const verified = await verifyMastodonAccount({
					...input,
					timeoutMs,
					outbound: options.outbound,
				});
				const account = await storage.saveConnectedAccount({
					orgId: member.orgId,
					memberId: member.memberId,
					network: "mastodon",
					serverUrl: input.instanceUrl,
					handle: verified.handle,
					sealedCredential: secrets.seal(input.accessToken),
				});
				return c.json({ account });
			}
			const input = await body(c, BlueskyAccountSchema);
			const agent = await loginBluesky({
				outbound: options.outbound,
				service: input.service,
				identifier: input.identifier,
				password: input.appPassword,
				timeoutMs,
			});
			const account = await storage.saveConnectedAccount({
				orgId: member.orgId,
				memberId: member.memberId,
				network: "bluesky",
				serverUrl: input.service,
				handle: agent.session?.handle ?? input.identifier,
				sealedCredential: secrets.seal(blueskyCredential(input.identifier, input.appPassword)),
			});
			return c.json({ account });
		} catch (error) {
			if (error instanceof SourceError) {
				throw new AppError("invalid", `The account could not be connected. ${error.message}`);
			}
			throw error;
		}
	});

	app.delete("/api/me/accounts/:network", async (c) => {
		const network = v.safeParse(ReplyNetworkSchema, c.req.param("network"));
		const deleted =
			network.success &&
			(await storage.deleteConnectedAccount(c.get("member").memberId, network.output));
		if (!deleted) throw new AppError("not_found", "No such connected account.");
		return c.json({ ok: true });
	});

	const caller = async (c: Context<ApiEnv>) => {
		const { memberId, orgId } = c.get("member");
		const member = await storage.getMember(memberId);
		if (!isActiveMembership(member, orgId)) throw new AppError("unauthorized", MEMBERSHIP_ENDED);
		return member;
	};

	app.post("/api/mentions/:mentionId/send", async (c) => {
		const { text } = await body(c, SendSchema);
		const outcome = await sender.send(await caller(c), c.req.param("mentionId"), text);
		if (outcome.ok) return c.json({ send: outcome.send, mention: outcome.mention });
		return c.json(
			{ error: { code: "unavailable", message: outcome.error }, send: outcome.send },
			502,
		);
	});

	app.get("/api/mentions/:mentionId/sends", async (c) =>
		c.json({
			sends: await storage.listReplySends(c.get("member").orgId, {
				mentionId: c.req.param("mentionId"),
			}),
		}),
	);

	app.post("/api/sends/:sendId/retry", async (c) => {
		const outcome = await sender.retry(await caller(c), c.req.param("sendId"));
		if (outcome.ok) return c.json({ send: outcome.send, mention: outcome.mention });
		return c.json(
			{ error: { code: "unavailable", message: outcome.error }, send: outcome.send },
			502,
		);
	});

	return app;
}
