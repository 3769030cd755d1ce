/**
 * A provider reconnecting after the server lost its last edit (a crash before the append)
 * sends its queued updates first, each building on that lost edit, then a sync step 2 with
 * everything. The server holds the queued updates until the step 2 is in: none of them
 * becomes a Yjs pending struct, each still gets its sync status, and everything is stored.
 */
import { type DraftNote, draftDocumentName } from "@switchboard/domain";
import * as decoding from "lib0/decoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { openRawClient, type RawClient, syncFrame, Types } from "./utils/raw-client.ts";
import { loadStored } from "./utils/seed.ts";
import { startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});
afterAll(async () => {
	await server?.close();
});

/** A client's draft with `count` notes, and the update each insert produced. */
function writeNotes(count: number): { doc: Y.Doc; updates: Uint8Array[] } {
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on("update", (update: Uint8Array) => updates.push(update));
	const notes = doc.getArray<DraftNote>("notes");
	for (let i = 0; i < count; i++) {
		notes.push([{ id: `n${i}`, authorId: "a", text: `note ${i}`, at: "", mentions: [] }]);
	}
	return { doc, updates };
}

/** Sync statuses received so far: [applied, refused]. */
function statuses(client: RawClient): [number, number] {
	let applied = 0;
	let refused = 0;
	for (const bytes of client.received) {
		const decoder = decoding.createDecoder(bytes);
		decoding.readVarString(decoder);
		if (decoding.readVarUint(decoder) !== Types.syncStatus) continue;
		if (decoding.readVarUint(decoder) === 1) applied += 1;
		else refused += 1;
	}
	return [applied, refused];
}

async function authenticated(name: string): Promise<RawClient> {
	const client = await openRawClient(server.wsUrl);
	expect(await client.authenticate(name, server.members.sam!.token)).toBe("authenticated");
	return client;
}

const loaded = (name: string) => server.switchboard.hocuspocus.documents.get(name)!;
const storedNotes = async (name: string) =>
	(await loadStored(server.switchboard.storage, name))
		.getArray<DraftNote>("notes")
		.toArray()
		.map((note) => note.id);

describe("a provider's queued updates after a lost edit", () => {
	it("wait for its sync step 2, are acknowledged after it and never pend", async () => {
		const name = draftDocumentName("acme", server.mentions[0]!.mention.id);
		const client = await authenticated(name);
		const { doc, updates } = writeNotes(300);
		// The server lost the first ten; the other 290 were queued while offline.
		for (const update of updates.slice(10)) client.send(syncFrame(name, 2, update));
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(loaded(name).store.pendingStructs).toBeNull();
		expect(statuses(client)).toEqual([0, 0]);

		client.send(syncFrame(name, 1, Y.encodeStateAsUpdate(doc)));
		await waitFor(() => statuses(client)[0] === 291, 10_000, "a status for every message");
		expect(statuses(client)).toEqual([291, 0]);
		expect(loaded(name).store.pendingStructs).toBeNull();
		expect(loaded(name).getArray<DraftNote>("notes").length).toBe(300);
		expect(await storedNotes(name)).toEqual(doc.getArray<DraftNote>("notes").map((n) => n.id));
		client.close();
	});

	it("go through after a while when no sync step 2 comes, and nothing is lost", {
		timeout: 20_000,
	}, async () => {
		const name = draftDocumentName("acme", server.mentions[1]!.mention.id);
		const client = await authenticated(name);
		const { doc, updates } = writeNotes(20);
		for (const update of updates.slice(5)) client.send(syncFrame(name, 2, update));
		// Held for five seconds, then handed to Hocuspocus: Yjs keeps them as pending.
		await waitFor(() => statuses(client)[0] === 15, 10_000, "the held updates to be handled");
		expect(loaded(name).store.pendingStructs).not.toBeNull();
		client.send(syncFrame(name, 1, Y.encodeStateAsUpdate(doc)));
		await waitFor(() => statuses(client)[0] === 16, 5_000, "the sync step 2 to be handled");
		expect(loaded(name).store.pendingStructs).toBeNull();
		expect(await storedNotes(name)).toEqual(doc.getArray<DraftNote>("notes").map((n) => n.id));
		client.close();
	});
});
