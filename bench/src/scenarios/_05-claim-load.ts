/**
 * Scenario 5's ambassadors, in a load process: each connects to the board (spread over the
 * given instances), and once all have synced they all run claimNext at once, again and
 * again, until the server says there is nothing left for them or they are at capacity.
 * Every command is timed from send to ack or reject. The first `observers` ambassadors
 * each run on a worker thread of their own (`_05-claim-observer.ts`), the rest share this
 * process's event loop. Of those, the first on each instance decodes every board update (its
 * board is checked against the acks); the others skim (`_05-ambassador.ts`) unless
 * `decodeAll`: this one core cannot be 190 devices each decoding its board, and with all of
 * them decoding it was busy 95–100 % of the storm, so their latencies measured its queue.
 *
 * With `warmupDocument`, the same ambassadors first storm that board (another board of the
 * organisation, as many new mentions), release every conversation they claimed there and
 * leave it; then the storm of `document` runs. Marks: "start" and "stop" around each storm
 * (data: "first" or "measured"), "released" between them.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { readBoard } from "@switchboard/domain";
import type * as Y from "yjs";
import type { LoadControl, LoadTask } from "../lib/load.ts";
import { type Ambassador, type ClaimTally, emptyTally, openAmbassador } from "./_05-ambassador.ts";
import type { FromObserver, ObserverData, ToObserver } from "./_05-claim-observer.ts";

export interface ClaimParams {
	/** One WebSocket URL per instance; ambassador i uses wsUrls[i % length]. */
	wsUrls: string[];
	/** The measured storm's board. */
	document: string;
	/** A board stormed first (the warm-up), its claims then released; none without. */
	warmupDocument?: string;
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
	/** Every ambassador of this process decodes every board update, none skims. */
	decodeAll: boolean;
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

/** Which storm a mark or a result is of. */
export type StormName = "first" | "measured";

export interface ClaimRun {
	/** The warm-up storm, the first after the servers started (with `warmupDocument`). */
	first?: ClaimResult;
	measured: ClaimResult;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OBSERVER = new URL("./_05-claim-observer.ts", import.meta.url);

/** An ambassador on a thread of its own, for every storm of the run. */
function startObserver(data: ObserverData) {
	const worker = new Worker(OBSERVER, { workerData: data });
	let failure: Error | null = null;
	const waiting: ((message: FromObserver) => void)[] = [];
	const failed: ((error: Error) => void)[] = [];
	worker.on("message", (message: FromObserver) => waiting.shift()?.(message));
	worker.once("error", (error) => {
		failure = error;
		for (const reject of failed.splice(0)) reject(error);
	});
	/** Send a message and wait for the answer of type `type`. */
	const ask = <T extends FromObserver["type"]>(message: ToObserver, type: T) =>
		new Promise<Extract<FromObserver, { type: T }>>((resolve, reject) => {
			if (failure) return reject(failure);
			failed.push(reject);
			waiting.push((answer) => {
				if (answer.type === type) resolve(answer as Extract<FromObserver, { type: T }>);
				else reject(new Error(`observer answered ${answer.type}, not ${type}`));
			});
			worker.postMessage(message);
		});
	return {
		memberId: data.memberId,
		open: (document: string) => ask({ type: "open", document }, "synced"),
		go: () => ask({ type: "go" }, "done").then((answer) => answer.tally),
		release: () => ask({ type: "release" }, "released").then((answer) => answer.refused),
		close: async () => {
			worker.postMessage({ type: "close" } satisfies ToObserver);
			await worker.terminate();
		},
	};
}
type Observer = ReturnType<typeof startObserver>;

/** One storm of `document`: connect, claim at once, check the boards against the acks. */
async function storm(
	params: ClaimParams,
	control: LoadControl,
	observers: Observer[],
	document: string,
	name: StormName,
): Promise<{ result: ClaimResult; ambassadors: Ambassador[]; tallies: ClaimTally[] }> {
	const urlOf = (i: number) => params.wsUrls[i % params.wsUrls.length] as string;
	const observersSynced = Promise.all(observers.map((o) => o.open(document)));
	const ambassadors = params.tokens
		.map((token, i) => ({ token, i }))
		.slice(params.observers)
		.map(({ token, i }, k) =>
			openAmbassador(
				urlOf(i),
				document,
				token,
				params.memberIds[i] as string,
				// The first of each instance decodes: its board is the one checked below.
				!params.decodeAll && k >= params.wsUrls.length,
			),
		);
	// Connect in waves, so the figure is the storm, not a connection flood.
	for (let start = 0; start < ambassadors.length; start += 50) {
		await Promise.all(ambassadors.slice(start, start + 50).map((a) => a.synced));
	}
	await observersSynced;
	control.log(
		`${ambassadors.length + observers.length} ambassadors synced (${observers.length} on threads of their own); ${name === "first" ? "first (warm-up) claim storm" : "claim storm"}`,
	);
	await control.mark("start", name);
	const stormStart = performance.now();
	const loopAtStart = performance.eventLoopUtilization();
	let boardUpdateBytes = 0;
	let boardUpdates = 0;
	const countUpdate = (update: Uint8Array) => {
		boardUpdateBytes += update.length;
		boardUpdates++;
	};
	ambassadors[0]?.doc.on("update", countUpdate);
	const tallies = ambassadors.map(() => emptyTally());
	const [observerTallies] = await Promise.all([
		Promise.all(observers.map((o) => o.go())),
		Promise.all(ambassadors.map((a, i) => a.claimUntilDone(tallies[i] as ClaimTally))),
	]);
	const stormMs = performance.now() - stormStart;
	const loadBusy = performance.eventLoopUtilization(loopAtStart).utilization;
	ambassadors[0]?.doc.off("update", countUpdate);
	await control.mark("stop", name);
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
	const result: ClaimResult = {
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
	return { result, ambassadors, tallies };
}

const task: LoadTask<ClaimParams, ClaimRun> = async (params, control) => {
	const observers = params.tokens.slice(0, params.observers).map((token, i) =>
		startObserver({
			url: params.wsUrls[i % params.wsUrls.length] as string,
			token,
			memberId: params.memberIds[i] as string,
			maxClaims: params.observerClaims,
		}),
	);
	try {
		let first: ClaimResult | undefined;
		if (params.warmupDocument) {
			const warmup = await storm(params, control, observers, params.warmupDocument, "first");
			first = warmup.result;
			// Every member back to no open conversation: the measured storm meets the same
			// capacity as on a server that ran no warm-up.
			const refused = (
				await Promise.all([
					...observers.map((o) => o.release()),
					...warmup.ambassadors.map((a, i) => a.releaseClaimed(warmup.tallies[i] as ClaimTally)),
				])
			).reduce((sum, n) => sum + n, 0);
			for (const a of warmup.ambassadors) a.destroy();
			if (refused > 0) throw new Error(`${refused} of the warm-up storm's releases were refused`);
			await sleep(500);
			await control.mark("released");
		}
		const { result, ambassadors } = await storm(
			params,
			control,
			observers,
			params.document,
			"measured",
		);
		for (const a of ambassadors) a.destroy();
		return { ...(first ? { first } : {}), measured: result };
	} finally {
		await Promise.all(observers.map((o) => o.close()));
	}
};

export default task;
