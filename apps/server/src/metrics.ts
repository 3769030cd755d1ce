/**
 * The operator's metrics, in the Prometheus text format at `GET /metrics` (docs/OPERATIONS.md
 * lists them). Counters and histograms are fed through the seams that already see each event
 * (`SyncMetrics` for the sync extensions, `IntegrationMetrics` for sources and webhooks);
 * gauges are read when scraped (connections and documents from Hocuspocus, the delivery
 * queue and the pool from storage), so nothing runs between scrapes. The process metrics
 * (CPU, memory, event-loop lag, garbage collection) are prom-client's defaults, collected
 * once per process: several servers in one process (the tests) share them.
 */
import { timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Hocuspocus } from "@hocuspocus/server";
import { AppError, HttpRoutes, type SourceKind, withDefaults } from "@switchboard/domain";
import { databasePoolUse, type Storage, type WebhookStore } from "@switchboard/storage";
import type { CommandOutcome, SyncMetrics } from "@switchboard/sync";
import { Hono } from "hono";
import type { Logger } from "pino";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";

/** Bucket bounds and the scrape's patience; defaults in `defaultMetricsTuning`. */
export interface MetricsTuning {
	/**
	 * Upper bounds of the acknowledgement-latency histogram, in seconds: from a quiet
	 * machine's few milliseconds (one group commit on PostgreSQL) to the seconds a saturated
	 * database or event loop takes.
	 * @default 1 ms to 10 s
	 */
	ackSeconds: number[];
	/**
	 * Upper bounds of the command-latency histogram, in seconds: from one quiet command's
	 * transaction to a storm's queue; 100 ms (the claim storm's target) is one of them,
	 * with bounds every 10 ms from 50 ms up to it and every 25-50 ms to 300 ms, so that a
	 * p99 read from the buckets says how near the target it is (a bound of 200 ms said
	 * only "between 150 and 200"). Six more bounds per command than before.
	 * @default 2.5 ms to 10 s
	 */
	commandSeconds: number[];
	/**
	 * Upper bounds of the group-commit size histogram, in updates per statement, up to
	 * the committer's `maxBatch` (500).
	 * @default powers of two from 1 to 256, then 500
	 */
	batchSizes: number[];
	/**
	 * Upper bounds of the presence fan-out histogram, in connections reached by one tick.
	 * @default 1 to 2,000
	 */
	fanOut: number[];
	/**
	 * How long a scrape waits for the database (the delivery queue's depth). A scrape must
	 * answer while the database does not: the gauge then says NaN (unknown).
	 * @default 1000
	 */
	queryTimeoutMs: number;
}

export const defaultMetricsTuning: MetricsTuning = {
	ackSeconds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
	commandSeconds: [
		0.0025, 0.005, 0.01, 0.025, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25,
		0.3, 0.5, 1, 2.5, 5, 10,
	],
	batchSizes: [1, 2, 4, 8, 16, 32, 64, 128, 256, 500],
	fanOut: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
	queryTimeoutMs: 1_000,
};

/** What sources and webhooks tell the metrics. */
export interface IntegrationMetrics {
	/** A source was polled: it answered (`ok`) or not (`error`). */
	sourcePolled(kind: SourceKind, outcome: "ok" | "error"): void;
	/** An outgoing webhook delivery was attempted. */
	webhookDelivered(outcome: "delivered" | "failed" | "gave_up"): void;
	/** The signed incoming webhook answered: `accepted`, the refusal's reason, or `error`. */
	webhookReceived(outcome: string): void;
}

/** What the scrape reads live. */
export interface MetricsSources {
	hocuspocus: Pick<Hocuspocus, "getConnectionsCount" | "getDocumentsCount">;
	/** WebSockets open on the sync endpoint. */
	sockets(): number;
	storage: Storage;
}

export interface ServerMetrics {
	sync: SyncMetrics;
	integrations: IntegrationMetrics;
	/** Read connections, documents, the delivery queue and the pool from these when scraped. */
	watch(sources: MetricsSources): void;
	/** The exposition text of every metric, this server's and the process's. */
	render(): Promise<string>;
	contentType: string;
}

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics, registered once per process, at the first scrape (a
 * server nobody scrapes runs none of their monitors). Their CPU counters count from their
 * registration; they start from the CPU the process used before it, so that they hold the
 * process's whole CPU time, as Prometheus' process_cpu_seconds_total does elsewhere.
 */
function processMetrics(): Registry {
	if (!processRegistry) {
		const registry = new Registry();
		const before = process.cpuUsage();
		collectDefaultMetrics({ register: registry });
		const seconds = { user: before.user / 1e6, system: before.system / 1e6 };
		for (const [name, value] of [
			["process_cpu_user_seconds_total", seconds.user],
			["process_cpu_system_seconds_total", seconds.system],
			["process_cpu_seconds_total", seconds.user + seconds.system],
		] as const) {
			const counter = registry.getSingleMetric(name);
			if (counter instanceof Counter) counter.inc(value);
		}
		processRegistry = registry;
	}
	return processRegistry;
}

/** `promise`, or `undefined` once `ms` passed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
	const abort = new AbortController();
	const timeout = sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined);
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		abort.abort();
	}
}

export function createServerMetrics(
	options: { logger?: Pick<Logger, "debug">; tuning?: Partial<MetricsTuning> } = {},
): ServerMetrics {
	const tuning = withDefaults(defaultMetricsTuning, options.tuning);
	const registry = new Registry();
	const registers = [registry];
	let sources: MetricsSources | undefined;

	const ackSeconds = new Histogram({
		name: "switchboard_update_ack_seconds",
		help: "From a client's update arriving to its being in the update log, when it is acknowledged",
		buckets: tuning.ackSeconds,
		registers,
	});
	const batchSize = new Histogram({
		name: "switchboard_group_commit_updates",
		help: "Updates written by one group-commit statement",
		buckets: tuning.batchSizes,
		registers,
	});
	const commands = new Counter({
		name: "switchboard_commands_total",
		help: "Commands answered, by command and outcome (ack or the reject's code)",
		labelNames: ["command", "outcome"] as const,
		registers,
	});
	const commandSeconds = new Histogram({
		name: "switchboard_command_seconds",
		help: "From a command arriving to its answer (ack or reject), by command",
		labelNames: ["command"] as const,
		buckets: tuning.commandSeconds,
		registers,
	});
	const fanOut = new Histogram({
		name: "switchboard_presence_fanout_connections",
		help: "Connections one presence tick sent an awareness message to",
		buckets: tuning.fanOut,
		registers,
	});
	const polls = new Counter({
		name: "switchboard_source_polls_total",
		help: "Source polls, by kind of source and outcome",
		labelNames: ["kind", "outcome"] as const,
		registers,
	});
	const deliveries = new Counter({
		name: "switchboard_webhook_deliveries_total",
		help: "Outgoing webhook delivery attempts, by outcome (gave_up: the last attempt failed)",
		labelNames: ["outcome"] as const,
		registers,
	});
	const received = new Counter({
		name: "switchboard_incoming_webhooks_total",
		help: "Signed incoming webhook requests, by outcome (accepted, the refusal's reason, error)",
		labelNames: ["outcome"] as const,
		registers,
	});

	new Gauge({
		name: "switchboard_websockets_open",
		help: "WebSockets open on the sync endpoint",
		registers,
		collect() {
			if (sources) this.set(sources.sockets());
		},
	});
	new Gauge({
		name: "switchboard_document_connections_open",
		help: "Document connections open (a socket has one per document it syncs)",
		registers,
		collect() {
			if (sources) this.set(sources.hocuspocus.getConnectionsCount());
		},
	});
	new Gauge({
		name: "switchboard_documents_open",
		help: "Documents loaded in this process",
		registers,
		collect() {
			if (sources) this.set(sources.hocuspocus.getDocumentsCount());
		},
	});
	const queueDepth = new Gauge({
		name: "switchboard_webhook_queue_depth",
		help: "Outgoing webhook deliveries still to go out, every organisation (read from the database)",
		registers,
	});
	new Gauge({
		name: "switchboard_db_pool_connections",
		help: "PostgreSQL pool connections by state (busy, idle, max); absent on the embedded database",
		labelNames: ["state"] as const,
		registers,
		collect() {
			const use = sources && databasePoolUse(sources.storage);
			if (!use) return;
			this.set({ state: "busy" }, use.open - use.idle);
			this.set({ state: "idle" }, use.idle);
			this.set({ state: "max" }, use.max);
		},
	});
	new Gauge({
		name: "switchboard_db_pool_waiting",
		help: "Queries waiting for a PostgreSQL connection because every one is busy",
		registers,
		collect() {
			const use = sources && databasePoolUse(sources.storage);
			if (use) this.set(use.waiting);
		},
	});

	/** The queue's depth; NaN (unknown) when the database does not answer in time. */
	async function readQueueDepth(storage: Pick<WebhookStore, "countPendingDeliveries">) {
		const depth = await within(
			storage.countPendingDeliveries().catch((error: unknown) => {
				options.logger?.debug({ err: error }, "metrics: delivery queue not readable");
				return undefined;
			}),
			tuning.queryTimeoutMs,
		);
		queueDepth.set(depth ?? Number.NaN);
	}

	return {
		sync: {
			updateStored: (seconds) => ackSeconds.observe(seconds),
			batchWritten: (size) => batchSize.observe(size),
			commandAnswered: (command: string, outcome: CommandOutcome, seconds: number) => {
				commands.inc({ command, outcome });
				commandSeconds.observe({ command }, seconds);
			},
			presenceSent: (connections) => fanOut.observe(connections),
		},
		integrations: {
			sourcePolled: (kind, outcome) => polls.inc({ kind, outcome }),
			webhookDelivered: (outcome) => deliveries.inc({ outcome }),
			webhookReceived: (outcome) => received.inc({ outcome }),
		},
		watch(watched) {
			sources = watched;
		},
		async render() {
			if (sources) await readQueueDepth(sources.storage);
			return `${await processMetrics().metrics()}\n${await registry.metrics()}`;
		},
		contentType: registry.contentType,
	};
}

/** Equal strings in time that does not depend on where they differ. */
function sameToken(given: string, expected: string): boolean {
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` for the bearer of `token`; without a token configured the route answers
 * 404 and says how to turn it on (the port serves the app to everyone; see OPERATIONS.md).
 */
export function createMetricsRoutes(
	metrics: ServerMetrics,
	token: string | undefined,
): Hono<ApiEnv> {
	const app = new Hono<ApiEnv>();
	handle(app, HttpRoutes.metrics, async (c) => {
		if (token === undefined) {
			throw new AppError(
				"not_found",
				"Metrics are off on this server: set SWITCHBOARD_METRICS_TOKEN to serve them.",
			);
		}
		const header = c.req.header("authorization") ?? "";
		const given = header.startsWith("Bearer ") ? header.slice(7) : "";
		if (!sameToken(given, token)) {
			c.header("WWW-Authenticate", 'Bearer realm="metrics"');
			throw new AppError("unauthorized", "Send the metrics token as a bearer token.");
		}
		return c.body(await metrics.render(), 200, {
			"content-type": metrics.contentType,
			"cache-control": "no-store",
		});
	});
	return app;
}
