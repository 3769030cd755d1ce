/**
 * Scenario 4's churn in process, without the database, to compare commits (run it in each
 * checkout, alternated, a fresh process per run): 10,000 mentions written with
 * `writeMentions`, 50,000 status and owner changes with `writeWork` in the scenario's order
 * (bench/src/scenarios/_04-churn-task.ts), and the same changes on the naive Y.Map board, the
 * two taking turns 500 changes at a time as in the scenario (run one after the other, the
 * first pays the other's warm-up, findings 04). Prints µs per change for both, their ratio,
 * each block of 10,000 changes for both, and the length of the server client's struct array
 * halfway through each block (Yjs splices that array on every split and merge of an item,
 * so its length is what a change costs beyond the naive map's).
 *
 *   node bench/src/churn-cost.ts
 */
import { randomUUID } from "node:crypto";
import type { MentionStatus, MentionWork } from "@switchboard/domain";
import { mentionContent, mentionWork, writeMentions, writeWork } from "@switchboard/domain";
import { makeMention } from "@switchboard/domain/testing";
import * as Y from "yjs";

const count = 10_000;
const changes = 50_000;
const STATUSES: MentionStatus[] = ["claimed", "drafting", "in_review", "new", "escalated"];
const memberIds = Array.from({ length: 200 }, () => randomUUID());
const posted = Date.UTC(2026, 10, 26, 8);
const mentions = Array.from({ length: count }, (_, i) => {
	const at = new Date(posted + i).toISOString();
	return makeMention({ id: randomUUID(), postedAt: at, ingestedAt: at, updatedAt: at });
});
// `--random`: each change picks its mention from a seeded generator instead of the
// scenario's fixed walk, which repeats one permutation and so deletes the entries of a
// pass in the order the pass before appended them (the keyed list's best case).
const random = process.argv.includes("--random");
let seed = 0x9e3779b9;
const picks = Array.from({ length: changes }, (_, i) => {
	if (!random) return (i * 7919) % count;
	seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
	return (seed >>> 0) % count;
});
function change(i: number) {
	const index = picks[i] as number;
	const status = STATUSES[i % STATUSES.length] as MentionStatus;
	const at = new Date(Date.UTC(2026, 10, 26, 9, 0, 0) + i * 10).toISOString();
	const owner =
		status === "new" ? null : { memberId: memberIds[i % memberIds.length] as string, since: at };
	return { index, status, owner, at };
}
const revs = mentions.map(() => 1);
const works = mentions.map((m) => mentionWork(m));
const doc = new Y.Doc();
writeMentions(
	doc,
	mentions.map((m) => ({ content: mentionContent(m), work: mentionWork(m), rev: 1 })),
);
const naiveDoc = new Y.Doc();
const map = naiveDoc.getMap<Record<string, unknown>>("mentions");
const current: Record<string, unknown>[] = mentions.map((m) => ({ ...m }));
naiveDoc.transact(() => {
	for (const m of current) map.set(m.id as string, m);
});
const switchboardChanges = (from: number, to: number) => {
	for (let i = from; i < to; i++) {
		const { index, status, owner, at } = change(i);
		revs[index] = (revs[index] as number) + 1;
		const work: MentionWork = { ...(works[index] as MentionWork), status, owner, updatedAt: at };
		writeWork(doc, mentions[index]?.id as string, work, revs[index] as number);
		if ((i + 1) % 10_000 === 5_000) structs.push(doc.store.clients.get(doc.clientID)?.length ?? 0);
	}
};
const naiveChanges = (from: number, to: number) => {
	for (let i = from; i < to; i++) {
		const { index, status, owner, at } = change(i);
		const next: Record<string, unknown> = { ...current[index], status, owner, updatedAt: at };
		current[index] = next;
		map.set(next.id as string, next);
	}
};
// The two churns take turns, SLICE changes at a time, as in the scenario's load process.
const SLICE = 500;
const structs: number[] = [];
const sbBlocks = [0, 0, 0, 0, 0];
const naiveBlocks = [0, 0, 0, 0, 0];
for (let from = 0; from < changes; from += SLICE) {
	const to = Math.min(changes, from + SLICE);
	const block = Math.floor(from / 10_000);
	let started = performance.now();
	switchboardChanges(from, to);
	sbBlocks[block] = (sbBlocks[block] as number) + performance.now() - started;
	started = performance.now();
	naiveChanges(from, to);
	naiveBlocks[block] = (naiveBlocks[block] as number) + performance.now() - started;
}
const total = (ms: number[]) => ms.reduce((a, b) => a + b, 0);
const sb = (total(sbBlocks) * 1000) / changes;
const naive = (total(naiveBlocks) * 1000) / changes;
const blocks = sbBlocks.map((ms) => (ms * 1000) / 10_000);
const naiveBlockUs = naiveBlocks.map((ms) => (ms * 1000) / 10_000);
console.log(
	JSON.stringify({
		sb: +sb.toFixed(2),
		naive: +naive.toFixed(2),
		ratio: +(sb / naive).toFixed(2),
		blocks: blocks.map((b) => +b.toFixed(1)),
		naiveBlocks: naiveBlockUs.map((b) => +b.toFixed(1)),
		structs,
		bytes: Y.encodeStateAsUpdate(doc).byteLength,
	}),
);
