/**
 * Scenario 6's webhook senders, in a load process: one client holds the board open (as a
 * team does), and `concurrency` senders post signed batches of mentions for `seconds`.
 * The client notes when each mention appears on its board, from the moment its request
 * was sent (webhook → visible). Afterwards it waits until the board shows every accepted
 * mention.
 */
import { signatureHeaders } from "@switchboard/connectors";
import { boardRoots, type KeyedEntry, type MentionContent, readBoard } from "@switchboard/domain";
import type * as Y from "yjs";
import { connectClient } from "../lib/clients.ts";
import { customerText } from "../lib/customer-texts.ts";
import type { LoadTask } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";

export interface IngestParams {
	target: ServerTarget;
	board: string;
	webhookUrl: string;
	secret: string;
	/** Mentions per request. */
	batch: number;
	concurrency: number;
	seconds: number;
	/** Distinguishes the external ids of several runs on one database. */
	run: string;
}

export interface IngestResult {
	accepted: number;
	requests: number;
	/** Non-202 answers by status. */
	failures: Record<string, number>;
	/** Request times, in ms. */
	requestMs: number[];
	/** From the first request until the last answer, in ms. */
	sendMs: number;
	/** From the first request until the board showed every accepted mention, in ms. */
	boardMs: number;
	/** Mentions on the board at the end. */
	onBoard: number;
	/** From sending each accepted mention's request until the open board showed it, in ms. */
	visibleMs: number[];
	/** From each accepted mention's 202 until the open board showed it, in ms (0 when before). */
	afterAnswerMs: number[];
}

function mention(run: string, i: number) {
	return {
		network: "other",
		externalId: `${run}-${i}`,
		url: `https://forum.example/t/${run}-${i}`,
		author: { handle: `user${i % 997}`, name: `User ${i % 997}`, reach: 10 + (i % 5000) },
		text: customerText(i),
		postedAt: new Date(Date.UTC(2026, 10, 26, 8, 0, 0) + i).toISOString(),
	};
}

const task: LoadTask<IngestParams, IngestResult> = async (params, control) => {
	const holder = connectClient({ target: params.target, document: params.board, presence: false });
	await holder.synced;
	const before = readBoard(holder.doc).mentions.length;
	// When each mention's request was sent and answered 202, and when the board showed it.
	const sentAt = new Map<string, number>();
	const answeredAt = new Map<string, number>();
	const shownAt = new Map<string, number>();
	const seen = (event: Y.YArrayEvent<KeyedEntry<MentionContent>>) => {
		const now = performance.now();
		for (const item of event.changes.added) {
			for (const entry of item.content.getContent() as KeyedEntry<MentionContent>[]) {
				if (!shownAt.has(entry.v.externalId)) shownAt.set(entry.v.externalId, now);
			}
		}
	};
	boardRoots(holder.doc).mentions.observe(seen);
	await control.mark("start");
	const started = performance.now();
	const deadline = started + params.seconds * 1000;
	let next = 0;
	let accepted = 0;
	let requests = 0;
	const failures: Record<string, number> = {};
	const requestMs: number[] = [];
	await Promise.all(
		Array.from({ length: params.concurrency }, async () => {
			while (performance.now() < deadline) {
				const first = next;
				next += params.batch;
				const mentions = Array.from({ length: params.batch }, (_, i) =>
					mention(params.run, first + i),
				);
				const body = JSON.stringify({ mentions });
				const sent = performance.now();
				for (const { externalId } of mentions) sentAt.set(externalId, sent);
				const response = await fetch(params.webhookUrl, {
					method: "POST",
					headers: { "content-type": "application/json", ...signatureHeaders(params.secret, body) },
					body,
				});
				const answer = (await response.json()) as { accepted?: number };
				const answered = performance.now();
				requestMs.push(answered - sent);
				requests++;
				if (response.status === 202) {
					accepted += answer.accepted ?? 0;
					for (const { externalId } of mentions) answeredAt.set(externalId, answered);
				} else failures[response.status] = (failures[response.status] ?? 0) + 1;
			}
		}),
	);
	const sendMs = performance.now() - started;
	await control.mark("sent");
	let onBoard = 0;
	for (let waited = 0; waited < 60_000; waited += 20) {
		onBoard = readBoard(holder.doc).mentions.length - before;
		if (onBoard >= accepted) break;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	const boardMs = performance.now() - started;
	control.log(`ingest: ${accepted} accepted in ${requests} requests; ${onBoard} on the board`);
	boardRoots(holder.doc).mentions.unobserve(seen);
	const visibleMs: number[] = [];
	const afterAnswerMs: number[] = [];
	for (const [externalId, answered] of answeredAt) {
		const shown = shownAt.get(externalId);
		if (shown === undefined) continue;
		visibleMs.push(shown - (sentAt.get(externalId) as number));
		afterAnswerMs.push(Math.max(0, shown - answered));
	}
	holder.destroy();
	return {
		accepted,
		requests,
		failures,
		requestMs,
		sendMs,
		boardMs,
		onBoard,
		visibleMs,
		afterAnswerMs,
	};
};

export default task;
