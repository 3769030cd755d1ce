import { describe, expect, it } from "vitest";
import { initials } from "./people.ts";
import { fillTemplate, TEMPLATES } from "./templates.ts";

describe("templates", () => {
	it("fills the author's handle and first name and my name", () => {
		const text = fillTemplate("{{handle}} Hi {{firstName}}! ^{{ myName }} {{unknown}}", {
			author: { handle: "dana", name: "Dana Scully" },
			myName: "Sam",
		});
		expect(text).toBe("@dana Hi Dana! ^Sam {{unknown}}");
	});

	it("falls back to the handle when the author gave no name, and keeps one @", () => {
		expect(
			fillTemplate("{{handle}} {{firstName}}", {
				author: { handle: "@fox", name: "" },
				myName: "Sam",
			}),
		).toBe("@fox fox");
	});

	it("leaves no variable unfilled in the built-in templates", () => {
		for (const template of TEMPLATES) {
			const text = fillTemplate(template.body, {
				author: { handle: "a", name: "A B" },
				myName: "Me",
			});
			expect(text, template.id).not.toMatch(/\{\{/);
		}
	});
});

describe("initials", () => {
	it("takes the first letters of the first and last name", () => {
		expect(initials("Dana Katherine Scully")).toBe("DS");
		expect(initials("dana")).toBe("D");
		expect(initials("  ")).toBe("?");
	});
});
