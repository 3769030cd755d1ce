import type { connectedPayload, onConfigurePayload } from "@hocuspocus/server";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { SyncContext } from "./context.ts";
import {
	covers,
	createLocalRevocationBus,
	type Revocation,
	RevocationExtension,
} from "./revocations.ts";
import { createSessionService } from "./sessions.ts";
import type { TokenClaims } from "./tokens.ts";

const socketOf = (claims: Partial<TokenClaims>) => ({
	member: { memberId: "kim", orgId: "acme", role: "ambassador", name: "Kim", ...claims } as const,
});

describe("which sockets a revocation ends", () => {
	const at = Date.parse("2026-12-02T10:00:00.400Z");
	const sameSecond = Math.floor(at / 1000);

	it("ends the sessions open when every session ended, not one signed in the same second after", () => {
		const revocation = { memberId: "kim", sessionIds: ["old"], reason: "deactivated" };
		expect(covers(revocation, at, socketOf({ sessionId: "old", issuedAt: sameSecond - 60 }))).toBe(
			true,
		);
		// Its token's whole-second iat is not after the revocation, yet it began after it.
		expect(covers(revocation, at, socketOf({ sessionId: "new", issuedAt: sameSecond }))).toBe(
			false,
		);
		expect(covers(revocation, at, socketOf({ sessionId: "old" }))).toBe(true);
	});

	it("judges a token without a session by its issue time, and ends only the one session at logout", () => {
		const everything = { memberId: "kim", sessionIds: [], reason: "password changed" };
		expect(covers(everything, at, socketOf({ issuedAt: sameSecond }))).toBe(true);
		expect(covers(everything, at, socketOf({ issuedAt: sameSecond + 1 }))).toBe(false);
		const logout = { memberId: "kim", sessionId: "old", reason: "signed out" };
		expect(covers(logout, at, socketOf({ sessionId: "old" }))).toBe(true);
		expect(covers(logout, at, socketOf({ sessionId: "other" }))).toBe(false);
		expect(covers(logout, at, { member: { ...socketOf({}).member, memberId: "dana" } })).toBe(
			false,
		);
	});

	it("ends the sockets of another role at a role change; of changes back and forth, the latest counts", async () => {
		const promoted = { memberId: "kim", role: "moderator", reason: "role changed" } as const;
		expect(covers(promoted, at, socketOf({ role: "ambassador" }))).toBe(true);
		expect(covers(promoted, at, socketOf({ role: "moderator" }))).toBe(false);
		// Remembered for sockets that authenticated before a change and join their document after.
		const extension = new RevocationExtension({
			bus: createLocalRevocationBus(),
			logger: pino({ level: "silent" }),
		});
		await extension.onConfigure({
			instance: { documents: new Map() },
		} as never as onConfigurePayload);
		extension.close(promoted);
		extension.close({ ...promoted, role: "ambassador" });
		const closed: string[] = [];
		const join = (role: "ambassador" | "moderator") =>
			extension.connected({
				context: { ...socketOf({ role }), closeSocket: () => closed.push(role) },
			} as never as connectedPayload<Partial<SyncContext>>);
		await join("ambassador");
		await join("moderator");
		expect(closed).toEqual(["moderator"]);
	});

	it("announces a role change so that an instance of the previous release ends no session by it", async () => {
		const bus = createLocalRevocationBus();
		const published: Revocation[] = [];
		bus.subscribe((revocation) => published.push(revocation));
		createSessionService({ tokens: {} as never, storage: {} as never, bus }).roleChanged(
			"kim",
			"moderator",
		);
		await expect.poll(() => published.length).toBe(1);
		// During a rolling upgrade an instance of the previous release reads the message without
		// `role` (its schema drops what it does not know), and `covers` without it is that
		// release's: a message naming no session ended every session open then, and closed the
		// member's sockets again each time they joined, for a minute. Naming none, it leaves
		// them to that instance's membership check, which reconnects them with the new role.
		const { role: _unknownThen, ...asReadBefore } = published[0] as Revocation;
		const signedIn = socketOf({ sessionId: "s1", issuedAt: Math.floor(at / 1000) - 60 });
		expect(covers(asReadBefore, at, signedIn)).toBe(false);
		expect(covers(published[0] as Revocation, at, signedIn)).toBe(true);
	});
});
