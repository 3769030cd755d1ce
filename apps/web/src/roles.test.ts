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

	it("says where the comments asking for changes it can no longer send are kept", () => {
		expect(roleChangeWords("moderator", "ambassador", 1)).toBe(
			"Your role is now Ambassador: Coverage and Reviews are for moderators. The comment you were typing to ask for changes is kept, not sent, on its conversation's page.",
		);
		expect(roleChangeWords("admin", "ambassador", 2)).toMatch(
			/ The 2 comments you were typing to ask for changes are kept, not sent, on their conversations' pages\.$/,
		);
		// Still a reviewer: the comments are still in their forms.
		expect(roleChangeWords("admin", "moderator", 1)).toBe(
			"Your role is now Moderator: Admin is for admins.",
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
