/**
 * `POST /api/orgs/:orgId/sources/:sourceId/webhook`: mentions pushed by another system.
 * No session: the request is authenticated by its signature, an HMAC-SHA256 with the
 * source's secret over `${timestamp}.${rawBody}` (see @switchboard/connectors signature.ts).
 * Checked in this order: size and text (the API's edge, see body-limits.ts and
 * text-guard.ts: 1 MiB), source, signature and timestamp, JSON, schema; then the mentions
 * are ingested, idempotently by network and external id: a mention that names the
 * conversation it continues (`inReplyTo`) joins its thread (see ingest.ts).
 */
import {
	parseWebhookPayload,
	SIGNATURE_HEADER,
	TIMESTAMP_HEADER,
	toIncomingMention,
	verifySignature,
} from "@switchboard/connectors";
import { HttpRoutes, isInvalidText } from "@switchboard/domain";
import type { SourceStore, SourceWithSecret } from "@switchboard/storage";
import { Hono } from "hono";
import { handle } from "./contract-route.ts";
import type { ApiEnv, EdgeRefusal } from "./http-api.ts";
import type { Ingestor } from "./ingest.ts";
import { KeyedGroups } from "./keyed-groups.ts";
import type { IntegrationMetrics } from "./metrics.ts";
import type { SecretBox } from "./secret-box.ts";
import {
	INVALID_TEXT,
	MALFORMED_JSON,
	payloadRefusal,
	type Refusal,
	signatureRefusal,
	tooLargeRefusal,
	type WebhookDeliveryLog,
} from "./webhook-deliveries.ts";

export interface IncomingWebhookOptions {
	storage: SourceStore;
	ingestor: Ingestor;
	secrets: SecretBox;
	/** Where each request's outcome is counted. */
	metrics?: Pick<IntegrationMetrics, "webhookReceived">;
	/** Where each source's last accepted and refused deliveries are recorded, for its admin. */
	deliveries: WebhookDeliveryLog;
	/** The clock; tests pass a fixed one. */
	now?: () => Date;
}

type Problem = "unauthorized" | "invalid" | "not_found" | "forbidden";

/** Most opened source secrets kept in memory; an organisation has a few sources. */
const OPENED_SECRETS = 1000;

const STATUS = {
	unauthorized: 401,
	invalid: 400,
	not_found: 404,
	forbidden: 403,
} as const;

export function createIncomingWebhookRoutes(options: IncomingWebhookOptions): Hono<ApiEnv> {
	const app = new Hono<ApiEnv>();
	const count = (outcome: string) => options.metrics?.webhookReceived(outcome);
	const problem = (code: Problem, message: string, reason?: string) => {
		count(reason ?? code);
		return new Response(
			JSON.stringify({ error: { code, ...(reason ? { reason } : {}), message } }),
			{ status: STATUS[code], headers: { "content-type": "application/json; charset=utf-8" } },
		);
	};
	// A bridge posts many requests to one source at once: those that arrive while its read is
	// under way share the next one (keyed-groups.ts), a read that starts after each of them
	// arrived.
	const sourceReads = new KeyedGroups<SourceWithSecret | null>();
	// Opening a sealed secret (AES-GCM) cost a webhook request more than checking its
	// signature (3 % of its CPU, bench/findings/06.md, ninth stop): each sealed value is opened
	// once and kept, the least recently used dropped past OPENED_SECRETS. A new secret is a
	// new sealed value, so what is kept is never stale.
	const opened = new Map<string, string>();
	const readSource = async (orgId: string, sourceId: string): Promise<SourceWithSecret | null> => {
		const joined = await sourceReads.join(JSON.stringify([orgId, sourceId]), () =>
			options.storage.getSource(orgId, sourceId),
		);
		if (!joined.ok) throw joined.error;
		return joined.value;
	};
	const secretOf = (sealed: string): string => {
		let secret = opened.get(sealed);
		if (secret === undefined) {
			secret = options.secrets.open(sealed);
			const oldest = opened.keys().next();
			if (opened.size >= OPENED_SECRETS && !oldest.done) opened.delete(oldest.value);
		} else {
			opened.delete(sealed);
		}
		opened.set(sealed, secret);
		return secret;
	};
	/** A failure (the database did not answer) is counted as `error` and answered as usual. */
	const counted =
		<A extends unknown[], T>(handler: (...args: A) => Promise<T>) =>
		(...args: A) =>
			handler(...args).catch((error: unknown) => {
				count("error");
				throw error;
			});

	handle(
		app,
		HttpRoutes.webhookIngest,
		counted(async (c, { params }) => {
			const now = options.now?.() ?? new Date();
			const source = await readSource(params.orgId, params.sourceId);
			if (source?.kind !== "webhook" || !source.sealedSecret) {
				return problem("not_found", "No webhook source with that id in that organisation.");
			}
			if (!source.enabled) return problem("forbidden", "This source is disabled.");
			// Only a source that exists gets here: its refusals are recorded (throttled) for its admin.
			const refuse = async (refusal: Refusal, code: Problem, message: string) => {
				await options.deliveries.refused(source.orgId, source.id, refusal, now);
				return problem(code, message, refusal.reason);
			};
			const raw = new Uint8Array(await c.req.arrayBuffer());
			const headers = {
				signature: c.req.header(SIGNATURE_HEADER),
				timestamp: c.req.header(TIMESTAMP_HEADER),
			};
			const check = verifySignature({
				secret: secretOf(source.sealedSecret),
				rawBody: raw,
				...headers,
				now,
			});
			if (!check.ok) {
				return refuse(signatureRefusal(check, headers, now), "unauthorized", check.message);
			}
			let json: unknown;
			try {
				json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
			} catch {
				return refuse(MALFORMED_JSON, "invalid", "The body is not JSON (UTF-8).");
			}
			const payload = parseWebhookPayload(json);
			if (!payload.ok) return refuse(payloadRefusal(payload.message), "invalid", payload.message);
			const result = await options.ingestor.ingest(
				source.orgId,
				source.boardId,
				payload.mentions.map((mention) => toIncomingMention(mention, now)),
				now,
			);
			await options.deliveries.accepted(source.orgId, source.id, now);
			count("accepted");
			return {
				accepted: result.accepted,
				duplicates: result.duplicates,
				followUps: result.followUps,
				mentionIds: result.mentionIds,
			};
		}),
		{ rawBody: true },
	);
	return app;
}

/** The webhook route's path, for what the edge refused before the route was reached. */
const WEBHOOK_PATH = /^\/api\/orgs\/([^/]+)\/sources\/([^/]+)\/webhook$/;

/**
 * Records a refusal at the edge on the webhook source the request was posted to, when it
 * was posted to one (`WebhookDeliveryLog.refusedAtEdge` caps and throttles it).
 */
export function webhookEdgeRefusals(
	deliveries: WebhookDeliveryLog,
): (request: { method: string; path: string }, refusal: EdgeRefusal) => Promise<void> {
	return async (request, refusal) => {
		const match = request.method === "POST" ? WEBHOOK_PATH.exec(request.path) : null;
		if (!match) return;
		let ids: string[];
		try {
			ids = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
		} catch {
			return;
		}
		// Nothing the database could not take (a 413 comes before the text guard reads the path).
		if (ids.some(isInvalidText)) return;
		await deliveries.refusedAtEdge(
			ids[0]!,
			ids[1]!,
			refusal.kind === "too_large" ? tooLargeRefusal(refusal.maxBytes) : INVALID_TEXT,
		);
	};
}
