import { describe, expect, it } from "vitest";
import { describeRefusal, explainReject, isNoticeReject } from "./explain.ts";

describe("isNoticeReject", () => {
	it("tells an empty board (nothing to claim) from a refusal to act on", () => {
		expect(isNoticeReject({ code: "nothing_to_claim" })).toBe(true);
		expect(isNoticeReject({ code: "already_claimed" })).toBe(false);
		expect(isNoticeReject({ code: "capacity_reached" })).toBe(false);
	});
});

describe("explainReject", () => {
	it("passes on the server's words about the work", () => {
		expect(explainReject({ code: "already_claimed", message: "Already claimed by Dana." })).toBe(
			"Already claimed by Dana.",
		);
		expect(explainReject({ code: "invalid", message: "Snooze until a time in the future." })).toBe(
			"Snooze until a time in the future.",
		);
	});

	it("says something a person understands instead of a developer's message, or none", () => {
		expect(explainReject({ code: "malformed", message: "The message is not valid JSON." })).toBe(
			"Switchboard could not read that request. Reload the page and try again.",
		);
		expect(explainReject({ code: "unsupported_version", message: "protocol 1; says 2" })).toMatch(
			/Reload/,
		);
		expect(explainReject({ code: "capacity_reached", message: "  " })).toBe(
			"That would go over the capacity for open conversations.",
		);
	});
});

describe("describeRefusal", () => {
	const handles = new Map([["m1", "kim_c"]]);
	const context = (viewing: string | null) => ({
		handleOf: (id: string) => handles.get(id),
		viewing,
	});
	const claim = { name: "claim", args: { mentionId: "m1" } } as const;

	it("names the conversation and that it was made offline when refused after reconnecting", () => {
		expect(
			describeRefusal(
				{ explanation: "Already claimed by Kim.", command: claim, madeOffline: true },
				context("m9"),
			),
		).toBe(
			"While you were offline, your claim of the conversation with @kim_c could not be applied: Already claimed by Kim.",
		);
	});

	it("names the conversation when the user is elsewhere, and says only why when they are on it", () => {
		const refused = { explanation: "Already claimed by Kim.", command: claim, madeOffline: false };
		expect(describeRefusal(refused, context(null))).toBe(
			"Your claim of the conversation with @kim_c was refused: Already claimed by Kim.",
		);
		expect(describeRefusal(refused, context("m1"))).toBe("Already claimed by Kim.");
		expect(describeRefusal({ explanation: "Nope." }, context(null))).toBe("Nope.");
	});
});
