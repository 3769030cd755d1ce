import { type BulkItemResult, draftHash } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import {
	ActionKinds,
	answeredWords,
	commandFor,
	describeBulk,
	dismissReason,
	handoffTargets,
	offers,
	parseLocalDateTime,
	priorityTargets,
	replyStands,
	snoozePresets,
	tagSuggestions,
	toLocalDateTime,
} from "./lifecycle-model.ts";
import { at, makeCard } from "./test-fixtures.ts";

describe("the lifecycle controls", () => {
	it("offer snoozes for later today, tomorrow morning and after the weekend", () => {
		// A Wednesday afternoon, local time.
		const now = new Date(2026, 11, 2, 15, 20);
		const byId = new Map(snoozePresets(now).map((preset) => [preset.id, preset.until]));
		expect(byId.get("1h")).toEqual(new Date(2026, 11, 2, 16, 20));
		expect(byId.get("3h")).toEqual(new Date(2026, 11, 2, 18, 20));
		expect(byId.get("tomorrow")).toEqual(new Date(2026, 11, 3, 9, 0));
		expect(byId.get("monday")).toEqual(new Date(2026, 11, 7, 9, 0));
		// On a Monday, "next Monday" is a week on, not today.
		const monday = new Date(2026, 11, 7, 8, 0);
		expect(snoozePresets(monday).find((p) => p.id === "monday")?.until).toEqual(
			new Date(2026, 11, 14, 9, 0),
		);
		for (const preset of snoozePresets(now)) expect(preset.until > now).toBe(true);
	});

	it("reads and writes the date field's local time", () => {
		const date = new Date(2026, 11, 24, 9, 5);
		expect(toLocalDateTime(date)).toBe("2026-12-24T09:05");
		expect(parseLocalDateTime("2026-12-24T09:05")).toEqual(date);
		expect(parseLocalDateTime("")).toBeNull();
		expect(parseLocalDateTime("tomorrow")).toBeNull();
	});

	it("records the dismiss reason with the note", () => {
		expect(dismissReason("spam", "")).toBe("Spam");
		expect(dismissReason("duplicate", " see @kim's ")).toBe(
			"Duplicate of another conversation: see @kim's",
		);
		expect(dismissReason("other", "Bot account")).toBe("Bot account");
		expect(dismissReason("other", "")).toBe("Other");
	});

	it("offers only what the conversation's status allows", () => {
		const offered = (status: Parameters<typeof offers>[1]["status"]) =>
			ActionKinds.filter((kind) => offers(kind, { status }));
		expect(offered("new")).toEqual(["dismiss", "snooze", "escalate", "tags", "priority", "close"]);
		expect(offered("replied")).toEqual(["tags", "priority", "close", "reopen"]);
		expect(offered("closed")).toEqual(["tags", "priority", "reopen"]);
		expect(offered("dismissed")).toEqual(["tags", "priority", "reopen"]);
		expect(offered("escalated")).toEqual(["dismiss", "snooze", "tags", "priority", "close"]);
	});

	it("sends one command for one conversation and a bulk command for several", () => {
		const close = (mentionId: string) => ({ name: "close" as const, args: { mentionId } });
		expect(commandFor(["m1"], close)).toEqual({ name: "close", args: { mentionId: "m1" } });
		expect(commandFor(["m1", "m2"], close)).toEqual({
			name: "bulk",
			args: { items: [close("m1"), close("m2")] },
		});
		expect(
			priorityTargets(
				[
					{ id: "m1", priority: "high" },
					{ id: "m2", priority: "low" },
				],
				"high",
			),
		).toEqual(["m2"]);
	});

	it("tells what a bulk command did, naming each refusal", () => {
		const handles = new Map([
			["m1", "ann"],
			["m2", "bob"],
		]);
		const ok: BulkItemResult = { mentionId: "m1", ok: true };
		const refused: BulkItemResult = {
			mentionId: "m2",
			ok: false,
			code: "not_owner",
			message: "Dana owns this conversation; only they or a moderator can do that.",
		};
		expect(
			describeBulk("Closed", [ok, { ...ok, mentionId: "m3" }], (id) => handles.get(id)),
		).toEqual({
			kind: "info",
			message: "Closed 2 conversations.",
		});
		expect(describeBulk("Closed", [ok, refused], (id) => handles.get(id))).toEqual({
			kind: "error",
			message:
				"Closed 1 of 2 conversations. @bob: Dana owns this conversation; only they or a moderator can do that.",
		});
	});

	it("offers a hand-off to the others on the board, never to someone deactivated", () => {
		const board = [
			makeCard("dana"),
			makeCard("milton", { name: "Milton Waddams", active: false }),
			makeCard("sam"),
			makeCard("tom"),
		];
		expect(handoffTargets(board, "dana", "sam").map((m) => m.id)).toEqual(["tom"]);
		const back = board.map((card) => (card.id === "milton" ? makeCard("milton") : card));
		expect(handoffTargets(back, "tom", null).map((m) => m.id)).toEqual(["dana", "milton", "sam"]);
	});

	it("suggests the board's tags not on the conversation yet, those starting with the text first", () => {
		const board = ["billing", "outage", "refund", "late-billing"];
		expect(tagSuggestions(board, ["refund"], "")).toEqual(["billing", "late-billing", "outage"]);
		expect(tagSuggestions(board, [], "bill")).toEqual(["billing", "late-billing"]);
		expect(tagSuggestions(board, ["Billing"], "bill")).toEqual(["late-billing"]);
	});
});

describe("replyStands", () => {
	it("says the reply answers the conversation only while it is replied or closed", () => {
		expect(replyStands("replied")).toBe(true);
		expect(replyStands("closed")).toBe(true);
		// A follow-up reopened it to its owner, or to the board.
		expect(replyStands("claimed")).toBe(false);
		expect(replyStands("new")).toBe(false);
	});
});

describe("answeredWords", () => {
	const text = "Your refund is on its way.";
	const reply = { url: "https://x.test/acme/1", hash: draftHash(text), by: "m1", sentAt: at(5) };
	const ours = { handle: "acme", fromOrganisation: true, text, postedAt: at(5) };
	const theirs = { handle: "vera", fromOrganisation: false, text: "Thanks!", postedAt: at(6) };

	it("reads what was answered from the thread once the draft was emptied, by link or by text", () => {
		// Recorded by hand: our message with the reply's link.
		const recorded = { ...ours, by: "m1", url: reply.url };
		expect(answeredWords({ reply, thread: [recorded, theirs] }, "")).toBe(text);
		// Sent through a connected account: the network's id and, since, the link.
		const sent = { ...ours, text: "Earlier words", externalId: "1", url: reply.url };
		expect(answeredWords({ reply: { ...reply, hash: null }, thread: [sent] }, "")).toBe(
			"Earlier words",
		);
		// Sent before the link was kept there: found by the hash of its text.
		expect(answeredWords({ reply, thread: [{ ...ours, externalId: "1" }] }, "")).toBe(text);
	});

	it("reads the draft while it holds exactly the reply, and nothing it does not know", () => {
		expect(answeredWords({ reply, thread: [] }, text)).toBe(text);
		// Words written into the draft after the reply are not what was answered.
		expect(answeredWords({ reply, thread: [] }, `${text} And more.`)).toBeNull();
		expect(answeredWords({ reply: { ...reply, hash: null }, thread: [] }, text)).toBeNull();
		expect(answeredWords({ reply: null, thread: [ours] }, text)).toBeNull();
	});
});
