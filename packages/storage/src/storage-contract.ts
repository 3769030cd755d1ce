/**
 * The storage contract: behaviour every Storage must show, on every database it runs on.
 * `storage.pglite.test.ts` and `storage.pg.test.ts` run it; a new implementation or
 * dialect gets the same suite.
 *
 * One storage is opened per suite (PGlite takes seconds to start); each test makes its
 * own organisation with fresh ids, so tests do not see each other's rows.
 */
import { randomUUID } from "node:crypto";
import type { Command, Member, MentionStatus } from "@switchboard/domain";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coverageContract } from "./coverage-contract.ts";
import { integrationContract } from "./integration-contract.ts";
import { KyselyStorage } from "./kysely-storage.ts";
import type { CommandOutcome, NewMention, Storage } from "./storage.ts";

/** Raw SQL access for the tests that check what the database itself enforces. */
function dbOf(storage: Storage) {
	if (!(storage instanceof KyselyStorage)) {
		throw new Error("The SQL-level contract tests need a KyselyStorage.");
	}
	return storage.db;
}

function unique(prefix: string): string {
	return `${prefix}-${randomUUID().slice(0, 8)}`;
}

interface Team {
	orgId: string;
	boardId: string;
	/** Ambassador, capacity 3. */
	ana: Member;
	/** Ambassador, capacity 1. */
	ben: Member;
	/** Moderator, capacity 5. */
	mo: Member;
}

let clock = Date.parse("2026-11-26T09:00:00.000Z");
/** A strictly increasing ISO time, so ordering by time is deterministic. */
function tick(): string {
	clock += 1000;
	return new Date(clock).toISOString();
}

function newMention(overrides: Partial<NewMention> = {}): NewMention {
	const at = tick();
	return {
		network: "mastodon",
		externalId: randomUUID(),
		url: "https://social.example/@someone/1",
		author: { handle: "@someone@social.example", name: "Some One", reach: 120 },
		text: "Is the service down?",
		thread: [],
		postedAt: at,
		ingestedAt: at,
		language: "en",
		sentiment: -0.5,
		...overrides,
	};
}

/** Define the contract suite for one storage. `open` is called once for the suite. */
export function storageContract(name: string, open: () => Promise<Storage>): void {
	describe(`storage contract: ${name}`, () => {
		let storage: Storage;

		beforeAll(async () => {
			storage = await open();
		});
		afterAll(async () => {
			await storage?.close();
		});

		async function member(
			orgId: string,
			label: string,
			role: Member["role"],
			capacity: number,
			extra: { skills?: string[]; languages?: string[] } = {},
		): Promise<Member> {
			return storage.createMember({
				orgId,
				email: `${unique(label)}@example.org`,
				name: label[0]?.toUpperCase() + label.slice(1),
				role,
				capacity,
				passwordHash: "scrypt$not-a-real-hash",
				...extra,
			});
		}

		async function team(): Promise<Team> {
			const org = await storage.createOrganisation({ id: unique("org"), name: "Acme" });
			const board = await storage.createBoard({ orgId: org.id, name: "Support" });
			return {
				orgId: org.id,
				boardId: board.id,
				ana: await member(org.id, "ana", "ambassador", 3),
				ben: await member(org.id, "ben", "ambassador", 1),
				mo: await member(org.id, "mo", "moderator", 5),
			};
		}

		async function mentions(t: Team, ...list: Partial<NewMention>[]) {
			const stored = await storage.insertMentions(
				t.orgId,
				t.boardId,
				list.map((overrides) => newMention(overrides)),
			);
			return stored.map((s) => s.mention.id);
		}

		function run(
			t: Team,
			actor: Member,
			command: Command,
			commandId: string = randomUUID(),
		): Promise<CommandOutcome> {
			return storage.executeCommand({
				orgId: t.orgId,
				boardId: t.boardId,
				actorId: actor.id,
				commandId,
				command,
				now: tick(),
			});
		}

		async function ownerships(mentionId: string) {
			return dbOf(storage)
				.selectFrom("ownerships")
				.select(["member_id", "until", "reason"])
				.where("mention_id", "=", mentionId)
				.orderBy("id")
				.execute();
		}

		describe("organisations, members and boards", () => {
			it("round-trips what was created", async () => {
				const org = await storage.createOrganisation({ name: "Round Trip Ltd" });
				expect(await storage.getOrganisation(org.id)).toEqual(org);
				expect(await storage.listOrganisations()).toContainEqual(org);

				const dana = await member(org.id, "dana", "moderator", 4, {
					skills: ["billing"],
					languages: ["en", "fr"],
				});
				expect(dana).toMatchObject({
					orgId: org.id,
					role: "moderator",
					capacity: 4,
					skills: ["billing"],
					languages: ["en", "fr"],
					active: true,
				});
				expect(dana).not.toHaveProperty("passwordHash");
				expect(await storage.getMember(dana.id)).toEqual(dana);
				expect(await storage.listMembers(org.id)).toEqual([dana]);

				const board = await storage.createBoard({ id: "main", orgId: org.id, name: "Main" });
				expect(board).toEqual({ id: "main", orgId: org.id, name: "Main" });
				expect(await storage.getBoard(org.id, "main")).toEqual(board);
				expect(await storage.listBoards(org.id)).toEqual([board]);

				expect(await storage.getOrganisation(unique("missing"))).toBeNull();
				expect(await storage.getMember(unique("missing"))).toBeNull();
				expect(await storage.getBoard(org.id, "missing")).toBeNull();
			});

			it("lets two organisations use the same board id", async () => {
				const a = await storage.createOrganisation({ name: "A" });
				const b = await storage.createOrganisation({ name: "B" });
				await storage.createBoard({ id: "main", orgId: a.id, name: "A main" });
				await storage.createBoard({ id: "main", orgId: b.id, name: "B main" });
				expect((await storage.getBoard(b.id, "main"))?.name).toBe("B main");
			});

			it("finds a member by email whatever its case, and refuses a second one", async () => {
				const org = await storage.createOrganisation({ name: "Case Inc" });
				const local = unique("Dana.Scully");
				const created = await storage.createMember({
					orgId: org.id,
					email: `${local}@Example.ORG`,
					name: "Dana",
					role: "ambassador",
					capacity: 2,
					passwordHash: "scrypt$hash",
				});
				expect(created.email).toBe(`${local.toLowerCase()}@example.org`);

				const found = await storage.findMemberByEmail(`  ${local.toUpperCase()}@EXAMPLE.org `);
				expect(found).toEqual({ ...created, passwordHash: "scrypt$hash" });
				expect(await storage.findMemberByEmail("nobody@example.org")).toBeNull();

				await expect(
					storage.createMember({
						orgId: org.id,
						email: `${local.toLowerCase()}@example.org`,
						name: "Dana again",
						role: "ambassador",
						capacity: 2,
						passwordHash: "x",
					}),
				).rejects.toMatchObject({ name: "AppError", kind: "conflict" });
			});
		});

		describe("mentions", () => {
			it("ingests idempotently by network and external id", async () => {
				const t = await team();
				const first = newMention({ text: "first" });
				const second = newMention({ text: "second", priority: "high", tags: ["billing"] });
				const inserted = await storage.insertMentions(t.orgId, t.boardId, [first, second]);
				expect(inserted).toHaveLength(2);
				expect(inserted[0]).toMatchObject({
					rev: 1,
					mention: {
						text: "first",
						status: "new",
						priority: "normal",
						tags: [],
						owner: null,
						review: null,
						reply: null,
						snoozedUntil: null,
						author: first.author,
						postedAt: first.postedAt,
					},
				});
				expect(inserted[1]?.mention).toMatchObject({ priority: "high", tags: ["billing"] });

				const third = newMention({ text: "third" });
				const again = await storage.insertMentions(t.orgId, t.boardId, [first, second, third]);
				expect(again.map((s) => s.mention.text)).toEqual(["third"]);
				expect(await storage.listMentions(t.orgId, t.boardId)).toHaveLength(3);

				const id = inserted[0]?.mention.id ?? "";
				expect(await storage.getMention(t.orgId, id)).toEqual(inserted[0]);
				expect(await storage.getMention(unique("other-org"), id)).toBeNull();
				expect(await storage.insertMentions(t.orgId, t.boardId, [])).toEqual([]);
			});

			it("lists mentions by status, owner and id, oldest first", async () => {
				const t = await team();
				const [a, b, c] = await mentions(t, {}, {}, { status: "snoozed" });
				await run(t, t.ana, { name: "claim", args: { mentionId: b ?? "" } });

				const texts = async (filter: Parameters<Storage["listMentions"]>[2]) =>
					(await storage.listMentions(t.orgId, t.boardId, filter)).map((s) => s.mention.id);
				expect(await texts({})).toEqual([a, b, c]);
				expect(await texts({ status: "new" })).toEqual([a]);
				expect(await texts({ status: ["new", "claimed"] })).toEqual([a, b]);
				expect(await texts({ ownerId: t.ana.id })).toEqual([b]);
				expect(await texts({ ids: [c ?? "", a ?? ""] })).toEqual([a, c]);
				expect(await texts({ ids: [] })).toEqual([]);
				expect(await texts({ status: [] })).toEqual([]);
			});
		});

		describe("commands", () => {
			it("acks a claim and rejects a second member's claim naming the owner", async () => {
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
				const t = await team();
				const [first = "", second = ""] = await mentions(t, {}, {});
				expect((await run(t, t.ben, { name: "claim", args: { mentionId: first } })).ok).toBe(true);
				const over = await run(t, t.ben, { name: "claim", args: { mentionId: second } });
				expect(over).toMatchObject({ ok: false, code: "capacity_reached" });
				expect((await storage.getMention(t.orgId, second))?.mention.owner).toBeNull();
			});

			it("answers a repeated command id with the stored outcome and changes nothing", async () => {
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

			it("rejects actors outside the organisation and mentions outside the board", async () => {
				const t = await team();
				const other = await team();
				const [id = ""] = await mentions(t, {});
				expect(await run(t, other.ana, { name: "claim", args: { mentionId: id } })).toMatchObject({
					ok: false,
					code: "forbidden",
				});
				expect(
					await run(other, other.ana, { name: "claim", args: { mentionId: id } }),
				).toMatchObject({ ok: false, code: "not_found" });
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

				const actions = (await storage.listActivity(t.orgId, { mentionId: id })).map(
					(a) => a.action,
				);
				expect(actions).toEqual(["release", "assign", "handoff", "claim"]);
				expect(await storage.listActivity(t.orgId, { mentionId: id, limit: 1 })).toHaveLength(1);
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

			it("moves a mention through review to replied", async () => {
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
			it("refuses a second active ownership row for a mention", async () => {
				const t = await team();
				const [id = ""] = await mentions(t, {});
				await run(t, t.ana, { name: "claim", args: { mentionId: id } });
				const db = dbOf(storage);
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
				const t = await team();
				const [id = ""] = await mentions(t, {});
				await run(t, t.ana, { name: "claim", args: { mentionId: id } });
				const db = dbOf(storage);
				await expect(
					sql`update activity set action = 'forged' where mention_id = ${id}`.execute(db),
				).rejects.toThrow(/append-only/);
				await expect(
					sql`delete from activity where mention_id = ${id}`.execute(db),
				).rejects.toThrow(/append-only/);
			});
		});

		describe("document log", () => {
			const bytes = (...values: number[]) => new Uint8Array(values);

			/** Append to one document; the log ids in order. */
			function append(name: string, ...updates: Uint8Array[]) {
				return storage.appendUpdates(updates.map((update) => ({ name, update })));
			}

			it("appends across documents in one batch and loads each in order", async () => {
				const board = `board/${unique("org")}/main`;
				const draft = `draft/${unique("org")}/m1`;
				expect(await storage.loadDocument(board)).toEqual({
					snapshot: null,
					updates: [],
					updateIds: [],
					lastUpdateId: 0,
				});
				expect(await storage.appendUpdates([])).toEqual([]);

				const ids = await storage.appendUpdates([
					{ name: board, update: bytes(1) },
					{ name: draft, update: bytes(9) },
					{ name: board, update: bytes(2, 2) },
				]);
				expect(ids).toHaveLength(3);
				expect([...ids].sort((a, b) => a - b)).toEqual(ids);
				const [first = 0, other = 0, second = 0] = ids;

				expect(await storage.loadDocument(board)).toEqual({
					snapshot: null,
					updates: [bytes(1), bytes(2, 2)],
					updateIds: [first, second],
					lastUpdateId: second,
				});
				expect(await storage.loadDocument(draft)).toMatchObject({
					updates: [bytes(9)],
					updateIds: [other],
				});
			});

			it("compacts exactly the entries named, keeping the others", async () => {
				const name = `draft/${unique("org")}/m2`;
				const [a = 0, , c = 0] = await append(name, bytes(1), bytes(2), bytes(3));
				// Entry 2 is not in this snapshot (say, it arrived while it was taken): it stays.
				await storage.compactDocument(name, bytes(1, 3), [a, c]);
				const loaded = await storage.loadDocument(name);
				expect(loaded.snapshot).toEqual(bytes(1, 3));
				expect(loaded.updates).toEqual([bytes(2)]);

				await storage.compactDocument(name, bytes(1, 2, 3), loaded.updateIds);
				expect(await storage.loadDocument(name)).toMatchObject({
					snapshot: bytes(1, 2, 3),
					updates: [],
				});
			});

			it("merges the stored snapshot with the new one when given a merge", async () => {
				const name = `draft/${unique("org")}/m3`;
				await storage.compactDocument(name, bytes(1), []);
				await storage.compactDocument(name, bytes(2), [], (stored, fresh) =>
					Uint8Array.from([...stored, ...fresh]),
				);
				expect((await storage.loadDocument(name)).snapshot).toEqual(bytes(1, 2));
			});

			it("stores a snapshot up to an id, keeping entries appended after it", async () => {
				const name = `board/${unique("org")}/main`;
				await append(name, bytes(1), bytes(2, 2));
				await append(name, bytes(3));
				const loaded = await storage.loadDocument(name);
				expect(loaded.updates).toEqual([bytes(1), bytes(2, 2), bytes(3)]);

				// An entry appended after the load is not in the snapshot and must survive it.
				const [later = 0] = await append(name, bytes(4));
				await storage.storeSnapshot(name, bytes(1, 2, 3), loaded.lastUpdateId);
				expect(await storage.loadDocument(name)).toEqual({
					snapshot: bytes(1, 2, 3),
					updates: [bytes(4)],
					updateIds: [later],
					lastUpdateId: later,
				});
			});

			it("never lets an older snapshot replace a newer one", async () => {
				const name = `draft/${unique("org")}/m1`;
				await append(name, bytes(1));
				const early = await storage.loadDocument(name);
				await append(name, bytes(2));
				const late = await storage.loadDocument(name);

				await storage.storeSnapshot(name, bytes(1, 2), late.lastUpdateId);
				await storage.storeSnapshot(name, bytes(1), early.lastUpdateId);
				expect(await storage.loadDocument(name)).toEqual({
					snapshot: bytes(1, 2),
					updates: [],
					updateIds: [],
					lastUpdateId: late.lastUpdateId,
				});
			});
		});

		it("answers ping", async () => {
			await expect(storage.ping()).resolves.toBeUndefined();
		});

		integrationContract(() => storage);
		coverageContract(() => storage);
	});
}
