/**
 * The document log's part of the contract suite: appends, loads, compaction and
 * snapshots of Yjs documents' update logs. Run by `storageContract` on PGlite and on PostgreSQL alike;
 * each test makes its own organisation with fresh ids, so tests do not see each other's rows.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DocumentLog } from "./storage.ts";
import { unique } from "./test-fixtures.ts";

export function documentLogContract(portOf: () => DocumentLog): void {
	describe("document log", () => {
		const bytes = (...values: number[]) => new Uint8Array(values);

		/** Append to one document; the log ids in order. */
		function append(name: string, ...updates: Uint8Array[]) {
			return portOf().appendUpdates(updates.map((update) => ({ name, update })));
		}

		it("appends across documents in one batch and loads each in order", async () => {
			const storage = portOf();
			const board = `board/${unique("org")}/main`;
			const draft = `draft/${unique("org")}/m1`;
			expect(await storage.loadDocument(board)).toEqual({
				snapshot: null,
				updates: [],
				updateIds: [],
				lastUpdateId: 0,
			});
			expect(await storage.appendUpdates([])).toEqual([]);

			const ids = await storage.appendUpdates([
				{ name: board, update: bytes(1) },
				{ name: draft, update: bytes(9) },
				{ name: board, update: bytes(2, 2) },
			]);
			expect(ids).toHaveLength(3);
			expect([...ids].sort((a, b) => a - b)).toEqual(ids);
			const [first = 0, other = 0, second = 0] = ids;

			expect(await storage.loadDocument(board)).toEqual({
				snapshot: null,
				updates: [bytes(1), bytes(2, 2)],
				updateIds: [first, second],
				lastUpdateId: second,
			});
			expect(await storage.loadDocument(draft)).toMatchObject({
				updates: [bytes(9)],
				updateIds: [other],
			});
		});

		it("compacts exactly the entries named, keeping the others", async () => {
			const storage = portOf();
			const name = `draft/${unique("org")}/m2`;
			const [a = 0, , c = 0] = await append(name, bytes(1), bytes(2), bytes(3));
			// Entry 2 is not in this snapshot (say, it arrived while it was taken): it stays.
			await storage.compactDocument(name, bytes(1, 3), [a, c]);
			const loaded = await storage.loadDocument(name);
			expect(loaded.snapshot).toEqual(bytes(1, 3));
			expect(loaded.updates).toEqual([bytes(2)]);

			await storage.compactDocument(name, bytes(1, 2, 3), loaded.updateIds);
			expect(await storage.loadDocument(name)).toMatchObject({
				snapshot: bytes(1, 2, 3),
				updates: [],
			});
		});

		it("merges the stored snapshot with the new one when given a merge", async () => {
			const storage = portOf();
			const name = `draft/${unique("org")}/m3`;
			await storage.compactDocument(name, bytes(1), []);
			await storage.compactDocument(name, bytes(2), [], (stored, fresh) =>
				Uint8Array.from([...stored, ...fresh]),
			);
			expect((await storage.loadDocument(name)).snapshot).toEqual(bytes(1, 2));
		});

		it("with the md5 of the snapshot the caller holds, replaces that one unmerged and merges any other", async () => {
			const storage = portOf();
			const name = `board/${unique("org")}/main`;
			const md5 = (snapshot: Uint8Array) => createHash("md5").update(snapshot).digest("hex");
			const merged: number[][] = [];
			const merge = (stored: Uint8Array, fresh: Uint8Array) => {
				merged.push([...stored]);
				return Uint8Array.from([...stored, ...fresh]);
			};
			// Nothing stored yet: the snapshot is written as it is.
			await storage.compactDocument(name, bytes(1), [], merge, md5(bytes(2)));
			// Over the snapshot it holds, unchanged: stays as it is, the entries named go.
			const [logged = 0, kept = 0] = await append(name, bytes(7), bytes(8));
			await storage.compactDocument(name, bytes(1), [logged], merge, md5(bytes(1)));
			expect(await storage.loadDocument(name)).toMatchObject({
				snapshot: bytes(1),
				updateIds: [kept],
			});
			// Over the snapshot it holds, a newer state of its own: replaces it.
			await storage.compactDocument(name, bytes(1, 2), [kept], merge, md5(bytes(1)));
			expect(merged).toEqual([]);
			expect(await storage.loadDocument(name)).toMatchObject({
				snapshot: bytes(1, 2),
				updates: [],
			});
			// The stored snapshot changed since (another instance compacted): merged, not lost.
			await storage.compactDocument(name, bytes(3), [], merge, md5(bytes(1)));
			expect(merged).toEqual([[1, 2]]);
			expect((await storage.loadDocument(name)).snapshot).toEqual(bytes(1, 2, 3));
		});

		it("stores a snapshot up to an id, keeping entries appended after it", async () => {
			const storage = portOf();
			const name = `board/${unique("org")}/main`;
			await append(name, bytes(1), bytes(2, 2));
			await append(name, bytes(3));
			const loaded = await storage.loadDocument(name);
			expect(loaded.updates).toEqual([bytes(1), bytes(2, 2), bytes(3)]);

			// An entry appended after the load is not in the snapshot and must survive it.
			const [later = 0] = await append(name, bytes(4));
			await storage.storeSnapshot(name, bytes(1, 2, 3), loaded.lastUpdateId);
			expect(await storage.loadDocument(name)).toEqual({
				snapshot: bytes(1, 2, 3),
				updates: [bytes(4)],
				updateIds: [later],
				lastUpdateId: later,
			});
		});

		it("never lets an older snapshot replace a newer one", async () => {
			const storage = portOf();
			const name = `draft/${unique("org")}/m1`;
			await append(name, bytes(1));
			const early = await storage.loadDocument(name);
			await append(name, bytes(2));
			const late = await storage.loadDocument(name);

			await storage.storeSnapshot(name, bytes(1, 2), late.lastUpdateId);
			await storage.storeSnapshot(name, bytes(1), early.lastUpdateId);
			expect(await storage.loadDocument(name)).toEqual({
				snapshot: bytes(1, 2),
				updates: [],
				updateIds: [],
				lastUpdateId: late.lastUpdateId,
			});
		});
	});
}
