import type { MemberCard } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import {
	insertMention,
	mentionQueryAt,
	mentionToken,
	noteParts,
	parseNoteMentions,
	suggestMembers,
} from "./notes.ts";

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

describe("@ autocomplete", () => {
	it("finds the @name being typed at the caret, not an email or a finished word", () => {
		expect(mentionQueryAt("Ask @Fo", 7)).toEqual({ start: 4, query: "Fo" });
		expect(mentionQueryAt("@", 1)).toEqual({ start: 0, query: "" });
		expect(mentionQueryAt("mail fox@mul", 12)).toBeNull();
		expect(mentionQueryAt("Ask @Fox please", 15)).toBeNull();
	});

	it("suggests teammates by first or full name, first names first, never me", () => {
		expect(suggestMembers("da", members, "m2").map((m) => m.id)).toEqual(["m3", "m1"]);
		expect(suggestMembers("danas", members, "m2").map((m) => m.id)).toEqual(["m1"]);
		expect(suggestMembers("", members, "m4").map((m) => m.id)).toEqual(["m3", "m1", "m2"]);
	});

	it("suggests no deactivated member, whose @name in a note still reads as theirs", () => {
		const team = [...members, { ...member("m5", "Milton Waddams"), active: false }];
		expect(suggestMembers("mil", team, "m1")).toEqual([]);
		expect(suggestMembers("", team, "m4").map((m) => m.id)).toEqual(["m3", "m1", "m2"]);
		expect(parseNoteMentions("Ask @Milton", team)).toEqual(["m5"]);
	});

	it("writes a token that names exactly the member chosen, and the caret after it", () => {
		expect(mentionToken(members[1]!, members)).toBe("Fox");
		expect(mentionToken(members[0]!, members)).toBe("DanaScully");
		const { text, caret } = insertMention("Ask @da now", 4, 7, "DanaScully");
		expect(text).toBe("Ask @DanaScully now");
		expect(caret).toBe(16);
		expect(parseNoteMentions(text, members)).toEqual(["m1"]);
	});
});
