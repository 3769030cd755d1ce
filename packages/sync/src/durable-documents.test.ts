/**
 * DurableDocuments' compaction against an in-memory document log: a copy that holds all of
 * the stored snapshot writes its own state as it is; a snapshot another instance wrote
 * since is merged in, not lost.
 */
import { createHash } from "node:crypto";
import type { Document } from "@hocuspocus/server";
import type { Storage, StoredDocument } from "@switchboard/storage";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { DurableDocuments } from "./durable-documents.ts";
import { GroupCommitter } from "./group-commit.ts";

const NAME = "draft/acme/m1";

function memoryLog() {
	const state: { snapshot: Uint8Array | null } = { snapshot: null };
	const storage: Partial<Storage> = {
		appendUpdates: async () => [],
		loadDocument: async (): Promise<StoredDocument> => ({
			snapshot: state.snapshot,
			updates: [],
			updateIds: [],
			lastUpdateId: 0,
		}),
		compactDocument: async (_name, snapshot, _includedIds, merge, holds) => {
			const stored = state.snapshot;
			const held = stored && createHash("md5").update(stored).digest("hex") === holds;
			state.snapshot = stored && merge && !held ? merge(stored, snapshot) : snapshot;
		},
	};
	return { state, storage: storage as Storage };
}

function withText(text: string, clientID: number): Y.Doc {
	const doc = new Y.Doc();
	doc.clientID = clientID;
	doc.getText("body").insert(0, text);
	return doc;
}

const textOf = (snapshot: Uint8Array | null) => {
	const doc = new Y.Doc();
	if (snapshot) Y.applyUpdate(doc, snapshot);
	return doc.getText("body").toString();
};

describe("compaction", () => {
	it("writes the copy's own state when the stored snapshot is one it holds, and merges one another instance wrote since", async () => {
		const { state, storage } = memoryLog();
		state.snapshot = Y.encodeStateAsUpdate(withText("stored ", 1));
		const durable = new DurableDocuments({
			storage,
			committer: new GroupCommitter(storage, { delayMs: 0 }),
			logger: pino({ level: "silent" }),
		});
		const copy = new Y.Doc() as Document;
		await durable.onLoadDocument({ documentName: NAME, document: copy } as never);
		const body = copy.getText("body");

		// The stored snapshot is the one this copy was loaded from, then the one it wrote.
		for (const word of ["one ", "two "]) {
			body.insert(body.length, word);
			await durable.compact(NAME, copy);
			expect(state.snapshot).toEqual(Y.encodeStateAsUpdate(copy));
		}

		// Another instance compacts what this copy has not received.
		const other = withText("elsewhere ", 2);
		state.snapshot = Y.mergeUpdates([state.snapshot as Uint8Array, Y.encodeStateAsUpdate(other)]);
		body.insert(body.length, "three ");
		await durable.compact(NAME, copy);
		expect(textOf(state.snapshot)).toContain("elsewhere");
		expect(textOf(state.snapshot)).toContain("three");
		// What was written holds more than the copy: the next compaction merges again.
		body.insert(body.length, "four ");
		await durable.compact(NAME, copy);
		expect(textOf(state.snapshot)).toContain("elsewhere");
		expect(textOf(state.snapshot)).toContain("four");
	});
});
