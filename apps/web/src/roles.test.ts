import { describe, expect, it } from "vitest";
import { pageAllows, roleChangeWords } from "./roles.ts";

describe("roles in the app", () => {
	it("tells a member their new role, and what it takes from them", () => {
		expect(roleChangeWords("ambassador", "moderator")).toBe("Your role is now Moderator.");
		expect(roleChangeWords("moderator", "admin")).toBe("Your role is now Admin.");
		expect(roleChangeWords("moderator", "ambassador")).toBe(
			"Your role is now Ambassador: Coverage and Reviews are for moderators.",
		);
		expect(roleChangeWords("admin", "moderator")).toBe(
			"Your role is now Moderator: Admin is for admins.",
		);
		expect(roleChangeWords("admin", "ambassador")).toBe(
			"Your role is now Ambassador: Coverage and Reviews are for moderators, Admin for admins.",
		);
	});

	it("knows which pages a role may open", () => {
		expect(pageAllows("/coverage", "ambassador")).toBe(false);
		expect(pageAllows("/reviews", "moderator")).toBe(true);
		expect(pageAllows("/reports", "ambassador")).toBe(false);
		expect(pageAllows("/admin/boards/main", "moderator")).toBe(false);
		expect(pageAllows("/admin", "admin")).toBe(true);
		expect(pageAllows("/m/123", "ambassador")).toBe(true);
		expect(pageAllows("/", "ambassador")).toBe(true);
		expect(pageAllows("/administrators", "ambassador")).toBe(true);
	});
});
