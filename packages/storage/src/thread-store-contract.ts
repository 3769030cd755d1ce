/**
 * The thread store's part of the contract suite: finding the conversation a message
 * belongs to, follow-ups joining a thread (idempotently, reopening, counted unseen until
 * the owner opens it) and the service-level round a reopening starts. Run by
 * `storageContract` on PGlite and on PostgreSQL alike; each test makes its own organisation.
 */
import { batchKey, draftHash, recordedReplyMessage, type ThreadMessage } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import type { CoverageStore } from "./coverage-storage.ts";
import type { CommandArbiter, Directory, MentionStore, ThreadStore } from "./storage.ts";
import { newMention, newTeam, runCommand, type Team, tick } from "./test-fixtures.ts";

type Ports = ThreadStore & MentionStore & Directory & CommandArbiter & CoverageStore;

const customer = (externalId: string, postedAt: string, text = "Any news?"): ThreadMessage => ({
	externalId,
	handle: "@someone@social.example",
	fromOrganisation: false,
	text,
	postedAt,
});

export function threadStoreContract(portOf: () => Ports): void {
	/** A conversation `ana` has replied to, with one message of context in its thread. */
	const repliedConversation = async (t: Team) => {
		const storage = portOf();
		const [stored] = await storage.insertMentions(t.orgId, t.boardId, [
			newMention({ externalId: `m-${t.orgId}`, thread: [customer(`ctx-${t.orgId}`, tick())] }),
		]);
		const id = stored?.mention.id ?? "";
		await runCommand(storage, t, t.ana, { name: "claim", args: { mentionId: id } });
		await runCommand(storage, t, t.ana, {
			name: "markReplied",
			args: { mentionId: id, url: "https://social.example/r/1" },
		});
		return id;
	};

	describe("threads", () => {
		it("finds a conversation by its mention's id or any id of its thread", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const id = await repliedConversation(t);
			const found = await storage.findConversations(t.orgId, [
				{ network: "mastodon", externalId: `m-${t.orgId}` },
				{ network: "mastodon", externalId: `ctx-${t.orgId}` },
				{ network: "bluesky", externalId: `m-${t.orgId}` },
				{ network: "mastodon", externalId: "nobody-knows" },
			]);
			const ref = { mentionId: id, boardId: t.boardId };
			expect(found).toEqual(
				new Map([
					[batchKey("mastodon", `m-${t.orgId}`), ref],
					[batchKey("mastodon", `ctx-${t.orgId}`), ref],
				]),
			);
			expect(
				await storage.findConversations("other-org", [
					{ network: "mastodon", externalId: `m-${t.orgId}` },
				]),
			).toEqual(new Map());
		});

		it("finds conversations by ids holding whatever characters a network's ids may hold", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			// What a PostgreSQL array literal quotes or reads specially.
			const awkward = ['say "hi", {ok}', "back\\slash \\\\", "NULL", "naïve 😀\nline", "a,b"];
			const stored = await storage.insertMentions(
				t.orgId,
				t.boardId,
				awkward.map((id) =>
					newMention({ externalId: `own ${id}`, thread: [customer(`quoted ${id}`, tick())] }),
				),
			);
			const found = await storage.findConversations(
				t.orgId,
				awkward.flatMap((id) => [
					{ network: "mastodon" as const, externalId: `own ${id}` },
					{ network: "mastodon" as const, externalId: `quoted ${id}` },
				]),
			);
			expect(found).toEqual(
				new Map(
					awkward.flatMap((id, i) => {
						const ref = { mentionId: stored[i]?.mention.id, boardId: t.boardId };
						return [
							[batchKey("mastodon", `own ${id}`), ref],
							[batchKey("mastodon", `quoted ${id}`), ref],
						];
					}),
				),
			);
		});

		it("adds a follow-up once, reopens the replied conversation to its owner and records why", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const id = await repliedConversation(t);
			const followUp = customer(`f1-${t.orgId}`, tick(), "It happened again");
			const now = tick();
			const first = await storage.appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: [followUp],
				now,
			});
			expect(first).toMatchObject({
				boardId: t.boardId,
				added: [followUp],
				followUps: 1,
				reopened: true,
				notify: t.ana.id,
				stored: {
					mention: {
						status: "claimed",
						owner: { memberId: t.ana.id },
						unseenFollowUps: 1,
						slaFrom: now,
					},
				},
			});
			const stored = await storage.getMention(t.orgId, id);
			expect(stored).toEqual(first?.stored);
			expect(stored?.mention.thread.map((m) => m.externalId)).toEqual([
				`ctx-${t.orgId}`,
				`f1-${t.orgId}`,
			]);
			const [activity] = await storage.listActivity(t.orgId, { mentionId: id });
			expect(activity).toMatchObject({
				action: "follow_up",
				actorId: null,
				fromStatus: "replied",
				toStatus: "claimed",
				detail: { count: 1, reopened: true },
			});

			// Delivered again: nothing changes, not even the revision.
			const again = await storage.appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: [followUp],
				now: tick(),
			});
			expect(again).toMatchObject({ added: [], followUps: 0, reopened: false, notify: null });
			expect(again?.stored).toEqual(stored);
			// The follow-up is findable as a parent from now on.
			const found = await storage.findConversations(t.orgId, [
				{ network: "mastodon", externalId: `f1-${t.orgId}` },
			]);
			expect([...found.values()]).toEqual([{ mentionId: id, boardId: t.boardId }]);
		});

		it("gives the conversation to the board when its owner is full, and keeps the capacity", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const [a, b] = await storage.insertMentions(t.orgId, t.boardId, [newMention(), newMention()]);
			const first = a?.mention.id ?? "";
			// Ben (capacity 1) replies to one and takes another.
			await runCommand(storage, t, t.ben, { name: "claim", args: { mentionId: first } });
			await runCommand(storage, t, t.ben, {
				name: "markReplied",
				args: { mentionId: first, url: "https://social.example/r/2" },
			});
			await runCommand(storage, t, t.ben, {
				name: "claim",
				args: { mentionId: b?.mention.id ?? "" },
			});
			const appended = await storage.appendToThread({
				orgId: t.orgId,
				mentionId: first,
				messages: [customer(`f-${t.orgId}`, tick())],
				now: tick(),
			});
			expect(appended).toMatchObject({
				reopened: true,
				notify: t.ben.id,
				stored: { mention: { status: "new", owner: null } },
			});
			expect(
				await storage.listMentions(t.orgId, t.boardId, { ownerId: t.ben.id, status: "claimed" }),
			).toHaveLength(1);
		});

		it("lets the organisation's own words join without reopening, and answers null for no conversation", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const id = await repliedConversation(t);
			const ours = {
				...customer(`ours-${t.orgId}`, tick(), "We are on it"),
				fromOrganisation: true,
			};
			const appended = await storage.appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: [ours],
				now: tick(),
			});
			expect(appended).toMatchObject({
				followUps: 0,
				reopened: false,
				stored: { mention: { status: "replied" } },
			});
			expect(appended?.stored.rev).toBeGreaterThan(0);
			expect(
				await storage.appendToThread({
					orgId: t.orgId,
					mentionId: "missing",
					messages: [ours],
					now: tick(),
				}),
			).toBeNull();
		});

		it("keeps our recorded reply in the thread once, with who sent it and its link", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const [inserted] = await storage.insertMentions(t.orgId, t.boardId, [newMention()]);
			const id = inserted?.mention.id ?? "";
			const text = "Sorry about that, fixed now.";
			await runCommand(storage, t, t.ana, { name: "claim", args: { mentionId: id } });
			await runCommand(storage, t, t.ana, {
				name: "markReplied",
				args: { mentionId: id, url: "https://social.example/r/9", hash: draftHash(text) },
			});
			const reply = (await storage.getMention(t.orgId, id))?.mention.reply;
			const ours = reply ? recordedReplyMessage(reply, text, t.ana.name) : null;
			expect(ours).not.toBeNull();
			const appended = await storage.appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: ours ? [ours] : [],
				now: tick(),
			});
			expect(appended).toMatchObject({ added: [ours], stored: { mention: { status: "replied" } } });
			// The network reports the same reply with its id, then the customer answers it.
			const reported = {
				externalId: `ours-${t.orgId}`,
				handle: "acme@social.example",
				fromOrganisation: true,
				text,
				postedAt: tick(),
			};
			const followUp = customer(`f-${t.orgId}`, tick(), "Still broken");
			const later = await storage.appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: [reported, followUp],
				now: tick(),
			});
			expect(later?.added).toEqual([followUp]);
			const stored = await storage.getMention(t.orgId, id);
			expect(stored?.mention.thread).toEqual([ours, followUp]);
			expect(stored?.mention.status).toBe("claimed");
			// The reported id finds the conversation: an answer naming it joins this thread.
			const found = await storage.findConversations(t.orgId, [
				{ network: "mastodon", externalId: `ours-${t.orgId}` },
			]);
			expect([...found.values()]).toEqual([{ mentionId: id, boardId: t.boardId }]);
		});

		it("keeps follow-ups unseen until the owner opens the conversation", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const id = await repliedConversation(t);
			await storage.appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: [customer(`u1-${t.orgId}`, tick()), customer(`u2-${t.orgId}`, tick())],
				now: tick(),
			});
			expect(await storage.markFollowUpsSeen(t.orgId, id, t.ben.id)).toBeNull();
			const seen = await storage.markFollowUpsSeen(t.orgId, id, t.ana.id);
			expect(seen).toMatchObject({
				boardId: t.boardId,
				stored: { mention: { unseenFollowUps: 0 } },
			});
			expect(await storage.markFollowUpsSeen(t.orgId, id, t.ana.id)).toBeNull();
		});

		it("starts a new service-level round: the old reply meets nothing, a new breach is recorded", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const id = await repliedConversation(t);
			await storage.recordSlaBreaches(
				t.orgId,
				[
					{
						mentionId: id,
						kind: "reply",
						dueAt: tick(),
						status: "replied",
						ownerId: t.ana.id,
						priority: "normal",
					},
				],
				tick(),
			);
			const reopenedAt = tick();
			await storage.appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: [customer(`r-${t.orgId}`, tick())],
				now: reopenedAt,
			});
			const later = new Date(Date.parse(reopenedAt) + 5 * 3_600_000).toISOString();
			const candidates = await storage.listSlaCandidates(t.orgId, t.boardId, {
				now: later,
				since: reopenedAt,
				shortestMinutes: { claim: 15, reply: 60 },
			});
			const candidate = candidates.find((c) => c.stored.mention.id === id);
			// Kept by its owner from the round's first moment; no reply and no breach in this round yet.
			expect(candidate?.progress).toEqual({
				claimedAt: reopenedAt,
				repliedAt: null,
				endedAt: null,
			});
			expect(candidate?.recorded).toEqual([]);
			const breach = {
				mentionId: id,
				kind: "reply" as const,
				dueAt: later,
				status: "claimed" as const,
				ownerId: t.ana.id,
				priority: "normal",
				round: reopenedAt,
			};
			expect(await storage.recordSlaBreaches(t.orgId, [breach], later)).toHaveLength(1);
			expect(await storage.recordSlaBreaches(t.orgId, [breach], later)).toEqual([]);
		});
	});
}
