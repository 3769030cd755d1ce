/**
 * The moderator's corner of the app: the header links (with what waits for them), the
 * tabs between coverage, reviews and reports, and the guard that tells ambassadors these
 * pages are not theirs.
 */
import { A } from "@solidjs/router";
import { type Component, createMemo, type JSX, Show } from "solid-js";
import { conversationsInBreach, createBreachRows } from "../coverage-model.ts";
import { useWorkspace } from "../workspace.tsx";
import { OnlyFor } from "./only-for.tsx";

export function isModerator(role: string): boolean {
	return role === "moderator" || role === "admin";
}

/**
 * Header links for moderators and admins: coverage (conversations in breach now) and
 * reviews (waiting).
 */
export function ModeratorNav() {
	const ws = useWorkspace();
	return (
		<Show when={isModerator(ws.me.role)}>
			<ModeratorLinks />
		</Show>
	);
}

/** The links with their counts, which cost a pass over the board on every change. */
function ModeratorLinks() {
	const ws = useWorkspace();
	const breachRows = createBreachRows();
	const openBreaches = createMemo(() =>
		conversationsInBreach(
			breachRows(ws.board().breaches, ws.mentionsById(), ws.board().settings, ws.now()),
		),
	);
	const waiting = createMemo(
		() => ws.board().mentions.filter((mention) => mention.status === "in_review").length,
	);
	return (
		<>
			<A href="/coverage" activeClass="active" data-testid="nav-coverage">
				Coverage
				<Show when={openBreaches() > 0}>
					<span
						class="nav-count nav-count-alert"
						title="Conversations in breach of their SLA now"
						data-testid="nav-breach-count"
					>
						{openBreaches()}
						<span class="sr-only nav-count-words"> in breach</span>
					</span>
				</Show>
			</A>
			<A href="/reviews" activeClass="active" data-testid="nav-reviews">
				Reviews
				<Show when={waiting() > 0}>
					<span class="nav-count">
						{waiting()}
						<span class="sr-only nav-count-words"> waiting</span>
					</span>
				</Show>
			</A>
		</>
	);
}

/** Tabs between the moderator's pages. */
export function ModeratorTabs() {
	return (
		<nav class="tabs moderator-tabs" aria-label="Moderation">
			<A href="/coverage" activeClass="active" end>
				Live coverage
			</A>
			<A href="/reviews" activeClass="active" end>
				Review queue
			</A>
			<A href="/reports" activeClass="active" end>
				Reports
			</A>
		</nav>
	);
}

/**
 * `Page` for moderators and admins, the short explanation for anyone else: the page itself
 * starts (opens drafts, asks for reports) only for those who may see it.
 */
export function moderatorsOnly(Page: Component): Component {
	return () => (
		<ModeratorsOnly>
			<Page />
		</ModeratorsOnly>
	);
}

/** The frame of a moderator's page: its title, the tabs between the pages, then the page. */
export function ModeratorPage(props: { title: string; name: string; children: JSX.Element }) {
	return (
		<div class={`page ${props.name}-page`} data-testid={`${props.name}-page`}>
			<div class="page-heading">
				{/* Focusable by script: where the focus goes when what had it leaves the page. */}
				<h1 tabIndex={-1}>{props.title}</h1>
				<ModeratorTabs />
			</div>
			{props.children}
		</div>
	);
}

/** Shows its children to moderators and admins, and a short explanation to anyone else. */
export function ModeratorsOnly(props: { children: JSX.Element }) {
	return (
		<OnlyFor
			audience="moderators"
			why="Coverage, reviews and reports are where moderators and admins watch the team's work."
		>
			{props.children}
		</OnlyFor>
	);
}
