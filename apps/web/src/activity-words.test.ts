import type { ActivityEntry } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { activityWords, settlement } from "./activity-words.ts";
import { formatDateTime } from "./format.ts";

const names = new Map([
	["m-dana", "Dana"],
	["m-sam", "Sam"],
	["m-alex", "Alex"],
]);
const ctx = {
	name: (id: string) => names.get(id) ?? "a former member",
	author: "@vera",
	me: "m-me",
};

let next = 0;
function entry(
	action: string,
	actorId: string | null,
	detail: Record<string, unknown> = {},
): ActivityEntry {
	next += 1;
	return {
		id: String(next),
		action,
		actorId,
		fromStatus: null,
		toStatus: null,
		detail,
		at: "2026-12-02T14:03:00.000Z",
	};
}
const say = (e: ActivityEntry) => activityWords(e, ctx);

describe("a conversation's activity in words", () => {
	it("says who claimed, handed off, escalated and closed it, with the note they wrote", () => {
		expect(say(entry("claim", "m-dana"))).toEqual({ words: "Dana claimed it", note: null });
		expect(say(entry("handoff", "m-dana", { from: "m-dana", to: "m-alex" })).words).toBe(
			"Dana handed it to Alex",
		);
		expect(say(entry("escalate", "m-alex", { reason: "Threatens to sue" }))).toEqual({
			words: "Alex escalated it",
			note: "Threatens to sue",
		});
		expect(say(entry("close", "m-sam", { reason: "Refund issued by phone" }))).toEqual({
			words: "Sam closed it",
			note: "Refund issued by phone",
		});
		// Closed without a word on how: no empty quote.
		expect(say(entry("close", "m-sam", { reason: null })).note).toBeNull();
		expect(say(entry("close", "m-sam", { reason: "  " })).note).toBeNull();
	});

	it("says until when it was snoozed, and how it came back", () => {
		const until = "2026-12-03T09:00:00.000Z";
		expect(say(entry("snooze", "m-dana", { until, previousOwner: "m-dana" })).words).toBe(
			`Dana snoozed it until ${formatDateTime(until)}`,
		);
		expect(say(entry("reopen", "m-dana", { owner: "m-dana" })).words).toBe("Dana reopened it");
		expect(say(entry("reopen", "m-sam", { owner: "m-dana" })).words).toBe(
			"Sam reopened it for Dana",
		);
		expect(say(entry("snooze_ended", null, { reason: "snooze_ended" }))).toEqual({
			words: "The snooze ended; back on the board",
			note: null,
		});
	});

	it("names the author's follow-ups and what the server did by itself, never its reason code as a note", () => {
		expect(say(entry("follow_up", null, { count: 2, reopened: true })).words).toBe(
			"@vera wrote again (2 messages); it was reopened",
		);
		expect(say(entry("follow_up", null, { count: 1 })).words).toBe("@vera wrote again");
		expect(
			say(entry("lease_expired", null, { reason: "lease_expired", previousOwner: "m-dana" })),
		).toEqual({
			words: "Back on the board: Dana was offline longer than the lease",
			note: null,
		});
		expect(say(entry("sla_breached", null, { kind: "claim" })).words).toBe("Not claimed in time");
	});

	it("says the reader as you, wherever the entry names them", () => {
		names.set("m-me", "Robin");
		expect(say(entry("claim", "m-me")).words).toBe("You claimed it");
		expect(say(entry("handoff", "m-dana", { from: "m-dana", to: "m-me" })).words).toBe(
			"Dana handed it to you",
		);
		expect(say(entry("assign", "m-me", { to: "m-me" })).words).toBe("You assigned it to yourself");
		expect(say(entry("release", "m-sam", { previousOwner: "m-me" })).words).toBe(
			"Sam released it from you",
		);
		expect(say(entry("unassign", "m-sam", { previousOwner: "m-me" })).words).toBe(
			"Sam took it off you",
		);
		expect(say(entry("reopen", "m-sam", { owner: "m-me" })).words).toBe("Sam reopened it for you");
		expect(say(entry("close", "m-me", { reason: "Done" }))).toEqual({
			words: "You closed it",
			note: "Done",
		});
		expect(say(entry("lease_expired", null, { previousOwner: "m-me" })).words).toBe(
			"Back on the board: you were offline longer than the lease",
		);
		expect(say(entry("member_left_board", null, { previousOwner: "m-me" })).words).toBe(
			"Back on the board: you left the board",
		);
	});

	it("says tags and priority as a person would, and an action it does not know as recorded", () => {
		expect(say(entry("tag", "m-dana", { add: ["refund", "vip"], remove: ["spam"] })).words).toBe(
			"Dana tagged it refund and vip and took off spam",
		);
		expect(say(entry("setPriority", "m-dana", { from: "normal", to: "high" })).words).toBe(
			"Dana set the priority to high",
		);
		expect(say(entry("teleport", "m-gone")).words).toBe("a former member: teleport");
	});
});

describe("how a finished conversation was settled", () => {
	it("is the newest close or dismissal of a list kept newest first", () => {
		const last = entry("close", "m-sam", { reason: "Settled again" });
		const list = [
			entry("follow_up", null, { count: 1 }),
			last,
			entry("reopen", "m-dana"),
			entry("close", "m-sam", { reason: "First" }),
		];
		expect(settlement(list)).toBe(last);
		expect(settlement([entry("claim", "m-dana")])).toBeNull();
	});
});
