/**
 * Scenario 4's churn, in a load process: the board of a seeded database is built the way
 * the server's projector builds it (writeMentions from the stored mentions), then `changes`
 * status and owner changes are written one transaction each with `writeWork`, the call a
 * command's projection makes. The result is stored as the board's snapshot, so the server
 * loads exactly this document. The same churn is applied to a naive board, a Y.Map of
 * mention JSON (what one would write on bare Hocuspocus), for comparison, the two taking
 * turns.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	boardDocumentName,
	type MentionStatus,
	type MentionWork,
	mentionContent,
	mentionWork,
	readBoard,
	writeMentions,
	writeWork,
} from "@switchboard/domain";
import { openStorage } from "@switchboard/storage";
import * as Y from "yjs";
import type { LoadTask } from "../lib/load.ts";
import { BENCH_ORG } from "../lib/seed.ts";

export interface ChurnParams {
	databaseUrl: string;
	changes: number;
}

export interface ChurnFigures {
	/** Mean wall time of one change, in µs. */
	usPerChange: number;
	encodedBytes: number;
	/** JSON.stringify of the board as a client reads it (readBoard for Switchboard). */
	jsonBytes: number;
	/** Median time to encode the whole document (a new client's sync step 2), in ms. */
	encodeMs: number;
}

export interface ChurnResult {
	mentions: number;
	switchboard: ChurnFigures;
	naive: ChurnFigures;
	/** A file holding the naive board's state, for the baseline servers (too large for IPC). */
	naiveStateFile: string;
}

/** Changes each churn makes before the other takes its turn. */
const SLICE = 500;

const STATUSES: MentionStatus[] = ["claimed", "drafting", "in_review", "new", "escalated"];

/** The change number `i`: which mention, and its new status and owner. */
function change(i: number, mentions: number, memberIds: string[]) {
	// A fixed multiplicative walk: every mention is hit, in an order without locality.
	const index = (i * 7919) % mentions;
	const status = STATUSES[i % STATUSES.length] as MentionStatus;
	const at = new Date(Date.UTC(2026, 10, 26, 9, 0, 0) + i * 10).toISOString();
	const owner =
		status === "new" ? null : { memberId: memberIds[i % memberIds.length] ?? "nobody", since: at };
	return { index, status, owner, at };
}

function encodeMs(doc: Y.Doc): number {
	const times: number[] = [];
	for (let i = 0; i < 5; i++) {
		const started = performance.now();
		Y.encodeStateAsUpdate(doc);
		times.push(performance.now() - started);
	}
	return times.sort((a, b) => a - b)[2] as number;
}

const task: LoadTask<ChurnParams, ChurnResult> = async (params, control) => {
	const storage = await openStorage({ databaseUrl: params.databaseUrl });
	try {
		const stored = await storage.listMentions(BENCH_ORG, "main");
		const memberIds = (await storage.listMembers(BENCH_ORG)).map((member) => member.id);
		const count = stored.length;
		const revs = stored.map(({ rev }) => rev);
		const works = stored.map(({ mention }) => mentionWork(mention));

		// Switchboard's board, written as the projector writes it.
		const doc = new Y.Doc();
		writeMentions(
			doc,
			stored.map((item) => ({
				content: mentionContent(item.mention),
				work: mentionWork(item.mention),
				rev: item.rev,
			})),
		);
		// The naive board: one Y.Map entry per mention, the whole mention as JSON.
		const naiveDoc = new Y.Doc();
		const map = naiveDoc.getMap<Record<string, unknown>>("mentions");
		const current: Record<string, unknown>[] = stored.map(({ mention }) => ({ ...mention }));
		naiveDoc.transact(() => {
			for (const mention of current) map.set(mention.id as string, mention);
		});
		control.log(`board: ${count} mentions; ${params.changes} changes`);

		const switchboardChanges = (from: number, to: number) => {
			for (let i = from; i < to; i++) {
				const { index, status, owner, at } = change(i, count, memberIds);
				revs[index] = (revs[index] as number) + 1;
				const work: MentionWork = {
					...(works[index] as MentionWork),
					status,
					owner,
					updatedAt: at,
				};
				writeWork(doc, stored[index]?.mention.id as string, work, revs[index] as number);
			}
		};
		const naiveChanges = (from: number, to: number) => {
			for (let i = from; i < to; i++) {
				const { index, status, owner, at } = change(i, count, memberIds);
				const next: Record<string, unknown> = { ...current[index], status, owner, updatedAt: at };
				current[index] = next;
				map.set(next.id as string, next);
			}
		};
		// The two churns take turns, SLICE changes at a time, so that neither runs on the
		// other's warm-up: run one after the other, whichever ran first paid 5–10 µs more per
		// change (the code's first optimisation, the heap's growth), which the naive board,
		// second, never did (findings 04).
		let switchboardMs = 0;
		let naiveMs = 0;
		for (let from = 0; from < params.changes; from += SLICE) {
			const to = Math.min(params.changes, from + SLICE);
			let started = performance.now();
			switchboardChanges(from, to);
			switchboardMs += performance.now() - started;
			started = performance.now();
			naiveChanges(from, to);
			naiveMs += performance.now() - started;
		}

		const state = Y.encodeStateAsUpdate(doc);
		const switchboard: ChurnFigures = {
			usPerChange: (switchboardMs * 1000) / params.changes,
			encodedBytes: state.byteLength,
			jsonBytes: Buffer.byteLength(JSON.stringify(readBoard(doc))),
			encodeMs: encodeMs(doc),
		};
		// The server loads this board from its snapshot.
		await storage.compactDocument(boardDocumentName(BENCH_ORG, "main"), state, [], (a, b) =>
			Y.mergeUpdates([a, b]),
		);
		doc.destroy();
		const naiveState = Y.encodeStateAsUpdate(naiveDoc);
		const naive: ChurnFigures = {
			usPerChange: (naiveMs * 1000) / params.changes,
			encodedBytes: naiveState.byteLength,
			jsonBytes: Buffer.byteLength(JSON.stringify(map.toJSON())),
			encodeMs: encodeMs(naiveDoc),
		};
		naiveDoc.destroy();
		const naiveStateFile = join(tmpdir(), `bench-04-naive-${process.pid}.bin`);
		writeFileSync(naiveStateFile, naiveState);
		return { mentions: count, switchboard, naive, naiveStateFile };
	} finally {
		await storage.close();
	}
};

export default task;
