import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	authorshipShares,
	draftAuthorship,
	readDraftWriters,
	registerDraftWriter,
	trackDraftWriter,
} from "./draft-authorship.ts";
import { draftRoots, draftText, readDraftMeta } from "./draft-doc.ts";

/** Two peers that exchange every update at once, as a draft's members do through the server. */
function pair(): [Y.Doc, Y.Doc] {
	const a = new Y.Doc();
	const b = new Y.Doc();
	a.on("update", (update: Uint8Array, origin: unknown) => {
		if (origin !== b) Y.applyUpdate(b, update, a);
	});
	b.on("update", (update: Uint8Array, origin: unknown) => {
		if (origin !== a) Y.applyUpdate(a, update, b);
	});
	return [a, b];
}

/** A `pair()` whose clients say who writes: the first doc is `first`'s, the second `second`'s. */
function writers(first: string, second: string): [Y.Doc, Y.Doc, () => void] {
	const [a, b] = pair();
	const stopFirst = trackDraftWriter(a, first);
	const stopSecond = trackDraftWriter(b, second);
	return [
		a,
		b,
		() => {
			stopFirst();
			stopSecond();
		},
	];
}

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe("who wrote which part of a draft", () => {
	it("attributes each run of the text to the member whose client wrote it", async () => {
		const [dana, sam, stopTracking] = writers("dana", "sam");
		draftRoots(dana).body.insert(0, "Hi there, ");
		await tick();
		draftRoots(sam).body.insert(10, "sorry for the wait.");
		await tick();
		// Dana edits inside Sam's part: the run splits.
		draftRoots(dana).body.insert(16, "long ");
		await tick();

		expect(draftText(sam)).toBe("Hi there, sorry long for the wait.");
		for (const doc of [dana, sam]) {
			expect(draftAuthorship(doc)).toEqual([
				{ text: "Hi there, ", memberId: "dana" },
				{ text: "sorry ", memberId: "sam" },
				{ text: "long ", memberId: "dana" },
				{ text: "for the wait.", memberId: "sam" },
			]);
		}
		expect(authorshipShares(draftAuthorship(sam))).toEqual(
			new Map([
				["dana", 15],
				["sam", 19],
			]),
		);
		stopTracking();
	});

	it("shows no deleted text and keeps what survives with its writer", async () => {
		const [dana, sam] = writers("dana", "sam");
		draftRoots(dana).body.insert(0, "Hello world");
		await tick();
		draftRoots(sam).body.delete(5, 6);
		draftRoots(sam).body.insert(5, "!");
		await tick();
		expect(draftAuthorship(dana)).toEqual([
			{ text: "Hello", memberId: "dana" },
			{ text: "!", memberId: "sam" },
		]);
	});

	it("registers a writer on its first local edit only, not for reading or remote text", async () => {
		const [writer, reader] = writers("writer", "reader");
		draftRoots(writer).body.insert(0, "Text from elsewhere.");
		await tick();
		expect([...readDraftWriters(reader).values()]).toEqual(["writer"]);
		// The writer map is not part of the draft's meta fields (template, checklist).
		expect(readDraftMeta(reader)).toEqual({ template: null, checklist: {} });
	});

	it("leaves text of a client that never said who it is unattributed", () => {
		const doc = new Y.Doc();
		draftRoots(doc).body.insert(0, "Anonymous. ");
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
		registerDraftWriter(other, "kim");
		draftRoots(other).body.insert(11, "Kim's.");
		expect(draftAuthorship(other)).toEqual([
			{ text: "Anonymous. ", memberId: null },
			{ text: "Kim's.", memberId: "kim" },
		]);
	});
});
