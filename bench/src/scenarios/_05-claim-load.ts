/**
 * Scenario 5's ambassadors, in a load process: each connects to the board (spread over the
 * given instances), and once all have synced they all run claimNext at once, again and
 * again, until the server says there is nothing left for them or they are at capacity.
 * Every command is timed from send to ack or reject.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { PROTOCOL_VERSION, readBoard } from "@switchboard/domain";
import { WebSocket } from "ws";
import * as Y from "yjs";
import type { LoadTask } from "../lib/load.ts";

export interface ClaimParams {
	/** One WebSocket URL per instance; ambassador i uses wsUrls[i % length]. */
	wsUrls: string[];
	document: string;
	tokens: string[];
	memberIds: string[];
}

export interface ClaimResult {
	/** Send-to-answer time of every command, in ms. */
	latencyMs: number[];
	/** Claims acknowledged: mention id → member ids that were told they own it. */
	claims: Record<string, string[]>;
	/** Rejections by code. */
	rejects: Record<string, number>;
	/** Wall time of the storm, from the first command to the last answer, in ms. */
	stormMs: number;
	/** Per instance: mentions whose owner on that instance's board differs from the acks. */
	boardMismatches: number[];
	/**
	 * Event-loop utilisation of this process during the storm (0 to 1): near 1, the
	 * ambassadors' latencies include waiting for this process to read their answers.
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

interface Answer {
	type: "ack" | "reject";
	id: string;
	code?: string;
	result?: { mentionId?: string };
}

const ANSWER_TIMEOUT_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const task: LoadTask<ClaimParams, ClaimResult> = async (params, control) => {
	const ambassadors = params.tokens.map((token, i) => {
		const doc = new Y.Doc();
		const socket = new HocuspocusProviderWebsocket({
			url: params.wsUrls[i % params.wsUrls.length] as string,
			WebSocketPolyfill: WebSocket,
		});
		const waiting = new Map<string, (answer: Answer) => void>();
		const provider = new HocuspocusProvider({
			websocketProvider: socket,
			name: params.document,
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
		});
		provider.attach();
		const send = (name: string) => {
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
					JSON.stringify({ type: "command", v: PROTOCOL_VERSION, id, name, args: {} }),
				);
			});
		};
		return { doc, provider, socket, synced, send, memberId: params.memberIds[i] as string };
	});
	// Connect in waves, so the figure is the storm, not a connection flood.
	for (let start = 0; start < ambassadors.length; start += 50) {
		await Promise.all(ambassadors.slice(start, start + 50).map((a) => a.synced));
	}
	control.log(`${ambassadors.length} ambassadors synced; claim storm`);
	await control.mark("start");
	const latencyMs: number[] = [];
	const claims: Record<string, string[]> = {};
	const rejects: Record<string, number> = {};
	const stormStart = performance.now();
	const loopAtStart = performance.eventLoopUtilization();
	let boardUpdateBytes = 0;
	let boardUpdates = 0;
	const countUpdate = (update: Uint8Array) => {
		boardUpdateBytes += update.length;
		boardUpdates++;
	};
	ambassadors[0]?.doc.on("update", countUpdate);
	await Promise.all(
		ambassadors.map(async (ambassador) => {
			for (;;) {
				const sent = performance.now();
				const answer = await ambassador.send("claimNext");
				latencyMs.push(performance.now() - sent);
				if (answer.type === "ack") {
					const id = answer.result?.mentionId ?? "?";
					claims[id] ??= [];
					claims[id].push(ambassador.memberId);
					continue;
				}
				const code = answer.code ?? "?";
				rejects[code] = (rejects[code] ?? 0) + 1;
				if (code === "nothing_to_claim" || code === "capacity_reached" || code === "no_answer") {
					return;
				}
				// Anything else (rate_limited, unavailable) is retried after a pause.
				await sleep(50);
			}
		}),
	);
	const stormMs = performance.now() - stormStart;
	const loadBusy = performance.eventLoopUtilization(loopAtStart).utilization;
	ambassadors[0]?.doc.off("update", countUpdate);
	await control.mark("stop");
	// The boards converge on what was acknowledged: check one client per instance.
	const boardMismatches: number[] = [];
	for (let instance = 0; instance < params.wsUrls.length; instance++) {
		const doc = ambassadors[instance]?.doc as Y.Doc;
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
	for (const a of ambassadors) {
		a.provider.destroy();
		a.socket.destroy();
	}
	return {
		latencyMs,
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
