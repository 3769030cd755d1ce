import type { ThreadMessage } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { mention } from "./test-fixtures.ts";
import { shownThread, THREAD_TAIL, threadItems, threadStart } from "./thread-model.ts";

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

	it("gives the mention its detected language and the thread's messages none of their own", () => {
		const m = mention("a", { postedAt: at(0), language: "fr", thread: [message(0), message(1)] });
		const items = threadItems(m, new Set(), []);
		expect(items.map((item) => item.language)).toEqual(["fr", undefined, undefined]);
		// A language detected later is a change of the row, not the same row kept.
		const again = threadItems({ ...m, language: "de" }, new Set(), items);
		expect(again[0]).not.toBe(items[0]);
		expect(again[0]?.language).toBe("de");
		expect(again[1]).toBe(items[1]);
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

	it("opens a long thread on its first row and its latest, and adds what comes after them", () => {
		const m = mention("a", { postedAt: at(0), thread: longThread(300) });
		const items = threadItems(m, new Set(), []);
		const start = threadStart(items);
		const { first, rest, hidden } = shownThread(items, start);
		expect(first.map((item) => item.isMention)).toEqual([true]);
		expect(rest).toHaveLength(THREAD_TAIL);
		expect(rest.at(-1)?.text).toBe("message 299");
		expect(hidden).toBe(301 - 1 - THREAD_TAIL);
		// A follow-up joins the latest rows; the rows left out stay left out.
		const after = threadItems(
			{ ...m, thread: [...m.thread, message(300, false)] },
			new Set(),
			items,
		);
		expect(shownThread(after, start)).toMatchObject({ hidden, rest: { length: THREAD_TAIL + 1 } });
		// Asked for, the whole thread.
		expect(shownThread(after, null)).toMatchObject({ hidden: 0, rest: { length: 301 } });
	});

	it("draws a short thread whole, and a long one from its first new follow-up when that is earlier", () => {
		const short = threadItems(
			mention("a", { postedAt: at(0), thread: longThread(THREAD_TAIL) }),
			new Set(),
			[],
		);
		expect(threadStart(short)).toBeNull();
		const m = mention("b", { postedAt: at(0), thread: longThread(100) });
		const newKeys = new Set(m.thread.slice(20).map((message) => `id:${message.externalId}`));
		const items = threadItems(m, newKeys, []);
		const { rest, hidden } = shownThread(items, threadStart(items));
		expect(rest[0]).toMatchObject({ text: "message 20", isNew: true });
		expect(hidden).toBe(20);
		// A start no longer in the thread shows it whole.
		expect(shownThread(items, "id:gone").hidden).toBe(0);
	});
});
