import type { BoardMention, Presence } from "@switchboard/client";
import { DEFAULT_BOARD_SETTINGS } from "@switchboard/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
	ageBucket,
	breachRows,
	conversationsInBreach,
	createBreachRows,
	formatSeconds,
	type MemberLoad,
	memberLoads,
	reviewQueue,
	suggestAssignee,
	unclaimedMatrix,
	unclaimedQueue,
	viewingByMember,
} from "./coverage-model.ts";
import { at, makeCard, mention, START } from "./test-fixtures.ts";

const NOW = START + 300 * 60_000;

const owned = (memberId: string, status: BoardMention["status"] = "claimed") => ({
	status,
	owner: { memberId, since: at(1) },
});

describe("unclaimed work", () => {
	it("buckets ages at 15 min, 1 h, 4 h and a day", () => {
		expect(ageBucket(at(290), NOW)).toBe("lt15m");
		expect(ageBucket(at(285), NOW)).toBe("lt1h");
		expect(ageBucket(at(241), NOW)).toBe("lt1h");
		expect(ageBucket(at(240), NOW)).toBe("lt4h");
		expect(ageBucket(at(61), NOW)).toBe("lt4h");
		expect(ageBucket(at(60), NOW)).toBe("lt1d");
		expect(ageBucket(at(300 - 1440), NOW)).toBe("older");
	});

	it("counts only what can be claimed now, by priority and age", () => {
		const mentions = [
			mention("a", { priority: "high", ingestedAt: at(295) }),
			mention("b", { priority: "high", ingestedAt: at(100) }),
			mention("c", { priority: "low", ingestedAt: at(100) }),
			mention("d", owned("dana")),
			mention("e", { status: "snoozed", snoozedUntil: at(400) }),
			mention("f", { status: "snoozed", snoozedUntil: at(200), ingestedAt: at(290) }),
			mention("g", { status: "dismissed" }),
		];
		const matrix = unclaimedMatrix(mentions, NOW);
		expect(matrix.total).toBe(4);
		expect(matrix.byPriority).toEqual({ high: 2, normal: 1, low: 1 });
		expect(matrix.cells.high).toEqual({ lt15m: 1, lt1h: 0, lt4h: 1, lt1d: 0, older: 0 });
		expect(matrix.byBucket.lt15m).toBe(2);
	});

	it("puts the oldest high-priority conversation first", () => {
		const queue = unclaimedQueue(
			[
				mention("normal-old", { ingestedAt: at(0) }),
				mention("high-new", { priority: "high", ingestedAt: at(200) }),
				mention("high-old", { priority: "high", ingestedAt: at(100) }),
				mention("taken", { priority: "high", ...owned("dana") }),
			],
			NOW,
		);
		expect(queue.map((m) => m.id)).toEqual(["high-old", "high-new", "normal-old"]);
	});

	it("picks the first of the queue alone, in its order, whatever the board's order", () => {
		const priorities = ["high", "normal", "low"] as const;
		const statuses = ["new", "escalated", "snoozed", "claimed", "replied"] as const;
		let seed = 7;
		const next = (n: number) => {
			seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
			return seed % n;
		};
		for (let round = 0; round < 50; round++) {
			const board = Array.from({ length: 1 + next(60) }, (_, i) => {
				const status = statuses[next(statuses.length)]!;
				return mention(`m${round}-${i}`, {
					priority: priorities[next(3)]!,
					// Few distinct times: ties, broken by id.
					ingestedAt: at(next(20)),
					status,
					...(status === "snoozed" ? { snoozedUntil: at(250 + next(100)) } : {}),
					...(status === "claimed" ? owned("dana") : {}),
				});
			});
			const queue = unclaimedQueue(board, NOW);
			for (const limit of [0, 1, 8, 100]) {
				expect(unclaimedQueue(board, NOW, limit)).toEqual(queue.slice(0, limit));
			}
		}
	});
});

describe("load and presence", () => {
	const members = [
		makeCard("dana"),
		makeCard("sam", { capacity: 4, languages: ["de"] }),
		makeCard("kim", { skills: ["billing"] }),
		makeCard("mo", { role: "moderator", capacity: 0 }),
	];
	const mentions = [
		mention("1", owned("dana")),
		mention("2", owned("dana", "in_review")),
		mention("3", owned("sam")),
		mention("4", owned("sam", "replied")),
	];
	const presence = new Map<string, Presence>([
		["1", { viewers: [makeCard("dana"), makeCard("mo")], typers: [] }],
		["9", { viewers: [makeCard("dana")], typers: [] }],
	]);

	it("counts each member's open conversations against capacity, fullest first", () => {
		const viewing = viewingByMember(presence);
		expect(viewing.get("dana")).toEqual(["1", "9"]);
		const loads = memberLoads(members, mentions, new Set(["dana", "kim"]), viewing);
		expect(loads.map((l) => [l.member.id, l.open.length, l.ratio, l.room, l.online])).toEqual([
			["dana", 2, 1, 0, true],
			["sam", 1, 0.25, 3, false],
			["kim", 0, 0, 2, true],
		]);
		expect(loads[0]?.viewing).toEqual(["1", "9"]);
	});

	it("suggests an online member with room who writes the language, skills first", () => {
		const loads = memberLoads(members, mentions, new Set(["dana", "kim", "sam"]), new Map());
		expect(suggestAssignee(mention("x"), loads, "mo")?.member.id).toBe("kim");
		expect(suggestAssignee(mention("x", { language: "de" }), loads, "mo")?.member.id).toBe("kim");
		const offlineKim = memberLoads(members, mentions, new Set(["sam"]), new Map());
		expect(suggestAssignee(mention("x", { language: "de" }), offlineKim, "mo")?.member.id).toBe(
			"sam",
		);
		const full = memberLoads([makeCard("dana")], mentions, new Set(["dana"]), new Map());
		expect(suggestAssignee(mention("x"), full, "mo")).toBeNull();
	});

	it("suggests the first member of the suggestion's order, however many there are", () => {
		// The order the suggestion documents, by sorting everyone: what a single pass must find.
		const first = (loads: readonly MemberLoad[], language: string | null, tags: string[]) =>
			loads
				.filter(
					(l) =>
						l.room > 0 &&
						l.member.id !== "mo" &&
						(l.member.languages.length === 0 ||
							language === null ||
							l.member.languages.includes(language)),
				)
				.sort(
					(a, b) =>
						Number(b.online) - Number(a.online) ||
						Number(b.member.role === "ambassador") - Number(a.member.role === "ambassador") ||
						Number(!tags.some((t) => a.member.skills.includes(t))) -
							Number(!tags.some((t) => b.member.skills.includes(t))) ||
						a.ratio - b.ratio ||
						a.member.name.localeCompare(b.member.name),
				)[0]?.member.id ?? null;
		const card = fc.record({
			// Few values, so that members tie on everything but their place in the list.
			name: fc.constantFrom("Ana", "Émile", "emile"),
			role: fc.constantFrom("ambassador", "moderator"),
			capacity: fc.integer({ min: 0, max: 2 }),
			languages: fc.subarray(["de", "en"]),
			skills: fc.subarray(["billing"]),
			held: fc.integer({ min: 0, max: 1 }),
			online: fc.boolean(),
		});
		fc.assert(
			fc.property(
				fc.array(card, { maxLength: 12 }),
				fc.constantFrom(null, "de", "en"),
				fc.subarray(["billing", "outage"]),
				(cards, language, tags) => {
					const members = cards.map((c, i) =>
						makeCard(`m${i}`, {
							name: c.name,
							role: c.role,
							capacity: c.capacity,
							languages: c.languages,
							skills: c.skills,
						}),
					);
					const held = cards.flatMap((c, i) =>
						Array.from({ length: c.held }, (_, k) => mention(`h${i}-${k}`, owned(`m${i}`))),
					);
					const online = new Set(cards.flatMap((c, i) => (c.online ? [`m${i}`] : [])));
					const loads = memberLoads(members, held, online, new Map());
					const wanted = mention("x", { language, tags });
					expect(suggestAssignee(wanted, loads, "mo")?.member.id ?? null).toBe(
						first(loads, language, tags),
					);
				},
			),
		);
	});

	it("leaves a deactivated member out of the load and the suggestions, and takes them back when reactivated", () => {
		const milton = makeCard("milton", { name: "Milton Waddams", capacity: 5 });
		const online = new Set(["milton", "dana"]);
		const gone = memberLoads(
			[...members, { ...milton, active: false }],
			mentions,
			online,
			new Map(),
		);
		expect(gone.map((load) => load.member.id)).toEqual(["dana", "sam", "kim"]);
		// Online, with room and the least loaded, he would be the suggestion were he active.
		expect(suggestAssignee(mention("x"), gone, "mo")?.member.id).toBe("kim");
		const back = memberLoads([...members, milton], mentions, online, new Map());
		expect(back.map((load) => load.member.id)).toContain("milton");
		expect(suggestAssignee(mention("x"), back, "mo")?.member.id).toBe("milton");
	});

	it("never suggests the moderator choosing, though online while the others are not", () => {
		const team = [...members.slice(0, 3), makeCard("mo", { role: "moderator", capacity: 10 })];
		const loads = memberLoads(team, mentions, new Set(["mo"]), new Map());
		// Kim: an ambassador with room, offline like the others, the least loaded.
		expect(suggestAssignee(mention("x"), loads, "mo")?.member.id).toBe("kim");
		const onlyMe = memberLoads([team[3]!], mentions, new Set(["mo"]), new Map());
		expect(suggestAssignee(mention("x"), onlyMe, "mo")).toBeNull();
	});
});

describe("breaches and reviews", () => {
	it("marks a breach open while someone must act on it, and counts each conversation once", () => {
		const byId = new Map([
			["a", mention("a")],
			["b", mention("b", owned("dana"))],
			["c", mention("c", { status: "replied", owner: { memberId: "dana", since: at(1) } })],
			["d", mention("d", { status: "snoozed", snoozedUntil: at(400) })],
			// Reopened by a follow-up at minute 280: a new round, not breached yet.
			["e", mention("e", { ...owned("dana"), slaFrom: at(280) })],
			["f", mention("f", { status: "dismissed", updatedAt: at(250) })],
		]);
		const rows = breachRows(
			[
				{ mentionId: "a", kind: "claim", dueAt: at(60), at: at(61) },
				{ mentionId: "a", kind: "reply", dueAt: at(240), at: at(241) },
				{ mentionId: "b", kind: "claim", dueAt: at(60), at: at(61) },
				{ mentionId: "b", kind: "reply", dueAt: at(240), at: at(241) },
				{ mentionId: "c", kind: "reply", dueAt: at(240), at: at(241) },
				{ mentionId: "d", kind: "claim", dueAt: at(60), at: at(61) },
				{ mentionId: "e", kind: "reply", dueAt: at(240), at: at(241) },
				{ mentionId: "f", kind: "reply", dueAt: at(240), at: at(241) },
				{ mentionId: "gone", kind: "claim", dueAt: at(60), at: at(61) },
			],
			byId,
			DEFAULT_BOARD_SETTINGS,
			NOW,
		);
		expect(
			rows.map((r) => [
				r.breach.mentionId,
				r.breach.kind,
				r.open ? "open" : r.settled && "settled",
			]),
		).toEqual([
			// New and unclaimed: nobody has claimed it nor answered it, so neither is settled.
			["a", "claim", "open"],
			["a", "reply", "open"],
			// Claimed late, now late with the reply.
			["b", "claim", "settled"],
			["b", "reply", "open"],
			// Answered, dismissed, reopened into a new round, or gone: history.
			["c", "reply", "settled"],
			// Snoozed for later: nothing to do now, but nobody has claimed it either.
			["d", "claim", false],
			["e", "reply", "settled"],
			["f", "reply", "settled"],
			["gone", "claim", "settled"],
		]);
		// Nine breaches recorded, two conversations a moderator must act on.
		expect(conversationsInBreach(rows)).toBe(2);
		// Once the team catches up, the figure falls instead of adding up.
		const caughtUp = new Map(
			[...byId].map(([id, m]) => [
				id,
				id === "a" || id === "b"
					? { ...m, status: "replied" as const, owner: { memberId: "dana", since: at(1) } }
					: m,
			]),
		);
		const after = breachRows(
			rows.map((r) => r.breach),
			caughtUp,
			DEFAULT_BOARD_SETTINGS,
			NOW,
		);
		expect(conversationsInBreach(after)).toBe(0);
		expect(after.filter((r) => r.mention && !r.settled).map((r) => r.breach.mentionId)).toEqual([
			"d",
		]);
	});

	it("keeps a breach's row while only other conversations change, as breachRows would make it", () => {
		const breaches = [
			{ mentionId: "a", kind: "claim" as const, dueAt: at(60), at: at(61) },
			{ mentionId: "b", kind: "reply" as const, dueAt: at(240), at: at(241) },
		];
		const board = new Map([
			["a", mention("a")],
			["b", mention("b", owned("dana"))],
		]);
		const rowsOf = createBreachRows();
		const first = rowsOf(breaches, board, DEFAULT_BOARD_SETTINGS, NOW);
		expect(first).toEqual(breachRows(breaches, board, DEFAULT_BOARD_SETTINGS, NOW));

		// A new conversation arrives: no breach names it, every row is the one made before.
		const busier = new Map([...board, ["new", mention("new", { ingestedAt: at(299) })]]);
		const kept = rowsOf(breaches, busier, DEFAULT_BOARD_SETTINGS, NOW);
		expect(kept[0]).toBe(first[0]);
		expect(kept[1]).toBe(first[1]);

		// "a" is claimed: its row is made again and says so; "b"'s stays.
		const claimed = new Map([...busier, ["a", mention("a", owned("sam"))]]);
		const after = rowsOf(breaches, claimed, DEFAULT_BOARD_SETTINGS, NOW);
		expect(after).toEqual(breachRows(breaches, claimed, DEFAULT_BOARD_SETTINGS, NOW));
		expect(after[0]).toMatchObject({ settled: true, open: false });
		expect(after[1]).toBe(first[1]);

		// The clock moves on, or the settings change: every row is made again.
		const later = rowsOf(breaches, claimed, DEFAULT_BOARD_SETTINGS, NOW + 10_000);
		expect(later[1]).not.toBe(first[1]);
		expect(later).toEqual(breachRows(breaches, claimed, DEFAULT_BOARD_SETTINGS, NOW + 10_000));
		const settings = { ...DEFAULT_BOARD_SETTINGS };
		expect(rowsOf(breaches, claimed, settings, NOW + 10_000)[1]).not.toBe(later[1]);

		// Its conversation left the board (finished): settled, as breachRows has it.
		const gone = new Map([...claimed].filter(([id]) => id !== "b"));
		expect(rowsOf(breaches, gone, settings, NOW + 10_000)[1]).toMatchObject({
			mention: undefined,
			settled: true,
		});
	});

	it("settles a reply breach by the reply, not by the claim", () => {
		const reply = (id: string) => ({
			mentionId: id,
			kind: "reply" as const,
			dueAt: at(240),
			at: at(241),
		});
		const state = (m: BoardMention) => {
			const [row] = breachRows([reply(m.id)], new Map([[m.id, m]]), DEFAULT_BOARD_SETTINGS, NOW);
			return { open: row!.open, settled: row!.settled };
		};
		// Claimed, still unanswered: the missed reply still wants one.
		expect(state(mention("claimed", owned("dana")))).toEqual({ open: true, settled: false });
		const replied = mention("replied", {
			...owned("dana", "replied"),
			reply: { url: "https://social.example/@us/1", hash: null, by: "dana", sentAt: at(250) },
		});
		expect(state(replied)).toEqual({ open: false, settled: true });
	});

	it("counts a conversation whose reply target fell due before its claim target", () => {
		// A board may give more time to claim than to answer: the reply breach is all there is.
		const settings = {
			...DEFAULT_BOARD_SETTINGS,
			slaClaimMinutes: { ...DEFAULT_BOARD_SETTINGS.slaClaimMinutes, normal: 600 },
		};
		const rows = breachRows(
			[{ mentionId: "a", kind: "reply", dueAt: at(240), at: at(241) }],
			new Map([["a", mention("a")]]),
			settings,
			NOW,
		);
		expect(rows.map((r) => [r.open, r.settled])).toEqual([[true, false]]);
		expect(conversationsInBreach(rows)).toBe(1);
	});

	it("queues submitted drafts oldest first and keeps approved ones apart", () => {
		const review = (at_: string, state: "requested" | "approved") => ({
			state,
			hash: "a".repeat(64),
			by: "dana",
			at: at_,
			comment: null,
		});
		const queue = reviewQueue([
			mention("late", { ...owned("dana", "in_review"), review: review(at(20), "requested") }),
			mention("early", { ...owned("sam", "in_review"), review: review(at(10), "requested") }),
			mention("ok", { ...owned("kim", "approved"), review: review(at(5), "approved") }),
			mention("other", owned("kim")),
		]);
		expect(queue.waiting.map((m) => m.id)).toEqual(["early", "late"]);
		expect(queue.approved.map((m) => m.id)).toEqual(["ok"]);
	});

	it("reads durations", () => {
		expect(formatSeconds(null)).toBe("–");
		expect(formatSeconds(42)).toBe("42 s");
		expect(formatSeconds(600)).toBe("10 min");
		expect(formatSeconds(5400)).toBe("1.5 h");
		expect(formatSeconds(172_800)).toBe("2.0 d");
	});
});
