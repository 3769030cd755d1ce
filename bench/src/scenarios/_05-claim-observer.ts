/**
 * An observer of scenario 5: one ambassador alone on an event loop of its own (a worker
 * thread of the load process), pressing claimNext with the others. The load process's
 * ambassadors share one event loop and one core, and most of them skim the board (see
 * `_05-claim-load.ts`); a real ambassador decodes their own board, on their own device. The
 * observer's latency is that: the server's time, the network and its own board's decoding,
 * not the other clients'. The thread still shares the load core, and the scheduler runs it
 * when its socket wakes it.
 *
 * One thread serves every storm of a run (the warm-up storm's board, then the measured
 * one), as one person's device would. Messages from the load process, each answered:
 * `open` a board ("synced"), `go` (its tally once done), `release` what the last storm
 * claimed and leave that board ("released"), `close` (the thread ends).
 */
import { parentPort, workerData } from "node:worker_threads";
import { type Ambassador, type ClaimTally, emptyTally, openAmbassador } from "./_05-ambassador.ts";

export interface ObserverData {
	url: string;
	/** Stop after this many claims: the others' share of the storm's mentions. */
	maxClaims: number;
	token: string;
	memberId: string;
}

/** Messages from the load process to an observer thread. */
export type ToObserver =
	| { type: "open"; document: string }
	| { type: "go" }
	| { type: "release" }
	| { type: "close" };

/** Messages from an observer thread to the load process. */
export type FromObserver =
	| { type: "synced" }
	| { type: "done"; tally: ClaimTally }
	| { type: "released"; refused: number };

const data = workerData as ObserverData;
const port = parentPort;
if (!port) throw new Error("an observer runs in a worker thread");
const answer = (message: FromObserver) => port.postMessage(message);
let ambassador: Ambassador | null = null;
let tally = emptyTally();
port.on("message", async (message: ToObserver) => {
	switch (message.type) {
		case "open":
			ambassador = openAmbassador(data.url, message.document, data.token, data.memberId);
			tally = emptyTally();
			await ambassador.synced;
			answer({ type: "synced" });
			break;
		case "go":
			await ambassador?.claimUntilDone(tally, data.maxClaims);
			answer({ type: "done", tally });
			break;
		case "release": {
			const refused = (await ambassador?.releaseClaimed(tally)) ?? 0;
			ambassador?.destroy();
			ambassador = null;
			answer({ type: "released", refused });
			break;
		}
		case "close":
			ambassador?.destroy();
			port.close();
			break;
	}
});
