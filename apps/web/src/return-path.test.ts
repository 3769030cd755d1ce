import { describe, expect, it } from "vitest";
import { afterSignIn, rememberReturnPath, returnPath, signInHref } from "./return-path.ts";
import { memoryStorage } from "./test-fixtures.ts";

const origin = "https://switchboard.example";

describe("where signing in leads back to", () => {
	it("keeps a page of the app with its query and fragment", () => {
		expect(returnPath("/m/mastodon%3A42", origin)).toBe("/m/mastodon%3A42");
		expect(returnPath("/admin?tab=members#invite", origin)).toBe("/admin?tab=members#invite");
		expect(returnPath("/reports/../admin", origin)).toBe("/admin");
	});

	it("refuses anything that would leave the app or loop through signing in", () => {
		for (const candidate of [
			"https://evil.example/m/1",
			"//evil.example/m/1",
			"/\\evil.example",
			"/\\/evil.example",
			"javascript:alert(1)",
			"m/1",
			"",
			"/login",
			"/login?next=%2Fadmin",
			"/sso/done",
			"/invite/abc",
			"/forgot-password",
			undefined,
			["/admin"],
		]) {
			expect(returnPath(candidate, origin), String(candidate)).toBeNull();
		}
	});

	it("sends someone signed out to the sign-in page with the page they opened", () => {
		expect(signInHref("/m/mastodon%3A42?reply=1", origin)).toBe(
			"/login?next=%2Fm%2Fmastodon%253A42%3Freply%3D1",
		);
		expect(signInHref("/", origin)).toBe("/login");
		expect(signInHref("//evil.example", origin)).toBe("/login");
	});

	it("goes to next, else to what was kept across the identity provider, else to the board", () => {
		const storage = memoryStorage();
		expect(afterSignIn(undefined, storage, origin)).toBe("/");
		expect(afterSignIn("/admin", storage, origin)).toBe("/admin");

		rememberReturnPath("/m/7", storage, origin);
		expect(afterSignIn(undefined, storage, origin)).toBe("/m/7");
		expect(afterSignIn(undefined, storage, origin), "what was kept is used once").toBe("/");

		rememberReturnPath("/m/7", storage, origin);
		expect(afterSignIn("/reports", storage, origin), "next wins").toBe("/reports");
		expect(storage.length, "and the kept page is dropped").toBe(0);

		rememberReturnPath("/m/7", storage, origin);
		rememberReturnPath("https://evil.example", storage, origin);
		expect(afterSignIn("//evil.example", storage, origin)).toBe("/");
	});
});
