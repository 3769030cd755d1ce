import type { Source } from "@switchboard/client";
import { matchesAnyKeyword } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import {
	emptySourceFields,
	fieldsToConfig,
	fieldsToNewSource,
	fieldsToPatch,
	refusalProblems,
	SOURCE_KIND_HINTS,
	sourceFieldProblems,
	sourceToFields,
} from "./source-form.ts";

const rssSource: Source = {
	id: "s1",
	orgId: "acme",
	boardId: "main",
	kind: "rss",
	name: "Status",
	// As the server stores it: with the defaults filled in.
	config: { url: "https://status.example/feed.xml", keywords: ["outage"], intervalSeconds: 300 },
	enabled: true,
	status: { lastError: null, lastPolledAt: null, nextPollAt: null, failures: 0 },
	createdAt: "2026-11-26T08:00:00.000Z",
	updatedAt: "2026-11-26T08:00:00.000Z",
};

describe("source form", () => {
	it("makes each kind's config with its defaults, keywords split on commas", () => {
		const fields = {
			...emptySourceFields("rss"),
			name: "Status",
			feedUrl: " https://s.example/f ",
		};
		expect(fieldsToConfig({ ...fields, keywords: "outage, not working,, " })).toEqual({
			url: "https://s.example/f",
			keywords: ["outage", "not working"],
			intervalSeconds: 300,
		});
		expect(
			fieldsToConfig({
				...emptySourceFields("bluesky"),
				identifier: "acme.bsky.social",
				service: "",
				mentions: false,
				intervalSeconds: "600",
			}),
		).toEqual({
			service: "https://bsky.social",
			identifier: "acme.bsky.social",
			mentions: false,
			keywords: [],
			intervalSeconds: 600,
		});
		expect(fieldsToConfig({ ...emptySourceFields("webhook"), feedUrl: "ignored" })).toEqual({});
	});

	it("sends a credential only for the kinds that have one", () => {
		const mastodon = fieldsToNewSource({
			...emptySourceFields("mastodon"),
			name: "Acme on Mastodon",
			instanceUrl: "https://mastodon.example",
			credential: "token",
		});
		expect(mastodon).toMatchObject({ kind: "mastodon", credential: "token" });
		const webhook = fieldsToNewSource({
			...emptySourceFields("webhook"),
			name: "Hook",
			credential: "x",
		});
		expect(webhook).not.toHaveProperty("credential");
	});

	it("finds what to fix before asking the server, each problem at its field", () => {
		// Nothing typed: the name and the feed's URL, both, for the form to mark and focus the first.
		expect(sourceFieldProblems({ ...emptySourceFields("rss"), name: " " }, true)).toEqual({
			name: "Give the source a name.",
			feedUrl: "Enter the feed's URL.",
		});
		expect(sourceFieldProblems({ ...emptySourceFields("rss"), name: "F" }, true)).toEqual({
			feedUrl: "Enter the feed's URL.",
		});
		const mastodon = {
			...emptySourceFields("mastodon"),
			name: "M",
			instanceUrl: "https://m.example",
		};
		expect(sourceFieldProblems(mastodon, true)).toEqual({
			credential: "Enter the account's access token.",
		});
		// Editing keeps the stored token when none is typed.
		expect(sourceFieldProblems(mastodon, false)).toEqual({});
		expect(
			sourceFieldProblems(
				{ ...emptySourceFields("rss"), name: "F", feedUrl: "https://f", intervalSeconds: "10" },
				true,
			),
		).toEqual({ intervalSeconds: expect.stringMatching(/30 to 86400/) });
		// Spaces around a URL are trimmed; one inside it is named, not sent.
		const feed = { ...emptySourceFields("rss"), name: "F", feedUrl: "  https://f.example/a.xml " };
		expect(sourceFieldProblems(feed, true)).toEqual({});
		expect(fieldsToConfig(feed)).toMatchObject({ url: "https://f.example/a.xml" });
		expect(
			sourceFieldProblems({ ...feed, feedUrl: "https://f.example/my feed.xml" }, true),
		).toEqual({
			feedUrl: "The feed's URL has a space in it: a URL has none (write a space in a path as %20).",
		});
		expect(
			sourceFieldProblems({ ...mastodon, instanceUrl: "https://m. example" }, false).instanceUrl,
		).toMatch(/^The instance URL has a space in it/);
		// Without its scheme, as an address bar shows it: said here, not as "config: url: must be a URL".
		expect(sourceFieldProblems({ ...feed, feedUrl: "f.example/a.xml" }, true).feedUrl).toMatch(
			/^The feed's URL must be the whole address, starting with https:\/\//,
		);
		expect(
			sourceFieldProblems({ ...mastodon, instanceUrl: "mastodon.social" }, false).instanceUrl,
		).toMatch(/^The instance URL must be the whole address/);
		// Bluesky: the account and the app password together; an empty service is Bluesky's own.
		expect(
			sourceFieldProblems({ ...emptySourceFields("bluesky"), name: "B", service: "" }, true),
		).toEqual({
			identifier: "Enter the account's handle.",
			credential: "Enter an app password of the account.",
		});
	});

	it("patches only what changed, so an unchanged config does not reset the poll state", () => {
		const fields = sourceToFields(rssSource);
		expect(fieldsToPatch(rssSource, fields)).toEqual({});
		expect(fieldsToPatch(rssSource, { ...fields, name: "Status page", enabled: false })).toEqual({
			name: "Status page",
			enabled: false,
		});
		expect(fieldsToPatch(rssSource, { ...fields, keywords: "outage, down" })).toEqual({
			config: {
				url: "https://status.example/feed.xml",
				keywords: ["outage", "down"],
				intervalSeconds: 300,
			},
		});
	});

	it("shows the server's refusal of a URL at its field, and any other in the alert", () => {
		const why = "10.0.0.5 is a private address: this server fetches only public addresses.";
		expect(refusalProblems(`config.url: ${why}`)).toEqual({ feedUrl: why });
		expect(refusalProblems(`config.instanceUrl: ${why}`)).toEqual({ instanceUrl: why });
		expect(refusalProblems(`config.service: ${why}`)).toEqual({ service: why });
		expect(refusalProblems("config: url: must be an http(s) URL")).toBeNull();
		expect(refusalProblems("boardId: the board Old is archived.")).toBeNull();
		expect(refusalProblems(null)).toBeNull();
	});
});

describe("the RSS kind's card", () => {
	it("says, as the Keywords field does, that a feed without keywords brings every item", () => {
		// What the feed connector keeps of an item, with no keyword: everything.
		expect(matchesAnyKeyword("Anything at all", [])).toBe(true);
		expect(SOURCE_KIND_HINTS.rss).toBe(
			"A feed polled on a schedule: its items become mentions, all of them or only those with one of your keywords.",
		);
	});
});
