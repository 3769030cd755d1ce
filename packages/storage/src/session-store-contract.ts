/**
 * The sessions port's part of the contract suite: a session is active until it is revoked
 * or expires; revoking every session of a member ends its rows and refuses its tokens
 * without a session that were issued before; an ended session keeps why, for its own
 * member only.
 */
import { describe, expect, it } from "vitest";
import type { SessionStore } from "./session-storage.ts";
import type { Directory } from "./storage.ts";
import { newColleagues, unique } from "./test-fixtures.ts";

export function sessionStoreContract(portOf: () => SessionStore & Directory): void {
	const inAnHour = () => new Date(Date.now() + 3_600_000);
	const nowSeconds = () => Math.floor(Date.now() / 1000);

	describe("sessions", () => {
		it("keeps a session active until it is revoked, and only its own member's", async () => {
			const storage = portOf();
			const { dana, sam } = await newColleagues(storage);
			const id = unique("session");
			await storage.createSession({ id, memberId: dana.id, expiresAt: inAnHour() });
			const check = { memberId: dana.id, sessionId: id, issuedAt: nowSeconds() };
			expect(await storage.isSessionActive(check)).toBe(true);
			expect(await storage.isSessionActive({ ...check, memberId: sam.id })).toBe(false);
			expect(await storage.isSessionActive({ ...check, sessionId: unique("none") })).toBe(false);
			expect(await storage.revokeSession(id, sam.id)).toBe(false);
			expect(await storage.revokeSession(id, dana.id)).toBe(true);
			expect(await storage.revokeSession(id, dana.id)).toBe(false);
			expect(await storage.isSessionActive(check)).toBe(false);
		});

		it("refuses an expired session", async () => {
			const storage = portOf();
			const { dana } = await newColleagues(storage);
			const id = unique("session");
			await storage.createSession({ id, memberId: dana.id, expiresAt: new Date(Date.now() - 1) });
			expect(
				await storage.isSessionActive({ memberId: dana.id, sessionId: id, issuedAt: nowSeconds() }),
			).toBe(false);
		});

		it("revokes every session of a member and the tokens issued before, not later ones", async () => {
			const storage = portOf();
			const { dana } = await newColleagues(storage);
			const first = unique("session");
			await storage.createSession({ id: first, memberId: dana.id, expiresAt: inAnHour() });
			const issuedAt = nowSeconds() - 10;
			expect(await storage.isSessionActive({ memberId: dana.id, issuedAt })).toBe(true);
			expect(await storage.revokeMemberSessions(dana.id)).toEqual([first]);
			expect(await storage.isSessionActive({ memberId: dana.id, sessionId: first, issuedAt })).toBe(
				false,
			);
			expect(await storage.isSessionActive({ memberId: dana.id, issuedAt })).toBe(false);
			const later = unique("session");
			await storage.createSession({ id: later, memberId: dana.id, expiresAt: inAnHour() });
			expect(
				await storage.isSessionActive({
					memberId: dana.id,
					sessionId: later,
					issuedAt: nowSeconds(),
				}),
			).toBe(true);
			expect(await storage.isSessionActive({ memberId: dana.id, issuedAt: nowSeconds() + 5 })).toBe(
				true,
			);
		});

		it("keeps the one session named when it revokes the others (a password change)", async () => {
			const storage = portOf();
			const { dana } = await newColleagues(storage);
			const [mine, other] = [unique("session"), unique("session")];
			for (const id of [mine, other]) {
				await storage.createSession({ id, memberId: dana.id, expiresAt: inAnHour() });
			}
			await storage.revokeMemberSessions(dana.id, { keepSessionId: mine });
			const issuedAt = nowSeconds() - 10;
			const active = (sessionId: string) =>
				storage.isSessionActive({ memberId: dana.id, sessionId, issuedAt });
			expect(await active(mine)).toBe(true);
			expect(await active(other)).toBe(false);
		});

		it("keeps why a session ended, told only for that member's own session", async () => {
			const storage = portOf();
			const { dana, sam } = await newColleagues(storage);
			const [mine, other, out, old] = ["mine", "other", "out", "old"].map(unique);
			for (const id of [mine!, other!, out!]) {
				await storage.createSession({ id, memberId: dana.id, expiresAt: inAnHour() });
			}
			await storage.createSession({
				id: old!,
				memberId: dana.id,
				expiresAt: new Date(Date.now() - 1),
			});
			expect(await storage.sessionEndReason(mine!, dana.id)).toBeNull();
			expect(await storage.sessionEndReason(old!, dana.id)).toBe("expired");
			await storage.revokeSession(out!, dana.id, "signed_out");
			await storage.revokeMemberSessions(dana.id, {
				keepSessionId: mine!,
				reason: "password_changed",
			});
			expect(await storage.sessionEndReason(mine!, dana.id)).toBeNull();
			expect(await storage.sessionEndReason(other!, dana.id)).toBe("password_changed");
			// Ended already: its own reason stays.
			expect(await storage.sessionEndReason(out!, dana.id)).toBe("signed_out");
			expect(await storage.sessionEndReason(other!, sam.id)).toBeNull();
			expect(await storage.sessionEndReason(unique("none"), dana.id)).toBeNull();
			// Revoked without a reason (as before reasons were kept): none is made up.
			await storage.revokeMemberSessions(dana.id);
			expect(await storage.sessionEndReason(mine!, dana.id)).toBeNull();
		});
	});
}
