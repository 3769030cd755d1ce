import { describe, expect, it } from "vitest";
import { compareText, formatRelative, parseList, prepareFormats } from "./format.ts";

const now = Date.parse("2026-11-26T12:00:00Z");

describe("format", () => {
	it("sorts words as a reader does, accents and case aside, however early it is prepared", () => {
		const tags = ["zebra", "éclair", "Apple", "billing"];
		// Code units would put "éclair" last and "Apple" before every lower-case word.
		expect([...tags].sort(compareText)).toEqual(["Apple", "billing", "éclair", "zebra"]);
		prepareFormats();
		expect([...tags].sort(compareText)).toEqual(["Apple", "billing", "éclair", "zebra"]);
	});

	it("says how far a moment is from now, either way", () => {
		expect(formatRelative("2026-11-26T11:48:00Z", now)).toBe("12 min ago");
		expect(formatRelative("2026-11-26T15:05:00Z", now)).toBe("in 3 h 5 min");
		expect(formatRelative("2026-11-26T11:59:40Z", now)).toBe("just now");
	});

	it("reads a moment on the wrong side of now as now when the tense is known", () => {
		// A poll recorded a few seconds after the page's clock last ticked.
		expect(formatRelative("2026-11-26T12:00:05Z", now, "past")).toBe("just now");
		// A retry that was due a moment ago.
		expect(formatRelative("2026-11-26T11:59:00Z", now, "future")).toBe("now");
		expect(formatRelative("2026-11-26T12:00:30Z", now, "future")).toBe("in under a minute");
	});

	it("splits a typed list on commas and lines", () => {
		expect(parseList(" outage, not working\nrefund,, ")).toEqual([
			"outage",
			"not working",
			"refund",
		]);
		expect(parseList("   ")).toEqual([]);
	});
});
