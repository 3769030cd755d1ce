/**
 * Delivers the organisations' outgoing webhooks from the queue in storage: picks up
 * claimed/replied events from the activity log, sends what is due (signed), and on
 * failure schedules the next attempt with exponential backoff until it gives up. Several
 * instances may run it: deliveries are leased, not taken twice.
 */
import { defaultConnectorTuning, deliverWebhook, SourceError } from "@switchboard/connectors";
import { exponentialBackoff, type Mention, WebhookEvents, withDefaults } from "@switchboard/domain";
import type { WebhookStore } from "@switchboard/storage";
import type { IntegrationWorkerOptions } from "./integration-worker.ts";

/** The dispatcher's tuning; every value has its default in `defaultWebhookDispatcherTuning`. */
export interface WebhookDispatcherTuning {
	/**
	 * Delay before the second attempt, in ms; doubles each time. A receiver that is down
	 * for a deploy is not hammered, and one back within minutes gets the event soon.
	 * @default 30000 (30 s)
	 */
	backoffBaseMs: number;
	/** Longest delay between attempts, in ms. @default 3600000 (1 h) */
	backoffMaxMs: number;
	/**
	 * Attempts before a delivery is marked failed (it can be retried by hand): with the
	 * backoff above, eight attempts span about an hour and a half.
	 * @default 8
	 */
	maxAttempts: number;
	/** Per request, in ms. @default defaultConnectorTuning.timeoutMs */
	timeoutMs: number;
	/**
	 * How long a taken delivery is hidden from other instances, in ms: longer than a
	 * round's requests can take (a batch of timeouts), so no delivery goes out twice.
	 * @default 120000 (2 min)
	 */
	leaseMs: number;
	/** How far back the activity log is read for events, in ms. @default 86400000 (1 day) */
	lookbackMs: number;
}

export const defaultWebhookDispatcherTuning: WebhookDispatcherTuning = {
	backoffBaseMs: 30_000,
	backoffMaxMs: 3_600_000,
	maxAttempts: 8,
	timeoutMs: defaultConnectorTuning.timeoutMs,
	leaseMs: 120_000,
	lookbackMs: 86_400_000,
};

export interface WebhookDispatcherOptions
	extends Partial<WebhookDispatcherTuning>,
		IntegrationWorkerOptions<"webhookDelivered"> {
	storage: WebhookStore;
}

export interface DispatchReport {
	delivered: number;
	failed: number;
}

const BATCH = 50;

export class WebhookDispatcher {
	private readonly options: WebhookDispatcherOptions;
	private readonly tuning: WebhookDispatcherTuning;

	constructor(options: WebhookDispatcherOptions) {
		this.options = options;
		this.tuning = withDefaults(defaultWebhookDispatcherTuning, options);
	}

	/** The delay after `attempts` failed attempts. */
	backoff(attempts: number): number {
		const { backoffBaseMs, backoffMaxMs } = this.tuning;
		return exponentialBackoff(attempts, { baseMs: backoffBaseMs, maxMs: backoffMaxMs });
	}

	/**
	 * Queue a `mention.sla_breached` event for a conversation past its claim or reply
	 * target; once per mention and kind, however often it is called.
	 */
	async slaBreached(input: {
		orgId: string;
		boardId: string;
		mention: Mention;
		kind: "claim" | "reply";
		/** The target that was missed, ISO. */
		dueAt: string;
		now?: Date;
	}): Promise<number> {
		const { mention } = input;
		return this.options.storage.enqueueWebhookEvent({
			orgId: input.orgId,
			event: WebhookEvents.slaBreached,
			dedupeKey: `sla:${mention.id}:${input.kind}`,
			payload: {
				orgId: input.orgId,
				boardId: input.boardId,
				mentionId: mention.id,
				kind: input.kind,
				dueAt: input.dueAt,
				mention: {
					network: mention.network,
					url: mention.url,
					priority: mention.priority,
					status: mention.status,
					ownerId: mention.owner?.memberId ?? null,
					postedAt: mention.postedAt,
				},
			},
			now: (input.now ?? new Date()).toISOString(),
		});
	}

	/** Queue new activity events, then attempt every delivery due at `now`. */
	async runOnce(now: Date = new Date()): Promise<DispatchReport> {
		const { storage, secrets, logger } = this.options;
		const report: DispatchReport = { delivered: 0, failed: 0 };
		const since = new Date(now.getTime() - this.tuning.lookbackMs);
		await storage.enqueueActivityEvents(now.toISOString(), since.toISOString());
		const leaseUntil = new Date(now.getTime() + this.tuning.leaseMs).toISOString();
		for (;;) {
			const due = await storage.claimDueDeliveries(now.toISOString(), leaseUntil, BATCH);
			for (const delivery of due) {
				try {
					const { status } = await deliverWebhook({
						outbound: this.options.outbound,
						url: delivery.url,
						secret: secrets.open(delivery.sealedSecret),
						event: delivery.event,
						deliveryId: delivery.id,
						body: {
							id: delivery.id,
							event: delivery.event,
							createdAt: delivery.createdAt,
							data: delivery.payload,
						},
						timeoutMs: this.tuning.timeoutMs,
					});
					await storage.recordDeliveryAttempt(delivery.id, {
						ok: true,
						status,
						at: new Date().toISOString(),
					});
					report.delivered++;
					this.options.metrics?.webhookDelivered("delivered");
				} catch (error) {
					const attempts = delivery.attempts + 1;
					const giveUp = attempts >= this.tuning.maxAttempts;
					const message = error instanceof Error ? error.message : String(error);
					await storage.recordDeliveryAttempt(delivery.id, {
						ok: false,
						error: message,
						status: error instanceof SourceError ? (error.status ?? null) : null,
						nextAttemptAt: giveUp
							? null
							: new Date(now.getTime() + this.backoff(attempts)).toISOString(),
					});
					report.failed++;
					this.options.metrics?.webhookDelivered(giveUp ? "gave_up" : "failed");
					logger.debug(
						{ delivery: delivery.id, attempts, giveUp, error: message },
						"webhook delivery failed",
					);
				}
			}
			if (due.length < BATCH) break;
		}
		return report;
	}
}
