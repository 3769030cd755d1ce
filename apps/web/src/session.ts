/**
 * The signed-in session: token, member and board, kept in localStorage so that a reload
 * without network still knows who is signed in and opens the board from IndexedDB.
 */
import { ApiError, createApiRequest, type Me } from "@switchboard/client";
import { HttpRoutes, Roles } from "@switchboard/domain";

export interface Session {
	token: string;
	me: Me;
	boardId: string;
}

const STORAGE_KEY = "switchboard.session";

/** The board the server seeds for every organisation; used when /api/boards cannot be read. */
const DEFAULT_BOARD_ID = "main";

function isMe(value: unknown): value is Me {
	if (typeof value !== "object" || value === null) return false;
	const me = value as Record<string, unknown>;
	return (
		typeof me.id === "string" &&
		typeof me.orgId === "string" &&
		typeof me.name === "string" &&
		(Roles as readonly unknown[]).includes(me.role)
	);
}

/** Seconds since the epoch at which the token expires; null when it cannot be read. */
export function tokenExpiry(token: string): number | null {
	const payload = token.split(".")[1];
	if (!payload) return null;
	try {
		const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
		const exp = (JSON.parse(json) as { exp?: unknown }).exp;
		return typeof exp === "number" ? exp : null;
	} catch {
		return null;
	}
}

export function loadSession(): Session | null {
	try {
		const raw = localStorage.getItem(STORAGE_KEY);
		if (!raw) return null;
		const parsed = JSON.parse(raw) as Partial<Session>;
		if (typeof parsed.token !== "string" || typeof parsed.boardId !== "string") return null;
		if (!isMe(parsed.me)) return null;
		const expiry = tokenExpiry(parsed.token);
		if (expiry !== null && expiry * 1000 < Date.now()) return null;
		return { token: parsed.token, me: parsed.me, boardId: parsed.boardId };
	} catch {
		return null;
	}
}

export function saveSession(session: Session): void {
	localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
	localStorage.removeItem(STORAGE_KEY);
}

/** An error the login form can show as it is. */
export class SignInError extends Error {
	override readonly name = "SignInError";
}

/** The API without a token: sign-in and sign-out work by cookie. */
const request = createApiRequest();

/** POST /api/auth/login, then find the member's board. */
export async function signIn(email: string, password: string): Promise<Session> {
	let body: { token: string; member: unknown };
	try {
		body = await request(HttpRoutes.login, { body: { email, password } });
	} catch (error) {
		throw new SignInError(error instanceof ApiError ? error.message : String(error));
	}
	if (!isMe(body.member)) throw new SignInError("The server sent an unexpected answer.");
	const session: Session = {
		token: body.token,
		me: body.member,
		boardId: await firstBoardId(body.token),
	};
	saveSession(session);
	return session;
}

async function firstBoardId(token: string): Promise<string> {
	try {
		const { boards } = await createApiRequest({ token })(HttpRoutes.boards, {});
		return (
			boards.find((board) => board.id === DEFAULT_BOARD_ID)?.id ?? boards[0]?.id ?? DEFAULT_BOARD_ID
		);
	} catch {
		return DEFAULT_BOARD_ID;
	}
}

/** Forget the session here and, when the server is reachable, drop its cookie too. */
export async function signOut(): Promise<void> {
	clearSession();
	try {
		await request(HttpRoutes.logout, {});
	} catch {
		// Offline: the cookie expires by itself; the token is gone from this browser.
	}
}
