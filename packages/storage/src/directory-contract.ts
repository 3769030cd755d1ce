/**
 * The directory's part of the contract suite: organisations, members and boards. Run by `storageContract` on PGlite and on PostgreSQL alike;
 * each test makes its own organisation with fresh ids, so tests do not see each other's rows.
 */
import { describe, expect, it } from "vitest";
import type { Directory } from "./storage.ts";
import { memberMaker, unique } from "./test-fixtures.ts";

export function directoryContract(portOf: () => Directory): void {
	const member = memberMaker(portOf);

	describe("organisations, members and boards", () => {
		it("round-trips what was created", async () => {
			const storage = portOf();
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
			expect(board).toEqual({ id: "main", orgId: org.id, name: "Main", archivedAt: null });
			expect(await storage.getBoard(org.id, "main")).toEqual(board);
			expect(await storage.listBoards(org.id)).toEqual([board]);

			expect(await storage.getOrganisation(unique("missing"))).toBeNull();
			expect(await storage.getMember(unique("missing"))).toBeNull();
			expect(await storage.getBoard(org.id, "missing")).toBeNull();
		});

		it("renames, archives and brings back a board, never the last active one", async () => {
			const storage = portOf();
			const org = await storage.createOrganisation({ name: "Boards Ltd" });
			await storage.createBoard({ id: "main", orgId: org.id, name: "Support" });
			const press = await storage.createBoard({ id: "press", orgId: org.id, name: "Press" });

			const renamed = await storage.updateBoard(org.id, "press", { name: "Press office" });
			expect(renamed.before).toEqual(press);
			expect(renamed.after).toEqual({ ...press, name: "Press office" });

			const at = new Date("2026-12-02T10:00:00.000Z");
			const archived = await storage.updateBoard(org.id, "press", { archived: true }, at);
			expect(archived.after.archivedAt).toBe(at.toISOString());
			// Archiving again keeps the first time.
			const again = await storage.updateBoard(org.id, "press", { archived: true });
			expect(again.after.archivedAt).toBe(at.toISOString());

			// The last active board stays: nothing changes.
			await expect(storage.updateBoard(org.id, "main", { archived: true })).rejects.toMatchObject({
				kind: "conflict",
				message: expect.stringMatching(/last active board/),
			});
			expect((await storage.getBoard(org.id, "main"))?.archivedAt).toBeNull();

			const back = await storage.updateBoard(org.id, "press", { archived: false });
			expect(back.after.archivedAt).toBeNull();
			// By name: Press office, Support.
			expect((await storage.listBoards(org.id)).map((board) => board.id)).toEqual([
				"press",
				"main",
			]);
			await expect(storage.updateBoard(org.id, "missing", { name: "X" })).rejects.toMatchObject({
				kind: "not_found",
			});
		});

		it("refuses a board id or an active board's name twice, and one archiving race", async () => {
			const storage = portOf();
			const org = await storage.createOrganisation({ name: "Twice Ltd" });
			await storage.createBoard({ id: "main", orgId: org.id, name: "Support" });
			await storage.createBoard({ id: "press", orgId: org.id, name: "Press" });
			await expect(
				storage.createBoard({ id: "main", orgId: org.id, name: "Another" }),
			).rejects.toMatchObject({ kind: "conflict" });
			await expect(
				storage.createBoard({ id: "support-2", orgId: org.id, name: " SUPPORT " }),
			).rejects.toMatchObject({
				kind: "conflict",
				message: "A board named “Support” exists already; give this one another name.",
			});
			await expect(storage.updateBoard(org.id, "press", { name: "support" })).rejects.toMatchObject(
				{ kind: "conflict" },
			);
			// Two archives at once of the last two active boards: exactly one succeeds.
			const outcomes = await Promise.allSettled([
				storage.updateBoard(org.id, "main", { archived: true }),
				storage.updateBoard(org.id, "press", { archived: true }),
			]);
			expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
			const active = (await storage.listBoards(org.id)).filter((board) => !board.archivedAt);
			expect(active).toHaveLength(1);
			// An archived board's name is free again.
			const archived = (await storage.listBoards(org.id)).find((board) => board.archivedAt);
			await expect(
				storage.createBoard({ orgId: org.id, name: archived?.name ?? "" }),
			).resolves.toMatchObject({ archivedAt: null });
		});

		it("lists the boards a member belongs to", async () => {
			const storage = portOf();
			const org = await storage.createOrganisation({ name: "Teams Ltd" });
			await storage.createBoard({ id: "main", orgId: org.id, name: "Support" });
			await storage.createBoard({ id: "press", orgId: org.id, name: "Press" });
			const on = await member(org.id, "on", "ambassador", 2, { boards: ["press", "main"] });
			const off = await member(org.id, "off", "ambassador", 2, { boards: [] });
			await storage.updateBoard(org.id, "press", { archived: true });
			// Left out, the boards are every active one.
			const byDefault = await member(org.id, "default", "ambassador", 2);
			expect(await storage.boardIdsOf(on.id)).toEqual(["main", "press"]);
			expect(await storage.boardIdsOf(off.id)).toEqual([]);
			expect(await storage.boardIdsOf(byDefault.id)).toEqual(["main"]);
		});

		it("lets two organisations use the same board id", async () => {
			const storage = portOf();
			const a = await storage.createOrganisation({ name: "A" });
			const b = await storage.createOrganisation({ name: "B" });
			await storage.createBoard({ id: "main", orgId: a.id, name: "A main" });
			await storage.createBoard({ id: "main", orgId: b.id, name: "B main" });
			expect((await storage.getBoard(b.id, "main"))?.name).toBe("B main");
		});

		it("finds a member by email whatever its case, and refuses a second one", async () => {
			const storage = portOf();
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

		it("replaces a password hash only while it is still the one expected", async () => {
			const storage = portOf();
			const org = await storage.createOrganisation({ name: "Rehash Ltd" });
			const email = `${unique("rehash")}@example.org`;
			const created = await storage.createMember({
				orgId: org.id,
				email,
				name: "Ren",
				role: "ambassador",
				capacity: 2,
				passwordHash: "scrypt$old",
			});
			expect(await storage.replacePasswordHash(created.id, "scrypt$old", "scrypt$new")).toBe(true);
			expect((await storage.findMemberByEmail(email))?.passwordHash).toBe("scrypt$new");
			// A rehash computed from the old hash loses to a change made meanwhile.
			expect(await storage.replacePasswordHash(created.id, "scrypt$old", "scrypt$stale")).toBe(
				false,
			);
			expect((await storage.findMemberByEmail(email))?.passwordHash).toBe("scrypt$new");
		});
	});
}
