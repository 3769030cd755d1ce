/**
 * The command arbiter's part of the contract suite: members' commands decided in one
 * transaction, and what the database itself enforces behind them. Run by `storageContract` on PGlite and on PostgreSQL alike;
 * each test makes its own organisation with fresh ids, so tests do not see each other's rows.
 */
import { randomUUID } from "node:crypto";
import type { Command, Member, MentionStatus } from "@switchboard/domain";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { KyselyStorage } from "./kysely-storage.ts";
import type { CommandArbiter, Directory, MentionStore, NewMention } from "./storage.ts";
import { ingest, memberMaker, newTeam, runCommand, type Team, tick } from "./test-fixtures.ts";

/** The arbiter, with a directory and a mention store to set the scene. */
type Ports = CommandArbiter & Directory & MentionStore;

/** Raw SQL access for the tests that check what the database itself enforces. */
function dbOf(storage: Ports) {
	if (!(storage instanceof KyselyStorage)) {
		throw new Error("The SQL-level contract tests need a KyselyStorage.");
	}
	return storage.db;
}

export function commandArbiterContract(portOf: () => Ports): void {
	const team = () => newTeam(portOf());
	const member = memberMaker(portOf);
	const mentions = (t: Team, ...list: Partial<NewMention>[]) => ingest(portOf(), t, ...list);
	const run = (t: Team, actor: Member, command: Command, commandId?: string) =>
		runCommand(portOf(), t, actor, command, commandId);

	async function ownerships(mentionId: string) {
		return dbOf(portOf())
			.selectFrom("ownerships")
			.select(["member_id", "until", "reason"])
			.where("mention_id", "=", mentionId)
			.orderBy("id")
			.execute();
	}

	describe("commands", () => {
		it("acks a claim and rejects a second member's claim naming the owner", async () => {
			const storage = portOf();
			const t = await team();
			const [id = ""] = await mentions(t, {});

			const claimed = await run(t, t.ana, { name: "claim", args: { mentionId: id } });
			expect(claimed).toMatchObject({
				ok: true,
				mentionId: id,
				rev: 2,
				replayed: false,
				work: { status: "claimed", owner: { memberId: t.ana.id } },
			});
			const stored = await storage.getMention(t.orgId, id);
			expect(claimed.ok && claimed.work).toEqual({
				status: stored?.mention.status,
				priority: stored?.mention.priority,
				tags: stored?.mention.tags,
				owner: stored?.mention.owner,
				review: stored?.mention.review,
				reply: stored?.mention.reply,
				snoozedUntil: stored?.mention.snoozedUntil,
				approvalRequired: stored?.mention.approvalRequired,
				unseenFollowUps: stored?.mention.unseenFollowUps,
				slaFrom: stored?.mention.slaFrom,
				updatedAt: stored?.mention.updatedAt,
			});
			expect(stored?.rev).toBe(2);

			const second = await run(t, t.ben, { name: "claim", args: { mentionId: id } });
			expect(second).toEqual({
				ok: false,
				code: "already_claimed",
				message: "Already claimed by Ana.",
				replayed: false,
			});
			expect((await storage.getMention(t.orgId, id))?.rev).toBe(2);

			const activity = await storage.listActivity(t.orgId, { mentionId: id });
			expect(activity).toEqual([
				expect.objectContaining({
					orgId: t.orgId,
					mentionId: id,
					actorId: t.ana.id,
					action: "claim",
					fromStatus: "new",
					toStatus: "claimed",
				}),
			]);
		});

		it("rejects a claim beyond the member's capacity", async () => {
			const storage = portOf();
			const t = await team();
			const [first = "", second = ""] = await mentions(t, {}, {});
			expect((await run(t, t.ben, { name: "claim", args: { mentionId: first } })).ok).toBe(true);
			const over = await run(t, t.ben, { name: "claim", args: { mentionId: second } });
			expect(over).toMatchObject({ ok: false, code: "capacity_reached" });
			expect((await storage.getMention(t.orgId, second))?.mention.owner).toBeNull();
		});

		it("answers a repeated command id with the stored outcome and changes nothing", async () => {
			const storage = portOf();
			const t = await team();
			const [id = ""] = await mentions(t, {});
			const commandId = randomUUID();
			const command: Command = { name: "claim", args: { mentionId: id } };

			const first = await run(t, t.ana, command, commandId);
			const again = await run(t, t.ana, command, commandId);
			expect(first.replayed).toBe(false);
			expect(again).toEqual({ ...first, replayed: true });
			expect((await storage.getMention(t.orgId, id))?.rev).toBe(2);
			const activity = await storage.listActivity(t.orgId, { mentionId: id });
			expect(activity.filter((a) => a.commandId === commandId)).toHaveLength(1);

			// Rejects are remembered too: the repeat gets the first answer, not a new one.
			const rejectId = randomUUID();
			const rejected = await run(t, t.ben, command, rejectId);
			await run(t, t.ana, { name: "release", args: { mentionId: id } });
			expect(await run(t, t.ben, command, rejectId)).toEqual({ ...rejected, replayed: true });

			// Another member cannot read someone else's outcome by reusing the id.
			expect(await run(t, t.mo, command, commandId)).toMatchObject({
				ok: false,
				code: "invalid",
			});
		});

		it("answers a repeated claimNext id in a batch with what it claimed, its revision too", async () => {
			const storage = portOf();
			const t = await team();
			await mentions(t, {}, {});
			const commandId = randomUUID();
			const first = await run(t, t.ana, { name: "claimNext", args: {} }, commandId);
			if (!first.ok) throw new Error(`claimNext refused: ${first.message}`);
			// Sent again beside another member's claimNext, so both are decided in one batch.
			const [again, other] = await Promise.all([
				run(t, t.ana, { name: "claimNext", args: {} }, commandId),
				run(t, t.ben, { name: "claimNext", args: {} }),
			]);
			expect(again).toEqual({ ...first, replayed: true });
			expect(first.rev).toBe((await storage.getMention(t.orgId, first.mentionId))?.rev);
			expect(other).toMatchObject({ ok: true, replayed: false });
			expect(other.ok && other.mentionId).not.toBe(first.mentionId);
			const claims = (await storage.listActivity(t.orgId)).filter((a) => a.action === "claimNext");
			expect(claims).toHaveLength(2);
		});

		it("refuses commands on an archived board, a claimNext batch too, and remembers no answer", async () => {
			const storage = portOf();
			const t = await team();
			const [id = ""] = await mentions(t, {});
			await storage.createBoard({ orgId: t.orgId, name: "Elsewhere" });
			await storage.updateBoard(t.orgId, t.boardId, { archived: true });
			const refused = {
				ok: false,
				code: "forbidden",
				message: expect.stringMatching(/archived/),
				replayed: false,
			};
			const claimId = randomUUID();
			expect(await run(t, t.ana, { name: "claim", args: { mentionId: id } }, claimId)).toEqual(
				refused,
			);
			// Sent together, these are decided in one batch.
			expect(
				await Promise.all([
					run(t, t.ana, { name: "claimNext", args: {} }),
					run(t, t.ben, { name: "claimNext", args: {} }),
				]),
			).toEqual([refused, refused]);
			expect((await storage.getMention(t.orgId, id))?.mention.owner).toBeNull();

			// Brought back, the board takes the same command id as new.
			await storage.updateBoard(t.orgId, t.boardId, { archived: false });
			expect(
				await run(t, t.ana, { name: "claim", args: { mentionId: id } }, claimId),
			).toMatchObject({ ok: true, replayed: false, work: { owner: { memberId: t.ana.id } } });
		});

		it("rejects actors outside the organisation and mentions outside the board", async () => {
			const t = await team();
			const other = await team();
			const [id = ""] = await mentions(t, {});
			expect(await run(t, other.ana, { name: "claim", args: { mentionId: id } })).toMatchObject({
				ok: false,
				code: "forbidden",
			});
			expect(await run(other, other.ana, { name: "claim", args: { mentionId: id } })).toMatchObject(
				{ ok: false, code: "not_found" },
			);
		});

		it("claimNext takes the highest priority, then the oldest", async () => {
			const t = await team();
			const [, , olderHigh, newerHigh] = await mentions(
				t,
				{ priority: "low" },
				{ priority: "normal" },
				{ priority: "high" },
				{ priority: "high" },
			);
			const next = await run(t, t.ana, { name: "claimNext", args: {} });
			expect(next).toMatchObject({
				ok: true,
				mentionId: olderHigh,
				result: { mentionId: olderHigh },
			});
			const after = await run(t, t.mo, { name: "claimNext", args: {} });
			expect(after).toMatchObject({ ok: true, mentionId: newerHigh });

			const empty = await team();
			expect(await run(empty, empty.ana, { name: "claimNext", args: {} })).toMatchObject({
				ok: false,
				code: "nothing_to_claim",
			});
		});

		it("claimNext prefers the member's skills and skips languages they do not write", async () => {
			const storage = portOf();
			const t = await team();
			const fr = await member(t.orgId, "fleur", "ambassador", 3, {
				skills: ["billing"],
				languages: ["fr"],
			});
			const [lowFrench, english, french, frenchBilling] = await mentions(
				t,
				{ priority: "low", language: "fr" },
				{ priority: "high", language: "en" },
				{ priority: "high", language: "fr" },
				{ priority: "high", language: "fr", tags: ["billing"] },
			);
			expect(await run(t, fr, { name: "claimNext", args: {} })).toMatchObject({
				mentionId: frenchBilling,
			});
			expect(await run(t, fr, { name: "claimNext", args: {} })).toMatchObject({
				mentionId: french,
			});
			// The English one outranks it but is not in a language Fleur writes.
			expect(await run(t, fr, { name: "claimNext", args: {} })).toMatchObject({
				mentionId: lowFrench,
			});
			expect((await storage.getMention(t.orgId, english ?? ""))?.mention.owner).toBeNull();
		});

		it("keeps one active ownership row through handoff, assign and release", async () => {
			const storage = portOf();
			const t = await team();
			const carl = await member(t.orgId, "carl", "ambassador", 2);
			const [id = ""] = await mentions(t, {});
			const steps: [Member, Command][] = [
				[t.ana, { name: "claim", args: { mentionId: id } }],
				[t.ana, { name: "handoff", args: { mentionId: id, to: t.ben.id } }],
				[t.mo, { name: "assign", args: { mentionId: id, memberId: carl.id } }],
			];
			for (const [actor, command] of steps) {
				expect(await run(t, actor, command)).toMatchObject({ ok: true });
				const rows = await ownerships(id);
				expect(rows.filter((row) => row.until === null)).toHaveLength(1);
			}
			expect((await storage.getMention(t.orgId, id))?.mention.owner?.memberId).toBe(carl.id);

			expect(await run(t, carl, { name: "release", args: { mentionId: id } })).toMatchObject({
				ok: true,
				work: { status: "new", owner: null },
			});
			const history = await ownerships(id);
			expect(history.map((row) => [row.member_id, row.reason])).toEqual([
				[t.ana.id, "handoff"],
				[t.ben.id, "assign"],
				[carl.id, "release"],
			]);
			expect(history.every((row) => row.until !== null)).toBe(true);

			const actions = (await storage.listActivity(t.orgId, { mentionId: id })).map((a) => a.action);
			expect(actions).toEqual(["release", "assign", "handoff", "claim"]);
			expect(await storage.listActivity(t.orgId, { mentionId: id, limit: 1 })).toHaveLength(1);
		});

		it("reads one conversation's activity newest first, a page at a time, with what each step recorded", async () => {
			const storage = portOf();
			const t = await team();
			const other = await team();
			const [id = "", beside = ""] = await mentions(t, {}, {});
			const until = new Date(Date.parse(tick()) + 86_400_000).toISOString();
			const steps: [Member, Command][] = [
				[t.ana, { name: "claim", args: { mentionId: id } }],
				[t.ana, { name: "handoff", args: { mentionId: id, to: t.mo.id } }],
				[t.mo, { name: "escalate", args: { mentionId: id, reason: "Threatens to sue" } }],
				[t.mo, { name: "close", args: { mentionId: id, reason: "Refund issued by phone" } }],
				[t.mo, { name: "reopen", args: { mentionId: id } }],
				[t.mo, { name: "snooze", args: { mentionId: id, until } }],
			];
			for (const [actor, command] of steps) {
				expect((await run(t, actor, command)).ok, command.name).toBe(true);
			}
			// Another conversation's steps are not this one's.
			await run(t, t.ben, { name: "claim", args: { mentionId: beside } });

			const all = await storage.listActivity(t.orgId, { mentionId: id });
			expect(all.map((a) => [a.action, a.actorId])).toEqual(
				steps.map(([actor, command]) => [command.name, actor.id]).reverse(),
			);
			expect(all.find((a) => a.action === "close")).toMatchObject({
				fromStatus: "escalated",
				toStatus: "closed",
				detail: { reason: "Refund issued by phone" },
			});
			expect(all.find((a) => a.action === "handoff")?.detail).toEqual({
				from: t.ana.id,
				to: t.mo.id,
			});
			expect(all.find((a) => a.action === "snooze")?.detail).toMatchObject({ until });

			// Pages of two, each after the last entry of the one before: none repeated or skipped
			// (at most four pages read, so a cursor that is not followed fails here, not by hanging).
			const pages: string[][] = [];
			let before: string | undefined;
			for (let read = 0; read < 4; read++) {
				const page = await storage.listActivity(t.orgId, {
					mentionId: id,
					limit: 2,
					...(before ? { before } : {}),
				});
				pages.push(page.map((a) => a.id));
				before = page.at(-1)?.id;
				if (!before) break;
			}
			expect(pages).toEqual([
				...[0, 2, 4].map((start) => all.slice(start, start + 2).map((a) => a.id)),
				[],
			]);

			// Only its own organisation reads it; a cursor that is no entry's id reads nothing.
			expect(await storage.listActivity(other.orgId, { mentionId: id })).toEqual([]);
			expect(await storage.listActivity(t.orgId, { mentionId: id, before: "x'; --" })).toEqual([]);
		});

		it("rejects a handoff to a member at capacity", async () => {
			const t = await team();
			const [mine = "", bens = ""] = await mentions(t, {}, {});
			await run(t, t.ben, { name: "claim", args: { mentionId: bens } });
			await run(t, t.ana, { name: "claim", args: { mentionId: mine } });
			expect(
				await run(t, t.ana, { name: "handoff", args: { mentionId: mine, to: t.ben.id } }),
			).toMatchObject({ ok: false, code: "capacity_reached" });
			expect((await ownerships(mine)).map((row) => row.member_id)).toEqual([t.ana.id]);
		});

		it("lets exactly one of ten concurrent claims on one mention win", async () => {
			const storage = portOf();
			const t = await team();
			const [id = ""] = await mentions(t, {});
			const crowd = await Promise.all(
				Array.from({ length: 10 }, (_, i) => member(t.orgId, `crowd${i}`, "ambassador", 3)),
			);
			const outcomes = await Promise.all(
				crowd.map((m) => run(t, m, { name: "claim", args: { mentionId: id } })),
			);
			const winners = outcomes.filter((o) => o.ok);
			expect(winners).toHaveLength(1);
			const owner = (await storage.getMention(t.orgId, id))?.mention.owner?.memberId;
			const ownerName = crowd.find((m) => m.id === owner)?.name;
			for (const outcome of outcomes.filter((o) => !o.ok)) {
				expect(outcome).toMatchObject({
					code: "already_claimed",
					message: `Already claimed by ${ownerName}.`,
				});
			}
			expect((await ownerships(id)).filter((row) => row.until === null)).toHaveLength(1);
			expect(await storage.listActivity(t.orgId, { mentionId: id })).toHaveLength(1);
		});

		it("holds a member's capacity against their own concurrent claims", async () => {
			const t = await team();
			const ids = await mentions(t, {}, {}, {}, {}, {}, {});
			const outcomes = await Promise.all(
				ids.map((mentionId) => run(t, t.ana, { name: "claim", args: { mentionId } })),
			);
			expect(outcomes.filter((o) => o.ok)).toHaveLength(t.ana.capacity);
			expect(outcomes.filter((o) => !o.ok && o.code === "capacity_reached")).toHaveLength(
				ids.length - t.ana.capacity,
			);
		});

		it("spreads concurrent claimNext calls over different mentions", async () => {
			const t = await team();
			await mentions(t, {}, {}, {}, {}, {});
			const crowd = await Promise.all(
				Array.from({ length: 5 }, (_, i) => member(t.orgId, `next${i}`, "ambassador", 1)),
			);
			const outcomes = await Promise.all(
				crowd.map((m) => run(t, m, { name: "claimNext", args: {} })),
			);
			const claimed = outcomes.map((o) => (o.ok ? o.mentionId : o.code));
			expect(new Set(claimed).size).toBe(5);
			expect(outcomes.every((o) => o.ok)).toBe(true);
		});

		it("gives every member pressing claimNext at once a conversation of their own, within capacity", async () => {
			const storage = portOf();
			const t = await team();
			const ids = await mentions(
				t,
				...Array.from(
					{ length: 30 },
					(_, i) => ({ priority: i % 3 === 0 ? "high" : "normal" }) as const,
				),
			);
			const crowd = await Promise.all(
				Array.from({ length: 12 }, (_, i) => member(t.orgId, `storm${i}`, "ambassador", 3)),
			);
			// As in the claim storm: each presses again the moment the last answer arrives, so
			// the commands of many members meet in the arbiter's batches.
			const told = new Map<string, string[]>();
			const refusals: string[] = [];
			await Promise.all(
				crowd.map(async (m) => {
					for (;;) {
						const outcome = await run(t, m, { name: "claimNext", args: {} });
						if (!outcome.ok) {
							refusals.push(outcome.code);
							return;
						}
						told.set(outcome.mentionId, [...(told.get(outcome.mentionId) ?? []), m.id]);
					}
				}),
			);
			// 12 members with room for 3 each: all 30 taken, each by exactly one member.
			expect([...told.keys()].sort()).toEqual([...ids].sort());
			const held = new Map<string, number>();
			for (const [id, owners] of told) {
				expect(owners).toHaveLength(1);
				const owner = owners[0] as string;
				expect((await storage.getMention(t.orgId, id))?.mention.owner?.memberId).toBe(owner);
				expect((await ownerships(id)).filter((row) => row.until === null)).toHaveLength(1);
				held.set(owner, (held.get(owner) ?? 0) + 1);
			}
			expect(Math.max(...held.values())).toBeLessThanOrEqual(3);
			expect(new Set(refusals)).toEqual(
				new Set(
					refusals.filter((code) => code === "nothing_to_claim" || code === "capacity_reached"),
				),
			);
			expect(refusals).toHaveLength(crowd.length);
			const activity = await storage.listActivity(t.orgId);
			expect(activity.filter((a) => a.action === "claimNext")).toHaveLength(30);
		});

		it("answers each claimNext of a batch the database refuses on its own", async () => {
			const storage = portOf();
			const t = await team();
			const [first = "", second = "", ghost = ""] = await mentions(
				t,
				{ priority: "high" },
				{ priority: "high" },
				{ priority: "low" },
			);
			// An ownership the mention row does not show: claimNext may pick it, and only the
			// one-owner index stops that claim, which fails the whole batch's insert.
			await sql`insert into ownerships (mention_id, member_id, since) values (${ghost}, ${t.ben.id}, now())`.execute(
				dbOf(storage),
			);
			const crowd = await Promise.all(
				Array.from({ length: 3 }, (_, i) => member(t.orgId, `batch${i}`, "ambassador", 1)),
			);
			const outcomes = await Promise.all(
				crowd.map((m) => run(t, m, { name: "claimNext", args: {} })),
			);
			// The two the index did not stop are acknowledged; the third is told who owns it.
			const acked = outcomes.flatMap((o) => (o.ok ? [o.mentionId] : []));
			expect(acked.sort()).toEqual([first, second].sort());
			expect(outcomes.filter((o) => !o.ok)).toEqual([
				{
					ok: false,
					code: "already_claimed",
					message: "Already claimed by Ben.",
					replayed: false,
				},
			]);
			expect((await storage.getMention(t.orgId, ghost))?.mention.owner).toBeNull();
			expect(await storage.listActivity(t.orgId, { mentionId: ghost })).toEqual([]);
		});

		it("moves a mention through review to replied", async () => {
			const storage = portOf();
			const t = await team();
			const [id = ""] = await mentions(t, {});
			const hash = "a".repeat(64);
			const flow: [Member, Command, MentionStatus][] = [
				[t.ana, { name: "claim", args: { mentionId: id } }, "claimed"],
				[t.ana, { name: "submitForReview", args: { mentionId: id, hash } }, "in_review"],
				[t.mo, { name: "approve", args: { mentionId: id, hash } }, "approved"],
				[
					t.ana,
					{
						name: "markReplied",
						args: { mentionId: id, url: "https://social.example/@acme/2" },
					},
					"replied",
				],
			];
			for (const [actor, command, status] of flow) {
				expect(await run(t, actor, command)).toMatchObject({ ok: true, work: { status } });
			}
			const { mention, rev } = (await storage.getMention(t.orgId, id)) ?? {};
			expect(rev).toBe(5);
			expect(mention?.review).toMatchObject({ state: "approved", hash, by: t.mo.id });
			expect(mention?.reply).toMatchObject({ url: "https://social.example/@acme/2" });
		});

		it("stores timestamps in one canonical form", async () => {
			const storage = portOf();
			const t = await team();
			const [id = ""] = await mentions(t, {});
			const outcome = await storage.executeCommand({
				orgId: t.orgId,
				boardId: t.boardId,
				actorId: t.ana.id,
				commandId: randomUUID(),
				command: { name: "snooze", args: { mentionId: id, until: "2099-01-01T12:00:00+02:00" } },
				now: "2026-11-26T10:00:00Z",
			});
			expect(outcome).toMatchObject({
				ok: true,
				work: { snoozedUntil: "2099-01-01T10:00:00.000Z", updatedAt: "2026-11-26T10:00:00.000Z" },
			});
			expect((await storage.getMention(t.orgId, id))?.mention).toMatchObject({
				snoozedUntil: "2099-01-01T10:00:00.000Z",
				updatedAt: "2026-11-26T10:00:00.000Z",
			});
		});
	});

	describe("what the database itself enforces", () => {
		/** A team, one mention Ana has claimed, and raw SQL access to the database. */
		async function claimedByAna() {
			const t = await team();
			const [id = ""] = await mentions(t, {});
			await run(t, t.ana, { name: "claim", args: { mentionId: id } });
			return { t, id, db: dbOf(portOf()) };
		}

		it("refuses a second active ownership row for a mention", async () => {
			const { t, id, db } = await claimedByAna();
			await expect(
				sql`insert into ownerships (mention_id, member_id, since) values (${id}, ${t.ben.id}, now())`.execute(
					db,
				),
			).rejects.toMatchObject({ code: "23505", constraint: "ownerships_one_active_owner" });
			// A closed row next to the active one is history, and allowed.
			await sql`insert into ownerships (mention_id, member_id, since, until) values (${id}, ${t.ben.id}, now(), now())`.execute(
				db,
			);
		});

		it("answers already_claimed when the one-owner index stops a claim", async () => {
			const storage = portOf();
			const t = await team();
			const [id = ""] = await mentions(t, {});
			// An ownership the mention row does not show yet: the claim passes decide()
			// and only the index can stop it, as with a race the row locks did not catch.
			await sql`insert into ownerships (mention_id, member_id, since) values (${id}, ${t.ben.id}, now())`.execute(
				dbOf(storage),
			);
			const commandId = randomUUID();
			const outcome = await run(t, t.ana, { name: "claim", args: { mentionId: id } }, commandId);
			expect(outcome).toEqual({
				ok: false,
				code: "already_claimed",
				message: "Already claimed by Ben.",
				replayed: false,
			});
			const stored = await storage.getMention(t.orgId, id);
			expect(stored).toMatchObject({ rev: 1, mention: { owner: null } });
			expect(await storage.listActivity(t.orgId, { mentionId: id })).toEqual([]);
			expect(await run(t, t.ana, { name: "claim", args: { mentionId: id } }, commandId)).toEqual({
				...outcome,
				replayed: true,
			});
		});

		it("keeps the activity log append-only", async () => {
			const { id, db } = await claimedByAna();
			await expect(
				sql`update activity set action = 'forged' where mention_id = ${id}`.execute(db),
			).rejects.toThrow(/append-only/);
			await expect(sql`delete from activity where mention_id = ${id}`.execute(db)).rejects.toThrow(
				/append-only/,
			);
		});
	});
}
