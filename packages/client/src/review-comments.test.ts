import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearLocalData } from "./local-data.ts";
import { loadNoteDraft, saveNoteDraft } from "./note-drafts.ts";
import { keptReviewComments, loadReviewComment, saveReviewComment } from "./review-comments.ts";

const dana = { id: "dana", orgId: "acme" };
const sam = { id: "sam", orgId: "acme" };

describe("review comments typed and not sent", () => {
	const own = typeof globalThis.localStorage === "undefined";
	beforeEach(() => {
		if (!own) return;
		const items = new Map<string, string>();
		globalThis.localStorage = {
			get length() {
				return items.size;
			},
			clear: () => items.clear(),
			getItem: (key: string) => items.get(key) ?? null,
			key: (index: number) => [...items.keys()][index] ?? null,
			removeItem: (key: string) => void items.delete(key),
			setItem: (key: string, value: string) => void items.set(key, String(value)),
		};
	});
	afterEach(() => {
		if (own) Reflect.deleteProperty(globalThis, "localStorage");
		else globalThis.localStorage.clear();
	});

	it("are kept per member and conversation apart from notes, listed, and cleared with the member's local data", async () => {
		saveReviewComment(dana, "m1", "Say sorry first");
		saveReviewComment(dana, "m2", "Shorter");
		saveReviewComment(sam, "m1", "Sam's own");
		saveNoteDraft(dana, "m1", "A note, not a comment");
		expect(loadReviewComment(dana, "m1")).toBe("Say sorry first");
		expect(loadNoteDraft(dana, "m1")).toBe("A note, not a comment");
		expect(keptReviewComments(dana).sort()).toEqual(["m1", "m2"]);
		saveReviewComment(dana, "m2", " ");
		expect(keptReviewComments(dana)).toEqual(["m1"]);

		await clearLocalData(dana);
		expect(loadReviewComment(dana, "m1")).toBe("");
		expect(keptReviewComments(dana)).toEqual([]);
		expect(loadReviewComment(sam, "m1")).toBe("Sam's own");
	});
});
