import type { MemberCard } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import {
	derivePresence,
	draftStatesAsViews,
	IN_DRAFT,
	memberColor,
	PRESENCE_COLORS,
	readAwarenessState,
} from "./presence.ts";
import { makeCard } from "./test-fixtures.ts";

const cards = new Map<string, MemberCard>(
	[makeCard("dana"), makeCard("sam"), makeCard("kim")].map((c) => [c.id, c]),
);
const lookup = (id: string) => cards.get(id);

function state(id: string, viewing: string | null, typing = false) {
	const name = id[0]!.toUpperCase() + id.slice(1);
	return { user: { id, name, color: memberColor(id) }, viewing, typing };
}

describe("derivePresence", () => {
	it("lists viewers and typers per mention, without me", () => {
		const states = new Map<number, unknown>([
			[1, state("dana", "m1", true)],
			[2, state("sam", "m1")],
			[3, state("kim", "m2", true)],
		]);
		const { presence } = derivePresence(states, "dana", lookup);
		expect(presence.get("m1")).toEqual({ viewers: [cards.get("sam")], typers: [] });
		expect(presence.get("m2")).toEqual({ viewers: [cards.get("kim")], typers: [cards.get("kim")] });
	});

	it("leaves out mentions only I am on", () => {
		const states = new Map<number, unknown>([[1, state("dana", "m1", true)]]);
		expect(derivePresence(states, "dana", lookup).presence.size).toBe(0);
	});

	it("counts a member with several tabs once, and includes me in who is online", () => {
		const states = new Map<number, unknown>([
			[1, state("dana", null)],
			[2, state("sam", "m1")],
			[3, state("sam", "m1", true)],
			[4, state("sam", "m2")],
		]);
		const { presence, online } = derivePresence(states, "dana", lookup);
		expect(presence.get("m1")).toEqual({
			viewers: [cards.get("sam")],
			typers: [cards.get("sam")],
		});
		expect(presence.get("m2")?.viewers).toEqual([cards.get("sam")]);
		expect(online.map((member) => member.id)).toEqual(["dana", "sam"]);
	});

	it("ignores malformed states and makes a card for a member the board does not list", () => {
		const states = new Map<number, unknown>([
			[1, null],
			[2, { user: "dana" }],
			[3, { viewing: "m1" }],
			[4, state("newcomer", "m1")],
		]);
		const { presence, online } = derivePresence(states, "dana", lookup);
		expect(online).toEqual([
			{
				id: "newcomer",
				name: "Newcomer",
				role: "ambassador",
				capacity: 0,
				skills: [],
				languages: [],
			},
		]);
		expect(presence.get("m1")?.viewers.map((member) => member.id)).toEqual(["newcomer"]);
	});

	it("reads typing only as a boolean and viewing only as a string", () => {
		expect(readAwarenessState({ user: { id: "a", name: "A" }, viewing: 3, typing: "yes" })).toEqual(
			{ user: { id: "a", name: "A", color: memberColor("a") }, viewing: null, typing: false },
		);
	});
});

describe("memberColor", () => {
	it("gives a member the same palette color every time, and spreads members over the palette", () => {
		expect(memberColor("dana")).toBe(memberColor("dana"));
		expect(PRESENCE_COLORS).toContain(memberColor("dana"));
		const used = new Set(Array.from({ length: 200 }, (_, i) => memberColor(`member-${i}`)));
		expect(used.size).toBe(PRESENCE_COLORS.length);
	});
});

describe("derivePresence of a draft (draftStatesAsViews)", () => {
	const inDraft = (id: string, here: boolean, typing = false) => {
		const { user } = state(id, null);
		return { user, here, typing, cursor: { anchor: 1, head: 1 } };
	};

	const inConversation = (states: Map<number, unknown>, me: string) =>
		derivePresence(draftStatesAsViews(states), me, lookup).presence.get(IN_DRAFT);

	it("lists the others whose view of the conversation is open, and who of them types", () => {
		const states = new Map<number, unknown>([
			[1, inDraft("dana", true, true)],
			[2, inDraft("sam", true, true)],
			[3, inDraft("sam", true)],
			// Kim has the draft open elsewhere (a queue lists it): not here.
			[4, inDraft("kim", false)],
			[5, null],
		]);
		expect(inConversation(states, "dana")).toEqual({
			viewers: [cards.get("sam")],
			typers: [cards.get("sam")],
		});
	});

	it("has nobody when I am alone", () => {
		const states = new Map<number, unknown>([[1, inDraft("dana", true, true)]]);
		expect(inConversation(states, "dana")).toBeUndefined();
	});
});
