import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, InviteInputSchema, leavesNoAdmin, passwordProblem } from "./people.ts";

describe("passwordProblem", () => {
	it("refuses short passwords, the demo's shared password and one's own email", () => {
		expect(passwordProblem("correct horse battery staple")).toBeNull();
		expect(passwordProblem("short")).toMatch(/at least 12/);
		// Named, as a new organisation has no demo to know it from.
		expect(passwordProblem(`My${DEMO_PASSWORD.toUpperCase()}Password`)).toBe(
			`must not contain the word "${DEMO_PASSWORD}" (the demo accounts' password)`,
		);
		expect(passwordProblem("ana@example.org", "Ana@Example.org")).toMatch(/email/);
		expect(passwordProblem("aaaaaaaaaaaaaaaa")).toMatch(/repeat/);
	});
});

describe("InviteInputSchema", () => {
	it("takes an email in any case and names the field of each problem", () => {
		expect(v.parse(InviteInputSchema, { email: " Ana@Example.ORG ", role: "admin" })).toEqual({
			email: "ana@example.org",
			role: "admin",
		});
		const refused = v.safeParse(InviteInputSchema, { email: "ana", role: "owner", capacity: 1.5 });
		expect(refused.success).toBe(false);
		expect(refused.issues?.map((issue) => v.getDotPath(issue))).toEqual([
			"email",
			"role",
			"capacity",
		]);
	});
});

describe("leavesNoAdmin", () => {
	const admins = [
		{ id: "a", role: "admin" as const, active: true },
		{ id: "b", role: "admin" as const, active: false },
	];
	it("is true when the change removes the last active admin, by role or by deactivation", () => {
		expect(leavesNoAdmin(admins, "a", { role: "moderator" })).toBe(true);
		expect(leavesNoAdmin(admins, "a", { active: false })).toBe(true);
		expect(leavesNoAdmin(admins, "b", { active: false })).toBe(false);
		expect(
			leavesNoAdmin([...admins, { id: "c", role: "admin", active: true }], "a", { active: false }),
		).toBe(false);
	});
});
