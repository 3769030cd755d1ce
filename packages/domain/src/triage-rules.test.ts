import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
	containsTerm,
	evaluateTriageRules,
	matchesAnyKeyword,
	type TriageRule,
	TriageRulesSchema,
} from "./triage-rules.ts";

const rules: TriageRule[] = [
	{ id: "refund", match: { keyword: "refund" }, apply: { tags: ["billing"], skill: "billing" } },
	{
		id: "broken",
		match: { phrase: "not working" },
		apply: { tags: ["outage"], priority: "high" },
	},
	{
		id: "vip",
		match: { keyword: "acme", minReach: 10_000 },
		apply: { tags: ["vip"], priority: "normal" },
	},
	{
		id: "fediverse-thanks",
		match: { keyword: "thanks", network: "mastodon" },
		apply: { priority: "low" },
	},
];

const on = (text: string, extra: { network?: "mastodon" | "twitter"; reach?: number } = {}) =>
	evaluateTriageRules(
		{ network: extra.network ?? "twitter", reach: extra.reach ?? 10, text },
		rules,
	);

describe("containsTerm", () => {
	it("matches whole words case-blind, not parts of words", () => {
		expect(containsTerm("I want a REFUND!", "refund")).toBe(true);
		expect(containsTerm("I was refunded", "refund")).toBe(false);
		expect(containsTerm("#refund please", "#refund")).toBe(true);
	});

	it("matches a phrase as consecutive words whatever the spacing and punctuation", () => {
		expect(containsTerm("The app is not\n  working, again", "not working")).toBe(true);
		expect(containsTerm("working? not at all", "not working")).toBe(false);
		expect(containsTerm("Ça ne marche pas", "ne MARCHE")).toBe(true);
	});

	it("treats an empty keyword list as matching everything", () => {
		expect(matchesAnyKeyword("anything", [])).toBe(true);
		expect(matchesAnyKeyword("outage in Paris", ["berlin", "paris"])).toBe(true);
		expect(matchesAnyKeyword("outage in Rome", ["berlin", "paris"])).toBe(false);
	});
});

describe("evaluateTriageRules", () => {
	it("adds tags and skills of every matching rule", () => {
		expect(on("Refund please, the app is not working")).toEqual({
			priority: "high",
			tags: ["billing", "outage"],
			skills: ["billing"],
			matched: ["refund", "broken"],
			board: null,
		});
	});

	it("routes to the board of the first matching rule that names one", () => {
		const routing: TriageRule[] = [
			{ id: "tags-only", match: { keyword: "press" }, apply: { tags: ["press"] } },
			{ id: "to-press", match: { keyword: "journalist" }, apply: { board: "press" } },
			{ id: "to-vip", match: { keyword: "press" }, apply: { board: "vip" } },
		];
		const route = (text: string) =>
			evaluateTriageRules({ network: "twitter", reach: 1, text }, routing).board;
		expect(route("a journalist from the press asks")).toBe("press");
		expect(route("press enquiry")).toBe("vip");
		expect(route("hello")).toBeNull();
	});

	it("leaves priority to triage when no matching rule sets one", () => {
		expect(on("refund")).toMatchObject({ priority: null, tags: ["billing"] });
		expect(on("hello there")).toEqual({
			priority: null,
			tags: [],
			skills: [],
			matched: [],
			board: null,
		});
	});

	it("applies network and reach conditions", () => {
		expect(on("acme rocks", { reach: 9_999 }).matched).toEqual([]);
		expect(on("acme rocks", { reach: 10_000 }).matched).toEqual(["vip"]);
		expect(on("thanks", { network: "twitter" }).priority).toBeNull();
		expect(on("thanks", { network: "mastodon" }).priority).toBe("low");
	});

	it("lets the highest priority of several matching rules win", () => {
		expect(on("acme is not working", { reach: 50_000 }).priority).toBe("high");
		expect(on("thanks acme", { network: "mastodon", reach: 50_000 }).priority).toBe("normal");
	});
});

describe("TriageRulesSchema", () => {
	it("accepts the rules above", () => {
		expect(v.safeParse(TriageRulesSchema, rules).success).toBe(true);
	});

	it("refuses a rule with both or neither of keyword and phrase, one that does nothing, duplicate ids", () => {
		const bad = [
			[{ id: "a", match: { keyword: "x", phrase: "y z" }, apply: { priority: "high" } }],
			[{ id: "a", match: {}, apply: { priority: "high" } }],
			[{ id: "a", match: { keyword: "x" }, apply: {} }],
			[rules[0], rules[0]],
			[{ id: "a", match: { keyword: "x" }, apply: { priority: "urgent" } }],
		];
		for (const list of bad) expect(v.safeParse(TriageRulesSchema, list).success).toBe(false);
	});
});
