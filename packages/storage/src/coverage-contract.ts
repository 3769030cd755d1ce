/**
 * The moderator's view in the contract suite: the coverage store (board settings,
 * presence, SLA breaches), the command arbiter's system commands, and reports. Run by
 * `storageContract` on PGlite and on PostgreSQL alike. The reports are checked against a
 * scripted history whose answers were worked out by hand (see the comments next to each
 * expectation).
 */
import { randomUUID } from "node:crypto";
import {
	type Command,
	DEFAULT_BOARD_SETTINGS,
	type Member,
	NO_MEASURES,
	type ReportRow,
	SystemActions,
	Weekdays,
} from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import type { CoverageStore, Reports } from "./coverage-storage.ts";
import type {
	CommandArbiter,
	Directory,
	MentionStore,
	NewMention,
	ThreadStore,
} from "./storage.ts";
import { newMember, newMention, newOrganisation } from "./test-fixtures.ts";

/** ISO time on 26 November 2026 (day 1) or later: `t(1, "09:10")`. */
function t(day: number, time: string): string {
	return new Date(`2026-11-${25 + day}T${time}:00.000Z`).toISOString();
}

/** A mention on twitter, posted and ingested at `ingestedAt`. */
function mention(ingestedAt: string, overrides: Partial<NewMention> = {}): NewMention {
	return newMention({ network: "twitter", postedAt: ingestedAt, ingestedAt, ...overrides });
}

/** A report row's key and counts, in the order of the expected tables below. */
function countsOf(r: ReportRow): (string | number | null)[] {
	return [
		r.key,
		r.new,
		r.claimed,
		r.replied,
		r.closed,
		r.claimDue,
		r.claimMet,
		r.replyDue,
		r.replyMet,
	];
}

/** What every part here needs to set the scene: teams, mentions and members' commands. */
type Scene = Directory & MentionStore & CommandArbiter;

/** The scene's helpers, on the storage `portOf` returns when a test runs. */
function scene(portOf: () => Scene) {
	async function team() {
		const directory = portOf();
		const { orgId } = await newOrganisation(directory);
		const member = (name: string, role: Member["role"]) =>
			newMember(directory, orgId, name, role, 5, { passwordHash: "scrypt$x" });
		return {
			orgId,
			ana: await member("Ana", "ambassador"),
			ben: await member("Ben", "ambassador"),
			mo: await member("Mo", "moderator"),
		};
	}

	/** A member's command on the main board, which may be refused. */
	function attempt(orgId: string, actor: Member, command: Command, now: string) {
		return portOf().executeCommand({
			orgId,
			boardId: "main",
			actorId: actor.id,
			commandId: randomUUID(),
			command,
			now,
		});
	}

	/** A member's command on the main board that must succeed. */
	async function run(orgId: string, actor: Member, command: Command, now: string) {
		const outcome = await attempt(orgId, actor, command, now);
		if (!outcome.ok) throw new Error(`${command.name} refused: ${outcome.message}`);
		return outcome;
	}
	return { team, attempt, run };
}

export function coverageStoreContract(portOf: () => CoverageStore & Scene): void {
	const { team, attempt, run } = scene(portOf);

	describe("board settings", () => {
		it("reads the defaults until saved, then what was saved, per board", async () => {
			const storage = portOf();
			const { orgId } = await team();
			expect(await storage.getBoardSettings(orgId, "main")).toEqual(DEFAULT_BOARD_SETTINGS);
			const saved = await storage.saveBoardSettings(orgId, "main", {
				...DEFAULT_BOARD_SETTINGS,
				leaseMinutes: 30,
				slaClaimMinutes: { high: 5, normal: 30, low: 120 },
				approval: { priorities: ["high"], tags: ["legal"], newMembers: [] },
			});
			expect(saved.leaseMinutes).toBe(30);
			expect(await storage.getBoardSettings(orgId, "main")).toEqual(saved);
			const other = await team();
			expect((await storage.getBoardSettings(other.orgId, "main")).leaseMinutes).toBe(15);
			await expect(
				storage.saveBoardSettings(orgId, "no-such-board", DEFAULT_BOARD_SETTINGS),
			).rejects.toMatchObject({ kind: "not_found" });
		});

		/** A board that holds high-priority replies for approval, and a high-priority mention Ana claimed. */
		async function claimedUnderApproval() {
			const storage = portOf();
			const { orgId, ana, mo } = await team();
			await storage.saveBoardSettings(orgId, "main", {
				...DEFAULT_BOARD_SETTINGS,
				approval: { priorities: ["high"], tags: [], newMembers: [] },
			});
			const [stored] = await storage.insertMentions(orgId, "main", [
				mention(t(1, "09:00"), { priority: "high" }),
			]);
			const id = stored?.mention.id ?? "";
			await run(orgId, ana, { name: "claim", args: { mentionId: id } }, t(1, "09:01"));
			return { storage, orgId, ana, mo, id };
		}

		it("refuses to record a reply the board's approval rules hold back", async () => {
			const { storage, orgId, ana, mo, id } = await claimedUnderApproval();
			const hash = "b".repeat(64);
			const reply = {
				name: "markReplied",
				args: { mentionId: id, url: "https://twitter.com/acme/status/1", hash },
			};
			const early = await attempt(orgId, ana, reply as Command, t(1, "09:02"));
			expect(early).toMatchObject({ ok: false, code: "invalid_transition" });
			await run(
				orgId,
				ana,
				{ name: "submitForReview", args: { mentionId: id, hash } },
				t(1, "09:03"),
			);
			await run(orgId, mo, { name: "approve", args: { mentionId: id, hash } }, t(1, "09:04"));
			await run(orgId, ana, reply as Command, t(1, "09:05"));
			expect((await storage.getMention(orgId, id))?.mention.status).toBe("replied");
		});
		it("keeps a conversation needing approval after its priority is lowered, across a reload", async () => {
			const { storage, orgId, ana, id } = await claimedUnderApproval();
			await run(
				orgId,
				ana,
				{ name: "setPriority", args: { mentionId: id, priority: "low" } },
				t(1, "09:02"),
			);
			expect((await storage.getMention(orgId, id))?.mention).toMatchObject({
				priority: "low",
				approvalRequired: true,
			});
			const walkedAround = await attempt(
				orgId,
				ana,
				{
					name: "markReplied",
					args: { mentionId: id, url: "https://twitter.com/acme/status/1", hash: "c".repeat(64) },
				},
				t(1, "09:03"),
			);
			expect(walkedAround).toMatchObject({ ok: false, code: "invalid_transition" });
		});
	});

	describe("presence", () => {
		it("keeps one row per member and instance whose sighting only moves forward", async () => {
			const storage = portOf();
			const { orgId, ana, ben } = await team();
			await storage.recordPresence([
				{ orgId, memberId: ana.id, instanceId: "i1", connections: 2, at: t(1, "10:00") },
				{ orgId, memberId: ana.id, instanceId: "i2", connections: 1, at: t(1, "10:01") },
				{ orgId, memberId: ben.id, instanceId: "i1", connections: 1, at: t(1, "09:00") },
			]);
			// A late write with an older time keeps the newer sighting.
			await storage.recordPresence([
				{ orgId, memberId: ana.id, instanceId: "i1", connections: 0, at: t(1, "09:59") },
			]);
			const records = await storage.listPresence(orgId);
			const sorted = records.sort((a, b) => a.lastSeenAt.localeCompare(b.lastSeenAt));
			expect(sorted).toEqual([
				{ memberId: ben.id, connections: 1, lastSeenAt: t(1, "09:00") },
				{ memberId: ana.id, connections: 0, lastSeenAt: t(1, "10:00") },
				{ memberId: ana.id, connections: 1, lastSeenAt: t(1, "10:01") },
			]);
			expect(await storage.prunePresence(t(1, "09:30"))).toBeGreaterThanOrEqual(1);
			expect((await storage.listPresence(orgId)).map((r) => r.memberId)).not.toContain(ben.id);
		});
	});

	describe("SLA breaches", () => {
		it("lists candidates with their first claim, reply and end, and records each breach once", async () => {
			const storage = portOf();
			const { orgId, ana } = await team();
			const [high, fresh] = await storage.insertMentions(orgId, "main", [
				mention(t(1, "09:00"), { priority: "high" }),
				mention(t(1, "09:50"), { priority: "high" }),
			]);
			const id = high?.mention.id ?? "";
			await run(orgId, ana, { name: "claim", args: { mentionId: id } }, t(1, "09:20"));
			await run(orgId, ana, { name: "release", args: { mentionId: id } }, t(1, "09:25"));

			const candidates = await storage.listSlaCandidates(orgId, "main", {
				now: t(1, "10:00"),
				since: t(1, "00:00"),
				shortestMinutes: { claim: 15, reply: 60 },
			});
			// The fresh one arrived 10 minutes ago: no target can be due yet.
			expect(candidates.map((c) => c.stored.mention.id)).toEqual([id]);
			expect(candidates[0]?.progress).toEqual({
				claimedAt: t(1, "09:20"),
				repliedAt: null,
				endedAt: null,
			});
			expect(candidates[0]?.recorded).toEqual([]);

			const breach = {
				mentionId: id,
				kind: "claim" as const,
				dueAt: t(1, "09:15"),
				status: "new" as const,
				ownerId: null,
				priority: "high",
			};
			const first = await storage.recordSlaBreaches(orgId, [breach], t(1, "10:00"));
			expect(first).toEqual([
				{
					id: expect.any(Number),
					mentionId: id,
					kind: "claim",
					dueAt: t(1, "09:15"),
					at: t(1, "10:00"),
				},
			]);
			// A second watcher (or the next round) records nothing new.
			expect(await storage.recordSlaBreaches(orgId, [breach], t(1, "10:01"))).toEqual([]);
			expect(await storage.listSlaBreaches(orgId, "main")).toEqual(first);
			expect(
				await storage.listSlaBreaches(orgId, "main", { mentionIds: [fresh?.mention.id ?? ""] }),
			).toEqual([]);
			const activity = await storage.listActivity(orgId, { mentionId: id });
			expect(activity[0]).toMatchObject({
				action: "sla_breached",
				actorId: null,
				detail: { kind: "claim", dueAt: t(1, "09:15") },
			});
			const again = await storage.listSlaCandidates(orgId, "main", {
				now: t(1, "10:00"),
				since: t(1, "00:00"),
				shortestMinutes: { claim: 15, reply: 60 },
			});
			expect(again[0]?.recorded).toEqual(["claim"]);
		});
	});
}

/** The command arbiter's system commands (`executeSystemCommand`). */
export function systemCommandContract(portOf: () => CoverageStore & Scene): void {
	const { team, run } = scene(portOf);

	describe("system commands", () => {
		it("releases through the command transaction with no actor and the reason recorded", async () => {
			const storage = portOf();
			const { orgId, ana } = await team();
			const [stored] = await storage.insertMentions(orgId, "main", [mention(t(1, "09:00"))]);
			const id = stored?.mention.id ?? "";
			await run(orgId, ana, { name: "claim", args: { mentionId: id } }, t(1, "09:05"));
			const release = {
				orgId,
				boardId: "main",
				command: { name: "release", args: { mentionId: id } } as Command,
				action: "lease_expired" as const,
				detail: { offlineSince: t(1, "09:10"), leaseMinutes: 15 },
				now: t(1, "09:30"),
			};
			// Someone else owns it by now: nothing happens.
			expect(
				await storage.executeSystemCommand({ ...release, expectOwnerId: "someone" }),
			).toMatchObject({
				ok: false,
				code: "not_owner",
			});
			// The owner was seen after going away: nothing happens.
			await storage.recordPresence([
				{ orgId, memberId: ana.id, instanceId: "i1", connections: 1, at: t(1, "09:20") },
			]);
			expect(
				await storage.executeSystemCommand({
					...release,
					expectOwnerId: ana.id,
					unlessSeenAfter: t(1, "09:10"),
				}),
			).toMatchObject({ ok: false });

			const outcome = await storage.executeSystemCommand({
				...release,
				expectOwnerId: ana.id,
				unlessSeenAfter: t(1, "09:25"),
			});
			expect(outcome).toMatchObject({ ok: true, rev: 3, work: { status: "new", owner: null } });
			const [record] = await storage.listActivity(orgId, { mentionId: id, limit: 1 });
			expect(record).toMatchObject({
				action: "lease_expired",
				actorId: null,
				commandId: null,
				fromStatus: "claimed",
				toStatus: "new",
				detail: { previousOwner: ana.id, offlineSince: t(1, "09:10"), leaseMinutes: 15 },
				at: t(1, "09:30"),
			});
			// Released: the same expiry again changes nothing.
			expect(
				await storage.executeSystemCommand({ ...release, expectOwnerId: ana.id }),
			).toMatchObject({
				ok: false,
			});
			expect((await storage.listActivity(orgId, { mentionId: id })).length).toBe(2);
		});
	});
}

export function reportsContract(portOf: () => Reports & CoverageStore & Scene & ThreadStore): void {
	const { team, run } = scene(portOf);

	describe("reports", () => {
		/**
		 * The history, on 26 (day 1) and 27 (day 2) November 2026, default targets
		 * (high 15 min / 1 h, normal 1 h / 4 h, low 4 h / 24 h), report "now" day 2 12:00:
		 * A high twitter [billing], day 1 09:00: Ana claims 09:10, replies 09:50.
		 * B normal mastodon [billing, outage], day 1 09:00: Ben claims 10:30, replies 12:00.
		 * C low twitter, day 1 10:00: Mo dismisses it 11:00, nobody claimed it.
		 * D high twitter [outage], day 2 08:00: Mo assigns it to Ana 08:20; no reply;
		 *   the watcher recorded its claim breach at 08:16.
		 * E normal bluesky, day 2 11:30: waiting, its targets not due yet.
		 * F normal twitter, day 0 23:00 (before the period): Ana claims day 1 00:30; no reply.
		 */
		async function history() {
			const storage = portOf();
			const team_ = await team();
			const { orgId, ana, ben, mo } = team_;
			const [a, b, c, d, e, f] = (
				await storage.insertMentions(orgId, "main", [
					mention(t(1, "09:00"), { priority: "high", tags: ["billing"] }),
					mention(t(1, "09:00"), { network: "mastodon", tags: ["billing", "outage"] }),
					mention(t(1, "10:00"), { priority: "low" }),
					mention(t(2, "08:00"), { priority: "high", tags: ["outage"] }),
					mention(t(2, "11:30"), { network: "bluesky" }),
					mention(t(0, "23:00")),
				])
			).map((s) => s.mention.id);
			const url = "https://twitter.com/acme/status/9";
			await run(orgId, ana, { name: "claim", args: { mentionId: f! } }, t(1, "00:30"));
			await run(orgId, ana, { name: "claim", args: { mentionId: a! } }, t(1, "09:10"));
			await run(orgId, ana, { name: "markReplied", args: { mentionId: a!, url } }, t(1, "09:50"));
			await run(orgId, ben, { name: "claim", args: { mentionId: b! } }, t(1, "10:30"));
			await run(orgId, mo, { name: "dismiss", args: { mentionId: c! } }, t(1, "11:00"));
			await run(orgId, ben, { name: "markReplied", args: { mentionId: b!, url } }, t(1, "12:00"));
			await storage.recordSlaBreaches(
				orgId,
				[
					{
						mentionId: d!,
						kind: "claim",
						dueAt: t(2, "08:15"),
						status: "new",
						ownerId: null,
						priority: "high",
					},
				],
				t(2, "08:16"),
			);
			await run(
				orgId,
				mo,
				{ name: "assign", args: { mentionId: d!, memberId: ana.id } },
				t(2, "08:20"),
			);
			return { ...team_, ids: { a, b, c, d, e, f } };
		}

		const period = { from: t(1, "00:00"), to: t(3, "00:00"), now: t(2, "12:00") };

		it("counts a period's volumes, medians and SLA attainment", async () => {
			const storage = portOf();
			const { orgId } = await history();
			const [summary] = await storage.report({ orgId, dimension: "total", ...period });
			expect(summary).toEqual({
				key: null,
				new: 5, // A-E; F arrived before the period
				claimed: 4, // A 600 s, B 5400 s, D 1200 s, F 5400 s
				replied: 2, // A 3000 s, B 10800 s
				closed: 3, // A 3000 s, B 10800 s, C dismissed 3600 s
				claimMedianSeconds: 3300, // (1200 + 5400) / 2
				replyMedianSeconds: 6900,
				closeMedianSeconds: 3600,
				claimDue: 4, // A met; B, D, F missed; C dismissed before due; E not due
				claimMet: 1,
				replyDue: 4, // A, B met; D, F missed
				replyMet: 2,
				breaches: 1,
				woken: 0,
			});
			const empty = await team();
			expect(await storage.report({ orgId: empty.orgId, dimension: "total", ...period })).toEqual([
				{ key: null, ...NO_MEASURES },
			]);
		});

		it("counts per day, each event on the day it happened, in the chosen time zone", async () => {
			const storage = portOf();
			const { orgId } = await history();
			expect(await storage.report({ orgId, dimension: "day", ...period })).toEqual([
				{
					key: "2026-11-26",
					new: 3,
					claimed: 3,
					replied: 2,
					closed: 3,
					claimMedianSeconds: 5400,
					replyMedianSeconds: 6900,
					closeMedianSeconds: 3600,
					claimDue: 3,
					claimMet: 1,
					replyDue: 3,
					replyMet: 2,
					breaches: 0,
					woken: 0,
				},
				{
					key: "2026-11-27",
					...NO_MEASURES,
					new: 2,
					claimed: 1,
					claimMedianSeconds: 1200,
					claimDue: 1,
					replyDue: 1,
					breaches: 1,
					woken: 0,
				},
			]);
			// New York is five hours behind: F's claim at 00:30 UTC falls on the 25th there.
			const local = await storage.report({
				orgId,
				dimension: "day",
				...period,
				timeZone: "America/New_York",
			});
			expect(local.map((row) => [row.key, row.claimed])).toEqual([
				["2026-11-25", 1],
				["2026-11-26", 2],
				["2026-11-27", 1],
			]);
		});

		it("counts per hour with empty hours as zeros", async () => {
			const storage = portOf();
			const { orgId } = await history();
			const rows = await storage.report({
				orgId,
				dimension: "hour",
				from: t(1, "09:00"),
				to: t(1, "12:00"),
				now: period.now,
			});
			expect(rows.map(countsOf)).toEqual([
				["2026-11-26T09:00:00Z", 2, 1, 1, 1, 1, 1, 0, 0],
				["2026-11-26T10:00:00Z", 1, 1, 0, 0, 1, 0, 1, 1],
				// B's reply at 12:00 is outside: the period's end is exclusive.
				["2026-11-26T11:00:00Z", 0, 0, 0, 1, 0, 0, 0, 0],
			]);
		});

		it("counts per network, priority and tag", async () => {
			const storage = portOf();
			const { orgId } = await history();
			const pick = (rows: ReportRow[]) => rows.map((r) => [...countsOf(r), r.breaches]);
			expect(pick(await storage.report({ orgId, dimension: "network", ...period }))).toEqual([
				["twitter", 3, 3, 1, 2, 3, 1, 3, 1, 1],
				["bluesky", 1, 0, 0, 0, 0, 0, 0, 0, 0],
				["mastodon", 1, 1, 1, 1, 1, 0, 1, 1, 0],
			]);
			expect(pick(await storage.report({ orgId, dimension: "priority", ...period }))).toEqual([
				["high", 2, 2, 1, 1, 2, 1, 2, 1, 1],
				["normal", 2, 2, 1, 1, 2, 0, 2, 1, 0],
				["low", 1, 0, 0, 1, 0, 0, 0, 0, 0],
			]);
			const tags = await storage.report({ orgId, dimension: "tag", ...period });
			expect(pick(tags)).toEqual([
				["billing", 2, 2, 2, 2, 2, 1, 2, 2, 0],
				["outage", 2, 2, 1, 1, 2, 0, 2, 1, 1],
				[null, 2, 1, 0, 1, 1, 0, 1, 0, 0],
			]);
			expect(tags[1]?.claimMedianSeconds).toBe(3300);
		});

		it("counts per ambassador: claims by who took them, reply deadlines by who owned them", async () => {
			const storage = portOf();
			const { orgId, ana, ben } = await history();
			const rows = await storage.report({ orgId, dimension: "ambassador", ...period });
			expect(rows).toEqual([
				{
					key: ana.id,
					...NO_MEASURES,
					claimed: 3, // A, D (assigned to her), F
					replied: 1,
					claimMedianSeconds: 1200,
					replyMedianSeconds: 3000,
					claimDue: 3,
					claimMet: 1,
					replyDue: 3, // she owned A, D and F when their reply targets fell due
					replyMet: 1,
				},
				{
					key: ben.id,
					...NO_MEASURES,
					claimed: 1,
					replied: 1,
					claimMedianSeconds: 5400,
					replyMedianSeconds: 10800,
					claimDue: 1,
					replyDue: 1,
					replyMet: 1,
				},
				// Finishing belongs to nobody in particular; D's breach came while unowned.
				{ key: null, ...NO_MEASURES, closed: 3, closeMedianSeconds: 3600, breaches: 1 },
			]);
		});

		/**
		 * A board that works Monday to Friday 09:00–17:00 UTC; 4 December 2026 is a Friday.
		 * G normal, Friday 16:30: Ana claims Monday 09:10 and replies 10:00; the customer
		 *   writes back Monday 14:00 (kept by Ana, a second round) and she replies Tuesday 09:30.
		 * H low, Monday 09:00: snoozed by Mo until 10:00, when the snooze runs out; never claimed.
		 * Report now: Tuesday 12:00.
		 */
		it("measures every round in working time on a board with hours, and counts snoozes that ran out", async () => {
			const storage = portOf();
			const { orgId, ana, mo } = await team();
			const office = [{ start: "09:00", end: "17:00" }];
			await storage.saveBoardSettings(orgId, "main", {
				...DEFAULT_BOARD_SETTINGS,
				businessHours: {
					timeZone: "UTC",
					weekly: Object.fromEntries(
						Weekdays.map((day) => [day, day === "sat" || day === "sun" ? [] : office]),
					) as Record<(typeof Weekdays)[number], typeof office>,
					holidays: [],
				},
			});
			const dec = (day: number, time: string) => `2026-12-0${day}T${time}:00.000Z`;
			const [g, h] = (
				await storage.insertMentions(orgId, "main", [
					mention(dec(4, "16:30")),
					mention(dec(7, "09:00"), { priority: "low" }),
				])
			).map((stored) => stored.mention.id);
			const url = "https://twitter.com/acme/status/10";
			await run(orgId, ana, { name: "claim", args: { mentionId: g! } }, dec(7, "09:10"));
			await run(orgId, ana, { name: "markReplied", args: { mentionId: g!, url } }, dec(7, "10:00"));
			await run(
				orgId,
				mo,
				{ name: "snooze", args: { mentionId: h!, until: dec(7, "10:00") } },
				dec(7, "09:05"),
			);
			const woken = await storage.executeSystemCommand({
				orgId,
				boardId: "main",
				command: { name: "reopen", args: { mentionId: h! } },
				action: SystemActions.snoozeEnded,
				detail: { reason: SystemActions.snoozeEnded },
				now: dec(7, "10:00"),
				snoozedDueBy: dec(7, "10:00"),
			});
			expect(woken.ok).toBe(true);
			const followUp = await storage.appendToThread({
				orgId,
				mentionId: g!,
				messages: [
					{
						externalId: `g-${orgId}`,
						handle: "@someone@social.example",
						fromOrganisation: false,
						text: "Still broken",
						postedAt: dec(7, "14:00"),
					},
				],
				now: dec(7, "14:00"),
			});
			expect(followUp).toMatchObject({ reopened: true });
			await run(orgId, ana, { name: "markReplied", args: { mentionId: g!, url } }, dec(8, "09:30"));

			const [summary] = await storage.report({
				orgId,
				dimension: "total",
				from: dec(4, "00:00"),
				to: dec(9, "00:00"),
				now: dec(8, "12:00"),
			});
			expect(summary).toEqual({
				key: null,
				new: 2,
				claimed: 1, // G: 30 min on Friday + 10 on Monday = 2400 s (not 2 days and more)
				replied: 2, // G's first round 5400 s; its second from Monday 14:00, 180 + 30 min
				closed: 2,
				claimMedianSeconds: 2400,
				replyMedianSeconds: 9000, // (5400 + 12600) / 2
				closeMedianSeconds: 9000,
				// G's first round due Monday 09:30, met; its second kept by Ana, met; H due
				// Monday 13:00 (240 working minutes), missed.
				claimDue: 3,
				claimMet: 2,
				// G due Monday 12:30 and, second round, Tuesday 10:00: both met; H not yet.
				replyDue: 2,
				replyMet: 2,
				breaches: 0,
				woken: 1,
			});
		});
	});
}
