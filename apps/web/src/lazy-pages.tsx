/**
 * Pages outside the board's first screen, loaded on their first visit so that the board does
 * not wait for CodeMirror, the admin forms or the charts (the bundle was one 710 KB file).
 */
import { type Component, createEffect, createSignal, type JSX, Show } from "solid-js";
import { Dynamic } from "solid-js/web";
import { CodeNotLoaded } from "./components/code-not-loaded.tsx";
import { useWorkspace } from "./workspace.tsx";

/**
 * A page whose code loads when it is first shown. Not Solid's `lazy`: that suspends to the
 * nearest <Suspense>, and a boundary around the pages would also catch the resources inside
 * them (the reports), blanking a whole page each time a report reloads. This one shows
 * "Loading…" while the code arrives, and a way to try again if it cannot.
 */
export function lazyPage<P extends object>(load: () => Promise<Component<P>>): Component<P> {
	let loaded: Component<P> | undefined;
	return (props: P): JSX.Element => {
		const [page, setPage] = createSignal<Component<P> | undefined>(loaded);
		const [failed, setFailed] = createSignal(false);
		const fetchPage = () => {
			setFailed(false);
			load().then(
				(component) => {
					loaded = component;
					setPage(() => component);
				},
				() => setFailed(true),
			);
		};
		if (!loaded) fetchPage();
		return (
			<Show
				when={page()}
				fallback={
					<Show
						when={failed()}
						fallback={
							<p class="page-loading" role="status">
								Loading…
							</p>
						}
					>
						<CodeNotLoaded title="This page could not be loaded" retry={fetchPage} />
					</Show>
				}
			>
				{(component) => <Dynamic component={component()} {...props} />}
			</Show>
		);
	};
}

const loadConversation = () =>
	import("./pages/conversation-page.tsx").then((module) => module.ConversationPage);

/** The conversation view: the thread and the shared draft editor (CodeMirror, y-codemirror). */
export const ConversationPage = lazyPage(loadConversation);

/** The member's own settings: connected accounts. */
export const SettingsPage = lazyPage(() =>
	import("./pages/settings-page.tsx").then((module) => module.SettingsPage),
);

/** History: every conversation, finished ones included, searched on the server. */
export const HistoryPage = lazyPage(() =>
	import("./pages/history-page.tsx").then((module) => module.HistoryPage),
);

/** The admin screens: sources, webhooks, rules. */
export const AdminPage = lazyPage(() =>
	import("./pages/admin-page.tsx").then((module) => module.AdminPage),
);

/** A board's settings (admins): targets, lease, approval rules, reply limits, templates. */
export const BoardSettingsPage = lazyPage(() =>
	import("./pages/board-settings-page.tsx").then((module) => module.BoardSettingsPage),
);

/** The moderator's live coverage. */
export const CoveragePage = lazyPage(() =>
	import("./pages/coverage-page.tsx").then((module) => module.CoveragePage),
);

/** The moderator's review queue. */
export const ReviewsPage = lazyPage(() =>
	import("./pages/reviews-page.tsx").then((module) => module.ReviewsPage),
);

/** The moderator's reports, with their charts (uPlot). */
export const ReportsPage = lazyPage(() =>
	import("./pages/reports-page.tsx").then((module) => module.ReportsPage),
);

/**
 * Fetches the conversation view's code once the board is on screen, so opening a
 * conversation does not wait for the network (most visits to the board end in one).
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
