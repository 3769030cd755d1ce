/**
 * Measuring a server while a load runs: CPU time between two marks, highest resident
 * memory in between (sampled, since VmHWM covers the process's whole life).
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { type ProcSample, threadCpuMsBetween, threadCpuNs } from "./proc.ts";
import { BENCH_METRICS_TOKEN } from "./seed.ts";
import type { BenchServer, ServerKind } from "./servers.ts";

export interface Window {
	seconds: number;
	/** From the threads' scheduler clocks where the kernel offers them, else in 10 ms ticks. */
	cpuMs: number;
	/** User-space part of cpuMs. */
	userMs: number;
	/**
	 * The part of cpuMs spent by the process's main thread (the JavaScript thread), where the
	 * kernel offers per-thread clocks; the rest is V8's compiler and GC helper threads and
	 * libuv's pool. Null without per-thread clocks.
	 */
	mainThreadMs: number | null;
	/** Highest VmRSS seen during the window, in KiB. */
	maxRssKiB: number;
	/** VmRSS at the start and at the end, in KiB. */
	startRssKiB: number;
	endRssKiB: number;
}

/** Samples a server from `start()` to `stop()`. */
export class ServerWatch {
	private readonly server: BenchServer;
	private readonly intervalMs: number;
	private first: ProcSample | null = null;
	private firstThreads: Map<number, number> | null = null;
	private firstMonotonicUs = 0;
	private maxRss = 0;
	private timer: ReturnType<typeof setInterval> | null = null;

	constructor(server: BenchServer, intervalMs = 100) {
		this.server = server;
		this.intervalMs = intervalMs;
	}

	/** The windows `onMark` measured, in order. */
	readonly windows: Window[] = [];

	/**
	 * For a load's `onMark`: its "start" mark starts a window, its "stop" mark ends it and
	 * adds it to `windows`.
	 */
	readonly onMark = (name: string): void => {
		if (name === "start") this.start();
		if (name === "stop") this.windows.push(this.stop());
	};

	start(): void {
		this.first = this.server.sample();
		this.firstThreads = threadCpuNs(this.server.pid);
		this.firstMonotonicUs = monotonicUs();
		this.maxRss = this.first.rssKiB;
		this.timer = setInterval(() => {
			try {
				this.maxRss = Math.max(this.maxRss, this.server.sample().rssKiB);
			} catch {
				// The process is gone; stop() will say so.
			}
		}, this.intervalMs);
	}

	stop(): Window {
		if (!this.first) throw new Error("ServerWatch.stop before start");
		if (this.timer) clearInterval(this.timer);
		const last = this.server.sample();
		const lastThreads = threadCpuNs(this.server.pid);
		const window: Window = {
			seconds: (last.at - this.first.at) / 1000,
			cpuMs:
				this.firstThreads && lastThreads
					? threadCpuMsBetween(this.firstThreads, lastThreads)
					: last.cpuMs - this.first.cpuMs,
			userMs: last.userMs - this.first.userMs,
			mainThreadMs:
				this.firstThreads && lastThreads
					? ((lastThreads.get(this.server.pid) ?? 0) -
							(this.firstThreads.get(this.server.pid) ?? 0)) /
						1e6
					: null,
			maxRssKiB: Math.max(this.maxRss, last.rssKiB),
			startRssKiB: this.first.rssKiB,
			endRssKiB: last.rssKiB,
		};
		this.first = null;
		if (this.server.cpuProfileDir) {
			// V8 profiles time samples on the same monotonic clock: profile-summary.ts keeps
			// only the samples inside these windows.
			appendFileSync(
				join(this.server.cpuProfileDir, `windows-${this.server.pid}.jsonl`),
				`${JSON.stringify({ kind: this.server.kind, startUs: this.firstMonotonicUs, endUs: monotonicUs() })}\n`,
			);
		}
		return window;
	}
}

function monotonicUs(): number {
	return Number(process.hrtime.bigint() / 1000n);
}

/** One value per server kind, as the table's columns want them. */
export type PerServer<T> = Record<ServerKind, T>;

export function columns(values: Partial<PerServer<number | null>>) {
	return {
		switchboard: values.switchboard ?? null,
		hocuspocus: values.hocuspocus ?? null,
		yWebsocket: values["y-websocket"] ?? null,
	};
}

/**
 * A Prometheus histogram of a Switchboard server (`GET /metrics`): cumulative counts by
 * upper bound in seconds (Infinity for `+Inf`), of the series whose labels include `labels`.
 */
export async function histogram(
	server: BenchServer,
	name: string,
	labels: Record<string, string> = {},
): Promise<Map<number, number>> {
	const response = await fetch(new URL("/metrics", server.url), {
		headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` },
	});
	if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
	const buckets = new Map<number, number>();
	for (const line of (await response.text()).split("\n")) {
		const match = new RegExp(`^${name}_bucket\\{(.*)\\} (\\S+)$`).exec(line);
		if (!match) continue;
		const found = new Map(
			[...(match[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]),
		);
		if (Object.entries(labels).some(([key, value]) => found.get(key) !== value)) continue;
		const le = found.get("le");
		const bound = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
		buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
	}
	return buckets;
}

/** Counts observed between two readings of a histogram, added over several servers. */
export function histogramGrowth(
	pairs: readonly { before: Map<number, number>; after: Map<number, number> }[],
): Map<number, number> {
	const growth = new Map<number, number>();
	for (const { before, after } of pairs) {
		for (const [bound, count] of after) {
			growth.set(bound, (growth.get(bound) ?? 0) + count - (before.get(bound) ?? 0));
		}
	}
	return new Map([...growth].sort(([a], [b]) => a - b));
}

/**
 * The smallest bucket bound (seconds) that holds at least `percent` % of the observations:
 * an upper bound of that percentile, as exact as the buckets. NaN when nothing was observed.
 */
export function percentileBound(buckets: Map<number, number>, percent: number): number {
	const total = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
	if (total === 0) return Number.NaN;
	for (const [bound, count] of buckets) {
		if (count >= (total * percent) / 100) return bound;
	}
	return Number.POSITIVE_INFINITY;
}
