/** The session as app state: who is signed in, and signing in, again, and out. */
import type { Board, Role } from "@switchboard/domain";
import { type Accessor, createContext, createSignal, type JSX, onCleanup } from "solid-js";
import { useRequiredContext } from "./required-context.ts";
import {
	acceptInvitation,
	boardToOpen,
	finishLocalClear,
	finishSignOut,
	keepBoardsReadWith,
	loadSession,
	memberNow,
	renewSession,
	type Session,
	sameMe,
	saveSession,
	sessionFromCookie,
	signIn,
	signOut,
} from "./session.ts";

interface SessionState {
	session: Accessor<Session | null>;
	signIn(email: string, password: string): Promise<Session>;
	/**
	 * Sign in again as the same member after the server ended the session; the signed-in
	 * shell stays as it is (its client, its unsent changes), only the cookie is new.
	 */
	renew(email: string, password: string): Promise<void>;
	/** End the session and delete the member's data on this device. */
	signOut(): Promise<void>;
	/** Use an invitation or reset link and sign in with it. */
	acceptInvitation(code: string, password: string, name?: string): Promise<Session>;
	/** Take the session single sign-on left in the cookie. */
	completeSingleSignOn(): Promise<Session>;
	/** Open another board: the signed-in shell reconnects to it. */
	switchBoard(boardId: string): void;
	/**
	 * The server refused the open board (the member was taken off it, or it was archived
	 * and hidden): move to a board they may open, if there is another.
	 */
	leaveRefusedBoard(): Promise<void>;
	/**
	 * The open board was refused and the member is on no board at all (an admin took them off
	 * every one): the page says so rather than "Loading the board…". The client keeps trying,
	 * so the board opens once an admin puts them back on it.
	 */
	onNoBoard: Accessor<boolean>;
	/** The open board's connection was accepted again: the member is on a board. */
	boardReached(): void;
	/**
	 * The member's role changed while they were signed in, from what to what, until the
	 * signed-in shell has told them (`roleChangeTold`).
	 */
	roleChange: Accessor<{ from: Role; to: Role } | null>;
	roleChangeTold(): void;
}

const SessionContext = createContext<SessionState>();

export function SessionProvider(props: { children: JSX.Element }) {
	const [session, setSession] = createSignal<Session | null>(loadSession());
	const [onNoBoard, setOnNoBoard] = createSignal(false);
	const [roleChange, setRoleChange] = createSignal<{ from: Role; to: Role } | null>(null);
	// A sign-out made offline ends on the server when it is reachable again, and one whose
	// page closed too soon clears the member's local data now.
	void finishSignOut();
	void finishLocalClear();

	/**
	 * An admin made the member a moderator (or an ambassador again, or renamed them) while they
	 * were signed in: the pages and the menu follow what the server says now, not what sign-in
	 * stored. Read each time the board's socket is let in (`boardReached`), the first time
	 * included: the server closes the sockets of a member whose role changed at once, and they
	 * connect again with the new role (docs/PROTOCOL.md); and when the app comes back into view
	 * or online. The shell stays mounted (app.tsx): nothing on the page is lost.
	 */
	const readMemberOnce = async () => {
		const asked = session();
		if (!asked) return;
		const member = await memberNow();
		const current = session();
		if (!member || current !== asked || member.id !== current.me.id) return;
		if (sameMe(member, current.me)) return;
		if (member.role !== current.me.role) {
			// Changed back before it was told: nothing to tell.
			const from = roleChange()?.from ?? current.me.role;
			setRoleChange(from === member.role ? null : { from, to: member.role });
		}
		const next = { ...current, me: member };
		saveSession(next);
		setSession(next);
	};
	/** One read at a time; asked for during one, it reads once more after it (it may be stale). */
	let reading: Promise<void> | null = null;
	let readAgain = false;
	const readMemberAgain = (): Promise<void> => {
		if (reading) {
			readAgain = true;
			return reading;
		}
		reading = (async () => {
			do {
				readAgain = false;
				await readMemberOnce();
			} while (readAgain);
		})().finally(() => {
			reading = null;
		});
		return reading;
	};
	const online = () => {
		void finishSignOut();
		void readMemberAgain();
	};
	const visible = () => {
		if (document.visibilityState === "visible") void readMemberAgain();
	};
	window.addEventListener("online", online);
	document.addEventListener("visibilitychange", visible);
	onCleanup(() => {
		window.removeEventListener("online", online);
		document.removeEventListener("visibilitychange", visible);
	});

	/**
	 * Open `boardId`: the signed-in shell remounts for the new session. `boards`, when just
	 * read, go to its board switcher, which otherwise reads them afresh.
	 */
	const moveTo = (boardId: string, boards: Board[] | null = null) => {
		const current = session();
		if (!current || current.boardId === boardId) return;
		const next = { ...current, boardId };
		setOnNoBoard(false);
		keepBoardsReadWith(next, boards);
		saveSession(next);
		setSession(next);
	};
	const state: SessionState = {
		session,
		onNoBoard,
		boardReached: () => {
			setOnNoBoard(false);
			void readMemberAgain();
		},
		roleChange,
		roleChangeTold: () => setRoleChange(null),
		async signIn(email, password) {
			const next = await signIn(email, password);
			setSession(next);
			return next;
		},
		async renew(email, password) {
			const current = session();
			if (!current) throw new Error("renew() needs a signed-in session");
			await renewSession(current, email, password);
		},
		async acceptInvitation(code, password, name) {
			const next = await acceptInvitation(code, password, name);
			setSession(next);
			return next;
		},
		async completeSingleSignOn() {
			const next = await sessionFromCookie();
			setSession(next);
			return next;
		},
		switchBoard: (boardId) => moveTo(boardId),
		async leaveRefusedBoard() {
			if (!session()) return;
			// A moderator made an ambassador loses the boards they are not on: the board they
			// open next mounts with the new role.
			const [{ boardId, boards }] = await Promise.all([boardToOpen(), readMemberAgain()]);
			setOnNoBoard(boards?.length === 0);
			moveTo(boardId, boards);
		},
		async signOut() {
			const current = session();
			// Unmounts the signed-in shell first: its client closes what it has open.
			setSession(null);
			if (current) await signOut(current);
		},
	};
	return <SessionContext.Provider value={state}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
	return useRequiredContext(SessionContext, "useSession", "SessionProvider");
}
