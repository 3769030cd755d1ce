import { describe, expect, it } from "vitest";
import { CloseCodes } from "./protocol.ts";
import { SESSION_END_MESSAGES, SessionEndReasons } from "./session-ends.ts";

describe("session end reasons", () => {
	it("has words for every reason, each fitting a WebSocket close reason after its code's", () => {
		const encoder = new TextEncoder();
		expect(Object.keys(SESSION_END_MESSAGES).sort()).toEqual(Object.keys(SessionEndReasons).sort());
		for (const message of Object.values(SESSION_END_MESSAGES)) {
			// RFC 6455: a close frame's reason is at most 123 bytes of UTF-8.
			const reason = `${CloseCodes.unauthorized.reason}: ${message}`;
			expect(encoder.encode(reason).length, reason).toBeLessThanOrEqual(123);
		}
	});
});
