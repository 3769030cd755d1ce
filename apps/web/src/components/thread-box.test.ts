import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { trackThreadBox } from "./thread-box.ts";

/**
 * Just enough of an `<ol>` for trackThreadBox: the sizes the browser would lay out, its
 * attributes, its listeners, and the observers the box is watched through.
 */
function fakeThread() {
	const attributes = new Map<string, string>();
	const listeners = new Map<string, () => void>();
	const observers: (() => void)[] = [];
	const box = {
		overflowY: "auto",
		scrollTop: 0,
		clientHeight: 300,
		scrollHeight: 300,
		set tabIndex(value: number) {
			attributes.set("tabindex", String(value));
		},
		getAttribute: (name: string) => attributes.get(name) ?? null,
		removeAttribute: (name: string) => attributes.delete(name),
		toggleAttribute: (name: string, on: boolean) =>
			on ? attributes.set(name, "") : attributes.delete(name),
		addEventListener: (type: string, listener: () => void) => listeners.set(type, listener),
		removeEventListener: (type: string) => listeners.delete(type),
	};
	const page = { activeElement: null as unknown };
	class Observer {
		constructor(callback: () => void) {
			observers.push(callback);
		}
		observe() {}
		disconnect() {}
	}
	vi.stubGlobal("ResizeObserver", Observer);
	vi.stubGlobal("MutationObserver", Observer);
	vi.stubGlobal("getComputedStyle", () => ({ overflowY: box.overflowY }));
	vi.stubGlobal("document", page);
	const dispose = createRoot((dispose) => {
		trackThreadBox(box as unknown as HTMLElement);
		return dispose;
	});
	return {
		box,
		page,
		dispose,
		/** What the observers report: the box laid out anew, or messages added. */
		changed: () => {
			for (const callback of observers) callback();
		},
		emit: (type: string) => listeners.get(type)?.(),
		tabStop: () => box.getAttribute("tabindex"),
	};
}

afterEach(() => {
	vi.unstubAllGlobals();
});

describe("the conversation's thread", () => {
	it("is a tab stop only while it scrolls in a box with more messages than it shows", () => {
		const thread = fakeThread();
		// In a box that holds every message: nothing to scroll, no stop.
		thread.changed();
		expect(thread.tabStop()).toBeNull();
		// A follow-up makes it overflow its box: a stop, so a keyboard can scroll it.
		thread.box.scrollHeight = 900;
		thread.changed();
		expect(thread.tabStop()).toBe("0");
		// The screen grows and the box holds them all again: no stop.
		thread.box.clientHeight = 900;
		thread.changed();
		expect(thread.tabStop()).toBeNull();
		// Narrower than 720 px the thread flows in the page: never a stop, however long.
		thread.box.overflowY = "visible";
		thread.box.scrollHeight = 2000;
		thread.box.clientHeight = 2000;
		thread.changed();
		expect(thread.tabStop()).toBeNull();
		thread.dispose();
	});

	it("keeps its stop while it has the focus, and gives it up on leaving", () => {
		const thread = fakeThread();
		thread.box.scrollHeight = 900;
		thread.changed();
		expect(thread.tabStop()).toBe("0");
		// Focused, the box fits its messages again (a wider screen): taking its stop away now
		// would drop the focus on the page's body.
		thread.page.activeElement = thread.box;
		thread.box.clientHeight = 900;
		thread.changed();
		expect(thread.tabStop()).toBe("0");
		thread.page.activeElement = null;
		thread.emit("blur");
		expect(thread.tabStop()).toBeNull();
		thread.dispose();
	});
});
