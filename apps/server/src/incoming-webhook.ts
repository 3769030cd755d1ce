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
import { HttpRoutes } from "@switchboard/domain";
import type { SourceStore, SourceWithSecret } from "@switchboard/storage";
import { Hono } from "hono";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";
import type { Ingestor } from "./ingest.ts";
import { KeyedGroups } from "./keyed-groups.ts";
import type { IntegrationMetrics } from "./metrics.ts";
import type { SecretBox } from "./secret-box.ts";

export interface IncomingWebhookOptions {
	storage: SourceStore;
	ingestor: Ingestor;
	secrets: SecretBox;
	/** Where each request's outcome is counted. */
	metrics?: Pick<IntegrationMetrics, "webhookReceived">;
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
			const raw = new Uint8Array(await c.req.arrayBuffer());
			const check = verifySignature({
				secret: secretOf(source.sealedSecret),
				rawBody: raw,
				signature: c.req.header(SIGNATURE_HEADER),
				timestamp: c.req.header(TIMESTAMP_HEADER),
				now,
			});
			if (!check.ok) {
				const reason = {
					missing: "missing_signature",
					stale: "stale_timestamp",
					mismatch: "bad_signature",
				}[check.reason];
				return problem("unauthorized", check.message, reason);
			}
			let json: unknown;
			try {
				json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
			} catch {
				return problem("invalid", "The body is not JSON (UTF-8).", "malformed_json");
			}
			const payload = parseWebhookPayload(json);
			if (!payload.ok) return problem("invalid", payload.message, "invalid_payload");
			const result = await options.ingestor.ingest(
				source.orgId,
				source.boardId,
				payload.mentions.map((mention) => toIncomingMention(mention, now)),
				now,
			);
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
