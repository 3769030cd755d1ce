/**
 * The admin area: sources, triage rules, outgoing webhooks, members and boards of the
 * organisation (a board's settings have a page of their own, board-settings-page.tsx). The
 * server allows these routes to admins only; the page tells anyone else so up front.
 */
import { useSearchParams } from "@solidjs/router";
import { type Component, createEffect, For, type JSX } from "solid-js";
import { Dynamic } from "solid-js/web";
import { AuditPanel } from "../components/audit-panel.tsx";
import { BoardsPanel } from "../components/boards-panel.tsx";
import { InviteOutcomeKeeper, MembersPanel } from "../components/members-panel.tsx";
import { OnlyFor } from "../components/only-for.tsx";
import { RulesPanel } from "../components/rules-panel.tsx";
import { SourcesPanel } from "../components/sources-panel.tsx";
import { SsoPanel } from "../components/sso-panel.tsx";
import { showTab, trackTabStrip } from "../components/tab-strip.ts";
import { WebhooksPanel } from "../components/webhooks-panel.tsx";
import { useWorkspace } from "../workspace.tsx";

/** What a tab's panel is given. */
type AdminAreaProps = { orgId: string; meId: string };

/** The admin area's tabs, in order, each with the panel it shows. */
const TABS = [
	{ id: "sources", label: "Sources", panel: SourcesPanel },
	{ id: "rules", label: "Triage rules", panel: RulesPanel },
	{ id: "webhooks", label: "Outgoing webhooks", panel: WebhooksPanel },
	{ id: "members", label: "Members", panel: MembersPanel },
	{ id: "boards", label: "Boards", panel: BoardsPanel },
	{ id: "sso", label: "Single sign-on", panel: SsoPanel },
	{ id: "audit", label: "Audit log", panel: AuditPanel },
] as const satisfies readonly { id: string; label: string; panel: Component<AdminAreaProps> }[];
type TabId = (typeof TABS)[number]["id"];

/** `children` for admins; anyone else is told who manages `what`, and sent back to the board. */
export function AdminsOnly(props: { what: string; children: JSX.Element }) {
	return (
		<OnlyFor audience="admins" why={props.what}>
			{props.children}
		</OnlyFor>
	);
}

export function AdminPage() {
	const ws = useWorkspace();
	return (
		<AdminsOnly what="Sources, triage rules and webhooks are managed by your organisation's admins. Ask one of them if a source or a rule needs a change.">
			<AdminArea orgId={ws.me.orgId} meId={ws.me.id} />
		</AdminsOnly>
	);
}

function AdminArea(props: AdminAreaProps) {
	const [params, setParams] = useSearchParams<{ tab?: string }>();
	const current = () => TABS.find((t) => t.id === params.tab) ?? TABS[0];
	const tab = (): TabId => current().id;
	const tabs: HTMLButtonElement[] = [];
	let strip: HTMLDivElement | undefined;
	// The chosen tab in view, clear of the fades: opened from a link (?tab=audit), tapped
	// half hidden at the edge, or reached by an arrow key.
	createEffect(() => {
		const chosen = tabs[TABS.findIndex((t) => t.id === tab())];
		if (strip && chosen) showTab(strip, chosen);
	});

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
			<div
				class="tabs"
				role="tablist"
				aria-label="Admin sections"
				ref={(element) => {
					strip = element;
					// On a phone the tabs are one row that scrolls sideways.
					trackTabStrip(element);
				}}
				onKeyDown={onKeyDown}
				data-testid="admin-tabs"
			>
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
				{/* Invitation links made on Members outlive a visit to another tab. */}
				<InviteOutcomeKeeper>
					<Dynamic component={current().panel} orgId={props.orgId} meId={props.meId} />
				</InviteOutcomeKeeper>
			</div>
		</div>
	);
}
