/**
 * Load of scenario 1 (runs in a load process): the readers of a draft, and a typist in a
 * process of its own (_01-typist-load.ts). Delivery latency is measured per character:
 * the typist inserts one character per update, so its Yjs clock numbers them, and a
 * reader knows which characters an update brought from the typist's clock in its copy.
 */
import { performance } from "node:perf_hooks";
import * as Y from "yjs";
import { type BenchClient, bytesReceivedBy, connectClient } from "../lib/clients.ts";
import { type LoadTask, runLoad } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";
import { percentile } from "../lib/stats.ts";
import { type Typed, type TypistParams, wallClock } from "./_01-typist-load.ts";

export interface HotDraftParams {
	target: ServerTarget;
	document: string;
	readers: number;
	/** Updates per second of the typist. */
	rate: number;
	windows: number;
	windowSeconds: number;
	/**
	 * Unmeasured typing before the first window, in windows of `windowSeconds`: the
	 * servers' update paths are compiled by then (V8 tiers a function up only once it has
	 * run often), so the windows measure the steady state rather than the warm-up.
	 * @default 0
	 */
	warmupWindows?: number;
	/** Passed to the typist: fast unmeasured typing before the readers connect. */
	burst?: { updates: number; rate: number };
}

export interface HotDraftWindow {
	/** Characters the typist sent in the window, times readers. */
	expected: number;
	delivered: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	/** Bytes the readers' sockets read during the window. */
	bytes: number;
	/** The typist's send-to-acknowledgement times (Hocuspocus protocol only). */
	ackP50Ms: number;
	ackP99Ms: number;
	/** Event loop utilisation of the readers' process (near 1: the figures measure the load). */
	loadElu: number;
}

const TYPIST = new URL("./_01-typist-load.ts", import.meta.url);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise with its resolve function. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
	let resolve: (value: T) => void = () => {};
	const promise = new Promise<T>((done) => {
		resolve = done;
	});
	return { promise, resolve };
}

/** Connect clients a batch at a time, as a crowd arriving, not one burst. */
export async function connectAll(
	count: number,
	connect: (i: number) => BenchClient,
	batch = 50,
	timeoutMs = 60_000,
): Promise<BenchClient[]> {
	const clients: BenchClient[] = [];
	for (let start = 0; start < count; start += batch) {
		const group = Array.from({ length: Math.min(batch, count - start) }, (_, i) =>
			connect(start + i),
		);
		clients.push(...group);
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() =>
					reject(
						new Error(`clients ${start}..${start + group.length} did not sync in ${timeoutMs} ms`),
					),
				timeoutMs,
			);
		});
		await Promise.race([Promise.all(group.map((client) => client.synced)), timeout]);
		clearTimeout(timer);
	}
	return clients;
}

const run: LoadTask<HotDraftParams, HotDraftWindow[]> = async (params, control) => {
	const { target, document } = params;
	const connected = deferred<number>();
	const warmup = params.warmupWindows ?? 0;
	const total = warmup + params.windows;
	const gates = Array.from({ length: total }, () => deferred<void>());
	const typed = Array.from({ length: total }, () => deferred<Typed>());
	let typedCount = 0;
	const leave = deferred<void>();
	const typist = runLoad<TypistParams, null>(
		TYPIST,
		{
			target,
			document,
			rate: params.rate,
			windows: total,
			windowSeconds: params.windowSeconds,
			...(params.burst ? { burst: params.burst } : {}),
		},
		{
			log: control.log,
			async onMark(name, data) {
				if (name === "connected") connected.resolve(data as number);
				if (name === "window") await gates[data as number]?.promise;
				if (name === "finished") await leave.promise;
				if (name === "typed") {
					const window = data as Typed;
					typed[typedCount]?.resolve(window);
					typedCount += 1;
				}
			},
		},
	);
	const typistId = await Promise.race([connected.promise, typist.then(() => -1)]);

	/** When each reader first saw each of the typist's characters, by clock. */
	const seenAt: number[][] = [];
	const readers = await connectAll(params.readers, (i) => {
		const client = connectClient({ target, document, presence: false, member: i + 1 });
		const times: number[] = [];
		seenAt.push(times);
		client.doc.on("update", () => {
			const clock = Y.getState(client.doc.store, typistId);
			if (clock <= times.length) return;
			const now = wallClock();
			while (times.length < clock) times.push(now);
		});
		return client;
	});
	const readBytes = () => bytesReceivedBy(readers);
	control.log(`${target.kind}: ${params.readers} readers connected`);
	await sleep(500);

	/** Let the typist type window `w` and wait until every reader has it (or 5 s passed). */
	const typeWindow = async (w: number): Promise<Typed> => {
		gates[w]?.resolve();
		const window = await typed[w]?.promise;
		if (!window) throw new Error("the typist stopped");
		const last = window.firstClock + window.sentAt.length;
		const deadline = performance.now() + 5_000;
		while (seenAt.some((times) => times.length < last) && performance.now() < deadline) {
			await sleep(5);
		}
		return window;
	};
	for (let w = 0; w < warmup; w++) await typeWindow(w);
	if (warmup > 0) await sleep(300);

	const windows: HotDraftWindow[] = [];
	for (let w = 0; w < params.windows; w++) {
		const bytesBefore = readBytes();
		await control.mark("start", w);
		const elu = performance.eventLoopUtilization();
		const window = await typeWindow(warmup + w);
		await control.mark("stop", w);
		const loadElu = performance.eventLoopUtilization(elu).utilization;
		const latencies: number[] = [];
		for (const times of seenAt) {
			for (const [i, sent] of window.sentAt.entries()) {
				const seen = times[window.firstClock + i];
				if (seen !== undefined) latencies.push(seen - sent);
			}
		}
		windows.push({
			expected: window.sentAt.length * params.readers,
			delivered: latencies.length,
			p50Ms: percentile(latencies, 50),
			p99Ms: percentile(latencies, 99),
			maxMs: percentile(latencies, 100),
			bytes: readBytes() - bytesBefore,
			ackP50Ms: percentile(window.ackMs, 50),
			ackP99Ms: percentile(window.ackMs, 99),
			loadElu,
		});
		await sleep(300);
	}
	// Servers measured side by side: the typist and the readers leave once every server's
	// windows are over, so that no server handles their leaving beside another's window.
	await control.mark("finished");
	leave.resolve();
	await typist;
	for (const reader of readers) reader.destroy();
	return windows;
};

export default run;
