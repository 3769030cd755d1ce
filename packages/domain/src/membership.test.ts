import { describe, expect, it } from "vitest";
import { isActiveMembership } from "./membership.ts";

describe("isActiveMembership", () => {
	it("accepts an active member of the organisation", () => {
		expect(isActiveMembership({ active: true, orgId: "acme" }, "acme")).toBe(true);
	});

	it("refuses a deactivated member, a member of another organisation, or none", () => {
		expect(isActiveMembership({ active: false, orgId: "acme" }, "acme")).toBe(false);
		expect(isActiveMembership({ active: true, orgId: "globex" }, "acme")).toBe(false);
		expect(isActiveMembership(null, "acme")).toBe(false);
		expect(isActiveMembership(undefined, "acme")).toBe(false);
	});
});
