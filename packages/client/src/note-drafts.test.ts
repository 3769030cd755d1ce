import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearLocalData } from "./local-data.ts";
import { loadNoteDraft, saveNoteDraft } from "./note-drafts.ts";
import { memoryLocalStorage } from "./test-fixtures.ts";

const dana = { id: "dana", orgId: "acme" };
const sam = { id: "sam", orgId: "acme" };

describe("notes typed and not added", () => {
	let restore: () => void = () => {};
	beforeEach(() => {
		restore = memoryLocalStorage();
	});
	afterEach(() => restore());

	it("are kept per member and conversation, forgotten when blank, and cleared with the member's local data", async () => {
		saveNoteDraft(dana, "m1", "Check the order first");
		saveNoteDraft(dana, "m2", "Ask Sam");
		saveNoteDraft(sam, "m1", "Sam's own");
		expect(loadNoteDraft(dana, "m1")).toBe("Check the order first");
		expect(loadNoteDraft(sam, "m1")).toBe("Sam's own");
		saveNoteDraft(dana, "m2", "  ");
		expect(loadNoteDraft(dana, "m2")).toBe("");

		await clearLocalData(dana);
		expect(loadNoteDraft(dana, "m1")).toBe("");
		// Another member's on this device stay.
		expect(loadNoteDraft(sam, "m1")).toBe("Sam's own");
	});
});
