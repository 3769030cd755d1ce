import type { TriageRule } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import {
	type IncomingMention,
	languageOf,
	scoreMention,
	TRIAGE_THRESHOLDS,
	triageMention,
} from "./triage.ts";

const small = 120;

describe("scoreMention", () => {
	it("makes a clearly unhappy mention high", () => {
		const score = scoreMention({
			text: "@ChaseSupport Terrible customer support in time of crisis.",
			reach: small,
		});
		expect(score.sentiment).toBeLessThanOrEqual(TRIAGE_THRESHOLDS.negative);
		expect(score.priority).toBe("high");
	});

	it("makes thanks and praise low", () => {
		const score = scoreMention({ text: "@AppleSupport Thanks, you guys are great!", reach: small });
		expect(score.sentiment).toBeGreaterThanOrEqual(TRIAGE_THRESHOLDS.positive);
		expect(score.priority).toBe("low");
	});

	it.each([
		["leaves a plain question normal", "@YahooCare How do I sort my contacts by last name?"],
		[
			"does not take a plea for help as praise",
			"@Spotify can you help please? How do I delete an account?",
		],
	])("%s", (_, text) => {
		const score = scoreMention({ text, reach: small });
		expect(score.sentiment).toBe(0);
		expect(score.priority).toBe("normal");
	});

	it("makes a neutral mention high when its author reaches many people", () => {
		const text = "@YahooCare How do I sort my contacts by last name?";
		expect(scoreMention({ text, reach: TRIAGE_THRESHOLDS.largeReach - 1 }).priority).toBe("normal");
		expect(scoreMention({ text, reach: TRIAGE_THRESHOLDS.largeReach }).priority).toBe("high");
	});

	it("scores words, not handles or links", () => {
		const plain = scoreMention({ text: "my account was hacked", reach: small });
		const addressed = scoreMention({
			text: "@AskPlayStation @Sony my account was hacked https://example.com/a/b/c/d",
			reach: small,
		});
		expect(addressed.sentiment).toBe(plain.sentiment);
		expect(
			scoreMention({ text: "@AskPlayStation https://example.com", reach: small }).sentiment,
		).toBe(0);
	});
});

describe("languageOf", () => {
	it("takes the source's language, normalised to its primary subtag", () => {
		expect(languageOf("whatever", "pt-BR")).toBe("pt");
		expect(languageOf("whatever", "EN")).toBe("en");
	});

	it("detects a language when the text is long enough, else leaves it unknown", () => {
		expect(languageOf("Mon colis n'est jamais arrivé, pouvez-vous m'aider ?")).toBe("fr");
		expect(languageOf("Mein Paket ist nie angekommen, könnt ihr helfen?")).toBe("de");
		expect(languageOf("ok thanks")).toBeNull();
		expect(languageOf("@AcmeSupport https://example.com/a/very/long/link")).toBeNull();
	});
});

describe("triageMention", () => {
	const incoming = (text: string, reach = small): IncomingMention => ({
		network: "mastodon",
		externalId: "https://social.example/statuses/1",
		url: "https://social.example/@ana/1",
		author: { handle: "ana@social.example", name: "Ana", reach },
		text,
		thread: [],
		postedAt: "2026-11-26T09:00:00.000Z",
		ingestedAt: "2026-11-26T09:00:05.000Z",
	});
	const rules: TriageRule[] = [
		{ id: "r1", match: { keyword: "invoice" }, apply: { tags: ["billing"], skill: "finance" } },
		{ id: "r2", match: { phrase: "love it" }, apply: { priority: "high", tags: ["praise"] } },
	];

	it("scores, detects the language and applies the rules", () => {
		const triaged = triageMention(
			{
				...incoming("Where is my invoice for last month? I cannot find it anywhere."),
				tags: ["x"],
			},
			rules,
		);
		expect(triaged).toMatchObject({
			language: "en",
			priority: "normal",
			tags: ["x", "billing", "finance"],
		});
		expect(triaged.sentiment).toBe(scoreMention({ text: triaged.text, reach: small }).sentiment);
	});

	it("lets a rule's priority override the score's", () => {
		const text = "I love it, great work!";
		expect(scoreMention({ text, reach: small }).priority).toBe("low");
		expect(triageMention(incoming(text), rules).priority).toBe("high");
		expect(triageMention(incoming(text), []).priority).toBe("low");
	});
});
