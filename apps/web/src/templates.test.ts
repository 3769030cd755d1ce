import { DEFAULT_BOARD_SETTINGS } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { initials } from "./people.ts";
import { fillTemplate, spacedInsertion, templateForDraft } from "./templates.ts";

const TEMPLATES = DEFAULT_BOARD_SETTINGS.templates;

describe("templates", () => {
	it("fills the author's handle and first name and my name", () => {
		const text = fillTemplate("{{handle}} Hi {{firstName}}! ^{{ myName }} {{unknown}}", {
			author: { handle: "dana", name: "Dana Scully" },
			myName: "Sam",
		});
		expect(text).toBe("@dana Hi Dana! ^Sam {{unknown}}");
	});

	it("does not greet by handle when the author gave no name, and keeps one @", () => {
		for (const name of ["", "fox", "@fox", "  "]) {
			expect(
				fillTemplate("{{handle}} Hi {{firstName}}, thanks! ^{{myName}}", {
					author: { handle: "@fox", name },
					myName: "Sam",
				}),
			).toBe("@fox Hi, thanks! ^Sam");
		}
		const [apology] = TEMPLATES;
		expect(
			fillTemplate(apology!.body, { author: { handle: "fox_1987", name: "" }, myName: "Sam" }),
		).toMatch(/^@fox_1987 Hi, I'm sorry/);
	});

	it("keeps words apart when inserted where the cursor is", () => {
		expect(spacedInsertion("", "Hi there.", "")).toBe("Hi there.");
		expect(spacedInsertion("Thanks!", "We are on it.", "")).toBe(" We are on it.");
		expect(spacedInsertion("Thanks! ", "We are on it.", "")).toBe("We are on it.");
		expect(spacedInsertion("Thanks!\n", "We are on it.", "")).toBe("We are on it.");
		expect(spacedInsertion("Hello", "dear", "world")).toBe(" dear ");
		expect(spacedInsertion("Hello ", "dear", " world")).toBe("dear");
	});

	it("leaves out the handle when the draft already names the author", () => {
		expect(templateForDraft("@fox Hi, thanks!", "@fox we", "fox")).toBe("Hi, thanks!");
		expect(templateForDraft("@fox Hi, thanks!", "", "@fox")).toBe("@fox Hi, thanks!");
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
