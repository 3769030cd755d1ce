/**
 * Scenario 5's ambassadors, in a load process: each connects to the board (spread over the
 * given instances), and once all have synced they all run claimNext at once, again and
 * again, until the server says there is nothing left for them or they are at capacity.
 * Every command is timed from send to ack or reject. The first `observers` ambassadors
 * each run on a worker thread of their own (`_05-claim-observer.ts`), the rest share this
 * process's event loop.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { readBoard } from "@switchboard/domain";
import type * as Y from "yjs";
import type { LoadTask } from "../lib/load.ts";
import { type ClaimTally, emptyTally, openAmbassador } from "./_05-ambassador.ts";
import type { FromObserver, ObserverData } from "./_05-claim-observer.ts";

export interface ClaimParams {
	/** One WebSocket URL per instance; ambassador i uses wsUrls[i % length]. */
	wsUrls: string[];
	document: string;
	tokens: string[];
	memberIds: string[];
	/** How many of the ambassadors (the first ones) run alone on a thread of their own. */
	observers: number;
	/**
	 * How many claims an observer makes at most. Answered sooner than the others, observers
	 * left to run on would claim to capacity, each claim after the first wave alone in a
	 * batch and a board update of its own that every ambassador decodes.
	 */
	observerClaims: number;
}

export interface ClaimResult {
	/** Send-to-answer time of every command, in ms (observers' included). */
	latencyMs: number[];
	/** The observers' send-to-answer times, in ms. */
	observerLatencyMs: number[];
	/** Claims acknowledged: mention id → member ids that were told they own it. */
	claims: Record<string, string[]>;
	/** Rejections by code. */
	rejects: Record<string, number>;
	/** Wall time of the storm, from the first command to the last answer, in ms. */
	stormMs: number;
	/** Per instance: mentions whose owner on that instance's board differs from the acks. */
	boardMismatches: number[];
	/**
	 * Event-loop utilisation of this process's main thread during the storm (0 to 1): near
	 * 1, its ambassadors' latencies include waiting for this loop to read their answers.
	 */
	loadBusy: number;
	/**
	 * Board update bytes one ambassador applied during the storm (every ambassador gets the
	 * same): what each of them decodes per claim is this over the claims.
	 */
	boardUpdateBytes: number;
	/** How many board updates that was. */
	boardUpdates: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OBSERVER = new URL("./_05-claim-observer.ts", import.meta.url);

/** An ambassador on a thread of its own. */
function startObserver(data: ObserverData) {
	const worker = new Worker(OBSERVER, { workerData: data });
	let done: (tally: ClaimTally) => void = () => {};
	let failed: (error: Error) => void = () => {};
	const finished = new Promise<ClaimTally>((resolve, reject) => {
		done = resolve;
		failed = reject;
	});
	const synced = new Promise<void>((resolve, reject) => {
		worker.on("message", (message: FromObserver) => {
			if (message.type === "synced") resolve();
			else done(message.tally);
		});
		worker.once("error", (error) => {
			reject(error);
			failed(error);
		});
	});
	return {
		memberId: data.memberId,
		synced,
		go: () => worker.postMessage("go"),
		finished,
		stop: () => worker.terminate(),
	};
}

const task: LoadTask<ClaimParams, ClaimResult> = async (params, control) => {
	const urlOf = (i: number) => params.wsUrls[i % params.wsUrls.length] as string;
	const observers = params.tokens.slice(0, params.observers).map((token, i) =>
		startObserver({
			url: urlOf(i),
			document: params.document,
			token,
			memberId: params.memberIds[i] as string,
			maxClaims: params.observerClaims,
		}),
	);
	const ambassadors = params.tokens
		.map((token, i) => ({ token, i }))
		.slice(params.observers)
		.map(({ token, i }) =>
			openAmbassador(urlOf(i), params.document, token, params.memberIds[i] as string),
		);
	// Connect in waves, so the figure is the storm, not a connection flood.
	for (let start = 0; start < ambassadors.length; start += 50) {
		await Promise.all(ambassadors.slice(start, start + 50).map((a) => a.synced));
	}
	await Promise.all(observers.map((o) => o.synced));
	control.log(
		`${ambassadors.length + observers.length} ambassadors synced (${observers.length} on threads of their own); claim storm`,
	);
	await control.mark("start");
	const stormStart = performance.now();
	const loopAtStart = performance.eventLoopUtilization();
	let boardUpdateBytes = 0;
	let boardUpdates = 0;
	const countUpdate = (update: Uint8Array) => {
		boardUpdateBytes += update.length;
		boardUpdates++;
	};
	ambassadors[0]?.doc.on("update", countUpdate);
	for (const observer of observers) observer.go();
	const tallies = ambassadors.map(() => emptyTally());
	const [observerTallies] = await Promise.all([
		Promise.all(observers.map((o) => o.finished)),
		Promise.all(ambassadors.map((a, i) => a.claimUntilDone(tallies[i] as ClaimTally))),
	]);
	const stormMs = performance.now() - stormStart;
	const loadBusy = performance.eventLoopUtilization(loopAtStart).utilization;
	ambassadors[0]?.doc.off("update", countUpdate);
	await control.mark("stop");
	const claims: Record<string, string[]> = {};
	const rejects: Record<string, number> = {};
	const everyone = [
		...observers.map((o, i) => ({ memberId: o.memberId, tally: observerTallies[i] as ClaimTally })),
		...ambassadors.map((a, i) => ({ memberId: a.memberId, tally: tallies[i] as ClaimTally })),
	];
	for (const { memberId, tally } of everyone) {
		for (const id of tally.claimed) {
			claims[id] ??= [];
			claims[id].push(memberId);
		}
		for (const [code, count] of Object.entries(tally.rejects)) {
			rejects[code] = (rejects[code] ?? 0) + count;
		}
	}
	// The boards converge on what was acknowledged: check one client per instance.
	const boardMismatches: number[] = [];
	for (let instance = 0; instance < params.wsUrls.length; instance++) {
		const index = ambassadors.findIndex(
			(_, i) => (params.observers + i) % params.wsUrls.length === instance,
		);
		const doc = ambassadors[index]?.doc as Y.Doc;
		let mismatches = 0;
		for (let attempt = 0; attempt < 50; attempt++) {
			const owners = new Map(readBoard(doc).mentions.map((m) => [m.id, m.owner?.memberId]));
			mismatches = Object.entries(claims).filter(
				([id, members]) => owners.get(id) !== members[members.length - 1],
			).length;
			if (mismatches === 0) break;
			await sleep(200);
		}
		boardMismatches.push(mismatches);
	}
	for (const a of ambassadors) a.destroy();
	await Promise.all(observers.map((o) => o.stop()));
	return {
		latencyMs: everyone.flatMap(({ tally }) => tally.latencyMs),
		observerLatencyMs: observerTallies.flatMap((tally) => tally.latencyMs),
		claims,
		rejects,
		stormMs,
		boardMismatches,
		loadBusy,
		boardUpdateBytes,
		boardUpdates,
	};
};

export default task;
