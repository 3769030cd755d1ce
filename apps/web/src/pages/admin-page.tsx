/**
 * The admin area: sources, triage rules, outgoing webhooks and members of the organisation. The
 * server allows these routes to admins only; the page tells anyone else so up front.
 */
import { A, useSearchParams } from "@solidjs/router";
import { For, Match, Switch } from "solid-js";
import { MembersPanel } from "../components/members-panel.tsx";
import { RulesPanel } from "../components/rules-panel.tsx";
import { SourcesPanel } from "../components/sources-panel.tsx";
import { WebhooksPanel } from "../components/webhooks-panel.tsx";
import { useWorkspace } from "../workspace.tsx";

const TABS = [
	{ id: "sources", label: "Sources" },
	{ id: "rules", label: "Triage rules" },
	{ id: "webhooks", label: "Outgoing webhooks" },
	{ id: "members", label: "Members" },
] as const;
type TabId = (typeof TABS)[number]["id"];

export function AdminPage() {
	const ws = useWorkspace();
	return (
		<Switch>
			<Match when={ws.me.role !== "admin"}>
				<div class="page-message" data-testid="admin-forbidden">
					<h1>This page is for admins</h1>
					<p>
						Sources, triage rules and webhooks are managed by your organisation's admins. Ask one of
						them if a source or a rule needs a change.
					</p>
					<A href="/" class="button">
						Back to the board
					</A>
				</div>
			</Match>
			<Match when={ws.me.role === "admin"}>
				<AdminArea orgId={ws.me.orgId} meId={ws.me.id} />
			</Match>
		</Switch>
	);
}

function AdminArea(props: { orgId: string; meId: string }) {
	const [params, setParams] = useSearchParams<{ tab?: string }>();
	const tab = (): TabId => TABS.find((t) => t.id === params.tab)?.id ?? "sources";
	const tabs: HTMLButtonElement[] = [];

	const select = (id: TabId, focus = false) => {
		setParams({ tab: id === "sources" ? undefined : id }, { replace: true });
		if (focus) tabs[TABS.findIndex((t) => t.id === id)]?.focus();
	};
	// Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it.
	const onKeyDown = (event: KeyboardEvent) => {
		const at = TABS.findIndex((t) => t.id === tab());
		const to =
			event.key === "ArrowRight"
				? (at + 1) % TABS.length
				: event.key === "ArrowLeft"
					? (at - 1 + TABS.length) % TABS.length
					: event.key === "Home"
						? 0
						: event.key === "End"
							? TABS.length - 1
							: -1;
		const next = TABS[to];
		if (!next) return;
		event.preventDefault();
		select(next.id, true);
	};

	return (
		<div class="page admin-page" data-testid="admin-page">
			<div class="page-heading">
				<h1>Admin</h1>
				<p class="muted">
					How mentions reach your boards, how they are triaged, who hears of it, and who is on the
					team.
				</p>
			</div>
			<div class="tabs" role="tablist" aria-label="Admin sections" onKeyDown={onKeyDown}>
				<For each={TABS}>
					{(item, index) => (
						<button
							type="button"
							role="tab"
							id={`admin-tab-${item.id}`}
							class="tab"
							aria-selected={tab() === item.id}
							aria-controls={tab() === item.id ? `admin-panel-${item.id}` : undefined}
							tabIndex={tab() === item.id ? 0 : -1}
							ref={(element) => {
								tabs[index()] = element;
							}}
							onClick={() => select(item.id)}
							data-testid={`admin-tab-${item.id}`}
						>
							{item.label}
						</button>
					)}
				</For>
			</div>
			<div
				class="tab-panel"
				role="tabpanel"
				id={`admin-panel-${tab()}`}
				aria-labelledby={`admin-tab-${tab()}`}
			>
				<Switch>
					<Match when={tab() === "sources"}>
						<SourcesPanel orgId={props.orgId} />
					</Match>
					<Match when={tab() === "rules"}>
						<RulesPanel orgId={props.orgId} />
					</Match>
					<Match when={tab() === "webhooks"}>
						<WebhooksPanel orgId={props.orgId} />
					</Match>
					<Match when={tab() === "members"}>
						<MembersPanel orgId={props.orgId} meId={props.meId} />
					</Match>
				</Switch>
			</div>
		</div>
	);
}
