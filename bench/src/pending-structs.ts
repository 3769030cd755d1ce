/**
 * Why the server holds a reconnecting provider's queued updates until its sync step 2
 * (packages/sync/src/first-sync-order.ts): Yjs applies updates that build on edits it has
 * not got as pending structs, and merges the whole pending update again with each one.
 *
 *   node bench/src/pending-structs.ts [notes]
 *
 * Applies the same notes twice to a fresh document: all but the first ten (lost in a crash),
 * then all of them in order.
 */
import * as Y from "yjs";

const count = Number(process.argv[2] ?? 2_000);
const source = new Y.Doc();
const updates: Uint8Array[] = [];
source.on("update", (update: Uint8Array) => updates.push(update));
const notes = source.getArray<unknown>("notes");
for (let i = 0; i < count; i++) {
	notes.push([
		{
			id: `c1-${i}`,
			authorId: "4f1c1d9e-7a55-4a0e-9a38-0e0e0e0e0e0e",
			text: `note c1-${i}`,
			at: new Date().toISOString(),
			mentions: [],
		},
	]);
}

const gapped = new Y.Doc();
let started = performance.now();
for (const update of updates.slice(10)) Y.applyUpdate(gapped, update);
const gappedMs = performance.now() - started;

const inOrder = new Y.Doc();
started = performance.now();
for (const update of updates) Y.applyUpdate(inOrder, update);
const inOrderMs = performance.now() - started;

console.log(
	`${count - 10} updates building on 10 missing ones: ${gappedMs.toFixed(0)} ms ` +
		`(pending update ${gapped.store.pendingStructs?.update.byteLength ?? 0} bytes); ` +
		`all ${count} in order: ${inOrderMs.toFixed(0)} ms; ratio ${(gappedMs / inOrderMs).toFixed(0)}x`,
);
