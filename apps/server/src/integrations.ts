/**
 * Sources, triage and replies out, wired for one server: the ingest path, the source
 * poller, the webhook dispatcher, the reply sender and their HTTP routes. The poller and
 * dispatcher run on timers only when started (`background`); tests call `runOnce`.
 */
import {
	createOutboundClient,
	type OutboundClient,
	parseOutboundAllow,
} from "@switchboard/connectors";
import type { Storage } from "@switchboard/storage";
import { createPeriodicTask } from "@switchboard/sync";
import type { Hono } from "hono";
import type { Logger } from "pino";
import type { ApiEnv, HttpApiOptions } from "./http-api.ts";
import { createIncomingWebhookRoutes, webhookEdgeRefusals } from "./incoming-webhook.ts";
import { Ingestor, type MentionPublisher } from "./ingest.ts";
import { createIntegrationsApi } from "./integrations-api.ts";
import type { IntegrationMetrics } from "./metrics.ts";
import { ReplySender, type ReplySenderOptions } from "./reply-sender.ts";
import { createSecretBox, type SecretBox } from "./secret-box.ts";
import { SourcePoller, type SourcePollerOptions } from "./source-poller.ts";
import { WebhookDeliveryLog, type WebhookDeliveryLogConfiguration } from "./webhook-deliveries.ts";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "./webhook-dispatcher.ts";

export interface IntegrationsOptions {
	storage: Storage;
	/** The server secret; the key that seals stored secrets derives from it. */
	secret: string;
	publisher: MentionPublisher | null;
	logger: Logger;
	poller?: Partial<SourcePollerOptions>;
	dispatcher?: Partial<WebhookDispatcherOptions>;
	/** How often the background loops look for due work. @default defaultIntegrationsTickMs */
	tickMs?: number;
	/** `SWITCHBOARD_OUTBOUND_ALLOW`: what outbound requests may reach beyond public addresses. */
	outboundAllow?: string;
	/** Where polls, deliveries and incoming webhooks are counted. */
	metrics?: IntegrationMetrics;
	/** How often each webhook source's deliveries are recorded (see webhook-deliveries.ts). */
	webhookDeliveries?: Partial<WebhookDeliveryLogConfiguration>;
	/** Empties a sent reply's draft for the next answer (see `ReplySenderOptions.drafts`). */
	drafts?: ReplySenderOptions["drafts"];
}

/**
 * How often the poller and the dispatcher look for due work, in ms: each source and
 * delivery has its own due time, so this only bounds how late they may start.
 * @default 5000
 */
export const defaultIntegrationsTickMs = 5_000;

export interface Integrations {
	secrets: SecretBox;
	ingestor: Ingestor;
	poller: SourcePoller;
	dispatcher: WebhookDispatcher;
	sender: ReplySender;
	/** The guarded client every outbound request goes through (see connectors' outbound.ts). */
	outbound: OutboundClient;
	/** Routes without a session (the signed webhook). */
	publicRoutes: Hono<ApiEnv>;
	/** Each webhook source's last accepted and refused deliveries, as they are recorded. */
	webhookDeliveries: WebhookDeliveryLog;
	/** What the edge refused on a webhook source's route, for the source to record. */
	webhookEdgeRefusal: NonNullable<HttpApiOptions["onEdgeRefusal"]>;
	/** Routes behind the session. */
	routes: Hono<ApiEnv>;
	/** Poll sources and deliver webhooks on a timer until `stop`. */
	start(): void;
	/** Stop the timers and wait for the round in progress. */
	stop(): Promise<void>;
}

export function createIntegrations(options: IntegrationsOptions): Integrations {
	const { storage, logger, publisher, metrics } = options;
	const log = logger.child({ component: "integrations" });
	const secrets = createSecretBox(options.secret);
	const outbound = createOutboundClient({
		allow: parseOutboundAllow(options.outboundAllow),
		// Why a request failed stays out of what members and admins see (it would tell open
		// ports from closed ones); operators find it here.
		debug: (detail) => log.debug(detail, "outbound request failed"),
	});
	const ingestor = new Ingestor({ storage, publisher, logger: log });
	const poller = new SourcePoller({
		storage,
		ingestor,
		secrets,
		outbound,
		logger: log,
		metrics,
		...options.poller,
	});
	const dispatcher = new WebhookDispatcher({
		storage,
		secrets,
		outbound,
		logger: log,
		metrics,
		...options.dispatcher,
	});
	const sender = new ReplySender({
		storage,
		secrets,
		publisher,
		outbound,
		logger: log,
		...(options.drafts ? { drafts: options.drafts } : {}),
	});

	const webhookDeliveries = new WebhookDeliveryLog({
		store: storage,
		logger: log,
		...(options.webhookDeliveries ? { config: options.webhookDeliveries } : {}),
	});

	const background = createPeriodicTask({
		intervalMs: options.tickMs ?? defaultIntegrationsTickMs,
		round: async () => {
			await poller.runOnce();
			await dispatcher.runOnce();
		},
		onError: (error) =>
			log.warn({ err: error }, "background round failed; trying again on the next tick"),
	});

	return {
		secrets,
		ingestor,
		poller,
		dispatcher,
		sender,
		outbound,
		publicRoutes: createIncomingWebhookRoutes({
			storage,
			ingestor,
			secrets,
			metrics,
			deliveries: webhookDeliveries,
		}),
		webhookDeliveries,
		webhookEdgeRefusal: webhookEdgeRefusals(webhookDeliveries),
		routes: createIntegrationsApi({ storage, secrets, sender, outbound }),
		start: () => background.start(),
		async stop() {
			await background.stop();
			await outbound.close();
		},
	};
}
