import type { MemberCard } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { noteParts, parseNoteMentions } from "./notes.ts";

function member(id: string, name: string): MemberCard {
	return { id, name, role: "ambassador", capacity: 5, skills: [], languages: [] };
}

const members = [
	member("m1", "Dana Scully"),
	member("m2", "Fox Mulder"),
	member("m3", "Dana Katz"),
	member("m4", "Walter Skinner"),
];

describe("note @mentions", () => {
	it("finds members by unique first name or by full name without spaces", () => {
		expect(parseNoteMentions("@Fox and @walter, please look", members)).toEqual(["m2", "m4"]);
		expect(parseNoteMentions("@dana.scully @DanaKatz", members)).toEqual(["m1", "m3"]);
	});

	it("ignores ambiguous first names, unknown names, emails and repeats", () => {
		expect(parseNoteMentions("@Dana could you?", members)).toEqual([]);
		expect(parseNoteMentions("mail fox@mulder.test or @nobody", members)).toEqual([]);
		expect(parseNoteMentions("@fox @Fox @FOX.", members)).toEqual(["m2"]);
	});

	it("cuts a note into text and mentions for display", () => {
		const parts = noteParts("Ask @Fox. Thanks", members);
		expect(parts.map((part) => [part.kind, part.text])).toEqual([
			["text", "Ask "],
			["mention", "@Fox"],
			["text", ". Thanks"],
		]);
	});
});
