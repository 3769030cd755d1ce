/**
 * The SDK in Solid: one SwitchboardClient per signed-in session, given to the tree by
 * context, and its stores read as signals.
 */
import { createSwitchboardClient, type Store, type SwitchboardClient } from "@switchboard/client";
import { boardDocumentName, type SessionEndReason } from "@switchboard/domain";
import {
	type Accessor,
	createContext,
	createSignal,
	getOwner,
	type JSX,
	onCleanup,
} from "solid-js";
import { BoardMarks, markOnce } from "./perf-marks.ts";
import { useRequiredContext } from "./required-context.ts";
import { askWhySessionEnded, type Session, sessionEndedWords, storedExpiry } from "./session.ts";
import { useSession } from "./session-context.tsx";
import { followStore } from "./store-follow.ts";

const ClientContext = createContext<SwitchboardClient>();

/** Whether the server ended the session (the socket was refused as unauthorized). */
export interface SessionEnded {
	ended: Accessor<boolean>;
	/**
	 * Why, in words for the member ("Your password was changed on another device…"); only
	 * that it ended until the server has said why (see `askWhySessionEnded`).
	 */
	why: Accessor<string>;
	/** The server's reason, once it has said one (`deactivated` asks for an admin first). */
	reason: Accessor<SessionEndReason | null>;
	/** Signed in again: connect at once with the new cookie. */
	resume(): void;
}

const SessionEndedContext = createContext<SessionEnded>();

/** Connects for the session's lifetime; the connection closes when the tree unmounts. */
export function ClientProvider(props: { session: Session; children: JSX.Element }) {
	// The session never changes under a mounted provider: signing in as someone else
	// remounts it; signing in again as the same member keeps it (see SessionEnded).
	const { me, boardId } = props.session;
	const { leaveRefusedBoard, boardReached } = useSession();
	const board = boardDocumentName(me.orgId, boardId);
	const [ended, setEnded] = createSignal(false);
	const [why, setWhy] = createSignal(sessionEndedWords(null, null));
	const [reason, setReason] = createSignal<SessionEndReason | null>(null);
	/** The session ended: ask the server why, once per ending (the socket says it each retry). */
	const end = () => {
		if (ended()) return;
		setEnded(true);
		setWhy(sessionEndedWords(null, null));
		setReason(null);
		void askWhySessionEnded().then((said) => {
			if (!ended()) return;
			setWhy(sessionEndedWords(said, storedExpiry()));
			setReason(said);
		});
	};
	const client = createSwitchboardClient({
		// The SDK derives the socket URL (<origin>/sync, ws or wss) from the page's origin.
		url: location.origin,
		// No token: the socket's upgrade carries the HttpOnly session cookie.
		me,
		boardId,
		onFirstSync: ({ receivedAt, bytes }) =>
			markOnce(BoardMarks.message, { epochMs: receivedAt, detail: { bytes } }),
		onError: (error) => {
			// The session ended (expired, signed out elsewhere, revoked): ask to sign in again,
			// keeping what is not on the server yet. A deactivated member is told the same.
			if (error.kind === "unauthorized") end();
			// Taken off this board (4403): open one the member may still open.
			else if (error.kind === "forbidden" && error.details?.documentName === board) {
				void leaveRefusedBoard();
			}
		},
	});
	const sessionEnded: SessionEnded = {
		ended,
		why,
		reason,
		resume: () => {
			setEnded(false);
			client.connect();
		},
	};
	// Once the board is connected again, the session is good, and the dialog asking for it goes
	// (a retry that left with the ended session's cookie while the member typed a password is
	// refused after `resume`; the client then connects again at once, with the new cookie, and
	// does not report it); so is the board, for a member an admin had taken off every board
	// and has put back. Each connection reads the member's role again: a change of role closes
	// the sockets so that they connect again.
	let wasOnline = client.status.get().online;
	const unwatchStatus = client.status.subscribe(({ online }) => {
		if (online && !wasOnline) {
			setEnded(false);
			boardReached();
		}
		wasOnline = online;
	});
	// Subscribed before anything renders from the board, so the mark precedes that work.
	const unmark = client.board.subscribe((board) => {
		if (!board.ready) return;
		markOnce(BoardMarks.data);
		unmark();
	});
	// The browser knows before the socket does: a WebSocket on a dead network stays "open"
	// until a timeout, and Chromium's offline mode leaves open sockets alone entirely.
	const offline = () => client.disconnect();
	const online = () => client.connect();
	window.addEventListener("offline", offline);
	window.addEventListener("online", online);
	if (!navigator.onLine) client.disconnect();
	onCleanup(() => {
		window.removeEventListener("offline", offline);
		window.removeEventListener("online", online);
		unmark();
		unwatchStatus();
		client.destroy();
	});
	return (
		<ClientContext.Provider value={client}>
			<SessionEndedContext.Provider value={sessionEnded}>
				{props.children}
			</SessionEndedContext.Provider>
		</ClientContext.Provider>
	);
}

/** Whether the signed-in session's server side has ended. */
export function useSessionEnded(): SessionEnded {
	return useRequiredContext(SessionEndedContext, "useSessionEnded", "ClientProvider");
}

/** The signed-in session's client. */
export function useClient(): SwitchboardClient {
	return useRequiredContext(ClientContext, "useClient", "ClientProvider");
}

/**
 * A store as a signal, subscribed while the calling owner lives. Every notification
 * counts as a change: stores hand out new snapshots, not mutated ones, but a store may
 * also notify with the same object after a change inside it. A value for which `later`
 * holds reaches the signal a task after the store took it (`followStore`).
 */
export function useStore<T>(
	store: Store<T>,
	later: (next: T, shown: T) => boolean = () => false,
): Accessor<T> {
	const [value, setValue] = createSignal<T>(store.get(), { equals: false });
	const stop = followStore(store, (next) => setValue(() => next), later);
	if (getOwner()) onCleanup(stop);
	return value;
}
