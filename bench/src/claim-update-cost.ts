/**
 * What one claim's board update costs the people who read the board (scenario 5's
 * ambassadors all decode every claim): its bytes, and the time a reader spends applying it
 * with an `update` listener on its document, as `@hocuspocus/provider` has (Yjs then encodes
 * every applied update again for that listener).
 *
 *   node bench/src/claim-update-cost.ts [readers] [mentions] [claims per update]
 *
 * A server document holds `mentions` new conversations (written with `writeMentions`, as
 * ingest does); the claims are written with `writeWork` as the projector writes a batch of
 * claimNext (one transaction per `claims per update`); every reader applies every update.
 * One core, in process: the figure is decoding and encoding, not sockets.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
	type MentionWork,
	mentionContent,
	mentionWork,
	writeMentions,
	writeWork,
} from "@switchboard/domain";
import { makeMention } from "@switchboard/domain/testing";
import * as Y from "yjs";

const readers = Number(process.argv[2] ?? 200);
const mentions = Number(process.argv[3] ?? 400);
const perUpdate = Number(process.argv[4] ?? 100);

const server = new Y.Doc();
const ids = Array.from({ length: mentions }, () => randomUUID());
const members = Array.from({ length: readers }, () => randomUUID());
const posted = Date.UTC(2026, 10, 26, 8);
const newWork = (i: number): MentionWork => {
	const at = new Date(posted + i).toISOString();
	return mentionWork(
		makeMention({ id: ids[i] as string, postedAt: at, ingestedAt: at, updatedAt: at }),
	);
};
writeMentions(
	server,
	ids.map((id, i) => {
		const at = new Date(posted + i).toISOString();
		return {
			content: mentionContent(makeMention({ id, postedAt: at, ingestedAt: at })),
			work: newWork(i),
			rev: 1,
		};
	}),
);

const docs = Array.from({ length: readers }, () => {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
	// What the provider does: its listener makes Yjs encode every applied update again.
	doc.on("update", () => {});
	return doc;
});

const updates: Uint8Array[] = [];
server.on("update", (update: Uint8Array) => updates.push(update));
for (let start = 0; start < mentions; start += perUpdate) {
	server.transact(() => {
		for (let i = start; i < Math.min(mentions, start + perUpdate); i++) {
			const now = new Date(Date.now() + i).toISOString();
			writeWork(
				server,
				ids[i] as string,
				{
					...newWork(i),
					status: "claimed",
					owner: { memberId: members[i % readers] as string, since: now },
					updatedAt: now,
				},
				2,
			);
		}
	});
}

const bytes = updates.reduce((sum, update) => sum + update.length, 0);
const started = performance.now();
for (const update of updates) for (const doc of docs) Y.applyUpdate(doc, update);
const ms = performance.now() - started;
const perClaimReader = (ms * 1000) / (mentions * readers);
console.log(
	JSON.stringify({
		readers,
		claims: mentions,
		updates: updates.length,
		bytesPerClaim: Math.round(bytes / mentions),
		applyMs: Math.round(ms),
		usPerClaimPerReader: Number(perClaimReader.toFixed(2)),
		// A wave: every reader applies the claims of all of them, on one core.
		msPerWaveOfReaderClaims: Math.round((perClaimReader * readers * readers) / 1000),
	}),
);
