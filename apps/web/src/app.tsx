/**
 * Routes, and the providers around them. The signed-in part (the shell, the client, the
 * pages) is its own chunk (signed-in.tsx): the sign-in pages load without it, and it is
 * fetched while the person types.
 */
import { A, Navigate, Route, Router, type RouteSectionProps, useLocation } from "@solidjs/router";
import { type Component, createMemo, createSignal, type JSX, Show } from "solid-js";
import { Dynamic } from "solid-js/web";
import { CodeNotLoaded } from "./components/code-not-loaded.tsx";
import { ForgotPasswordPage } from "./pages/forgot-password-page.tsx";
import { InvitePage } from "./pages/invite-page.tsx";
import { LoginPage } from "./pages/login-page.tsx";
import { SingleSignOnDonePage } from "./pages/sso-pages.tsx";
import { signInHref } from "./return-path.ts";
import type { Session } from "./session.ts";
import { SessionProvider, useSession } from "./session-context.tsx";
import { ToastProvider } from "./toasts.tsx";

type SignedIn = typeof import("./signed-in.tsx");
let signedIn: Promise<SignedIn> | undefined;

/**
 * The signed-in part's code: loaded once, on first need or ahead of it (`prefetchSignedIn`).
 * A failed load (offline, nothing cached) is tried again on the next call.
 */
function loadSignedIn(): Promise<SignedIn> {
	signedIn ??= import("./signed-in.tsx").catch((error: unknown) => {
		signedIn = undefined;
		throw error;
	});
	return signedIn;
}

/** Fetch the signed-in part while the browser is idle: a sign-in page's visitor will need it. */
export function prefetchSignedIn(): void {
	const prefetch = () =>
		void loadSignedIn().catch(() => {
			// Offline and not cached yet: signing in loads it again.
		});
	if ("requestIdleCallback" in window) requestIdleCallback(prefetch, { timeout: 2_000 });
	else setTimeout(prefetch, 200);
}

/**
 * A component of the signed-in part, shown once its code is here. While it loads nothing is
 * shown: the code is usually in the service worker's cache, or fetched while signing in. If
 * it cannot be loaded, say so and offer to try again.
 */
function signedInPart<P extends object>(pick: (module: SignedIn) => Component<P>): Component<P> {
	return (props: P): JSX.Element => {
		const [part, setPart] = createSignal<Component<P>>();
		const [failed, setFailed] = createSignal(false);
		const load = () => {
			setFailed(false);
			loadSignedIn().then(
				(module) => setPart(() => pick(module)),
				() => setFailed(true),
			);
		};
		load();
		return (
			<Show
				when={part()}
				fallback={
					<Show when={failed()}>
						<CodeNotLoaded title="Switchboard could not be loaded" retry={load} />
					</Show>
				}
			>
				{(component) => <Dynamic component={component()} {...props} />}
			</Show>
		);
	};
}

const WorkspaceShell = signedInPart((module) => module.Workspace);
const BoardPage = signedInPart((module) => module.BoardPage);
const QueuePage = signedInPart((module) => module.QueuePage);
const ConversationPage = signedInPart((module) => module.ConversationPage);
const HistoryPage = signedInPart((module) => module.HistoryPage);
const SettingsPage = signedInPart((module) => module.SettingsPage);
const AdminPage = signedInPart((module) => module.AdminPage);
const BoardSettingsPage = signedInPart((module) => module.BoardSettingsPage);
const CoveragePage = signedInPart((module) => module.CoveragePage);
const ReviewsPage = signedInPart((module) => module.ReviewsPage);
const ReportsPage = signedInPart((module) => module.ReportsPage);

/**
 * The signed-in shell around the page. Someone signed out is sent to sign in, and comes back
 * to the page they opened; the signed-in part's code is not loaded for them. The shell is
 * mounted afresh for another member or board, not when the member's role or name changes:
 * the shell reads those from the session as they change (workspace.tsx), and a remount
 * would take the page from under what the member was doing.
 */
function Workspace(props: RouteSectionProps) {
	const { session } = useSession();
	const location = useLocation();
	const signInPage = () => signInHref(`${location.pathname}${location.search}${location.hash}`);
	const shellSession = createMemo<Session | null>((shown) => {
		const current = session();
		const same =
			shown &&
			current &&
			shown.me.id === current.me.id &&
			shown.me.orgId === current.me.orgId &&
			shown.boardId === current.boardId;
		return same ? shown : current;
	}, null);
	return (
		<Show when={shellSession()} keyed fallback={<Navigate href={signInPage()} />}>
			{(current) => <WorkspaceShell {...props} session={current} />}
		</Show>
	);
}

function NotFound(): JSX.Element {
	return (
		<main id="main" class="page-message">
			<h1>Nothing here</h1>
			<p>This address is not a page of Switchboard.</p>
			<A href="/" class="button">
				Go to the board
			</A>
		</main>
	);
}

export function App() {
	return (
		<SessionProvider>
			<ToastProvider>
				<Router>
					<Route path="/login" component={LoginPage} />
					<Route path="/invite/:code" component={InvitePage} />
					<Route path="/forgot-password" component={ForgotPasswordPage} />
					<Route path="/sso/done" component={SingleSignOnDonePage} />
					<Route path="/" component={Workspace}>
						<Route path="/" component={BoardPage} />
						<Route path="/board/*" component={() => <Navigate href="/" />} />
						<Route path="/m/:mentionId" component={ConversationPage} />
						<Route path="/queue" component={QueuePage} />
						<Route path="/history" component={HistoryPage} />
						<Route path="/settings" component={SettingsPage} />
						<Route path="/admin" component={AdminPage} />
						<Route path="/admin/boards/:boardId" component={BoardSettingsPage} />
						{/* The moderator's pages: each loads on its first visit (lazy-pages.tsx). */}
						<Route path="/coverage" component={CoveragePage} />
						<Route path="/reviews" component={ReviewsPage} />
						<Route path="/reports" component={ReportsPage} />
					</Route>
					<Route path="*" component={NotFound} />
				</Router>
			</ToastProvider>
		</SessionProvider>
	);
}
