/**
 * A typist's updates that arrive while a log append is slow share the next commit: each
 * update is appended as soon as it arrives, not when Hocuspocus reaches it in the
 * connection's queue (one commit per keystroke fell behind without end whenever a commit
 * took longer than a keystroke). Each update is still acknowledged only once it is stored.
 */
import { draftDocumentName } from "@switchboard/domain";
import type { DocumentUpdate } from "@switchboard/storage";
import * as decoding from "lib0/decoding";
import { expect, it } from "vitest";
import * as Y from "yjs";
import { openRawClient, syncFrame, Types } from "./utils/raw-client.ts";
import { testServerForFile, waitFor } from "./utils/test-server.ts";

const server = testServerForFile();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isSyncStatus(bytes: Uint8Array): boolean {
	const decoder = decoding.createDecoder(bytes);
	decoding.readVarString(decoder);
	return decoding.readVarUint(decoder) === Types.syncStatus;
}

it("appends the updates queued behind a slow commit together, and acknowledges each once stored", async () => {
	const name = draftDocumentName("acme", server.mentions[0]!.mention.id);
	const storage = server.switchboard.storage;
	const append = storage.appendUpdates.bind(storage);
	/** Updates of this draft per committed batch. */
	const batches: number[] = [];
	const stored = () => batches.reduce((sum, n) => sum + n, 0);
	storage.appendUpdates = async (entries: DocumentUpdate[]) => {
		await sleep(100);
		const ids = await append(entries);
		const ours = entries.filter((entry) => entry.name === name).length;
		if (ours > 0) batches.push(ours);
		return ids;
	};
	try {
		const client = await openRawClient(server.wsUrl);
		expect(await client.authenticate(name, server.members.dana!.token)).toBe("authenticated");
		await sleep(200);
		/** How many updates were stored when each acknowledgement arrived. */
		const storedAtAck: number[] = [];
		client.ws.on("message", (data: Buffer) => {
			if (isSyncStatus(new Uint8Array(data))) storedAtAck.push(stored());
		});

		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on("update", (update: Uint8Array) => updates.push(update));
		for (let i = 0; i < 20; i++) doc.getText("body").insert(i, "x");
		for (const update of updates) client.send(syncFrame(name, 2, update));

		await waitFor(() => storedAtAck.length >= 20, 15_000, "20 acknowledgements");
		expect(stored()).toBe(20);
		// One commit per update would take 20 commits, 2 s; queued updates share commits.
		expect(batches.length).toBeLessThanOrEqual(4);
		for (const [i, count] of storedAtAck.entries()) expect(count).toBeGreaterThanOrEqual(i + 1);

		const log = await storage.loadDocument(name);
		const copy = new Y.Doc();
		for (const update of log.updates) Y.applyUpdate(copy, update);
		expect(copy.getText("body").toString()).toBe("x".repeat(20));
		client.close();
	} finally {
		storage.appendUpdates = append;
	}
});
