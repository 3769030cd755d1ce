import { describe, expect, it } from "vitest";
import { ApiError } from "./api-client.ts";
import { sessionEndReasonOf } from "./auth-errors.ts";

const refused = (status: number, error: Record<string, unknown>) =>
	new ApiError("unauthorized", status, String(error.message), { error });

describe("sessionEndReasonOf", () => {
	it("reads why a session ended from its 401", () => {
		const error = refused(401, {
			code: "unauthorized",
			reason: "password_changed",
			message: "Your password was changed on another device: sign in with the new one.",
		});
		expect(sessionEndReasonOf(error)).toBe("password_changed");
	});

	it("finds none in a 401 without one, a reason it does not know, another status or error", () => {
		expect(sessionEndReasonOf(refused(401, { code: "unauthorized", message: "Sign in" }))).toBe(
			null,
		);
		expect(
			sessionEndReasonOf(refused(401, { code: "unauthorized", reason: "moon", message: "?" })),
		).toBe(null);
		expect(sessionEndReasonOf(refused(403, { code: "forbidden", reason: "deactivated" }))).toBe(
			null,
		);
		expect(sessionEndReasonOf(new ApiError("unauthorized", 401, "no body"))).toBe(null);
		expect(sessionEndReasonOf(new Error("deactivated"))).toBe(null);
	});
});
