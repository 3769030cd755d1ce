/**
 * What one follow-up on a long thread costs every member who has the board open: the bytes
 * of the board update the server sends each of them, and the time one of them spends
 * applying it (with an `update` listener on the document, as `@hocuspocus/provider` has).
 *
 *   node bench/src/follow-up-cost.ts [follow-ups] [thread lengths, comma-separated]
 *
 * Two ways of writing the same follow-up, in one run: the board's content entry written
 * again with the whole thread (the release before `messages`, done here with `setEntry`
 * as it did) against `writeMention`, which writes the new message alone. One core, in
 * process: decoding and encoding, not sockets.
 */
import { performance } from "node:perf_hooks";
import {
	boardRoots,
	type Mention,
	mentionContent,
	mentionWork,
	setEntry,
	type ThreadMessage,
	writeMention,
	writeWork,
} from "@switchboard/domain";
import { makeMention } from "@switchboard/domain/testing";
import * as Y from "yjs";

const followUps = Number(process.argv[2] ?? 50);
const lengths = (process.argv[3] ?? "5,100,317").split(",").map(Number);
const start = Date.UTC(2026, 10, 26, 8);

function message(i: number): ThreadMessage {
	const ours = i % 2 === 1;
	return {
		externalId: `https://social.example/@${ours ? "acme" : "kim"}/${113_400_000_000 + i}`,
		handle: ours ? "@acme@social.example" : "@kim@mastodon.example",
		fromOrganisation: ours,
		text: `Message ${i}: thanks for getting back to me, I tried again and it still fails at the payment step on my phone.`,
		postedAt: new Date(start + i * 60_000).toISOString(),
	};
}

type Writer = (doc: Y.Doc, mention: Mention, rev: number) => void;

const whole: Writer = (doc, mention, rev) =>
	doc.transact(() => {
		setEntry(boardRoots(doc).mentions, mention.id, rev, mentionContent(mention));
		writeWork(doc, mention.id, mentionWork(mention), rev);
	});
const messages: Writer = (doc, mention, rev) =>
	writeMention(doc, mentionContent(mention), mentionWork(mention), rev);

function run(length: number, write: Writer): { bytes: number; applyMs: number } {
	const server = new Y.Doc();
	const reader = new Y.Doc();
	reader.on("update", () => {});
	let mention = makeMention({ id: "m1", thread: Array.from({ length }, (_, i) => message(i)) });
	writeMention(server, mentionContent(mention), mentionWork(mention), 1);
	Y.applyUpdate(reader, Y.encodeStateAsUpdate(server));
	const updates: Uint8Array[] = [];
	server.on("update", (update: Uint8Array) => updates.push(update));
	for (let i = 0; i < followUps; i++) {
		mention = {
			...mention,
			thread: [...mention.thread, message(length + i)],
			unseenFollowUps: i + 1,
		};
		write(server, mention, i + 2);
	}
	const began = performance.now();
	for (const update of updates) Y.applyUpdate(reader, update);
	const applyMs = (performance.now() - began) / updates.length;
	const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0) / updates.length;
	return { bytes, applyMs };
}

console.log(`${followUps} follow-ups per thread; per follow-up, for one reader of the board`);
for (const length of lengths) {
	const before = run(length, whole);
	const after = run(length, messages);
	console.log(
		`thread of ${length}: ${before.bytes.toFixed(0)} -> ${after.bytes.toFixed(0)} bytes ` +
			`(${(after.bytes / before.bytes).toFixed(4)}x); apply ${before.applyMs.toFixed(3)} -> ` +
			`${after.applyMs.toFixed(3)} ms (${(after.applyMs / before.applyMs).toFixed(3)}x)`,
	);
}
