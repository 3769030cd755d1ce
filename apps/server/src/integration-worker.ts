/**
 * What the integrations' background workers (the source poller, the webhook dispatcher)
 * are given besides their store and tuning: they reach the outside world with credentials
 * kept sealed, so each gets the secret box, the guarded outbound client, a logger and the
 * counter of its outcomes.
 */
import type { OutboundClient } from "@switchboard/connectors";
import type { Logger } from "pino";
import type { IntegrationMetrics } from "./metrics.ts";
import type { SecretBox } from "./secret-box.ts";

export interface IntegrationWorkerOptions<Counter extends keyof IntegrationMetrics> {
	secrets: SecretBox;
	logger: Pick<Logger, "warn" | "debug">;
	/** The guarded client every request to a feed, a network or a webhook goes through. */
	outbound: OutboundClient;
	/** Where each poll's or delivery's outcome is counted. */
	metrics?: Pick<IntegrationMetrics, Counter>;
}
