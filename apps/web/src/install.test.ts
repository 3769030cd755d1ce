import { describe, expect, it } from "vitest";
import { landingPath } from "./install.ts";

describe("where signing in leads", () => {
	it("opens the installed app on the member's queue, a browser tab on the board", () => {
		expect(landingPath(true)).toBe("/queue");
		expect(landingPath(false)).toBe("/");
	});
});
