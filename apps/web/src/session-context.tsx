/** The session as app state: who is signed in, and signing in and out. */
import { type Accessor, createContext, createSignal, type JSX, useContext } from "solid-js";
import { loadSession, type Session, signIn, signOut } from "./session.ts";

interface SessionState {
	session: Accessor<Session | null>;
	signIn(email: string, password: string): Promise<Session>;
	signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState>();

export function SessionProvider(props: { children: JSX.Element }) {
	const [session, setSession] = createSignal<Session | null>(loadSession());
	const state: SessionState = {
		session,
		async signIn(email, password) {
			const next = await signIn(email, password);
			setSession(next);
			return next;
		},
		async signOut() {
			setSession(null);
			await signOut();
		},
	};
	return <SessionContext.Provider value={state}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
	const state = useContext(SessionContext);
	if (!state) throw new Error("useSession() is only available inside <SessionProvider>");
	return state;
}
