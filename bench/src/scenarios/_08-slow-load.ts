/**
 * Load of scenario 8 (runs in a load process): readers of a busy draft, some of which
 * read slowly, and a writer that replaces a large block of text many times a second (so
 * the traffic is heavy while the document stays small). Delivery is timed per update by
 * the writer's Yjs clock, as in scenario 1; only the normal readers count.
 */
import { performance } from "node:perf_hooks";
import * as Y from "yjs";
import { connectClient } from "../lib/clients.ts";
import type { LoadTask } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";
import { percentile } from "../lib/stats.ts";
import { connectAll } from "./_01-hot-draft-load.ts";

export interface SlowParams {
	target: ServerTarget;
	document: string;
	readers: number;
	slowReaders: number;
	/** Bytes per second a slow reader reads. */
	slowBytesPerSecond: number;
	/** Characters of each update of the writer. */
	updateChars: number;
	rate: number;
	seconds: number;
}

export interface SlowResult {
	sent: number;
	/** Updates the normal readers received, summed. */
	delivered: number;
	p50Ms: number;
	p99Ms: number;
	/** Close codes the slow readers' sockets saw. */
	slowCloseCodes: number[];
	/** Bytes the slow readers read. */
	slowBytes: number;
	loadElu: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const run: LoadTask<SlowParams, SlowResult> = async (params, control) => {
	const { target, document } = params;
	const writer = connectClient({ target, document });
	await writer.synced;
	const writerId = writer.doc.clientID;
	const body = writer.doc.getText("body");
	/** End clock and send time of each update. */
	const sent: { end: number; at: number }[] = [];
	const latencies: number[] = [];
	let delivered = 0;
	const readers = await connectAll(params.readers, (i) => {
		const slow = i < params.slowReaders;
		const client = connectClient({
			target,
			document,
			presence: false,
			member: i + 1,
			...(slow ? { readBytesPerSecond: params.slowBytesPerSecond } : {}),
		});
		if (!slow) {
			let next = 0;
			client.doc.on("update", () => {
				const clock = Y.getState(client.doc.store, writerId);
				const now = performance.now();
				while (next < sent.length && (sent[next]?.end ?? Number.POSITIVE_INFINITY) <= clock) {
					latencies.push(now - (sent[next]?.at ?? now));
					delivered += 1;
					next += 1;
				}
			});
		}
		return client;
	});
	const slow = readers.slice(0, params.slowReaders);
	control.log(`${target.kind}: ${params.readers} readers (${params.slowReaders} slow) connected`);
	await sleep(500);
	await control.mark("start");
	const elu = performance.eventLoopUtilization();
	const block = "x".repeat(params.updateChars);
	const count = Math.round(params.rate * params.seconds);
	const period = 1000 / params.rate;
	const t0 = performance.now();
	for (let i = 0; i < count; i++) {
		const wait = t0 + i * period - performance.now();
		if (wait > 0) await sleep(wait);
		const at = performance.now();
		writer.doc.transact(() => {
			body.delete(0, body.length);
			body.insert(0, block);
		});
		sent.push({ end: Y.getState(writer.doc.store, writerId), at });
	}
	const normal = readers.slice(params.slowReaders);
	const last = sent.at(-1)?.end ?? 0;
	const deadline = performance.now() + 5_000;
	while (
		normal.some((reader) => Y.getState(reader.doc.store, writerId) < last) &&
		performance.now() < deadline
	) {
		await sleep(10);
	}
	await control.mark("stop");
	const loadElu = performance.eventLoopUtilization(elu).utilization;
	let slowBytes = 0;
	for (const reader of slow) {
		reader.flushStats();
		slowBytes += reader.stats.bytesReceived;
	}
	const result: SlowResult = {
		sent: count,
		delivered,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		slowCloseCodes: slow.flatMap((reader) => reader.stats.closeCodes),
		slowBytes,
		loadElu,
	};
	for (const reader of readers) reader.destroy();
	writer.destroy();
	return result;
};

export default run;
