/**
 * The audit log (admins): who did what to the organisation's people and settings, newest
 * first, filtered by action, actor and period, a page at a time, and the same selection
 * as a CSV download (the session cookie authenticates the link).
 */
import {
	type AuditAction,
	AuditActions,
	type AuditEntry,
	HttpRoutes,
	type MemberRecord,
} from "@switchboard/domain";
import { createSignal, createUniqueId, For, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { ActionButton, FormError, Loaded, SelectField } from "./forms.tsx";

/** Actions in words: "invitation.created" → "Invitation created", "sso.…" → "Single sign-on …". */
function actionLabel(action: string): string {
	const words = action.replace(/[._]/g, " ").replace(/^sso\b/, "single sign-on");
	return words.charAt(0).toUpperCase() + words.slice(1);
}

const ACTOR_WORDS: Record<string, string> = {
	system: "Switchboard (automatic)",
	cli: "Command line",
};

/** A detail's value in words: lists comma-separated, nothing as "none", objects as JSON. */
function factValue(value: unknown): string {
	if (value === null || value === undefined) return "none";
	if (typeof value === "string") return value;
	if (Array.isArray(value) && value.every((item) => typeof item !== "object")) {
		return value.length > 0 ? value.join(", ") : "none";
	}
	return JSON.stringify(value);
}

/** The details of an entry as short "key: value" facts. */
function detailFacts(details: Record<string, unknown>): string[] {
	const changed = details.changed;
	if (Array.isArray(changed)) {
		const from = (details.from ?? {}) as Record<string, unknown>;
		const to = (details.to ?? {}) as Record<string, unknown>;
		return changed.map((key) =>
			key in to ? `${key}: ${factValue(from[key])} → ${factValue(to[key])}` : `${key} changed`,
		);
	}
	return Object.entries(details).map(([key, value]) => `${key}: ${factValue(value)}`);
}

interface Filters {
	action: AuditAction | "";
	actor: string;
	from: string;
	to: string;
}

export function AuditPanel(props: { orgId: string }) {
	const api = useApi();
	const id = createUniqueId();
	const [filters, setFilters] = createSignal<Filters>({ action: "", actor: "", from: "", to: "" });
	const [more, setMore] = createSignal<AuditEntry[]>([]);
	const [cursor, setCursor] = createSignal<string | null>(null);
	const query = () => {
		const f = filters();
		return {
			...(f.action ? { action: f.action } : {}),
			...(f.actor ? { actor: f.actor } : {}),
			...(f.from ? { from: f.from } : {}),
			// The day chosen as "to" is included: the period ends at the next midnight.
			...(f.to ? { to: new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000).toISOString() } : {}),
		};
	};
	const members = createLoader(
		async (): Promise<MemberRecord[]> =>
			(
				await api.request(HttpRoutes.orgMembers, {
					params: { orgId: props.orgId },
					query: { limit: "200" },
				})
			).members,
	);
	// The member an entry is about, by name and email (the id when not among those loaded).
	const memberById = () => new Map((members.data() ?? []).map((member) => [member.id, member]));
	const entries = createLoader(async () => {
		const page = await api.request(HttpRoutes.audit, {
			params: { orgId: props.orgId },
			query: { ...query(), limit: "50" },
		});
		setMore([]);
		setCursor(page.nextCursor);
		return page.entries;
	});
	const loadMore = createAction(async () => {
		const after = cursor();
		if (!after) return;
		const page = await api.request(HttpRoutes.audit, {
			params: { orgId: props.orgId },
			query: { ...query(), limit: "50", cursor: after },
		});
		setMore([...more(), ...page.entries]);
		setCursor(page.nextCursor);
	});
	const change = (key: keyof Filters, value: string) => {
		setFilters({ ...filters(), [key]: value });
		void entries.reload();
	};
	const csvHref = () => {
		const params = new URLSearchParams({ ...query(), format: "csv" });
		return `/api/orgs/${encodeURIComponent(props.orgId)}/audit?${params}`;
	};
	const shown = () => [...(entries.data() ?? []), ...more()];

	return (
		<section
			class="admin-section audit-panel"
			aria-labelledby="audit-title"
			data-testid="audit-panel"
		>
			<div class="section-heading">
				<div>
					<h2 id="audit-title">Audit log</h2>
					<p class="muted">
						Every change to members, invitations, passwords and settings, with who made it and when.
						Entries are never changed or removed.
					</p>
				</div>
				<span class="toolbar-spacer" />
				<a class="button" href={csvHref()} download="" data-testid="audit-csv">
					Download CSV
				</a>
			</div>

			<fieldset class="form-grid audit-filters">
				<legend class="sr-only">Filter the audit log</legend>
				<SelectField
					cell="field"
					id={`${id}-action`}
					label="Action"
					value={filters().action}
					onChange={(value) => change("action", value)}
					testId="audit-action"
				>
					<option value="">All actions</option>
					<For each={AuditActions}>
						{(action) => <option value={action}>{actionLabel(action)}</option>}
					</For>
				</SelectField>
				<SelectField
					cell="field"
					id={`${id}-actor`}
					label="Who"
					value={filters().actor}
					onChange={(value) => change("actor", value)}
					testId="audit-actor"
				>
					<option value="">Anyone</option>
					<option value="system">{ACTOR_WORDS.system}</option>
					<option value="cli">{ACTOR_WORDS.cli}</option>
					<For each={members.data() ?? []}>
						{(member) => <option value={member.id}>{member.name}</option>}
					</For>
				</SelectField>
				<div class="form-field">
					<label class="field-label" for={`${id}-from`}>
						From
					</label>
					<input
						id={`${id}-from`}
						type="date"
						value={filters().from}
						onChange={(e) => change("from", e.currentTarget.value)}
						data-testid="audit-from"
					/>
				</div>
				<div class="form-field">
					<label class="field-label" for={`${id}-to`}>
						To
					</label>
					<input
						id={`${id}-to`}
						type="date"
						value={filters().to}
						onChange={(e) => change("to", e.currentTarget.value)}
						data-testid="audit-to"
					/>
				</div>
			</fieldset>

			<Loaded loader={entries} errorTestId="audit-error">
				{() => (
					<>
						<ul class="admin-list" data-testid="audit-entries">
							<For each={shown()}>
								{(entry) => (
									<li
										class="admin-item audit-entry"
										data-testid="audit-entry"
										data-entry-id={entry.id}
									>
										<div class="admin-item-head">
											<strong class="admin-item-title">{actionLabel(entry.action)}</strong>
											<span class="muted">
												by {entry.actorName ?? ACTOR_WORDS[entry.actor] ?? entry.actor} ·{" "}
												<time datetime={entry.at}>{formatDateTime(entry.at)}</time>
											</span>
										</div>
										<Show when={entry.target}>
											{(target) => (
												<p class="audit-target" data-testid="audit-target">
													<Show
														when={target().type === "member" && memberById().get(target().id)}
														fallback={
															<>
																{target().type}: <code>{target().id}</code>
															</>
														}
													>
														{(member) => `Member: ${member().name} (${member().email})`}
													</Show>
												</p>
											)}
										</Show>
										<Show when={Object.keys(entry.details).length > 0}>
											<ul class="audit-details">
												<For each={detailFacts(entry.details)}>{(fact) => <li>{fact}</li>}</For>
											</ul>
										</Show>
									</li>
								)}
							</For>
						</ul>
						<Show when={shown().length === 0}>
							<p class="muted" data-testid="audit-empty">
								Nothing recorded matches.
							</p>
						</Show>
						<Show when={cursor()}>
							<ActionButton action={loadMore} testId="audit-more">
								Older entries
							</ActionButton>
						</Show>
						<FormError error={loadMore.error()} />
					</>
				)}
			</Loaded>
		</section>
	);
}
