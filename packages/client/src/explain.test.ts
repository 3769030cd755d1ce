import { describe, expect, it } from "vitest";
import { explainReject } from "./explain.ts";

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
