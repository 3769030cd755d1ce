/**
 * An observer of scenario 5: one ambassador alone on an event loop of its own (a worker
 * thread of the load process), pressing claimNext with the others. The load process's
 * ambassadors share one event loop and one core, and each of them reads its answer only
 * after the board updates of the sockets read before it in that turn were decoded (200
 * ambassadors × every claim); a real ambassador decodes only their own board, on their own
 * device. The observer's latency is that: the server's time, the network and its own
 * board's decoding, not the other clients'. The thread still shares the load core, and
 * the scheduler runs it when its socket wakes it.
 *
 * Messages: the parent sends "go" once every ambassador is synced; the observer answers
 * "synced" and, at the end, its tally.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type ClaimTally, emptyTally, openAmbassador } from "./_05-ambassador.ts";

export interface ObserverData {
	url: string;
	document: string;
	/** Stop after this many claims: the others' share of the storm's mentions. */
	maxClaims: number;
	token: string;
	memberId: string;
}

/** Messages from an observer thread to the load process. */
export type FromObserver = { type: "synced" } | { type: "done"; tally: ClaimTally };

const data = workerData as ObserverData;
const port = parentPort;
if (!port) throw new Error("an observer runs in a worker thread");
const ambassador = openAmbassador(data.url, data.document, data.token, data.memberId);
await ambassador.synced;
port.postMessage({ type: "synced" } satisfies FromObserver);
port.once("message", async (message: string) => {
	if (message !== "go") return;
	const tally = emptyTally();
	await ambassador.claimUntilDone(tally, data.maxClaims);
	ambassador.destroy();
	port.postMessage({ type: "done", tally } satisfies FromObserver);
	port.close();
});
