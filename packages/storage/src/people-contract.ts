/**
 * The people port's part of the contract suite: invitations, reset links and the admin's
 * changes to members. Run by `storageContract` on PGlite and on PostgreSQL alike.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Invitation, NewInvitation, PeopleStore } from "./people-storage.ts";
import type { CommandArbiter, Directory, MentionStore } from "./storage.ts";
import { ingest, newMember, newOrganisation, runCommand, unique } from "./test-fixtures.ts";

type Port = PeopleStore & Directory & MentionStore & CommandArbiter;

const DAY = 24 * 60 * 60 * 1000;

function invitation(orgId: string, overrides: Partial<NewInvitation> = {}): NewInvitation {
	return {
		orgId,
		kind: "invite",
		codeHash: unique("hash"),
		email: `${unique("person")}@example.org`,
		role: "ambassador",
		invitedBy: null,
		expiresAt: new Date(Date.now() + 7 * DAY),
		...overrides,
	};
}

function accept(port: Port, codeHash: string, extra: { name?: string; now?: Date } = {}) {
	return port.acceptInvitation({
		codeHash,
		now: extra.now ?? new Date(),
		memberId: randomUUID(),
		passwordHash: "scrypt$new",
		...(extra.name !== undefined ? { name: extra.name } : {}),
	});
}

export function peopleContract(portOf: () => Port): void {
	describe("people: invitations and members", () => {
		it("sets up an organisation once: its board and its first admin's invitation", async () => {
			const port = portOf();
			const id = unique("org");
			const codeHash = unique("hash");
			const first = {
				organisation: { id, name: "First Ltd" },
				board: { id: "main", name: "Main" },
				invitation: { ...invitation(id, { codeHash, role: "admin" }), invitedBy: null },
			};
			expect(await port.setupOrganisation(first)).toEqual({ id, name: "First Ltd" });
			expect(await port.getBoard(id, "main")).toMatchObject({ name: "Main" });
			expect(await port.findInvitation(codeHash)).toMatchObject({ orgId: id, role: "admin" });
			await expect(
				port.setupOrganisation({
					...first,
					organisation: { id, name: "Second" },
					invitation: { ...first.invitation, codeHash: unique("hash") },
				}),
			).rejects.toMatchObject({ kind: "conflict" });
			expect(await port.getOrganisation(id)).toEqual({ id, name: "First Ltd" });
		});

		it("accepts an invitation once: the member with their boards, then the link is gone", async () => {
			const port = portOf();
			const { orgId } = await newOrganisation(port);
			await port.createBoard({ id: "press", orgId, name: "Press" });
			const made = invitation(orgId, {
				name: "Ana",
				role: "moderator",
				capacity: 7,
				skills: ["billing"],
				languages: ["fr"],
				boards: ["press"],
			});
			await port.createInvitations([made]);
			const accepted = await accept(port, made.codeHash);
			expect(accepted.kind).toBe("invite");
			expect(accepted.member).toMatchObject({
				orgId,
				email: made.email,
				name: "Ana",
				role: "moderator",
				capacity: 7,
				skills: ["billing"],
				languages: ["fr"],
				active: true,
			});
			expect(await port.findMemberByEmail(made.email)).toMatchObject({
				passwordHash: "scrypt$new",
			});
			expect(await port.getMemberRecord(orgId, accepted.member.id)).toMatchObject({
				boards: ["press"],
				load: 0,
			});
			expect((await port.findInvitation(made.codeHash))?.usedAt).not.toBeNull();
			await expect(accept(port, made.codeHash)).rejects.toMatchObject({ kind: "gone" });
			await expect(accept(port, unique("unknown"))).rejects.toMatchObject({ kind: "not_found" });
		});

		it("refuses expired and revoked links, and an email that became a member's", async () => {
			const port = portOf();
			const { orgId } = await newOrganisation(port);
			const expired = invitation(orgId, { expiresAt: new Date(Date.now() - 1000), name: "E" });
			const revoked = invitation(orgId, { name: "R" });
			const member = await newMember(port, orgId, "Taken", "ambassador", 2);
			const taken = invitation(orgId, { email: member.email, name: "T" });
			await port.createInvitations([expired, revoked, taken]);
			const [open] = await port.listOpenInvitations(orgId, { q: revoked.email, limit: 5 });
			expect(open?.email).toBe(revoked.email);
			expect(await port.revokeInvitation(orgId, open?.id ?? "")).toBe(true);
			expect(await port.revokeInvitation(orgId, open?.id ?? "")).toBe(false);
			await expect(accept(port, expired.codeHash)).rejects.toMatchObject({ kind: "gone" });
			await expect(accept(port, revoked.codeHash)).rejects.toMatchObject({ kind: "gone" });
			await expect(accept(port, taken.codeHash)).rejects.toMatchObject({ kind: "conflict" });
			expect(await port.existingMemberEmails([member.email.toUpperCase(), expired.email])).toEqual(
				new Set([member.email]),
			);
		});

		it("replaces an open invitation when the same email is invited again", async () => {
			const port = portOf();
			const { orgId } = await newOrganisation(port);
			const first = invitation(orgId, { name: "Bo" });
			await port.createInvitations([first]);
			const second = { ...first, codeHash: unique("hash") };
			await port.createInvitations([second]);
			const replaced = await port.findInvitation(first.codeHash);
			expect(replaced?.revokedAt).not.toBeNull();
			expect(await port.listOpenInvitations(orgId, { limit: 10 })).toHaveLength(1);
			// The replaced link sends its person to the latest one while that one is open; once it
			// was withdrawn too, to an admin; once a newer one was used, to sign in.
			const replacement = () => port.replacementOf(replaced as Invitation);
			expect(await replacement()).toBe("open");
			await expect(accept(port, first.codeHash)).rejects.toMatchObject({
				kind: "gone",
				message: "A newer invitation replaced this one: open the latest link you were sent.",
			});
			const [open] = await port.listOpenInvitations(orgId, { limit: 10 });
			expect(await port.revokeInvitation(orgId, open?.id ?? "")).toBe(true);
			expect(await replacement()).toBeNull();
			await expect(accept(port, first.codeHash)).rejects.toMatchObject({
				message: "This link was withdrawn. Ask an admin for a new one.",
			});
			const third = { ...first, codeHash: unique("hash") };
			await port.createInvitations([third]);
			expect(await replacement()).toBe("open");
			// An invitation to no board (the default where the first board is archived).
			const joined = await accept(port, third.codeHash);
			expect(await port.getMemberRecord(orgId, joined.member.id)).toMatchObject({ boards: [] });
			expect(await replacement()).toBe("used");
			await expect(accept(port, first.codeHash)).rejects.toMatchObject({
				message: "A newer invitation replaced this one and was used: sign in.",
			});
			await expect(
				port.createInvitations([invitation(orgId, { boards: ["nowhere"] })]),
			).rejects.toMatchObject({ kind: "not_found" });
		});

		it("sets a new password with a reset link, for an active member only", async () => {
			const port = portOf();
			const { orgId } = await newOrganisation(port);
			const member = await newMember(port, orgId, "Cy", "ambassador", 2);
			const reset = invitation(orgId, { kind: "reset", email: member.email, memberId: member.id });
			await port.createInvitations([reset]);
			expect((await accept(port, reset.codeHash)).member.id).toBe(member.id);
			expect((await port.findMemberByEmail(member.email))?.passwordHash).toBe("scrypt$new");

			const again = invitation(orgId, { kind: "reset", email: member.email, memberId: member.id });
			await port.createInvitations([again]);
			await port.updateMember(orgId, member.id, { active: false });
			await expect(accept(port, again.codeHash)).rejects.toMatchObject({ kind: "gone" });
		});

		it("pages members by name with their load, and finds them by part of a name or email", async () => {
			const port = portOf();
			const t = await newOrganisation(port);
			const names = ["Dana", "Bea", "Cleo", "Abe"];
			for (const name of names) await newMember(port, t.orgId, name, "ambassador", 3);
			const first = await port.listMemberRecords(t.orgId, { limit: 3 });
			expect(first.map((m) => m.name)).toEqual(["Abe", "Bea", "Cleo"]);
			const last = first.at(-1);
			const rest = await port.listMemberRecords(t.orgId, {
				limit: 3,
				after: { key: last?.name ?? "", id: last?.id ?? "" },
			});
			expect(rest.map((m) => m.name)).toEqual(["Dana"]);
			expect(
				(await port.listMemberRecords(t.orgId, { q: "LEO", limit: 5 })).map((m) => m.name),
			).toEqual(["Cleo"]);
			expect(await port.listMemberRecords(t.orgId, { q: "%", limit: 5 })).toEqual([]);
		});

		it("changes a member; boards replace the set; the last active admin stays", async () => {
			const port = portOf();
			const t = await newOrganisation(port);
			await port.createBoard({ id: "press", orgId: t.orgId, name: "Press" });
			const admin = await newMember(port, t.orgId, "Ada", "admin", 3);
			const other = await newMember(port, t.orgId, "Ola", "ambassador", 3, {});
			const changed = await port.updateMember(t.orgId, other.id, {
				capacity: 1,
				skills: ["press"],
				boards: ["press", "main"],
			});
			expect(changed).toMatchObject({ capacity: 1, skills: ["press"], boards: ["main", "press"] });
			expect((await port.updateMember(t.orgId, other.id, { boards: ["press"] })).boards).toEqual([
				"press",
			]);
			await expect(
				port.updateMember(t.orgId, other.id, { boards: ["nope"] }),
			).rejects.toMatchObject({ kind: "invalid" });
			// Taken off every board.
			expect((await port.updateMember(t.orgId, other.id, { boards: [] })).boards).toEqual([]);

			await expect(
				port.updateMember(t.orgId, admin.id, { role: "moderator" }),
			).rejects.toMatchObject({
				kind: "conflict",
			});
			await expect(port.updateMember(t.orgId, admin.id, { active: false })).rejects.toMatchObject({
				kind: "conflict",
			});
			expect((await port.getMember(admin.id))?.role).toBe("admin");
			await port.updateMember(t.orgId, other.id, { role: "admin" });
			expect((await port.updateMember(t.orgId, admin.id, { active: false })).active).toBe(false);
			await expect(
				port.updateMember(unique("org"), other.id, { capacity: 2 }),
			).rejects.toMatchObject({ kind: "not_found" });
		});

		it("counts a member's open conversations as their load", async () => {
			const port = portOf();
			const t = await newOrganisation(port);
			const owner = await newMember(port, t.orgId, "Lou", "ambassador", 3);
			const [first, second] = await ingest(port, t, {}, {});
			for (const mentionId of [first, second]) {
				const outcome = await runCommand(port, t, owner, {
					name: "claim",
					args: { mentionId: mentionId ?? "" },
				});
				expect(outcome.ok).toBe(true);
			}
			expect((await port.getMemberRecord(t.orgId, owner.id))?.load).toBe(2);
		});
	});
}
