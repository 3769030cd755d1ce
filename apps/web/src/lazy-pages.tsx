/**
 * Pages outside the board's first screen, loaded on their first visit so that the board does
 * not wait for CodeMirror, the admin forms or the charts (the bundle was one 710 KB file).
 * The moderator's pages are in moderator-routes.tsx.
 */
import { createEffect, lazy } from "solid-js";
import { useWorkspace } from "./workspace.tsx";

const loadConversation = () => import("./pages/conversation-page.tsx");

/** The conversation view: the thread and the shared draft editor (CodeMirror, y-codemirror). */
export const ConversationPage = lazy(() =>
	loadConversation().then((module) => ({ default: module.ConversationPage })),
);

/** The member's own settings: connected accounts. */
export const SettingsPage = lazy(() =>
	import("./pages/settings-page.tsx").then((module) => ({ default: module.SettingsPage })),
);

/** The admin screens: sources, webhooks, rules. */
export const AdminPage = lazy(() =>
	import("./pages/admin-page.tsx").then((module) => ({ default: module.AdminPage })),
);

/**
 * Fetches the conversation view's code once the board is on screen, so opening a
 * conversation does not wait for the network (most visits to the board end in one) and the
 * service worker's cache holds it for offline use either way.
 */
export function PrefetchConversation() {
	const ws = useWorkspace();
	let started = false;
	createEffect(() => {
		if (started || !ws.board().ready) return;
		started = true;
		const prefetch = () =>
			void loadConversation().catch(() => {
				// Offline and not cached yet: opening a conversation tries again.
			});
		if ("requestIdleCallback" in window) requestIdleCallback(prefetch, { timeout: 5_000 });
		else setTimeout(prefetch, 1_000);
	});
	return null;
}
