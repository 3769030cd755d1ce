import { describe, expect, it } from "vitest";
import { findInvalidText, isInvalidText } from "./text.ts";

describe("invalid text", () => {
	it("finds NUL characters and lone surrogates, not valid pairs", () => {
		expect(isInvalidText("plain, ümlaut, 日本")).toBe(false);
		expect(isInvalidText("emoji 😀 pair")).toBe(false);
		expect(isInvalidText("a\u0000b")).toBe(true);
		expect(isInvalidText("lone \uD83D high")).toBe(true);
		expect(isInvalidText("lone \uDE00 low")).toBe(true);
		expect(isInvalidText("\uD83D")).toBe(true);
	});

	it("names the first field that holds it, keys included", () => {
		expect(findInvalidText({ a: "ok", b: [1, "x", { c: "bad\u0000" }] })).toBe("b.2.c");
		expect(findInvalidText({ "k\u0000": 1 })).toBe("k\u0000");
		expect(findInvalidText("\u0000")).toBe("");
		expect(findInvalidText({ a: ["fine"], n: null, t: true })).toBeNull();
	});

	it("walks values nested deeper than the call stack", () => {
		const deep = JSON.parse(`${"[".repeat(100_000)}"\\u0000"${"]".repeat(100_000)}`);
		expect(findInvalidText(deep)).toMatch(/^0(\.0)*$/);
	});
});
