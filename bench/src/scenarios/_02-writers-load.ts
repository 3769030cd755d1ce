/**
 * Load of scenario 2 (runs in a load process): writers, each typing into a draft of its
 * own, timing every update from send to the server's acknowledgement.
 */
import { performance } from "node:perf_hooks";
import { connectClient } from "../lib/clients.ts";
import type { LoadTask } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";
import { percentile } from "../lib/stats.ts";
import { connectAll } from "./_01-hot-draft-load.ts";

export interface WritersParams {
	target: ServerTarget;
	writers: number;
	/** Updates per second of each writer. */
	rate: number;
	windows: number;
	windowSeconds: number;
	/**
	 * Windows typed before the measured ones, the same way but without marks: the server
	 * meets its warm-up there. Returned first in the result.
	 * @default 0
	 */
	warmupWindows?: number;
}

export interface WritersWindow {
	sent: number;
	acked: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	loadElu: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const run: LoadTask<WritersParams, WritersWindow[]> = async (params, control) => {
	const { target } = params;
	const writers = await connectAll(params.writers, (i) =>
		connectClient({
			target,
			document: target.documents[i % target.documents.length] ?? "",
			member: i,
		}),
	);
	control.log(`${target.kind}: ${params.writers} writers connected`);
	await sleep(300);
	const windows: WritersWindow[] = [];
	const period = 1000 / params.rate;
	const perWriter = Math.round(params.rate * params.windowSeconds);
	const warmup = params.warmupWindows ?? 0;
	for (let w = 0; w < warmup + params.windows; w++) {
		for (const writer of writers) writer.stats.ackMs.length = 0;
		// Warm-up windows mark nothing: the server is not watched in them.
		const measured = w >= warmup;
		if (measured) await control.mark("start", w - warmup);
		const elu = performance.eventLoopUtilization();
		const t0 = performance.now();
		// Writers start spread over one period, as people do not type in step.
		const typing = writers.map(async (writer, i) => {
			const body = writer.doc.getText("body");
			const offset = (i / writers.length) * period;
			for (let k = 0; k < perWriter; k++) {
				const wait = t0 + offset + k * period - performance.now();
				if (wait > 0) await sleep(wait);
				body.insert(body.length, String.fromCharCode(97 + (k % 26)));
			}
		});
		await Promise.all(typing);
		const deadline = performance.now() + 5_000;
		while (writers.some((x) => x.stats.waiting.length > 0) && performance.now() < deadline) {
			await sleep(5);
		}
		if (measured) await control.mark("stop", w - warmup);
		const acks = writers.flatMap((writer) => writer.stats.ackMs);
		windows.push({
			sent: perWriter * writers.length,
			acked: acks.length,
			p50Ms: percentile(acks, 50),
			p99Ms: percentile(acks, 99),
			maxMs: percentile(acks, 100),
			loadElu: performance.eventLoopUtilization(elu).utilization,
		});
		await sleep(300);
	}
	for (const writer of writers) writer.destroy();
	return windows;
};

export default run;
