/**
 * Retention and erasure against a real server, on whichever database `config` gives:
 * a board client (the official Hocuspocus provider) watches deleted cards leave, drafts
 * and notes are written through the provider, and what is left in the database is read back.
 */
import { randomUUID } from "node:crypto";
import {
	boardRevisions,
	CloseCodes,
	type Command,
	draftDocumentName,
	type ThreadMessage,
} from "@switchboard/domain";
import type { StoredMention } from "@switchboard/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../apps/server/src/config.ts";
import {
	makeMention,
	startTestServer,
	type TestMember,
	type TestServer,
	waitFor,
} from "./test-server.ts";

const DAY_MS = 86_400_000;

/** Polls an async condition until it holds (the database is read, not a Y.Doc). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

export function dataRemovalSuite(
	name: string,
	setup: () => Promise<{ config: Partial<Config>; cleanup: () => Promise<void> }>,
): void {
	describe(`retention and erasure (${name})`, () => {
		let server: TestServer;
		let admin: TestMember;
		let cleanup: () => Promise<void> = async () => {};

		beforeAll(async () => {
			const prepared = await setup();
			cleanup = prepared.cleanup;
			server = await startTestServer(prepared.config);
			admin = await server.addMember("acme", "Ada Admin", "admin");
		}, 300_000);
		afterAll(async () => {
			await server?.close();
			await cleanup();
		});

		const storage = () => server.switchboard.storage;
		let next = 1000;
		async function conversation(
			overrides: Record<string, unknown> = {},
			...commands: ((id: string) => Command)[]
		): Promise<string> {
			const i = next++;
			const [stored] = await storage().insertMentions("acme", "main", [
				makeMention(i, { externalId: `removal-${i}`, ...overrides }),
			]);
			const id = (stored as StoredMention).mention.id;
			for (const command of commands) {
				const outcome = await storage().executeCommand({
					orgId: "acme",
					boardId: "main",
					actorId: server.members.dana!.id,
					commandId: randomUUID(),
					command: command(id),
					now: new Date().toISOString(),
				});
				expect(outcome.ok).toBe(true);
			}
			// Onto the board as ingest and commands put it, whether or not it is loaded.
			const now = await storage().getMention("acme", id);
			await server.switchboard.board.publish("acme", "main", now ? [now] : []);
			return id;
		}
		const claim = (mentionId: string): Command => ({ name: "claim", args: { mentionId } });
		const dismiss = (mentionId: string): Command => ({ name: "dismiss", args: { mentionId } });
		const draftRows = async (id: string) => {
			const stored = await storage().loadDocument(draftDocumentName("acme", id));
			return (stored.snapshot ? 1 : 0) + stored.updates.length;
		};
		/** `member`'s board once it shows the cards of `mentionIds`. */
		async function boardShowing(member: TestMember, mentionIds: readonly string[]) {
			const board = await server.board(member);
			await waitFor(
				() => mentionIds.every((id) => boardRevisions(board.doc).has(id)),
				60_000,
				"the cards on the board",
			);
			return board;
		}
		const auditOf = async (action: "retention.deleted" | "retention.changed" | "author.erased") =>
			storage().listAuditEntries("acme", { actions: [action], limit: 10 });

		it("deletes finished conversations past the organisation's retention with their drafts, live, and never unfinished ones", async () => {
			const finished = await conversation(
				{ text: "parcel crushed, retention test" },
				claim,
				dismiss,
			);
			const claimed = await conversation({}, claim);
			const untouched = await conversation();
			const dana = server.members.dana!;
			const board = await boardShowing(dana, [finished, claimed, untouched]);
			// A reply and a note on the finished conversation, through the provider; its draft stays open.
			const draft = await server.draft(dana, finished);
			draft.doc.getText("body").insert(0, "Sorry about the parcel");
			draft.doc.getArray("notes").push([
				{
					id: "n-ret",
					authorId: dana.id,
					text: "courier called",
					at: new Date().toISOString(),
					mentions: [],
				},
			]);
			await waitFor(() => draft.provider.unsyncedChanges === 0, 60_000, "the draft stored");
			let closed = false;
			draft.provider.on("close", ({ event }: { event: { reason: string } }) => {
				if (event.reason === CloseCodes.reset.reason) closed = true;
			});
			let refused = false;
			draft.provider.on("authenticationFailed", () => {
				refused = true;
			});
			await storage().addNotifications([
				{
					orgId: "acme",
					memberId: dana.id,
					kind: "assigned",
					mentionId: finished,
					boardId: "main",
					actorId: admin.id,
					detail: { actorName: "Ada", handle: "someone" },
					key: `test:${finished}`,
				},
			]);
			const later = new Date(Date.now() + 31 * DAY_MS);

			// Off by default: nothing is deleted, however old.
			expect(
				await (await server.request("/api/orgs/acme/retention", { token: admin.token })).json(),
			).toEqual({
				finishedDays: null,
			});
			expect(await server.switchboard.dataRemoval.sweep(later)).toEqual([]);
			expect(await storage().getMention("acme", finished)).not.toBeNull();

			// Admins only, whole days from 1.
			const set = (body: unknown, token = admin.token) =>
				server.request("/api/orgs/acme/retention", { method: "PUT", token, body });
			expect((await set({ finishedDays: 30 }, dana.token)).status).toBe(403);
			expect((await set({ finishedDays: 0 })).status).toBe(400);
			expect((await set({ finishedDays: 2.5 })).status).toBe(400);
			const changed = await set({ finishedDays: 30 });
			expect(changed.status).toBe(200);
			expect(await changed.json()).toEqual({ finishedDays: 30 });
			const [changeEntry] = await auditOf("retention.changed");
			expect(changeEntry).toMatchObject({
				actor: admin.id,
				details: { from: { finishedDays: null }, to: { finishedDays: 30 } },
			});

			// Not yet 30 days: kept.
			expect(
				await server.switchboard.dataRemoval.sweep(new Date(Date.now() + 29 * DAY_MS)),
			).toEqual([]);

			const [result] = await server.switchboard.dataRemoval.sweep(later);
			expect(result?.deleted).toEqual([{ mentionId: finished, boardId: "main" }]);
			expect(result?.counts).toMatchObject({ conversations: 1, drafts: 1, notifications: 1 });
			// The watching client sees the card go; the others stay.
			await waitFor(
				() => !boardRevisions(board.doc).has(finished),
				60_000,
				"the finished card gone",
			);
			expect(boardRevisions(board.doc).has(claimed)).toBe(true);
			expect(boardRevisions(board.doc).has(untouched)).toBe(true);
			// The open draft was closed (its reconnect refused: the conversation is gone), and
			// what the server stored when it unloaded the draft is gone too.
			await waitFor(() => closed, 60_000, "the open draft closed by the server");
			// The provider authenticates again when its socket reconnects, which an idle socket
			// does on its own only after `messageReconnectTimeout` (30 s): drop it now, as that
			// check would.
			draft.socket.webSocket?.close();
			await waitFor(() => refused, 60_000, "the draft's reconnect refused");
			await until(
				async () =>
					!server.switchboard.hocuspocus.documents.has(draftDocumentName("acme", finished)),
				"the draft unloaded",
			);
			await until(async () => (await draftRows(finished)) === 0, "the draft's rows deleted");
			expect(await storage().getMention("acme", finished)).toBeNull();
			expect(await storage().getMention("acme", claimed)).not.toBeNull();
			expect(await storage().getMention("acme", untouched)).not.toBeNull();
			expect(await storage().searchHistory("acme", { text: "crushed", limit: 10 })).toEqual([]);
			const feed = await storage().listNotifications(dana.id, { limit: 50 });
			expect(feed.notifications.map((n) => n.mentionId)).not.toContain(finished);
			const [sweepEntry] = await auditOf("retention.deleted");
			expect(sweepEntry).toMatchObject({
				actor: "system",
				target: { type: "organisation", id: "acme" },
				details: { finishedDays: 30, conversations: 1, drafts: 1 },
			});
			expect(JSON.stringify(sweepEntry)).not.toMatch(/parcel|courier/);

			// A second sweep finds nothing more and records nothing.
			expect(await server.switchboard.dataRemoval.sweep(later)).toEqual([]);
			expect(await auditOf("retention.deleted")).toHaveLength(1);
			await set({ finishedDays: null });
		});

		it("erases one public author on request: their conversations and thread messages, live, once", async () => {
			const pat = { handle: "@Pat_R", name: "Pat R", reach: 12 };
			const patsMessage: ThreadMessage = {
				externalId: `pat-msg-${randomUUID()}`,
				handle: "pat_r",
				fromOrganisation: false,
				text: "Pat here: me too, my address is 1 Elm St",
				postedAt: new Date().toISOString(),
			};
			const own = await conversation({ author: pat, text: "Pat's complaint, erasure test" }, claim);
			const others = await conversation({
				thread: [
					patsMessage,
					{
						handle: "kim",
						fromOrganisation: false,
						text: "same",
						postedAt: new Date().toISOString(),
					},
				],
			});
			const elsewhere = await conversation({ author: pat, network: "mastodon" });
			const dana = server.members.dana!;
			const board = await boardShowing(dana, [own, others, elsewhere]);
			const draft = await server.draft(dana, own);
			draft.doc.getText("body").insert(0, "Dear Pat");
			await waitFor(() => draft.provider.unsyncedChanges === 0, 60_000, "the draft stored");

			const erase = (body: unknown, token = admin.token) =>
				server.request("/api/orgs/acme/erasures", { token, body });
			expect((await erase({ network: "twitter", author: "pat_r" }, dana.token)).status).toBe(403);
			expect((await erase({ network: "myspace", author: "pat_r" })).status).toBe(400);
			expect((await erase({ network: "twitter", author: "  " })).status).toBe(400);

			const response = await erase({ network: "twitter", author: "@PAT_R" });
			expect(response.status).toBe(200);
			expect(await response.json()).toEqual({
				network: "twitter",
				author: "pat_r",
				conversations: 1,
				threadMessages: 1,
				drafts: 1,
				notifications: 0,
			});
			await waitFor(() => !boardRevisions(board.doc).has(own), 60_000, "Pat's card gone");
			expect(boardRevisions(board.doc).has(others)).toBe(true);
			expect(boardRevisions(board.doc).has(elsewhere)).toBe(true);
			expect(await storage().getMention("acme", own)).toBeNull();
			const kept = await storage().getMention("acme", others);
			expect(kept?.mention.thread.map((m) => m.handle)).toEqual(["kim"]);
			expect(await storage().searchHistory("acme", { text: "Elm", limit: 10 })).toEqual([]);
			await until(async () => (await draftRows(own)) === 0, "Pat's draft deleted");

			const [entry] = await auditOf("author.erased");
			expect(entry).toMatchObject({
				actor: admin.id,
				target: { type: "author", id: "twitter:pat_r" },
				details: { network: "twitter", author: "pat_r", conversations: 1, threadMessages: 1 },
			});
			expect(JSON.stringify(entry)).not.toMatch(/Elm|complaint|Dear/);

			// Asked again: nothing more to erase, and it says so.
			const again = await erase({ network: "twitter", author: "pat_r" });
			expect(await again.json()).toMatchObject({ conversations: 0, threadMessages: 0, drafts: 0 });
		});
	});
}
