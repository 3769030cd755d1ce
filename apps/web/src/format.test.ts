import { describe, expect, it } from "vitest";
import { compareText, formatRelative, parseList, prepareFormats, urlProblem } from "./format.ts";

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

	it("names a URL typed without its scheme at the field, not in the server's schema words", () => {
		// As a phone's address bar shows a page: the server answered "url: Invalid URL: Received …".
		expect(urlProblem("forum.example/t/123#reply", "The link", false)).toBe(
			"The link must be the whole address, starting with https:// (copy it from the browser's address bar).",
		);
		expect(urlProblem("  https://forum.example/t/123#reply ", "The link", false)).toBeUndefined();
		// Any URL the server takes is a reply's link; a feed or an instance is http(s).
		expect(
			urlProblem("at://jo.bsky.social/app.bsky.feed.post/3k2a", "The link", false),
		).toBeUndefined();
		expect(urlProblem("ftp://files.example/feed.xml", "The feed's URL")).toBe(
			"The feed's URL must be a web address, starting with https:// or http://.",
		);
		expect(urlProblem("mastodon.social", "The instance URL")).toMatch(/starting with https:\/\//);
		expect(urlProblem("https://mastodon.social")).toBeUndefined();
		expect(urlProblem("https:// mastodon.social")).toMatch(/has a space in it/);
	});
});
