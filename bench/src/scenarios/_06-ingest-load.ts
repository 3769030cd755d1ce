/**
 * Scenario 6's webhook senders, in a load process: one client holds the board open (as a
 * team does), and signed batches of mentions are posted for `seconds`: by `concurrency`
 * senders, each sending its next request when the last is answered (as fast as the server
 * takes them), or, with `rate`, on a fixed schedule whatever the answers (a given load).
 * The client notes when each mention appears on its board, from the moment its request
 * was sent (webhook → visible); on a schedule, from the moment it was due, so a late send
 * counts against the figure. Afterwards it waits until the board shows every accepted
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
	/**
	 * Mentions per second on a fixed schedule (open loop: a request is sent when due, however
	 * many are unanswered; `concurrency` is then unused). Unset: closed loop.
	 */
	rate?: number;
	/** With `rate`: seconds of the same schedule before the measured ones, not measured. */
	warmupSeconds?: number;
	seconds: number;
	/** Distinguishes the external ids of several runs on one database. */
	run: string;
}

export interface IngestResult {
	accepted: number;
	/** Accepted during the warm-up (stored too, not measured). */
	warmAccepted: number;
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
	/** With `rate`: how late each request left after it was due, in ms. */
	lateMs: number[];
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
	const lateMs: number[] = [];
	const seen = (event: Y.YArrayEvent<KeyedEntry<MentionContent>>) => {
		const now = performance.now();
		for (const item of event.changes.added) {
			for (const entry of item.content.getContent() as KeyedEntry<MentionContent>[]) {
				if (!shownAt.has(entry.v.externalId)) shownAt.set(entry.v.externalId, now);
			}
		}
	};
	let next = 0;
	let accepted = 0;
	let warmAccepted = 0;
	let recording = false;
	let requests = 0;
	const failures: Record<string, number> = {};
	const requestMs: number[] = [];
	/** Send `params.batch` mentions from `first`, timed from `due`, else from now. */
	const send = async (first: number, due?: number) => {
		const record = recording;
		const mentions = Array.from({ length: params.batch }, (_, i) => mention(params.run, first + i));
		const body = JSON.stringify({ mentions });
		const sent = due ?? performance.now();
		if (record) {
			if (due !== undefined) lateMs.push(performance.now() - due);
			for (const { externalId } of mentions) sentAt.set(externalId, sent);
		}
		const response = await fetch(params.webhookUrl, {
			method: "POST",
			headers: { "content-type": "application/json", ...signatureHeaders(params.secret, body) },
			body,
		});
		const answer = (await response.json()) as { accepted?: number };
		const answered = performance.now();
		if (!record) {
			if (response.status === 202) warmAccepted += answer.accepted ?? 0;
			else failures[response.status] = (failures[response.status] ?? 0) + 1;
			return;
		}
		requestMs.push(answered - sent);
		requests++;
		if (response.status === 202) {
			accepted += answer.accepted ?? 0;
			for (const { externalId } of mentions) answeredAt.set(externalId, answered);
		} else failures[response.status] = (failures[response.status] ?? 0) + 1;
	};
	/** Requests on the schedule of `params.rate` from `from` until `until`; resolves once all are answered. */
	const onSchedule = async (from: number, until: number) => {
		const every = (params.batch / (params.rate as number)) * 1000;
		const pending: Promise<void>[] = [];
		for (let due = from; due < until; due += every) {
			const wait = due - performance.now();
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
			const first = next;
			next += params.batch;
			pending.push(send(first, due));
		}
		await Promise.all(pending);
	};
	if (params.rate !== undefined && params.warmupSeconds) {
		const from = performance.now();
		await onSchedule(from, from + params.warmupSeconds * 1000);
	}
	boardRoots(holder.doc).mentions.observe(seen);
	recording = true;
	await control.mark("start");
	const started = performance.now();
	const deadline = started + params.seconds * 1000;
	if (params.rate === undefined) {
		await Promise.all(
			Array.from({ length: params.concurrency }, async () => {
				while (performance.now() < deadline) {
					const first = next;
					next += params.batch;
					await send(first);
				}
			}),
		);
	} else await onSchedule(started, deadline);
	const sendMs = performance.now() - started;
	await control.mark("sent");
	let onBoard = 0;
	for (let waited = 0; waited < 60_000; waited += 20) {
		onBoard = readBoard(holder.doc).mentions.length - before - warmAccepted;
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
		warmAccepted,
		requests,
		failures,
		requestMs,
		sendMs,
		boardMs,
		onBoard,
		visibleMs,
		afterAnswerMs,
		lateMs,
	};
};

export default task;
