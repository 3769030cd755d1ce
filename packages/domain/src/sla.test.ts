import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_BOARD_SETTINGS } from "./model.ts";
import { newBreaches, type SlaProgress, slaDueTimes, slaProgressOf, slaState } from "./sla.ts";
import { at, makeMention, T0 } from "./test-fixtures.ts";

const settings = DEFAULT_BOARD_SETTINGS;
const none: SlaProgress = { claimedAt: null, repliedAt: null, endedAt: null };
/** A high-priority conversation (arrived at T0) that Dana claimed `minutes` later. */
const highClaimedAt = (minutes: number) =>
	makeMention({
		id: "h",
		priority: "high",
		status: "claimed",
		owner: { memberId: "dana", since: at(minutes) },
	});

describe("SLA due times", () => {
	it("counts each priority's claim and reply targets from arrival", () => {
		// Defaults: high 15 min / 60 min, normal 60 min / 4 h, low 4 h / 24 h.
		const arrived = { ingestedAt: T0 };
		expect(slaDueTimes({ ...arrived, priority: "high" }, settings)).toEqual({
			claim: at(15),
			reply: at(60),
		});
		expect(slaDueTimes({ ...arrived, priority: "normal" }, settings)).toEqual({
			claim: at(60),
			reply: at(240),
		});
		expect(slaDueTimes({ ...arrived, priority: "low" }, settings)).toEqual({
			claim: at(240),
			reply: at(1440),
		});
	});

	it("follows the board's own targets", () => {
		const custom = {
			slaClaimMinutes: { high: 5, normal: 30, low: 120 },
			slaReplyMinutes: { high: 20, normal: 90, low: 600 },
		};
		expect(slaDueTimes({ ingestedAt: T0, priority: "high" }, custom)).toEqual({
			claim: at(5),
			reply: at(20),
		});
	});
});

describe("slaState with a controlled clock", () => {
	const high = makeMention({ id: "h", priority: "high", ingestedAt: T0 });

	it("runs the claim clock of an unclaimed conversation and breaches it one moment past due", () => {
		const before = slaState(high, settings, at(14), none);
		expect(before.breached).toEqual([]);
		expect(before.running).toMatchObject({ kind: "claim", dueAt: at(15), remainingMs: 60_000 });

		expect(slaState(high, settings, at(15), none).breached).toEqual([]);
		const after = slaState(high, settings, at(15.5), none);
		expect(after.breached).toEqual(["claim"]);
		expect(after.claim).toMatchObject({ breached: true, stopped: false, remainingMs: -30_000 });
		expect(after.reply.breached).toBe(false);
	});

	it("stops the claim clock at the first claim and runs the reply clock", () => {
		const claimed = highClaimedAt(10);
		const state = slaState(claimed, settings, at(50), {
			claimedAt: at(10),
			repliedAt: null,
			endedAt: null,
		});
		expect(state.claim).toMatchObject({ metAt: at(10), stopped: true, breached: false });
		expect(state.running).toMatchObject({ kind: "reply", dueAt: at(60), remainingMs: 10 * 60_000 });
		expect(state.breached).toEqual([]);
		expect(slaState(claimed, settings, at(61), slaProgressOf(claimed)).breached).toEqual(["reply"]);
	});

	it("counts a late claim as a claim breach even after it was claimed", () => {
		const late = highClaimedAt(20);
		expect(slaState(late, settings, at(21)).breached).toEqual(["claim"]);
	});

	it("keeps a claim met on time met after a release puts the conversation back", () => {
		// Claimed at 5, released at 10: the board shows no owner, the activity log knows.
		const released = makeMention({ id: "h", priority: "high", status: "new" });
		const state = slaState(released, settings, at(30), {
			claimedAt: at(5),
			repliedAt: null,
			endedAt: null,
		});
		expect(state.breached).toEqual([]);
		expect(state.running?.kind).toBe("reply");
		// From the board alone it looks like a missed claim.
		expect(slaState(released, settings, at(30)).breached).toEqual(["claim"]);
	});

	it("stops both clocks at a reply and breaches the reply only when it came late", () => {
		const onTime = makeMention({
			id: "n",
			priority: "normal",
			status: "replied",
			owner: { memberId: "dana", since: at(30) },
			reply: { url: "https://x.example/1", hash: null, by: "dana", sentAt: at(200) },
			updatedAt: at(200),
		});
		const state = slaState(onTime, settings, at(5000));
		expect(state.breached).toEqual([]);
		expect(state.running).toBeNull();
		expect(state.reply).toMatchObject({ metAt: at(200), stopped: true, remainingMs: 40 * 60_000 });

		const late = { ...onTime, reply: { ...onTime.reply!, sentAt: at(241) }, updatedAt: at(241) };
		expect(slaState(late, settings, at(5000)).breached).toEqual(["reply"]);
	});

	it("does not breach a conversation dismissed before its targets fell due", () => {
		const dismissed = makeMention({ id: "h", priority: "high", status: "dismissed" });
		const progress = { claimedAt: null, repliedAt: null, endedAt: at(10) };
		const state = slaState(dismissed, settings, at(500), progress);
		expect(state.breached).toEqual([]);
		expect(state.running).toBeNull();
		// Dismissed after sitting unclaimed past the claim target: the claim was missed.
		const lateDismissal = slaState(dismissed, settings, at(500), { ...progress, endedAt: at(20) });
		expect(lateDismissal.breached).toEqual(["claim"]);
	});

	it("watches no clock while a conversation is snoozed for later, and again once it is back", () => {
		const snoozed = makeMention({
			id: "h",
			priority: "high",
			status: "snoozed",
			snoozedUntil: at(120),
		});
		const during = slaState(snoozed, settings, at(100), none);
		expect(during.breached).toEqual([]);
		expect(during.running).toBeNull();
		const back = slaState(snoozed, settings, at(121), none);
		expect(back.breached).toEqual(["claim", "reply"]);
		expect(back.running?.kind).toBe("claim");
	});

	it("lists only breaches not recorded yet", () => {
		const state = slaState(high, settings, at(61), none);
		expect(state.breached).toEqual(["claim", "reply"]);
		expect(newBreaches(state, []).map((c) => c.kind)).toEqual(["claim", "reply"]);
		expect(newBreaches(state, ["claim"]).map((c) => [c.kind, c.dueAt])).toEqual([
			["reply", at(60)],
		]);
		expect(newBreaches(state, ["claim", "reply"])).toEqual([]);
	});
});

describe("SLA properties", () => {
	const minute = fc.integer({ min: 0, max: 3000 });
	const progressArb = fc.record({
		claimedAt: fc.option(minute),
		repliedAt: fc.option(minute),
		endedAt: fc.option(minute),
	});

	it("never takes a breach back as time passes, and breaches only past a due time", () => {
		fc.assert(
			fc.property(
				fc.constantFrom("high", "normal", "low") as fc.Arbitrary<"high" | "normal" | "low">,
				progressArb,
				minute,
				minute,
				(priority, p, t1, t2) => {
					const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1];
					// What the log knows happened by the first look.
					fc.pre([p.claimedAt, p.repliedAt, p.endedAt].every((t) => t === null || t <= early));
					const mention = makeMention({ id: "m", priority, status: "new" });
					const progress = {
						claimedAt: p.claimedAt === null ? null : at(p.claimedAt),
						repliedAt: p.repliedAt === null ? null : at(p.repliedAt),
						endedAt: p.endedAt === null ? null : at(p.endedAt),
					};
					const before = slaState(mention, settings, at(early), progress);
					const after = slaState(mention, settings, at(late), progress);
					for (const kind of before.breached) expect(after.breached).toContain(kind);
					for (const clock of [after.claim, after.reply]) {
						if (clock.breached) expect(at(late) > clock.dueAt).toBe(true);
					}
				},
			),
			{ numRuns: 500 },
		);
	});
});

describe("SLA clocks on a board with business hours", () => {
	const office = { start: "09:00", end: "17:30" };
	const hours = {
		timeZone: "Europe/Berlin",
		weekly: {
			mon: [office],
			tue: [office],
			wed: [office],
			thu: [office],
			fri: [office],
			sat: [],
			sun: [],
		},
		holidays: ["2026-12-24"],
	};
	const board = { ...settings, businessHours: hours };
	// Friday 4 December 2026, 17:00 in Berlin.
	const friday = "2026-12-04T16:00:00.000Z";

	it("counts the targets in working time: a Friday 17:00 arrival is due on Monday", () => {
		const normal = { ingestedAt: friday, priority: "normal" as const };
		// One hour to claim: 30 minutes on Friday, 30 on Monday; four hours to reply.
		expect(slaDueTimes(normal, board)).toEqual({
			claim: "2026-12-07T08:30:00.000Z",
			reply: "2026-12-07T11:30:00.000Z",
		});
		expect(slaDueTimes(normal, settings).claim).toBe("2026-12-04T17:00:00.000Z");
	});

	it("breaches only once the working time has run out, not over the weekend", () => {
		const mention = makeMention({ id: "w", priority: "normal", ingestedAt: friday });
		expect(slaState(mention, board, "2026-12-06T12:00:00.000Z", none).breached).toEqual([]);
		expect(slaState(mention, settings, "2026-12-06T12:00:00.000Z", none).breached).toEqual([
			"claim",
			"reply",
		]);
		expect(slaState(mention, board, "2026-12-07T08:31:00.000Z", none).breached).toEqual(["claim"]);
	});

	it("restarts the reply clock of a follow-up in working time too", () => {
		const replied = makeMention({
			id: "f",
			priority: "high",
			ingestedAt: "2026-12-01T09:00:00.000Z",
			slaFrom: "2026-12-23T16:00:00.000Z",
		});
		// Wednesday 23rd 17:00, an hour to reply: 30 minutes, the holiday and the weekend off
		// (Thursday 24th a holiday, Friday 25th a working day), 30 minutes on Friday.
		expect(slaDueTimes(replied, board).reply).toBe("2026-12-25T08:30:00.000Z");
	});
});
