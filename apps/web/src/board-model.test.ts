import { DEFAULT_BOARD_SETTINGS } from "@switchboard/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
	boardColumns,
	claimableAt,
	columnOrder,
	compareUrgency,
	EMPTY_FILTERS,
	indexById,
	matchesFilters,
	myQueue,
	serverStatus,
	slaTimer,
	statusLabel,
} from "./board-model.ts";
import { at, mention, START } from "./test-fixtures.ts";

const owned = (memberId: string) => ({ memberId, since: at(1) });

describe("claimableAt: when a card and the conversation offer Claim", () => {
	const now = START + 10 * 60_000;

	it("offers Claim on an escalated conversation nobody owns, as the server accepts it", () => {
		expect(claimableAt(mention("e", { status: "escalated" }), now)).toBe(true);
	});

	it("does not offer Claim on a snooze that has not ended yet, as the server refuses it", () => {
		expect(claimableAt(mention("s", { status: "snoozed", snoozedUntil: at(60) }), now)).toBe(false);
	});

	it("offers Claim again once the snooze is over", () => {
		expect(claimableAt(mention("s", { status: "snoozed", snoozedUntil: at(5) }), now)).toBe(true);
	});

	it("offers Claim on a new conversation, never on an owned or finished one", () => {
		expect(claimableAt(mention("n"), now)).toBe(true);
		expect(claimableAt(mention("o", { owner: owned("m1") }), now)).toBe(false);
		expect(claimableAt(mention("d", { status: "dismissed" }), now)).toBe(false);
	});
});

describe("board filters", () => {
	it("matches network, priority, unclaimed, mine, tag and search together", () => {
		const m = mention("a", {
			network: "mastodon",
			priority: "high",
			tags: ["billing"],
			author: { handle: "dana", name: "Dana Scully", reach: 5 },
			text: "Refund please",
		});
		expect(matchesFilters(m, EMPTY_FILTERS, "me")).toBe(true);
		expect(matchesFilters(m, { ...EMPTY_FILTERS, network: "twitter" }, "me")).toBe(false);
		expect(matchesFilters(m, { ...EMPTY_FILTERS, priority: "low" }, "me")).toBe(false);
		expect(matchesFilters(m, { ...EMPTY_FILTERS, tag: "billing" }, "me")).toBe(true);
		expect(matchesFilters(m, { ...EMPTY_FILTERS, tag: "praise" }, "me")).toBe(false);
		expect(matchesFilters(m, { ...EMPTY_FILTERS, mine: true }, "me")).toBe(false);
		expect(
			matchesFilters({ ...m, owner: owned("me") }, { ...EMPTY_FILTERS, mine: true }, "me"),
		).toBe(true);
		expect(
			matchesFilters({ ...m, owner: owned("x") }, { ...EMPTY_FILTERS, unclaimed: true }, "me"),
		).toBe(false);
	});

	it("searches the handle (with or without @), the name and the text, ignoring case", () => {
		const m = mention("a", {
			author: { handle: "dana", name: "Dana Scully", reach: 5 },
			text: "Refund",
		});
		for (const search of ["@Dana", "scully", "REFUND", "  refund "]) {
			expect(matchesFilters(m, { ...EMPTY_FILTERS, search }, "me"), search).toBe(true);
		}
		expect(matchesFilters(m, { ...EMPTY_FILTERS, search: "mulder" }, "me")).toBe(false);
	});
});

describe("board columns", () => {
	it("puts each card in its status column, most urgent first, and hides done work by default", () => {
		const mentions = [
			mention("old-normal", { ingestedAt: at(0) }),
			mention("new-high", { priority: "high", ingestedAt: at(30) }),
			mention("old-high", { priority: "high", ingestedAt: at(10) }),
			mention("mine", { status: "claimed", owner: owned("me") }),
			mention("gone", { status: "dismissed" }),
		];
		const columns = boardColumns(mentions, EMPTY_FILTERS, "me");
		const ids = (status: string) =>
			columns.find((column) => column.status === status)?.mentions.map((m) => m.id);
		expect(ids("new")).toEqual(["old-high", "new-high", "old-normal"]);
		expect(ids("claimed")).toEqual(["mine"]);
		expect(ids("dismissed")).toBeUndefined();
		expect(columns.map((column) => column.status)).not.toContain("closed");

		const all = boardColumns(mentions, { ...EMPTY_FILTERS, showDone: true }, "me");
		expect(all.find((column) => column.status === "dismissed")?.mentions.map((m) => m.id)).toEqual([
			"gone",
		]);
	});

	it("orders every column as compareUrgency does, and j/k walk the columns in turn", () => {
		const priorities = ["high", "normal", "low"] as const;
		const statuses = ["new", "claimed", "in_review", "closed"] as const;
		fc.assert(
			fc.property(
				fc.array(
					fc.record({
						priority: fc.constantFrom(...priorities),
						status: fc.constantFrom(...statuses),
						ingested: fc.nat(20),
						posted: fc.nat(20),
					}),
					{ maxLength: 80 },
				),
				fc.boolean(),
				(cards, showDone) => {
					const mentions = cards
						.map((card, i) =>
							mention(`m${(i * 37) % 101}`, {
								priority: card.priority,
								status: card.status,
								ingestedAt: at(card.ingested),
								postedAt: at(card.posted),
							}),
						)
						.sort((a, b) => a.postedAt.localeCompare(b.postedAt));
					const filters = { ...EMPTY_FILTERS, showDone };
					const columns = boardColumns(mentions, filters, "me");
					for (const column of columns) {
						const expected = mentions
							.filter((m) => m.status === column.status)
							.sort(compareUrgency)
							.map((m) => m.id);
						expect(column.mentions.map((m) => m.id)).toEqual(expected);
					}
					expect(columnOrder(columns)).toEqual(columns.flatMap((column) => column.mentions));
				},
			),
		);
	});

	it("looks a mention up by id", () => {
		const index = indexById([mention("a"), mention("b", { text: "bee" })]);
		expect(index.get("b")?.text).toBe("bee");
		expect(index.has("a")).toBe(true);
		expect(index.has("c")).toBe(false);
		expect(index.get("c")).toBeUndefined();
	});

	it("lists my open conversations in my queue, the next reply deadline first", () => {
		const queue = myQueue(
			[
				mention("later", { status: "drafting", owner: owned("me"), ingestedAt: at(20) }),
				mention("earlier", { status: "claimed", owner: owned("me"), ingestedAt: at(5) }),
				// Newer, but a high-priority one is due within the hour where a normal one has four.
				mention("high", {
					status: "claimed",
					owner: owned("me"),
					priority: "high",
					ingestedAt: at(30),
				}),
				mention("theirs", { status: "claimed", owner: owned("them") }),
				mention("done", { status: "replied", owner: owned("me") }),
			],
			"me",
			DEFAULT_BOARD_SETTINGS,
			START + 40 * 60_000,
		);
		expect(queue.map((m) => m.id)).toEqual(["high", "earlier", "later"]);
	});

	it("puts first in my queue the conversations where the customer wrote again unread", () => {
		const queue = myQueue(
			[
				mention("due", { status: "claimed", owner: owned("me"), priority: "high" }),
				mention("wrote", { status: "claimed", owner: owned("me"), unseenFollowUps: 2 }),
			],
			"me",
			DEFAULT_BOARD_SETTINGS,
			START,
		);
		expect(queue.map((m) => m.id)).toEqual(["wrote", "due"]);
	});
});

describe("SLA timers", () => {
	const settings = DEFAULT_BOARD_SETTINGS;

	it("counts time to claim while nobody owns it, from when it arrived", () => {
		const m = mention("a", { priority: "high" }); // 15 min to claim
		const timer = slaTimer(m, settings, START + 10 * 60_000);
		expect(timer).toMatchObject({ kind: "claim", remaining: 5 * 60_000, breached: false });
		expect(slaTimer(m, settings, START + 16 * 60_000)?.breached).toBe(true);
	});

	it("counts time to reply once someone owns it", () => {
		const m = mention("a", { priority: "high", status: "claimed", owner: owned("me") }); // 60 min
		expect(slaTimer(m, settings, START + 30 * 60_000)).toMatchObject({
			kind: "reply",
			remaining: 30 * 60_000,
			breached: false,
		});
	});

	it("stops for replied, dismissed and snoozed conversations", () => {
		for (const status of ["replied", "dismissed", "closed", "snoozed"] as const) {
			expect(slaTimer(mention("a", { status }), settings, START + 10_000_000), status).toBeNull();
		}
	});
});

describe("the status a badge shows", () => {
	it("is the server's, and a stale approval never reads as Approved", () => {
		expect(statusLabel("approved", "approved")).toBe("Approved");
		expect(statusLabel("approved", "approval_stale")).toBe("Approval no longer applies");
		expect(statusLabel("in_review", "requested_changed")).toBe("In review, text changed");
		const pending = mention("m1", { status: "approved" });
		expect(serverStatus(pending)).toBe("approved");
		expect(
			serverStatus({
				...pending,
				confirmed: { ...pending, status: "in_review" },
			}),
		).toBe("in_review");
	});
});
