import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearLocalData } from "./local-data.ts";
import { loadNoteDraft, saveNoteDraft } from "./note-drafts.ts";

const dana = { id: "dana", orgId: "acme" };
const sam = { id: "sam", orgId: "acme" };

describe("notes typed and not added", () => {
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
