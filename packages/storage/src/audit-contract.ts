/**
 * The audit log's part of the contract suite: entries come back as recorded, newest
 * first, filtered and paged; an organisation sees only its own; details over the limit
 * are refused whole; and the database itself refuses to change or remove an entry.
 */
import { MAX_AUDIT_DETAILS_BYTES } from "@switchboard/domain";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { recordAudit } from "./audit-storage.ts";
import { KyselyStorage } from "./kysely-storage.ts";
import type { Storage } from "./storage.ts";
import { newMember, newOrganisation, unique } from "./test-fixtures.ts";

export function auditLogContract(portOf: () => Storage): void {
	async function org() {
		const storage = portOf();
		const { orgId, boardId } = await newOrganisation(storage);
		const admin = await newMember(storage, orgId, "Ada", "admin", 5);
		const sam = await newMember(storage, orgId, "Sam", "ambassador", 2);
		return { storage, orgId, boardId, admin, sam };
	}

	describe("audit log", () => {
		it("answers entries as recorded, in input order, with the acting member's name", async () => {
			const { storage, orgId, admin, sam } = await org();
			const stored = await storage.appendAuditEntries([
				{
					orgId,
					actor: { kind: "member", memberId: admin.id },
					action: "member.changed",
					target: { type: "member", id: sam.id },
					details: { changed: ["role"], role: { from: "ambassador", to: "moderator" } },
				},
				{
					orgId,
					actor: { kind: "system" },
					action: "retention.deleted",
					details: { conversations: 3 },
				},
				{
					orgId,
					actor: { kind: "cli" },
					action: "organisation.set_up",
					at: "2026-12-01T10:00:00.000Z",
				},
			]);
			expect(stored.map((entry) => [entry.action, entry.actor, entry.actorName])).toEqual([
				["member.changed", admin.id, "Ada"],
				["retention.deleted", "system", null],
				["organisation.set_up", "cli", null],
			]);
			expect(stored[0]).toMatchObject({
				orgId,
				target: { type: "member", id: sam.id, name: sam.name, email: sam.email },
				details: { changed: ["role"], role: { from: "ambassador", to: "moderator" } },
			});
			expect(stored[1]?.target).toBeNull();
			expect(stored[2]?.at).toBe("2026-12-01T10:00:00.000Z");
			expect(Number(stored[1]?.id)).toBeGreaterThan(Number(stored[0]?.id));

			const listed = await storage.listAuditEntries(orgId, { limit: 10 });
			expect(listed).toEqual([...stored].reverse());
		});

		it("names a board, a source, a webhook and an invitation as they are now, and one removed by its id", async () => {
			const { storage, orgId, boardId, admin } = await org();
			const actor = { kind: "member", memberId: admin.id } as const;
			const source = await storage.createSource({
				orgId,
				boardId,
				kind: "webhook",
				name: "Support inbox",
				config: { network: "other" },
				sealedSecret: "sealed:abc",
			});
			const gone = await storage.createSource({
				orgId,
				boardId,
				kind: "rss",
				name: "Old forum",
				config: { url: "https://forum.example/feed", keywords: [] },
				sealedSecret: null,
			});
			const webhook = await storage.createWebhookEndpoint({
				orgId,
				url: "https://hooks.example.org/switchboard",
				events: ["mention.replied"],
				sealedSecret: "sealed:s",
			});
			const invitationId = crypto.randomUUID();
			const email = `${unique("person")}@example.org`;
			await storage.createInvitations([
				{
					id: invitationId,
					orgId,
					kind: "invite",
					codeHash: unique("hash"),
					email,
					role: "ambassador",
					invitedBy: admin.id,
					expiresAt: new Date(Date.now() + 86_400_000),
				},
			]);
			const appended = await storage.appendAuditEntries([
				{ orgId, actor, action: "board.renamed", target: { type: "board", id: boardId } },
				{ orgId, actor, action: "source.changed", target: { type: "source", id: source.id } },
				{ orgId, actor, action: "source.deleted", target: { type: "source", id: gone.id } },
				{ orgId, actor, action: "webhook.created", target: { type: "webhook", id: webhook.id } },
				{
					orgId,
					actor,
					action: "invitation.created",
					target: { type: "invitation", id: invitationId },
				},
			]);
			await storage.deleteSource(orgId, gone.id);
			const listed = await storage.listAuditEntries(orgId, { limit: 10 });
			expect(listed.map((entry) => entry.target)).toEqual([
				{ type: "invitation", id: invitationId, email },
				{ type: "webhook", id: webhook.id, name: "hooks.example.org" },
				// Gone, and no entry of this page recorded its name.
				{ type: "source", id: gone.id },
				{ type: "source", id: source.id, name: "Support inbox" },
				{ type: "board", id: boardId, name: "Main" },
			]);
			// Appended, each is named as it was then.
			expect(appended[2]?.target).toEqual({ type: "source", id: gone.id, name: "Old forum" });
			// Its deletion's entry records its name, which then names every entry of the page about it.
			await storage.appendAuditEntries([
				{
					orgId,
					actor,
					action: "source.deleted",
					target: { type: "source", id: gone.id },
					details: { kind: "rss", name: "Old forum" },
				},
			]);
			const named = await storage.listAuditEntries(orgId, { limit: 10 });
			expect(
				named.filter((entry) => entry.target?.id === gone.id).map((entry) => entry.target),
			).toEqual([
				{ type: "source", id: gone.id, name: "Old forum" },
				{ type: "source", id: gone.id, name: "Old forum" },
			]);
			// Another organisation's thing of the same id names nothing here.
			const other = await org();
			const [foreign] = await other.storage.appendAuditEntries([
				{
					orgId: other.orgId,
					actor: { kind: "cli" },
					action: "source.changed",
					target: { type: "source", id: source.id },
				},
			]);
			expect(foreign?.target).toEqual({ type: "source", id: source.id });
		});

		it("filters by action, actor and period, and pages newest first", async () => {
			const { storage, orgId, admin, sam } = await org();
			const member = { kind: "member", memberId: admin.id } as const;
			for (let i = 0; i < 5; i++) {
				await recordAudit(storage, {
					orgId,
					actor: member,
					action: "invitation.created",
					details: { n: i },
					at: `2026-11-0${i + 1}T12:00:00.000Z`,
				});
			}
			await recordAudit(storage, {
				orgId,
				actor: { kind: "member", memberId: sam.id },
				action: "password.changed",
				target: { type: "member", id: sam.id },
			});
			await recordAudit(storage, { orgId, actor: { kind: "cli" }, action: "invitation.created" });

			const invites = await storage.listAuditEntries(orgId, {
				actions: ["invitation.created"],
				limit: 10,
			});
			expect(invites).toHaveLength(6);
			const byAdmin = await storage.listAuditEntries(orgId, { actor: member, limit: 10 });
			expect(byAdmin.map((entry) => entry.details.n)).toEqual([4, 3, 2, 1, 0]);
			const byCli = await storage.listAuditEntries(orgId, { actor: { kind: "cli" }, limit: 10 });
			expect(byCli.map((entry) => entry.actor)).toEqual(["cli"]);
			const bySam = await storage.listAuditEntries(orgId, {
				actor: { kind: "member", memberId: sam.id },
				limit: 10,
			});
			expect(bySam.map((entry) => entry.action)).toEqual(["password.changed"]);
			const period = await storage.listAuditEntries(orgId, {
				from: "2026-11-02T00:00:00.000Z",
				to: "2026-11-04T12:00:00.000Z",
				limit: 10,
			});
			expect(period.map((entry) => entry.details.n)).toEqual([2, 1]);
			const either = await storage.listAuditEntries(orgId, {
				actions: ["password.changed", "organisation.set_up"],
				limit: 10,
			});
			expect(either.map((entry) => entry.action)).toEqual(["password.changed"]);

			const first = await storage.listAuditEntries(orgId, { actor: member, limit: 2 });
			const second = await storage.listAuditEntries(orgId, {
				actor: member,
				limit: 2,
				before: first.at(-1)?.id ?? "",
			});
			const third = await storage.listAuditEntries(orgId, {
				actor: member,
				limit: 2,
				before: second.at(-1)?.id ?? "",
			});
			expect([...first, ...second, ...third].map((entry) => entry.details.n)).toEqual([
				4, 3, 2, 1, 0,
			]);
			expect(await storage.listAuditEntries(orgId, { limit: 5, before: "not-an-id" })).toEqual([]);
		});

		it("shows an organisation its own entries only", async () => {
			const one = await org();
			const other = await org();
			await recordAudit(one.storage, {
				orgId: one.orgId,
				actor: { kind: "member", memberId: one.admin.id },
				action: "rules.changed",
			});
			expect(await other.storage.listAuditEntries(other.orgId, { limit: 10 })).toEqual([]);
		});

		it("refuses details over the limit and stores nothing of the batch", async () => {
			const { storage, orgId, admin } = await org();
			const actor = { kind: "member", memberId: admin.id } as const;
			await expect(
				storage.appendAuditEntries([
					{ orgId, actor, action: "rules.changed" },
					{
						orgId,
						actor,
						action: "rules.changed",
						details: { text: "x".repeat(MAX_AUDIT_DETAILS_BYTES) },
					},
				]),
			).rejects.toMatchObject({ kind: "invalid" });
			expect(await storage.listAuditEntries(orgId, { limit: 10 })).toEqual([]);
		});

		it("is append-only in the database: UPDATE, DELETE and TRUNCATE are refused", async () => {
			const { storage, orgId, admin } = await org();
			if (!(storage instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
			const entry = await recordAudit(storage, {
				orgId,
				actor: { kind: "member", memberId: admin.id },
				action: "member.deactivated",
			});
			const { db } = storage;
			await expect(
				sql`update audit_log set action = 'rules.changed' where id = ${entry.id}`.execute(db),
			).rejects.toThrow(/append-only/);
			await expect(sql`delete from audit_log where id = ${entry.id}`.execute(db)).rejects.toThrow(
				/append-only/,
			);
			await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
			expect(await storage.listAuditEntries(orgId, { limit: 10 })).toEqual([entry]);
		});
	});
}
