/**
 * The signed-in session. Its token lives only in the HttpOnly session cookie that sign-in
 * sets, out of reach of page scripts (issue 15, row 3): HTTP calls and the socket's
 * upgrade carry the cookie. What the page keeps in localStorage is who is signed in, their
 * board and when the session ends, so that a reload without network still opens the board
 * from IndexedDB.
 */
import {
	ApiError,
	clearLocalData,
	createApiRequest,
	type Me,
	sessionEndReasonOf,
} from "@switchboard/client";
import {
	type Board,
	HttpRoutes,
	Roles,
	SESSION_END_MESSAGES,
	type SessionEndReason,
} from "@switchboard/domain";
import { plural } from "./format.ts";

export interface Session {
	me: Me;
	boardId: string;
	/** When the server's session ends (ms since the epoch); null when unknown. */
	expiresAt: number | null;
}

const STORAGE_KEY = "switchboard.session";

/** Set while the server has not confirmed a sign-out: its cookie would still work. */
const LOGOUT_PENDING_KEY = "switchboard.logout-pending";

/**
 * Whose local data a sign-out is clearing (`{id, orgId, boardIds}`), until it is cleared: a
 * page closed or reloaded before then clears it when the app next starts.
 */
const CLEAR_PENDING_KEY = "switchboard.clear-pending";

/** The board the server seeds for every organisation; used when /api/boards cannot be read. */
const DEFAULT_BOARD_ID = "main";

/**
 * The boards read while making a session (to find its board), for the header's board
 * switcher to take instead of asking /api/boards again a moment later: that was a second
 * request on every sign-in. Keyed by the session object, which the signed-in shell is
 * mounted for; a session from storage or from a switch of board has none, and the switcher
 * reads the list afresh as before.
 */
const boardsReadWith = new WeakMap<Session, Board[]>();

/** Keep `boards`, just read, for the shell mounted for `session` (see `takeBoardsReadWith`). */
export function keepBoardsReadWith(session: Session, boards: Board[] | null): void {
	if (boards) boardsReadWith.set(session, boards);
}

/** The boards read along with `session`, once: a later call reads nothing. */
export function takeBoardsReadWith(session: Session): Board[] | undefined {
	const boards = boardsReadWith.get(session);
	boardsReadWith.delete(session);
	return boards;
}

function isMe(value: unknown): value is Me {
	if (typeof value !== "object" || value === null) return false;
	const me = value as Record<string, unknown>;
	return (
		typeof me.id === "string" &&
		typeof me.orgId === "string" &&
		typeof me.name === "string" &&
		(me.email === undefined || typeof me.email === "string") &&
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

/**
 * The stored session, or null when there is none or it has ended. A session stored by an
 * earlier version still holds its token: it is rewritten without it (the cookie that
 * sign-in set alongside carries the session; when that is gone, the socket is refused and
 * the app asks to sign in again).
 */
export function loadSession(storage: Storage = localStorage): Session | null {
	try {
		const raw = storage.getItem(STORAGE_KEY);
		if (!raw) return null;
		const parsed = JSON.parse(raw) as Partial<Session> & { token?: unknown };
		if (typeof parsed.boardId !== "string" || !isMe(parsed.me)) return null;
		let expiresAt = typeof parsed.expiresAt === "number" ? parsed.expiresAt : null;
		if (typeof parsed.token === "string") {
			const expiry = tokenExpiry(parsed.token);
			expiresAt = expiry === null ? null : expiry * 1000;
		}
		const session: Session = { me: parsed.me, boardId: parsed.boardId, expiresAt };
		if ("token" in parsed) saveSession(session, storage);
		if (expiresAt !== null && expiresAt < Date.now()) return null;
		return session;
	} catch {
		return null;
	}
}

/**
 * When the stored session ends (ms since the epoch), ended or not: signing in again moves
 * it on without remounting the shell that holds the session it began with.
 */
export function storedExpiry(storage: Storage = localStorage): number | null {
	try {
		const expiresAt = (
			JSON.parse(storage.getItem(STORAGE_KEY) ?? "null") as Partial<Session> | null
		)?.expiresAt;
		return typeof expiresAt === "number" ? expiresAt : null;
	} catch {
		return null;
	}
}

export function saveSession(session: Session, storage: Storage = localStorage): void {
	const { me, boardId, expiresAt } = session;
	storage.setItem(STORAGE_KEY, JSON.stringify({ me, boardId, expiresAt }));
}

export function clearSession(storage: Storage = localStorage): void {
	storage.removeItem(STORAGE_KEY);
}

/** An error the login form can show as it is. */
export class SignInError extends Error {
	override readonly name = "SignInError";
}

/** Words for a failed sign-in: the server's reason when it gave one, else `otherwise`. */
export function signInFailure(otherwise: string): (caught: unknown) => string {
	return (caught) => (caught instanceof SignInError ? caught.message : otherwise);
}

/** The API by the session cookie: every call of the web client goes through it. */
const request = createApiRequest();

/**
 * POST /api/auth/login (which sets the session cookie), then find the member's board. The
 * token in the answer is for API clients; the page reads its expiry and drops it.
 */
export async function logIn(email: string, password: string): Promise<Session> {
	return withBoard(await signedInAs(passwordLogin(email, password)));
}

const passwordLogin = (email: string, password: string) => () =>
	request(HttpRoutes.login, { body: { email, password } });

/**
 * Use an invitation or reset link: the server sets the session cookie as sign-in does.
 * Kept for reloads.
 */
export async function acceptInvitation(
	code: string,
	password: string,
	name?: string,
): Promise<Session> {
	const session = await withBoard(
		await signedInAs(() =>
			request(HttpRoutes.acceptInvite, {
				params: { code },
				body: { password, ...(name !== undefined ? { name } : {}) },
			}),
		),
	);
	saveSession(session);
	return session;
}

/** A session before its board is chosen, with the boards the server sent along, if any. */
type SignedIn = Omit<Session, "boardId"> & { boards?: Board[] };

/** Who signed in and until when, from an answer of the sign-in kind (login, an accepted link). */
async function signedInAs(
	answer: () => Promise<{ token: string; member: unknown; boards?: Board[] }>,
): Promise<SignedIn> {
	let body: { token: string; member: unknown; boards?: Board[] };
	try {
		body = await answer();
	} catch (error) {
		throw new SignInError(error instanceof ApiError ? error.message : String(error));
	}
	if (!isMe(body.member)) throw new SignInError("The server sent an unexpected answer.");
	// The new cookie replaced the one a sign-out could not end: that logout is moot now.
	localStorage.removeItem(LOGOUT_PENDING_KEY);
	keepLocalDataOf(body.member.id);
	const expiry = tokenExpiry(body.token);
	return {
		me: body.member,
		expiresAt: expiry === null ? null : expiry * 1000,
		...(body.boards ? { boards: body.boards } : {}),
	};
}

/**
 * The session on the member's first board, with the boards read to find it kept for the
 * shell: those the sign-in's answer brought, else those `asked` (already asked for), else
 * asked for now.
 */
async function withBoard(
	{ boards: sent, ...signedIn }: SignedIn,
	asked?: ReturnType<typeof boardToOpen>,
): Promise<Session> {
	const { boardId, boards } = sent
		? { boardId: boardOf(sent), boards: sent }
		: await (asked ?? boardToOpen());
	const session: Session = { ...signedIn, boardId };
	keepBoardsReadWith(session, boards);
	return session;
}

/**
 * After single sign-on the server has set the session cookie and sent the browser here:
 * read who it is for, and keep the session for reloads.
 */
export async function sessionFromCookie(): Promise<Session> {
	// Who it is, and which boards they may open, asked at once: both need only the cookie.
	const asked = boardToOpen();
	let member: unknown;
	try {
		({ member } = await request(HttpRoutes.me, {}));
	} catch (error) {
		throw new SignInError(error instanceof ApiError ? error.message : String(error));
	}
	if (!isMe(member)) throw new SignInError("The server sent an unexpected answer.");
	localStorage.removeItem(LOGOUT_PENDING_KEY);
	keepLocalDataOf(member.id);
	const session = await withBoard({ me: meOf(member), expiresAt: null }, asked);
	saveSession(session);
	return session;
}

/**
 * Who the server says the signed-in member is now: an admin may have changed their role or
 * name since they signed in. Null when it cannot say (offline, or the session ended, which
 * the socket's refusal handles).
 */
export async function memberNow(): Promise<Me | null> {
	try {
		const { member } = await request(HttpRoutes.me, {});
		return isMe(member) ? meOf(member) : null;
	} catch {
		return null;
	}
}

/**
 * Why the server ended this device's session, in words for the member: what the server
 * answers this cookie (see `askWhySessionEnded`), else that it expired when the session's
 * end has passed (the browser drops the cookie then, and the server has none to judge),
 * else only that it ended.
 */
export function sessionEndedWords(
	reason: SessionEndReason | null,
	expiresAt: number | null,
	now = Date.now(),
): string {
	if (reason !== null) return SESSION_END_MESSAGES[reason];
	if (expiresAt !== null && expiresAt <= now) return SESSION_END_MESSAGES.expired;
	return "Your session has ended.";
}

/**
 * What the sign-in-again dialog asks after saying why the session ended: to sign in again
 * (to send what waits on the device, when something does), or, for a deactivated account,
 * to ask an admin first, since signing in is refused until one reactivates it. Null where
 * the words of the reason already ask it ("sign in with the new one").
 */
export function sessionEndedNext(reason: SessionEndReason | null, unsent: number): string | null {
	const waiting = unsent > 0 ? `${plural(unsent, "change")} not yet on the server` : null;
	if (reason === "deactivated") {
		return `Ask an admin of your organisation to reactivate your account, then sign in again here${
			waiting ? `: ${waiting} ${unsent === 1 ? "waits" : "wait"} on this device until then` : ""
		}.`;
	}
	if (waiting) return `Sign in again to send ${waiting}.`;
	if (reason === "password_changed" || reason === "password_reset") return null;
	return "Sign in again to go on.";
}

/**
 * Why the server ended the session the cookie carries, as `GET /api/me`'s 401 says; null
 * when it does not say (no cookie, an answer that is not a 401, no network). The socket's
 * refusal that shows the sign-in-again dialog carries no reason a client can rely on.
 */
export async function askWhySessionEnded(): Promise<SessionEndReason | null> {
	try {
		await request(HttpRoutes.me, {});
		return null;
	} catch (error) {
		return sessionEndReasonOf(error);
	}
}

/** What a session keeps of `/api/me`'s member, and nothing else it may carry. */
function meOf({ id, orgId, role, name, email }: Me): Me {
	return { id, orgId, role, name, email };
}

/** Whether two readings of the member say the same. */
export function sameMe(a: Me, b: Me): boolean {
	return (
		a.id === b.id &&
		a.orgId === b.orgId &&
		a.role === b.role &&
		a.name === b.name &&
		a.email === b.email
	);
}

/** Where the identity provider's page is, for single sign-on by email, organisation or invitation. */
export async function startSingleSignOn(start: {
	email?: string;
	orgId?: string;
	inviteCode?: string;
}): Promise<string> {
	try {
		return (await request(HttpRoutes.ssoStart, { body: start })).url;
	} catch (error) {
		throw new SignInError(error instanceof ApiError ? error.message : String(error));
	}
}

/** Sign in and keep the session for reloads. */
export async function signIn(email: string, password: string): Promise<Session> {
	const session = await logIn(email, password);
	saveSession(session);
	return session;
}

/**
 * Sign in again as the member of `current`, whose session the server ended, without
 * leaving the page: their unsent changes then go out with the new session. Another
 * account is signed out at once, so that its cookie never carries this member's changes.
 */
export async function renewSession(
	current: Session,
	email: string,
	password: string,
): Promise<Session> {
	// Only who and until when: the member stays on the board they have open.
	const next = await signedInAs(passwordLogin(email, password));
	if (next.me.id !== current.me.id) {
		await request(HttpRoutes.logout, {}).catch(() => {});
		throw new SignInError(
			`That is ${next.me.name}'s account. Sign in as ${current.me.name} to send their changes, or sign out.`,
		);
	}
	const renewed = { ...current, expiresAt: next.expiresAt };
	saveSession(renewed);
	return renewed;
}

/** Which of `boards` to open: `current` if still among them, else the default board, else the first. */
export function boardOf(boards: readonly Board[], current?: string): string {
	return (
		boards.find((board) => board.id === current)?.id ??
		boards.find((board) => board.id === DEFAULT_BOARD_ID)?.id ??
		boards[0]?.id ??
		DEFAULT_BOARD_ID
	);
}

/**
 * The board to open: `current` when the member may still open it, else `main`, else the
 * first board they may open (ambassadors see only their own boards; archived ones are left
 * out); with the boards read to find it, null when they could not be read.
 */
export async function boardToOpen(
	current?: string,
): Promise<{ boardId: string; boards: Board[] | null }> {
	try {
		const { boards } = await request(HttpRoutes.boards, { query: {} });
		return { boardId: boardOf(boards, current), boards };
	} catch {
		return { boardId: DEFAULT_BOARD_ID, boards: null };
	}
}

/**
 * End the session on the server (when reachable: offline, the cookie expires by itself)
 * and forget it here, the member's documents and queues in IndexedDB included. Whether the
 * server has every change is the caller's to ask first: this cannot be undone.
 */
export async function signOut(session: Session): Promise<void> {
	clearSession();
	const { id, orgId } = session.me;
	localStorage.setItem(
		CLEAR_PENDING_KEY,
		JSON.stringify({ id, orgId, boardIds: [session.boardId] }),
	);
	localStorage.setItem(LOGOUT_PENDING_KEY, "1");
	// At once, not after the server's answer: a page closed while a phone waits for it would
	// leave the member's board and queue on the device.
	await Promise.all([finishSignOut(), finishLocalClear()]);
}

/**
 * Clear the local data of the member who signed out last, when that was not finished (the
 * page closed first): at sign-out, and again when the app starts.
 */
export async function finishLocalClear(): Promise<void> {
	const stored = localStorage.getItem(CLEAR_PENDING_KEY);
	const pending = parseClearPending(stored);
	if (!pending) {
		localStorage.removeItem(CLEAR_PENDING_KEY);
		return;
	}
	try {
		await clearLocalData(pending, pending.boardIds);
	} catch {
		// IndexedDB refused: tried again when the app next starts.
		return;
	}
	// Unless another sign-out began meanwhile.
	if (localStorage.getItem(CLEAR_PENDING_KEY) === stored)
		localStorage.removeItem(CLEAR_PENDING_KEY);
}

function parseClearPending(
	stored: string | null,
): { id: string; orgId: string; boardIds: string[] } | null {
	if (stored === null) return null;
	try {
		const value = JSON.parse(stored) as Record<string, unknown>;
		const { id, orgId, boardIds } = value;
		if (typeof id !== "string" || typeof orgId !== "string" || !Array.isArray(boardIds)) {
			return null;
		}
		return { id, orgId, boardIds: boardIds.filter((board) => typeof board === "string") };
	} catch {
		return null;
	}
}

/** The member signing in is the one whose data a sign-out left to clear: it is theirs again. */
function keepLocalDataOf(memberId: string): void {
	if (parseClearPending(localStorage.getItem(CLEAR_PENDING_KEY))?.id === memberId) {
		localStorage.removeItem(CLEAR_PENDING_KEY);
	}
}

/**
 * End on the server a session signed out of offline (the HttpOnly cookie cannot be
 * removed by the page): at sign-out, and again when the page starts or the network
 * returns, until the server answers.
 */
export async function finishSignOut(): Promise<void> {
	if (localStorage.getItem(LOGOUT_PENDING_KEY) === null) return;
	try {
		await request(HttpRoutes.logout, {});
		localStorage.removeItem(LOGOUT_PENDING_KEY);
	} catch {
		// Offline: tried again later.
	}
}
