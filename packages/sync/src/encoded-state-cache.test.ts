import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	attachEncodedStateCache,
	derivedFromState,
	encodedStateOf,
} from "./encoded-state-cache.ts";

function board(cards: number): Y.Doc {
	const doc = new Y.Doc();
	const mentions = doc.getMap("mentions");
	for (let i = 0; i < cards; i++) mentions.set(`m${i}`, { text: `mention ${i}`, status: "new" });
	return doc;
}

describe("EncodedStateCache", () => {
	it("serves the same encoding until the document changes, then the new state", () => {
		const doc = board(100);
		const cache = attachEncodedStateCache(doc, { minBytes: 0 });
		const first = encodedStateOf(doc);
		expect(first).toEqual(Y.encodeStateAsUpdate(doc));
		expect(encodedStateOf(doc)).toBe(first);
		expect(cache.counts).toEqual({ encoded: 1, served: 1 });

		doc.getMap("mentions").set("m1", { text: "mention 1", status: "claimed" });
		const second = encodedStateOf(doc);
		expect(second).not.toBe(first);
		expect(second).toEqual(Y.encodeStateAsUpdate(doc));
		const client = new Y.Doc();
		Y.applyUpdate(client, second);
		expect(client.getMap("mentions").get("m1")).toEqual({ text: "mention 1", status: "claimed" });
	});

	it("keeps its encoding after a transaction that changes nothing", () => {
		const doc = board(10);
		attachEncodedStateCache(doc, { minBytes: 0 });
		const first = encodedStateOf(doc);
		doc.transact(() => {});
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(doc));
		expect(encodedStateOf(doc)).toBe(first);
	});

	it("follows deletions and remote updates", () => {
		const doc = board(10);
		attachEncodedStateCache(doc, { minBytes: 0 });
		encodedStateOf(doc);
		doc.getMap("mentions").delete("m2");
		expect(encodedStateOf(doc)).toEqual(Y.encodeStateAsUpdate(doc));
		const remote = new Y.Doc();
		remote.getText("notes").insert(0, "hello");
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote));
		expect(encodedStateOf(doc)).toEqual(Y.encodeStateAsUpdate(doc));
	});

	it("never serves a kept encoding while an update waits for a missing dependency", () => {
		const doc = board(10);
		attachEncodedStateCache(doc, { minBytes: 0 });
		const before = encodedStateOf(doc);
		const remote = new Y.Doc();
		const text = remote.getText("notes");
		text.insert(0, "a");
		const missing = Y.encodeStateAsUpdate(remote);
		const vector = Y.encodeStateVector(remote);
		text.insert(1, "b");
		// Only the second edit: Yjs keeps it pending, without an "update" event.
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, vector));
		expect(doc.store.pendingStructs).not.toBeNull();
		const pending = encodedStateOf(doc);
		expect(pending).not.toBe(before);
		expect(pending).toEqual(Y.encodeStateAsUpdate(doc));
		Y.applyUpdate(doc, missing);
		expect(doc.getText("notes").toString()).toBe("ab");
		expect(encodedStateOf(doc)).toEqual(Y.encodeStateAsUpdate(doc));
	});

	it("keeps nothing for a document smaller than minBytes", () => {
		const doc = board(10);
		const cache = attachEncodedStateCache(doc, { minBytes: 1024 * 1024 });
		const first = encodedStateOf(doc);
		expect(encodedStateOf(doc)).not.toBe(first);
		expect(cache.counts).toEqual({ encoded: 2, served: 0 });
	});

	it("makes a value from the state once per version and key, and again after a change", () => {
		const doc = board(20);
		attachEncodedStateCache(doc, { minBytes: 0 });
		const made: string[] = [];
		const sizeOf = (key: string) =>
			derivedFromState(doc, key, (state) => {
				made.push(key);
				return { bytes: state.byteLength };
			});
		const first = sizeOf("a");
		expect(sizeOf("a")).toBe(first);
		expect(sizeOf("b")).not.toBe(first);
		expect(first.bytes).toBe(Y.encodeStateAsUpdate(doc).byteLength);
		expect(made).toEqual(["a", "b"]);

		doc.getMap("mentions").set("m21", { text: "a longer mention than the others", status: "new" });
		const second = sizeOf("a");
		expect(second.bytes).toBe(Y.encodeStateAsUpdate(doc).byteLength);
		expect(second.bytes).toBeGreaterThan(first.bytes);
		expect(made).toEqual(["a", "b", "a"]);
	});

	it("makes the value every time when the state is not kept", () => {
		const small = board(5);
		attachEncodedStateCache(small, { minBytes: 1024 * 1024 });
		const bare = board(5);
		for (const doc of [small, bare]) {
			let made = 0;
			derivedFromState(doc, "a", () => made++);
			derivedFromState(doc, "a", () => made++);
			expect(made).toBe(2);
		}
	});

	it("encodes as Yjs does for a document without a cache", () => {
		const doc = board(5);
		expect(encodedStateOf(doc)).toEqual(Y.encodeStateAsUpdate(doc));
	});
});
