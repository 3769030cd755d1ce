import { describe, expect, it } from "vitest";
import { scoreMention, TRIAGE_THRESHOLDS } from "./triage.ts";

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

	it("leaves a plain question normal", () => {
		const score = scoreMention({
			text: "@YahooCare How do I sort my contacts by last name?",
			reach: small,
		});
		expect(score.sentiment).toBe(0);
		expect(score.priority).toBe("normal");
	});

	it("does not take a plea for help as praise", () => {
		const score = scoreMention({
			text: "@Spotify can you help please? How do I delete an account?",
			reach: small,
		});
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
