import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	addNote,
	type DraftNote,
	draftHash,
	draftRoots,
	draftText,
	readDraftMeta,
	readNotes,
	setChecklistItem,
	setDraftTemplate,
} from "./draft-doc.ts";

function exchange(a: Y.Doc, b: Y.Doc): void {
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
}

const note = (id: string, text: string): DraftNote => ({
	id,
	authorId: "dana",
	text,
	at: "2026-01-05T09:00:00.000Z",
	mentions: ["eli"],
});

describe("draftHash", () => {
	it("is SHA-256 of the UTF-8 text, in lowercase hex", () => {
		// FIPS 180-4 test vectors.
		expect(draftHash("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		expect(draftHash("abc")).toBe(
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		);
		expect(draftHash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		);
		// "é" is two bytes in UTF-8: c3 a9.
		expect(draftHash("\u00e9")).toBe(
			"4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c",
		);
		// No normalisation: the same letter composed differently is different text.
		expect(draftHash("\u00e9")).not.toBe(draftHash("e\u0301"));
		expect(draftHash("Thanks!")).toMatch(/^[0-9a-f]{64}$/);
	});
});

describe("draft document", () => {
	it("two people typing at once converge on one text and one hash", () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		draftRoots(a).body.insert(0, "Hello, we are looking into it.");
		exchange(a, b);
		draftRoots(a).body.insert(5, " there");
		draftRoots(b).body.insert(draftRoots(b).body.length, " Thanks for your patience!");
		exchange(a, b);
		expect(draftText(a)).toBe("Hello there, we are looking into it. Thanks for your patience!");
		expect(draftText(b)).toBe(draftText(a));
		expect(draftHash(draftText(b))).toBe(draftHash(draftText(a)));
	});

	it("keeps notes from everyone and drops malformed ones", () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		addNote(a, note("n1", "Check the status page first."));
		addNote(b, note("n2", "@eli can you confirm?"));
		draftRoots(b).notes.push([{ id: "bad" } as unknown as DraftNote]);
		exchange(a, b);
		expect(
			readNotes(a)
				.map((n) => n.id)
				.sort(),
		).toEqual(["n1", "n2"]);
		expect(readNotes(b)).toEqual(readNotes(a));
	});

	it("merges checklist ticks by different people and keeps the chosen template", () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		setDraftTemplate(a, "apology");
		setChecklistItem(a, "tone", true);
		setChecklistItem(b, "links", true);
		exchange(a, b);
		expect(readDraftMeta(b)).toEqual({
			template: "apology",
			checklist: { tone: true, links: true },
		});
		setDraftTemplate(b, null);
		setChecklistItem(b, "tone", false);
		exchange(a, b);
		expect(readDraftMeta(a)).toEqual({ template: null, checklist: { tone: false, links: true } });
	});

	it("passes the origin to the transaction", () => {
		const doc = new Y.Doc();
		const origins: unknown[] = [];
		doc.on("update", (_update: Uint8Array, origin: unknown) => origins.push(origin));
		const mine = { source: "local" };
		addNote(doc, note("n1", "x"), mine);
		setDraftTemplate(doc, "t", mine);
		setChecklistItem(doc, "c", true, mine);
		expect(origins).toEqual([mine, mine, mine]);
	});
});
