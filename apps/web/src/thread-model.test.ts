import type { ThreadMessage } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { mention } from "./test-fixtures.ts";
import { threadItems } from "./thread-model.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute)).toISOString();
const message = (i: number, fromOrganisation = i % 2 === 1): ThreadMessage => ({
	externalId: `m${i}`,
	handle: fromOrganisation ? "acme" : "customer",
	fromOrganisation,
	text: `message ${i}`,
	postedAt: at(i + 1),
});
const longThread = (count: number) => Array.from({ length: count }, (_, i) => message(i));

describe("the conversation's thread", () => {
	it("lists the mention and its messages in posted order", () => {
		const earlier: ThreadMessage = { ...message(90), postedAt: at(-5) };
		const m = mention("a", { postedAt: at(0), thread: [earlier, message(0), message(1)] });
		const items = threadItems(m, new Set(), []);
		expect(items.map((item) => item.text)).toEqual([
			"message 90",
			m.text,
			"message 0",
			"message 1",
		]);
		expect(items.map((item) => item.isMention)).toEqual([false, true, false, false]);
	});

	it("keeps every row shown when a follow-up joins a long thread, and adds one", () => {
		const before = mention("a", { postedAt: at(0), thread: longThread(300) });
		const shown = threadItems(before, new Set(), []);
		// The board sends the conversation again, as a new object, with one message more.
		const after = { ...before, thread: [...before.thread, message(300, false)] };
		const next = threadItems(after, new Set(["id:m300"]), shown);
		expect(next).toHaveLength(302);
		const kept = next.filter((item) => shown.includes(item));
		expect(kept).toHaveLength(301);
		expect(next.at(-1)).toMatchObject({ text: "message 300", isNew: true });
	});

	it("draws a message again when what it shows changed", () => {
		const before = mention("a", { postedAt: at(0), thread: [message(0), message(1)] });
		const shown = threadItems(before, new Set(), []);
		const next = threadItems(before, new Set(["id:m0"]), shown);
		expect(next[1]).not.toBe(shown[1]);
		expect(next[1]?.isNew).toBe(true);
		expect(next[2]).toBe(shown[2]);
		expect(next[0]).toBe(shown[0]);
	});
});
