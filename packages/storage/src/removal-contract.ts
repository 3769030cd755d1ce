/**
 * The data-removal port's part of the contract suite: retention deletes only finished
 * conversations older than its cut-off, each with its draft, notifications, activity and
 * thread index; erasure deletes one author's conversations and cuts their messages out of
 * the others' threads, and finds nothing the second time; the activity log still refuses
 * every other change.
 */
import { draftDocumentName } from "@switchboard/domain";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { KyselyStorage } from "./kysely-storage.ts";
import type { NotificationStore } from "./notification-storage.ts";
import type { DataRemoval } from "./removal-storage.ts";
import type {
	CommandArbiter,
	Directory,
	DocumentLog,
	MentionStore,
	ThreadStore,
} from "./storage.ts";
import { ingest, newTeam, runCommand, tick, unique } from "./test-fixtures.ts";

type Ports = DataRemoval &
	Directory &
	MentionStore &
	CommandArbiter &
	DocumentLog &
	NotificationStore &
	ThreadStore;

export function dataRemovalContract(portOf: () => Ports): void {
	async function draftWithNote(storage: Ports, orgId: string, mentionId: string) {
		await storage.appendUpdates([
			{ name: draftDocumentName(orgId, mentionId), update: new Uint8Array([0, 0]) },
		]);
	}

	describe("data removal", () => {
		it("keeps retention off until set, and lists only organisations that set it", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			expect(await storage.getRetention(t.orgId)).toEqual({ finishedDays: null });
			expect(await storage.setRetention(t.orgId, { finishedDays: 30 })).toEqual({
				finishedDays: 30,
			});
			expect(await storage.listRetentions()).toContainEqual({ orgId: t.orgId, finishedDays: 30 });
			await storage.setRetention(t.orgId, { finishedDays: null });
			expect((await storage.listRetentions()).map((r) => r.orgId)).not.toContain(t.orgId);
		});

		it("deletes finished conversations older than the cut-off with all that hangs off them, nothing else", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const [done, claimed, fresh] = await ingest(storage, t, {}, {}, {});
			await runCommand(storage, t, t.ana, { name: "claim", args: { mentionId: done! } });
			await runCommand(storage, t, t.ana, { name: "dismiss", args: { mentionId: done! } });
			await runCommand(storage, t, t.ana, { name: "claim", args: { mentionId: claimed! } });
			const cutOff = tick();
			await runCommand(storage, t, t.ben, { name: "dismiss", args: { mentionId: fresh! } });
			for (const id of [done!, claimed!, fresh!]) await draftWithNote(storage, t.orgId, id);
			await storage.addNotifications([
				{
					orgId: t.orgId,
					memberId: t.ana.id,
					kind: "assigned",
					mentionId: done!,
					boardId: t.boardId,
					actorId: t.mo.id,
					detail: { actorName: "Mo", handle: "someone" },
					key: `test:${done}`,
				},
			]);
			const other = await newTeam(storage);
			const [elsewhere] = await ingest(storage, other, {});
			await runCommand(storage, other, other.ana, {
				name: "dismiss",
				args: { mentionId: elsewhere! },
			});

			const removal = await storage.deleteFinishedBefore(t.orgId, cutOff, 100);
			expect(removal.deleted).toEqual([{ mentionId: done, boardId: t.boardId }]);
			expect(removal.counts).toMatchObject({
				conversations: 1,
				drafts: 1,
				draftUpdates: 1,
				notifications: 1,
			});
			expect(removal.counts.activity).toBeGreaterThanOrEqual(2);
			expect(await storage.getMention(t.orgId, done!)).toBeNull();
			const draft = await storage.loadDocument(draftDocumentName(t.orgId, done!));
			expect(draft.snapshot).toBeNull();
			expect(draft.updates).toHaveLength(0);
			for (const kept of [claimed!, fresh!]) {
				expect(await storage.getMention(t.orgId, kept)).not.toBeNull();
				const { updates } = await storage.loadDocument(draftDocumentName(t.orgId, kept));
				expect(updates).toHaveLength(1);
			}
			expect(await storage.getMention(other.orgId, elsewhere!)).not.toBeNull();
			// Nothing left to delete: a second sweep deletes nothing.
			expect((await storage.deleteFinishedBefore(t.orgId, cutOff, 100)).deleted).toEqual([]);
		});

		it("leaves the activity log append-only for everything else", async () => {
			const storage = portOf();
			if (!(storage instanceof KyselyStorage)) return;
			const t = await newTeam(storage);
			const [id] = await ingest(storage, t, {});
			await runCommand(storage, t, t.ana, { name: "claim", args: { mentionId: id! } });
			await expect(
				sql`delete from activity where mention_id = ${id}`.execute(storage.db),
			).rejects.toThrow(/append-only/);
			await expect(
				sql`update activity set action = 'x' where mention_id = ${id}`.execute(storage.db),
			).rejects.toThrow(/append-only/);
		});

		it("erases one author: their conversations, their messages in other threads, once", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const author = { handle: "@Pat@social.example", name: "Pat", reach: 5 };
			const [own, otherThread, otherNetwork] = await ingest(
				storage,
				t,
				{ author, text: "my order never came" },
				{
					thread: [
						{
							externalId: "pat-reply-1",
							handle: "pat@social.example",
							fromOrganisation: false,
							text: "same here, Pat",
							postedAt: tick(),
						},
						{
							externalId: "kim-1",
							handle: "kim@social.example",
							fromOrganisation: false,
							text: "and me",
							postedAt: tick(),
						},
					],
				},
				{ network: "bluesky", author: { ...author, handle: "pat@social.example" } },
			);
			await draftWithNote(storage, t.orgId, own!);

			const erased = await storage.eraseAuthor(t.orgId, "mastodon", "pat@SOCIAL.example", tick());
			expect(erased.deleted).toEqual([{ mentionId: own, boardId: t.boardId }]);
			expect(erased.counts).toMatchObject({ conversations: 1, drafts: 1, threadMessages: 1 });
			expect(erased.edited.map((m) => m.mention.id)).toEqual([otherThread]);
			expect(await storage.getMention(t.orgId, own!)).toBeNull();
			const kept = await storage.getMention(t.orgId, otherThread!);
			expect(kept?.mention.thread.map((m) => m.text)).toEqual(["and me"]);
			expect(kept?.rev).toBe(erased.edited[0]?.rev);
			const index = await storage.findConversations(t.orgId, [
				{ network: "mastodon", externalId: "pat-reply-1" },
				{ network: "mastodon", externalId: "kim-1" },
			]);
			expect([...index.values()]).toEqual([{ mentionId: otherThread, boardId: t.boardId }]);
			// Another network's author of the same handle is someone else.
			expect(await storage.getMention(t.orgId, otherNetwork!)).not.toBeNull();

			const again = await storage.eraseAuthor(t.orgId, "mastodon", "@pat@social.example", tick());
			expect(again.deleted).toEqual([]);
			expect(again.edited).toEqual([]);
			expect(again.counts.threadMessages).toBe(0);
		});

		it("deletes drafts stored again after their conversation was deleted", async () => {
			const storage = portOf();
			const t = await newTeam(storage);
			const [id] = await ingest(storage, t, {});
			await storage.eraseAuthor(t.orgId, "mastodon", "someone@social.example", tick());
			await draftWithNote(storage, t.orgId, id!);
			expect(await storage.deleteOrphanDrafts(t.orgId, [id!])).toBe(1);
			expect((await storage.loadDocument(draftDocumentName(t.orgId, id!))).updates).toEqual([]);
			// Without ids: every orphan of the organisation, and only of it (an id with `_`
			// must not reach another organisation's drafts as a LIKE wildcard would).
			const [alive] = await ingest(storage, t, {});
			await draftWithNote(storage, t.orgId, alive!);
			await draftWithNote(storage, t.orgId, id!);
			expect(await storage.deleteOrphanDrafts(t.orgId)).toBe(1);
			expect((await storage.loadDocument(draftDocumentName(t.orgId, alive!))).updates).toHaveLength(
				1,
			);
			const suffix = unique("").slice(1);
			const wild = await storage.createOrganisation({ id: `w_${suffix}`, name: "W" });
			const near = await storage.createOrganisation({ id: `wx${suffix}`, name: "X" });
			await draftWithNote(storage, wild.id, "gone");
			await draftWithNote(storage, near.id, "theirs");
			expect(await storage.deleteOrphanDrafts(wild.id)).toBe(1);
			expect(
				(await storage.loadDocument(draftDocumentName(near.id, "theirs"))).updates,
			).toHaveLength(1);
		});
	});
}
