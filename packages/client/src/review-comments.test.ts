import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearLocalData } from "./local-data.ts";
import { loadNoteDraft, saveNoteDraft } from "./note-drafts.ts";
import { keptReviewComments, loadReviewComment, saveReviewComment } from "./review-comments.ts";
import { memoryLocalStorage } from "./test-fixtures.ts";

const dana = { id: "dana", orgId: "acme" };
const sam = { id: "sam", orgId: "acme" };

describe("review comments typed and not sent", () => {
	let restore: () => void = () => {};
	beforeEach(() => {
		restore = memoryLocalStorage();
	});
	afterEach(() => restore());

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
