/**
 * The signed-in part of the app: the shell around the pages (one client for the session,
 * the header) and the pages themselves. Loaded apart from the sign-in pages (`signedInPart`
 * in app.tsx), so that a phone opening the sign-in page for the first time is not sent the
 * client, Yjs and the board with it.
 */
import type { RouteSectionProps } from "@solidjs/router";
import type { JSX } from "solid-js";
import { ClientProvider } from "./client-context.tsx";
import { ActionDialog } from "./components/action-dialog.tsx";
import { AppHeader } from "./components/app-header.tsx";
import { HelpDialog } from "./components/help-dialog.tsx";
import { InstallOffer } from "./components/install-offer.tsx";
import { RoleChangeNotice } from "./components/role-change-notice.tsx";
import { SessionEndedDialog, SignOutProvider } from "./components/session-dialogs.tsx";
import { PrefetchConversation } from "./lazy-pages.tsx";
import { NotificationsProvider } from "./notifications.tsx";
import type { Session } from "./session.ts";
import { WorkspaceProvider } from "./workspace.tsx";

export {
	AdminPage,
	BoardSettingsPage,
	ConversationPage,
	CoveragePage,
	HistoryPage,
	ReportsPage,
	ReviewsPage,
	SettingsPage,
} from "./lazy-pages.tsx";
export { BoardPage } from "./pages/board-page.tsx";
export { QueuePage } from "./pages/queue-page.tsx";

/** The shell of a session: its client, the header and the page. */
export function Workspace(props: RouteSectionProps & { session: Session }): JSX.Element {
	return (
		<ClientProvider session={props.session}>
			<WorkspaceProvider>
				<SignOutProvider>
					<NotificationsProvider>
						<div class="app">
							<AppHeader />
							<main id="main" class="app-main" tabIndex={-1}>
								{props.children}
							</main>
							{/* At the foot of the shell, below the page rather than over it. */}
							<InstallOffer />
							<HelpDialog />
							<ActionDialog />
							<SessionEndedDialog />
							<RoleChangeNotice />
							<PrefetchConversation />
						</div>
					</NotificationsProvider>
				</SignOutProvider>
			</WorkspaceProvider>
		</ClientProvider>
	);
}
