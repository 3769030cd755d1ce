import { describe, expect, it } from "vitest";
import { holdFocus } from "./focus.ts";

/** A page whose elements record focus as Chromium moves it: a removed element loses it. */
function page() {
	const body = { isConnected: true, focus() {} };
	const doc = { activeElement: body as unknown, body };
	const element = (name: string) => {
		const el = {
			name,
			isConnected: true,
			focus() {
				doc.activeElement = el;
			},
			remove() {
				el.isConnected = false;
				if (doc.activeElement === el) doc.activeElement = body;
			},
		};
		return el;
	};
	return { doc, body, element };
}

describe("holdFocus", () => {
	it("gives focus lost to the page back to the button, or to the result when given", () => {
		const { doc, body, element } = page();
		const button = element("Invite");
		const status = element("1 invitation made.");
		button.focus();
		const back = holdFocus(doc);
		doc.activeElement = body; // disabled while busy
		expect(back()).toBe(true);
		expect(doc.activeElement).toBe(button);

		const toResult = holdFocus(doc);
		doc.activeElement = body;
		expect(toResult(status)).toBe(true);
		expect(doc.activeElement).toBe(status);
	});

	it("moves focus from a button still focused (an answer quicker than a frame) to the result", () => {
		const { doc, element } = page();
		const button = element("Password reset link");
		const link = element("Reset link");
		button.focus();
		const after = holdFocus(doc);
		expect(after(link)).toBe(true);
		expect(doc.activeElement).toBe(link);
	});

	it("moves focus on from a removed row, but leaves focus the person moved elsewhere", () => {
		const { doc, element } = page();
		const withdraw = element("Withdraw");
		const next = element("Withdraw the next");
		const search = element("Search");
		withdraw.focus();
		const after = holdFocus(doc);
		withdraw.remove();
		expect(after()).toBe(false); // nothing to go back to
		expect(after(next)).toBe(true);
		expect(doc.activeElement).toBe(next);

		const meanwhile = holdFocus(doc);
		search.focus();
		expect(meanwhile(next)).toBe(false);
		expect(doc.activeElement).toBe(search);
	});
});
