import * as prng from "lib0/prng";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	compactDuplicates,
	deleteEntry,
	type KeyedEntry,
	KeyedListView,
	type KeyedValue,
	readEntry,
	readKeyed,
	setEntries,
	setEntry,
} from "./keyed-list.ts";
import { TestNetwork } from "./test-fixtures.ts";

type Value = { label: string };

function list(doc: Y.Doc): Y.Array<KeyedEntry<Value>> {
	return doc.getArray<KeyedEntry<Value>>("list");
}

function plain(map: Map<string, KeyedValue<Value>>): Record<string, [number, string]> {
	const out: Record<string, [number, string]> = {};
	for (const [key, { rev, v }] of [...map].sort(([a], [b]) => a.localeCompare(b))) {
		out[key] = [rev, v.label];
	}
	return out;
}

describe("keyed list", () => {
	it("replaces an entry with a newer revision and keeps one element per key", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		expect(setEntry(yarray, "a", 1, { label: "one" })).toBe(true);
		expect(setEntry(yarray, "b", 1, { label: "bee" })).toBe(true);
		for (let rev = 2; rev <= 200; rev++) setEntry(yarray, "a", rev, { label: `v${rev}` });
		expect(yarray.length).toBe(2);
		expect(plain(readKeyed(yarray))).toEqual({ a: [200, "v200"], b: [1, "bee"] });
		expect(readEntry(yarray, "a")).toMatchObject({ rev: 200, v: { label: "v200" } });
		expect(readEntry(yarray, "missing")).toBeUndefined();
	});

	it("keeps a large list's encoded size bounded by its live entries under churn", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		const keys = 2000;
		const revs = new Array<number>(keys).fill(1);
		setEntries(
			yarray,
			revs.map((rev, i) => ({ key: `k${i}`, rev, value: { label: `k${i}@1` } })),
		);
		const fresh = Y.encodeStateAsUpdate(doc).length;
		const gen = prng.create(7);
		for (let change = 0; change < 50_000; change++) {
			const i = prng.int32(gen, 0, keys - 1);
			revs[i] = (revs[i] as number) + 1;
			setEntry(yarray, `k${i}`, revs[i] as number, { label: `k${i}@${revs[i]}` });
		}
		expect(yarray.length).toBe(keys);
		expect(Y.encodeStateAsUpdate(doc).length).toBeLessThan(fresh * 2);
		const view = readKeyed(yarray);
		expect(view.size).toBe(keys);
		for (const [i, rev] of revs.entries()) expect(view.get(`k${i}`)?.rev).toBe(rev);
	});

	it("appends in runs of at most 256 entries that a delete splits cheaply, read the same elsewhere", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		setEntries(
			yarray,
			Array.from({ length: 600 }, (_, i) => ({
				key: `k${i}`,
				rev: 1,
				value: { label: `k${i}@1` },
			})),
		);
		// Oldest first: each change deletes the first live entry and appends after the last,
		// the order in which one run would hold every live entry.
		for (let change = 0; change < 3000; change++) {
			const i = change % 600;
			setEntry(yarray, `k${i}`, 2 + Math.floor(change / 600), { label: `k${i}@${change}` });
		}
		const live: Y.Item[] = [];
		for (let item = yarray._start; item !== null; item = item.right) {
			if (!item.deleted) live.push(item);
		}
		expect(live.reduce((n, item) => n + item.length, 0)).toBe(600);
		expect(Math.max(...live.map((item) => item.length))).toBeLessThanOrEqual(256);
		// Entries are JSON; a deleted element closes each full run, so Yjs never merges two.
		for (const item of live) expect(item.content.constructor).toBe(Y.ContentJSON);
		for (const item of live) {
			if (item.right !== null) expect(item.right.deleted).toBe(true);
		}
		// The deleted entries still merge: the history costs a few structs, not one a change.
		expect(doc.store.clients.get(doc.clientID)?.length).toBeLessThan(20);
		// Another document (a client, or a server loading the board) reads the same entries.
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
		expect(list(other).toArray()).toEqual(yarray.toArray());
		expect(plain(readKeyed(list(other)))).toEqual(plain(readKeyed(yarray)));
	});

	it("reads and writes a list written with runs alternating between Any and JSON content", () => {
		// How the list was written from December 2026 until entries were all JSON.
		const old = new Y.Doc();
		const yarray = list(old);
		old.transact((transaction) => {
			let left: Y.Item | null = null;
			for (let run = 0; run < 4; run++) {
				const entries = Array.from({ length: 64 }, (_, j) => {
					const i = run * 64 + j;
					return { k: `k${i}`, rev: 1, v: { label: `k${i}@1` } };
				});
				const content = run % 2 === 0 ? new Y.ContentAny(entries) : new Y.ContentJSON(entries);
				const clock = Y.getState(old.store, old.clientID);
				const item: Y.Item = new Y.Item(
					Y.createID(old.clientID, clock),
					left,
					left?.lastId ?? null,
					null,
					null,
					yarray,
					null,
					content,
				);
				item.integrate(transaction, 0);
				left = item;
			}
		});
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(old));
		const here = list(doc);
		for (let i = 0; i < 256; i += 5) setEntry(here, `k${i}`, 2, { label: `k${i}@2` });
		for (let i = 256; i < 700; i++) setEntry(here, `k${i}`, 1, { label: `k${i}@1` });
		expect(here.length).toBe(700);
		const read = readKeyed(here);
		for (let i = 0; i < 700; i++) {
			expect(read.get(`k${i}`)?.rev).toBe(i < 256 && i % 5 === 0 ? 2 : 1);
		}
		let longest = 0;
		for (let item = here._start; item !== null; item = item.right) {
			if (!item.deleted) longest = Math.max(longest, item.length);
		}
		expect(longest).toBeLessThanOrEqual(256);
		Y.applyUpdate(old, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(old)));
		expect(plain(readKeyed(list(old)))).toEqual(plain(read));
	});

	it("reads and writes a list written before runs were bounded (one ContentAny run)", () => {
		const old = new Y.Doc();
		list(old).push(
			Array.from({ length: 100 }, (_, i) => ({ k: `k${i}`, rev: 1, v: { label: `k${i}@1` } })),
		);
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(old));
		const yarray = list(doc);
		for (let i = 0; i < 100; i += 3) setEntry(yarray, `k${i}`, 2, { label: `k${i}@2` });
		expect(yarray.length).toBe(100);
		const read = readKeyed(yarray);
		for (let i = 0; i < 100; i++) expect(read.get(`k${i}`)?.rev).toBe(i % 3 === 0 ? 2 : 1);
		Y.applyUpdate(old, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(old)));
		expect(plain(readKeyed(list(old)))).toEqual(plain(read));
	});

	it("follows remote writes and the caller's running transaction when deciding a write", () => {
		const here = new Y.Doc();
		const there = new Y.Doc();
		setEntry(list(here), "a", 1, { label: "one" });
		Y.applyUpdate(there, Y.encodeStateAsUpdate(here));
		setEntry(list(there), "a", 9, { label: "nine, elsewhere" });
		Y.applyUpdate(here, Y.encodeStateAsUpdate(there, Y.encodeStateVector(here)));
		// The index saw the remote revision: an older write is refused.
		expect(setEntry(list(here), "a", 5, { label: "five" })).toBe(false);
		expect(readEntry(list(here), "a")?.v.label).toBe("nine, elsewhere");
		here.transact(() => {
			expect(setEntry(list(here), "a", 10, { label: "ten" })).toBe(true);
			expect(setEntry(list(here), "a", 10, { label: "ten again" })).toBe(false);
			expect(readEntry(list(here), "a")?.v.label).toBe("ten");
			expect(deleteEntry(list(here), "a")).toBe(true);
			expect(readEntry(list(here), "a")).toBeUndefined();
			expect(setEntry(list(here), "a", 1, { label: "back" })).toBe(true);
		});
		expect(readEntry(list(here), "a")?.v.label).toBe("back");
		expect(plain(readKeyed(list(here)))).toEqual({ a: [1, "back"] });
	});

	it("skips a write whose revision is not newer, without producing an update", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		setEntry(yarray, "a", 5, { label: "five" });
		let updates = 0;
		doc.on("update", () => updates++);
		expect(setEntry(yarray, "a", 5, { label: "again" })).toBe(false);
		expect(setEntry(yarray, "a", 3, { label: "older" })).toBe(false);
		expect(updates).toBe(0);
		expect(readEntry(yarray, "a")?.v.label).toBe("five");
	});

	it("lets the highest revision win wherever it stands, and the rightmost on a tie", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		yarray.push([
			{ k: "a", rev: 7, v: { label: "seven" } },
			{ k: "a", rev: 5, v: { label: "five, but further right" } },
			{ k: "b", rev: 2, v: { label: "left" } },
			{ k: "b", rev: 2, v: { label: "right" } },
		]);
		expect(plain(readKeyed(yarray))).toEqual({ a: [7, "seven"], b: [2, "right"] });
		expect(readEntry(yarray, "a")?.v.label).toBe("seven");
		expect(readEntry(yarray, "b")?.v.label).toBe("right");
		expect(new KeyedListView(yarray).get("b")?.v.label).toBe("right");
	});

	it("a view follows ties and deletions of the winner by position", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		const view = new KeyedListView(yarray);
		yarray.push([{ k: "a", rev: 5, v: { label: "left" } }]);
		yarray.push([{ k: "a", rev: 5, v: { label: "right" } }]);
		expect(view.get("a")?.v.label).toBe("right");
		yarray.insert(0, [{ k: "a", rev: 5, v: { label: "far left" } }]);
		expect(view.get("a")?.v.label).toBe("right");
		yarray.delete(2, 1);
		expect(view.get("a")?.v.label).toBe("left");
		yarray.delete(1, 1);
		expect(view.get("a")?.v.label).toBe("far left");
		yarray.delete(0, 1);
		expect(view.has("a")).toBe(false);
		expect(view.size).toBe(0);
	});

	it("ignores malformed elements when reading and removes them when compacting", () => {
		const doc = new Y.Doc();
		const yarray = doc.getArray<unknown>("list");
		yarray.push([null, "text", { k: 1, rev: 1, v: {} }, { k: "a", rev: 1, v: { label: "ok" } }]);
		const typed = yarray as Y.Array<KeyedEntry<Value>>;
		expect(plain(readKeyed(typed))).toEqual({ a: [1, "ok"] });
		expect(compactDuplicates(typed)).toBe(3);
		expect(yarray.toArray()).toEqual([{ k: "a", rev: 1, v: { label: "ok" } }]);
	});

	it("deletes every entry of a key", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		yarray.push([
			{ k: "a", rev: 1, v: { label: "x" } },
			{ k: "b", rev: 1, v: { label: "y" } },
			{ k: "a", rev: 2, v: { label: "z" } },
		]);
		expect(deleteEntry(yarray, "a")).toBe(true);
		expect(deleteEntry(yarray, "a")).toBe(false);
		expect(plain(readKeyed(yarray))).toEqual({ b: [1, "y"] });
		expect(yarray.length).toBe(1);
	});

	it("compacts superseded duplicates in runs and keeps the winners", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		yarray.push([
			{ k: "a", rev: 1, v: { label: "a1" } },
			{ k: "a", rev: 2, v: { label: "a2" } },
			{ k: "b", rev: 9, v: { label: "b9" } },
			{ k: "b", rev: 3, v: { label: "b3" } },
			{ k: "c", rev: 1, v: { label: "c1" } },
			{ k: "a", rev: 2, v: { label: "a2 again" } },
		]);
		const before = plain(readKeyed(yarray));
		expect(compactDuplicates(yarray)).toBe(3);
		expect(plain(readKeyed(yarray))).toEqual(before);
		expect(yarray.toArray().map((entry) => entry.v.label)).toEqual(["b9", "c1", "a2 again"]);
		expect(compactDuplicates(yarray)).toBe(0);
	});

	it("writes with the given origin, or joins the caller's transaction", () => {
		const doc = new Y.Doc();
		const yarray = list(doc);
		const origins: unknown[] = [];
		doc.on("update", (_update: Uint8Array, origin: unknown) => origins.push(origin));
		const mine = { source: "local" };
		const outer = { source: "outer" };
		setEntry(yarray, "a", 1, { label: "x" }, mine);
		doc.transact(() => {
			setEntry(yarray, "a", 2, { label: "y" }, mine);
			deleteEntry(yarray, "a", mine);
		}, outer);
		expect(origins).toEqual([mine, outer]);
	});

	it("refuses to write a list that is not part of a document", () => {
		const detached = new Y.Array<KeyedEntry<Value>>();
		expect(() => setEntry(detached, "a", 1, { label: "x" })).toThrow(/part of a Y.Doc/);
	});

	it("two writers and a reading view converge under random delivery, and the view never writes", () => {
		for (let seed = 1; seed <= 20; seed++) {
			const gen = prng.create(seed);
			const writers = [new Y.Doc(), new Y.Doc()];
			const reader = new Y.Doc();
			const network = new TestNetwork([...writers, reader]);
			const view = new KeyedListView(list(reader));
			// Follow the view's change events into a shadow map: they must add up to the view.
			const shadow = new Map<string, KeyedValue<Value>>();
			view.onChange((changes) => {
				for (const { key, after } of changes) {
					if (after) shadow.set(key, after);
					else shadow.delete(key);
				}
			});
			let readerWrites = 0;
			reader.on(
				"update",
				(_update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
					if (tr.local) readerWrites++;
				},
			);
			const revs = new Map<string, number>();
			const deleted = new Set<string>();
			for (let step = 0; step < 150; step++) {
				const writerIndex = prng.int32(gen, 0, writers.length - 1);
				const writer = writers[writerIndex] as Y.Doc;
				const key = prng.oneOf(gen, ["a", "b", "c", "d"]);
				const op = prng.int32(gen, 0, 9);
				if (op < 7) {
					// The "database" hands out revisions; sometimes a writer replays an old one.
					const latest = revs.get(key) ?? 0;
					const rev = op < 2 ? Math.max(1, latest - prng.int32(gen, 0, 1)) : latest + 1;
					revs.set(key, Math.max(rev, revs.get(key) ?? 0));
					// Labels name the writer, so that equal revisions from two writers differ.
					setEntry(list(writer), key, rev, { label: `${key}@${rev} by ${writerIndex}` });
				} else if (op < 8) {
					deleteEntry(list(writer), key);
					deleted.add(key);
				} else {
					compactDuplicates(list(writer));
				}
				const deliveries = prng.int32(gen, 0, 3);
				for (let i = 0; i < deliveries; i++) network.deliverOne(gen);
				expect(plain(view.toMap())).toEqual(plain(readKeyed(list(reader))));
				expect(plain(shadow)).toEqual(plain(view.toMap()));
			}
			network.flush(gen);
			const expected = plain(readKeyed(list(writers[0] as Y.Doc)));
			expect(plain(readKeyed(list(writers[1] as Y.Doc)))).toEqual(expected);
			expect(plain(view.toMap())).toEqual(expected);
			expect(plain(shadow)).toEqual(expected);
			for (const [key, rev] of revs) {
				if (!deleted.has(key)) expect(expected[key]?.[0]).toBe(rev);
			}
			expect(readerWrites).toBe(0);
			expect(Y.decodeStateVector(Y.encodeStateVector(reader)).has(reader.clientID)).toBe(false);
			// Once every writer compacts, one element per key remains everywhere.
			for (const writer of writers) compactDuplicates(list(writer));
			network.flush(gen);
			for (const doc of [...writers, reader]) {
				expect(list(doc).length).toBe(Object.keys(expected).length);
				expect(plain(readKeyed(list(doc)))).toEqual(expected);
			}
			view.destroy();
		}
	});
});
