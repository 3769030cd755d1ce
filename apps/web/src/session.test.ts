import type { Board } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import {
	boardOf,
	loadSession,
	saveSession,
	sessionEndedNext,
	sessionEndedWords,
	storedExpiry,
} from "./session.ts";
import { memoryStorage } from "./test-fixtures.ts";

const me = { id: "m1", orgId: "acme", role: "ambassador", name: "Dana" } as const;

function jwt(claims: Record<string, unknown>): string {
	const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
	return `${part({ alg: "HS256" })}.${part(claims)}.signature`;
}

describe("the stored session (issue 15, row 3)", () => {
	it("keeps who is signed in and when the session ends, never a token", () => {
		const storage = memoryStorage();
		const expiresAt = Date.now() + 3_600_000;
		saveSession({ me, boardId: "main", expiresAt }, storage);
		expect(storage.getItem("switchboard.session")).not.toMatch(/token/);
		expect(loadSession(storage)).toEqual({ me, boardId: "main", expiresAt });
	});

	it("rewrites a session stored with its token by an earlier version without it", () => {
		const storage = memoryStorage();
		const exp = Math.floor(Date.now() / 1000) + 3600;
		const token = jwt({ sub: "m1", exp });
		storage.setItem("switchboard.session", JSON.stringify({ token, me, boardId: "main" }));
		expect(loadSession(storage)).toEqual({ me, boardId: "main", expiresAt: exp * 1000 });
		const stored = storage.getItem("switchboard.session")!;
		expect(stored).not.toContain(token);
		expect(JSON.parse(stored)).not.toHaveProperty("token");
	});

	it("forgets an ended session, and one stored with an expired token (rewritten all the same)", () => {
		const storage = memoryStorage();
		saveSession({ me, boardId: "main", expiresAt: Date.now() - 1000 }, storage);
		expect(loadSession(storage)).toBeNull();
		const token = jwt({ sub: "m1", exp: Math.floor(Date.now() / 1000) - 60 });
		storage.setItem("switchboard.session", JSON.stringify({ token, me, boardId: "main" }));
		expect(loadSession(storage)).toBeNull();
		expect(storage.getItem("switchboard.session")).not.toContain(token);
	});
});

describe("the board a session opens", () => {
	const board = (id: string): Board => ({
		id,
		orgId: "acme",
		name: id,
		archivedAt: null,
	});

	it("keeps the one open before, else the default board, else the first the member may open", () => {
		const boards = [board("emea"), board("main"), board("apac")];
		expect(boardOf(boards, "apac")).toBe("apac");
		expect(boardOf(boards, "gone")).toBe("main");
		expect(boardOf(boards)).toBe("main");
		expect(boardOf([board("emea"), board("apac")])).toBe("emea");
		// None to open: the default, which the board then refuses with a reason.
		expect(boardOf([])).toBe("main");
	});
});

describe("why the session ended, in words", () => {
	const now = Date.parse("2026-12-04T10:00:00Z");

	it("says what the server says, whatever the session's known end", () => {
		expect(sessionEndedWords("password_changed", now + 3_600_000, now)).toBe(
			"Your password was changed on another device: sign in with the new one.",
		);
		expect(sessionEndedWords("deactivated", null, now)).toBe(
			"An admin of your organisation deactivated your account.",
		);
	});

	it("asks a deactivated member to go to an admin first: signing in is refused until then", () => {
		expect(sessionEndedNext("deactivated", 0)).toBe(
			"Ask an admin of your organisation to reactivate your account, then sign in again here.",
		);
		expect(sessionEndedNext("deactivated", 2)).toBe(
			"Ask an admin of your organisation to reactivate your account, then sign in again here: 2 changes not yet on the server wait on this device until then.",
		);
	});

	it("asks to sign in again once: not after words that ask it already", () => {
		expect(sessionEndedNext("password_changed", 0)).toBeNull();
		expect(sessionEndedNext("password_changed", 1)).toBe(
			"Sign in again to send 1 change not yet on the server.",
		);
		expect(sessionEndedNext("expired", 0)).toBe("Sign in again to go on.");
		expect(sessionEndedNext(null, 0)).toBe("Sign in again to go on.");
	});

	it("says the session expired when the server cannot tell and its end has passed", () => {
		// The browser dropped the expired cookie: the server was sent none to judge.
		expect(sessionEndedWords(null, now - 1, now)).toBe("Your session expired.");
		expect(sessionEndedWords(null, now + 60_000, now)).toBe("Your session has ended.");
		expect(sessionEndedWords(null, null, now)).toBe("Your session has ended.");
	});

	it("reads the stored session's end even once it has passed", () => {
		const storage = memoryStorage();
		expect(storedExpiry(storage)).toBeNull();
		saveSession({ me, boardId: "main", expiresAt: now - 1000 }, storage);
		expect(loadSession(storage)).toBeNull();
		expect(storedExpiry(storage)).toBe(now - 1000);
	});
});
