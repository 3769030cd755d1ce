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
			expect(board).toEqual({ id: "main", orgId: org.id, name: "Main" });
			expect(await storage.getBoard(org.id, "main")).toEqual(board);
			expect(await storage.listBoards(org.id)).toEqual([board]);

			expect(await storage.getOrganisation(unique("missing"))).toBeNull();
			expect(await storage.getMember(unique("missing"))).toBeNull();
			expect(await storage.getBoard(org.id, "missing")).toBeNull();
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
