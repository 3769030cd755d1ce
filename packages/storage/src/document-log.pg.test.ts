/**
 * Liveness of the document log on PostgreSQL (docs/RELIABILITY.md, "Locks held while
 * waiting"): compaction merges snapshots outside its transaction, so CPU work never holds
 * the document lock, and a writer that got in meanwhile is merged, not overwritten.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStorage } from "./open.ts";
import type { Storage } from "./storage.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

describe.runIf(adminUrl)("the document log on a pool of one connection", () => {
	let database: TestDatabase;
	let storage: Storage;

	beforeAll(async () => {
		database = await createTestDatabase(adminUrl ?? "");
		// One connection: anything queued on the pool runs only when no transaction holds it.
		storage = await openStorage({ databaseUrl: database.url, maxConnections: 1 });
	}, 120_000);
	afterAll(async () => {
		await storage?.close();
		await database?.drop();
	});

	it("merges outside the transaction: a write queued during the merge goes first and is merged in", async () => {
		const name = "draft/acme/liveness";
		await storage.compactDocument(name, new Uint8Array([1]), []);
		const [logged] = await storage.appendUpdates([{ name, update: new Uint8Array([2]) }]);
		const merges: number[][] = [];
		let during: Promise<unknown> | null = null;
		await storage.compactDocument(name, new Uint8Array([3]), [logged ?? 0], (stored, fresh) => {
			merges.push([...stored]);
			// Another writer, queued on the one pooled connection while this merge runs. Had
			// the merge run inside the transaction, the connection would be taken and this
			// write would wait for the commit, then overwrite it.
			during ??= Promise.all([
				storage.appendUpdates([{ name, update: new Uint8Array([4]) }]),
				storage.compactDocument(name, new Uint8Array([5]), []),
			]);
			return new Uint8Array([...stored, ...fresh]);
		});
		await during;
		// The first merge saw [1]; the other compaction replaced it with [5] first, so the
		// merge ran again on [5]: nothing the other writer stored was lost.
		expect(merges).toEqual([[1], [5]]);
		const loaded = await storage.loadDocument(name);
		expect(loaded.snapshot).toEqual(new Uint8Array([5, 3]));
		// The compacted entry is gone; the one appended meanwhile stays in the log.
		expect(loaded.updates).toEqual([new Uint8Array([4])]);
	}, 120_000);
});
