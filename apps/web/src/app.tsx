/** Routes, and the providers around the signed-in part of the app. */
import { A, Navigate, Route, Router, type RouteSectionProps, useLocation } from "@solidjs/router";
import { type JSX, Show } from "solid-js";
import { ClientProvider } from "./client-context.tsx";
import { ActionDialog } from "./components/action-dialog.tsx";
import { AppHeader } from "./components/app-header.tsx";
import { HelpDialog } from "./components/help-dialog.tsx";
import { InstallOffer } from "./components/install-offer.tsx";
import { SessionEndedDialog, SignOutProvider } from "./components/session-dialogs.tsx";
import {
	AdminPage,
	BoardSettingsPage,
	ConversationPage,
	HistoryPage,
	PrefetchConversation,
	SettingsPage,
} from "./lazy-pages.tsx";
import { ModeratorRoutes } from "./moderator-routes.tsx";
import { NotificationsProvider } from "./notifications.tsx";
import { BoardPage } from "./pages/board-page.tsx";
import { ForgotPasswordPage } from "./pages/forgot-password-page.tsx";
import { InvitePage } from "./pages/invite-page.tsx";
import { LoginPage } from "./pages/login-page.tsx";
import { QueuePage } from "./pages/queue-page.tsx";
import { SingleSignOnDonePage } from "./pages/sso-pages.tsx";
import { signInHref } from "./return-path.ts";
import { SessionProvider, useSession } from "./session-context.tsx";
import { ToastProvider } from "./toasts.tsx";
import { WorkspaceProvider } from "./workspace.tsx";

/**
 * The signed-in shell: one client for the session, the header, and the page. Someone signed
 * out is sent to sign in, and comes back to the page they opened.
 */
function Workspace(props: RouteSectionProps) {
	const { session } = useSession();
	const location = useLocation();
	const signInPage = () => signInHref(`${location.pathname}${location.search}${location.hash}`);
	return (
		<Show when={session()} keyed fallback={<Navigate href={signInPage()} />}>
			{(current) => (
				<ClientProvider session={current}>
					<WorkspaceProvider>
						<SignOutProvider>
							<NotificationsProvider>
								<div class="app">
									<AppHeader />
									<main id="main" class="app-main" tabIndex={-1}>
										{props.children}
									</main>
									<HelpDialog />
									<ActionDialog />
									<SessionEndedDialog />
									<InstallOffer />
									<PrefetchConversation />
								</div>
							</NotificationsProvider>
						</SignOutProvider>
					</WorkspaceProvider>
				</ClientProvider>
			)}
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
						<ModeratorRoutes />
					</Route>
					<Route path="*" component={NotFound} />
				</Router>
			</ToastProvider>
		</SessionProvider>
	);
}
