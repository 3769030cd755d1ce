/**
 * One of scenario 5's ambassadors: a board client that runs claimNext again and again,
 * each command timed from send to answer. Used by the load process (most ambassadors, one
 * event loop) and by the observer threads (one ambassador each, see `_05-claim-observer.ts`).
 *
 * A skimming ambassador syncs the board, then leaves the board's updates (not the sync
 * steps) undecoded, as scenario 12's members do: the server sends it every frame all the
 * same, and its provider still hears that the socket lives. What it leaves out is its own
 * device's work, which the load process would do for every ambassador on one core.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { PROTOCOL_VERSION } from "@switchboard/domain";
import { WebSocket } from "ws";
import * as Y from "yjs";
import { SyncStep, syncStep } from "../lib/clients.ts";

interface Answer {
	type: "ack" | "reject";
	id: string;
	code?: string;
	result?: { mentionId?: string };
}

/** What an ambassador's commands came to. */
export interface ClaimTally {
	/** Send-to-answer time of every command, in ms. */
	latencyMs: number[];
	/** Mention ids this ambassador was told it owns, in order. */
	claimed: string[];
	/** Rejections by code. */
	rejects: Record<string, number>;
}

export interface Ambassador {
	doc: Y.Doc;
	memberId: string;
	/** Resolves once the board is synced. */
	synced: Promise<void>;
	/**
	 * claimNext until the server says there is nothing left or the member is at capacity,
	 * or `maxClaims` were acknowledged.
	 */
	claimUntilDone(tally: ClaimTally, maxClaims?: number): Promise<void>;
	/**
	 * Release the conversations the tally claimed, one command at a time (a warm-up storm's
	 * claims, so the member is back to none); resolves with how many were not acknowledged.
	 */
	releaseClaimed(tally: ClaimTally): Promise<number>;
	destroy(): void;
}

const ANSWER_TIMEOUT_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function emptyTally(): ClaimTally {
	return { latencyMs: [], claimed: [], rejects: {} };
}

/**
 * Connect one ambassador to the board at `url`; with `skim`, it decodes the board only
 * until its first sync (see the file).
 */
export function openAmbassador(
	url: string,
	document: string,
	token: string,
	memberId: string,
	skim = false,
): Ambassador {
	const doc = new Y.Doc();
	let skimming = false;
	const socket: HocuspocusProviderWebsocket = new HocuspocusProviderWebsocket({
		url,
		WebSocketPolyfill: skim
			? class Skimming extends WebSocket {
					override emit(event: string | symbol, ...args: unknown[]): boolean {
						if (
							event === "message" &&
							skimming &&
							syncStep(args[0], document) === SyncStep.update
						) {
							// What any frame tells a provider: its socket lives (messageReconnectTimeout).
							socket.lastMessageReceived = Date.now();
							return true;
						}
						return super.emit(event, ...args);
					}
				}
			: WebSocket,
	});
	const waiting = new Map<string, (answer: Answer) => void>();
	const provider = new HocuspocusProvider({
		websocketProvider: socket,
		name: document,
		document: doc,
		token,
		awareness: null,
		onStateless: ({ payload }) => {
			const answer = JSON.parse(payload) as Answer;
			waiting.get(answer.id)?.(answer);
			waiting.delete(answer.id);
		},
	});
	const synced = new Promise<void>((resolve) => {
		if (provider.isSynced) resolve();
		else provider.on("synced", () => resolve());
	}).then(() => {
		skimming = skim;
	});
	provider.attach();
	const send = (name: string, args: Record<string, string> = {}) => {
		const id = randomUUID();
		return new Promise<Answer>((resolve) => {
			// An answer that never comes is a failure to report, not a reason to hang.
			const timer = setTimeout(() => {
				waiting.delete(id);
				resolve({ type: "reject", id, code: "no_answer" });
			}, ANSWER_TIMEOUT_MS);
			waiting.set(id, (answer) => {
				clearTimeout(timer);
				resolve(answer);
			});
			provider.sendStateless(
				JSON.stringify({ type: "command", v: PROTOCOL_VERSION, id, name, args }),
			);
		});
	};
	return {
		doc,
		memberId,
		synced,
		async claimUntilDone(tally, maxClaims = Number.POSITIVE_INFINITY) {
			while (tally.claimed.length < maxClaims) {
				const sent = performance.now();
				const answer = await send("claimNext");
				tally.latencyMs.push(performance.now() - sent);
				if (answer.type === "ack") {
					tally.claimed.push(answer.result?.mentionId ?? "?");
					continue;
				}
				const code = answer.code ?? "?";
				tally.rejects[code] = (tally.rejects[code] ?? 0) + 1;
				if (code === "nothing_to_claim" || code === "capacity_reached" || code === "no_answer") {
					return;
				}
				// Anything else (rate_limited, unavailable) is retried after a pause.
				await sleep(50);
			}
		},
		async releaseClaimed(tally) {
			let refused = 0;
			for (const mentionId of tally.claimed) {
				if ((await send("release", { mentionId })).type !== "ack") refused++;
			}
			return refused;
		},
		destroy() {
			provider.destroy();
			socket.destroy();
		},
	};
}
