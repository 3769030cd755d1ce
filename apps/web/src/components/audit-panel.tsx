/**
 * The audit log (admins): who did what to the organisation's people and settings, newest
 * first, filtered by action, actor and period, a page at a time, and the same selection
 * as a CSV download (the session cookie authenticates the link).
 */
import {
	type AuditAction,
	AuditActions,
	type AuditEntry,
	type AuditTargetType,
	HttpRoutes,
	type MemberRecord,
} from "@switchboard/domain";
import { createEffect, createMemo, For, on, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { createLoader, createPagedLoader, type Page, useApi } from "../api.ts";
import { detailFacts } from "../audit-words.ts";
import { formatDateTime } from "../format.ts";
import { AdminSection, type FieldSpec, FormFields, optionsOf } from "./forms.tsx";
import { PagedList } from "./paged-list.tsx";

/** Actions in words: "invitation.created" → "Invitation created", "sso.…" → "Single sign-on …". */
function actionLabel(action: string): string {
	const words = action.replace(/[._]/g, " ").replace(/^sso\b/, "single sign-on");
	return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The actors that are not members, in words. */
const ACTOR_WORDS: Record<string, string> = {
	system: "Switchboard (automatic)",
	cli: "Command line",
};
const ACTOR_OPTIONS = Object.entries(ACTOR_WORDS).map(([value, label]) => ({ value, label }));

/** What an entry is about, in words, before its name. */
const TARGET_WORDS: Record<AuditTargetType, string> = {
	organisation: "Organisation",
	member: "Member",
	invitation: "Invitation",
	board: "Board",
	rules: "Triage rules",
	source: "Source",
	sso: "Single sign-on",
	webhook: "Webhook",
	author: "Author",
};

/**
 * An entry's target in words: "Member: Kim (kim@…)", "Source: Support inbox", "Invitation:
 * sam@…"; by its id when it has no name (removed since, or an organisation's).
 */
function targetWords(target: NonNullable<AuditEntry["target"]>): string {
	const kind = TARGET_WORDS[target.type];
	if (target.name !== undefined && target.email !== undefined) {
		return `${kind}: ${target.name} (${target.email})`;
	}
	return `${kind}: ${target.name ?? target.email ?? target.id}`;
}

/** Pages of 200 members the "Who" filter reads at most: an organisation of 5,000. */
const WHO_PAGES = 25;

interface Filters {
	action: AuditAction | "";
	actor: string;
	from: string;
	to: string;
}

export function AuditPanel(props: { orgId: string }) {
	const api = useApi();
	const form = createStore<Filters>({ action: "", actor: "", from: "", to: "" });
	const [filters] = form;
	// A period that ends before it starts selects nothing: said at "To", and no list is shown
	// (nor read) until it is fixed, so entries of the last period never pass for its answer.
	const rangeProblem = () =>
		filters.from && filters.to && filters.from > filters.to
			? "To is before From: choose a day on or after From."
			: undefined;
	const query = () => {
		const f = filters;
		return {
			...(f.action ? { action: f.action } : {}),
			...(f.actor ? { actor: f.actor } : {}),
			...(f.from ? { from: f.from } : {}),
			// The day chosen as "to" is included: the period ends at the next midnight.
			...(f.to ? { to: new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000).toISOString() } : {}),
		};
	};
	// The "Who" filter's members, every one (a page of 200 left out the rest of a thousand;
	// an entry names its own member, from the server), found by typing.
	const members = createLoader(async (): Promise<MemberRecord[]> => {
		const all: MemberRecord[] = [];
		let cursor: string | null = null;
		for (let page = 0; page < WHO_PAGES; page++) {
			const answer: { members: MemberRecord[]; nextCursor: string | null } = await api.request(
				HttpRoutes.orgMembers,
				{
					params: { orgId: props.orgId },
					query: { limit: "200", ...(cursor ? { cursor } : {}) },
				},
			);
			all.push(...answer.members);
			cursor = answer.nextCursor;
			if (!cursor) break;
		}
		return all;
	});
	// Boards by name in the details (a member's boards, an invitation's), archived ones too.
	const boards = createLoader(
		async () => (await api.request(HttpRoutes.boards, { query: { include: "archived" } })).boards,
	);
	const boardNames = createMemo(
		() => new Map((boards.data() ?? []).map((board) => [board.id, board.name])),
	);
	const boardName = (id: string) => boardNames().get(id) ?? id;
	const entries = createPagedLoader(async (cursor): Promise<Page<AuditEntry>> => {
		const page = await api.request(HttpRoutes.audit, {
			params: { orgId: props.orgId },
			query: { ...query(), limit: "50", ...(cursor ? { cursor } : {}) },
		});
		return { items: page.entries, nextCursor: page.nextCursor };
	});
	// A changed filter reads the log again.
	createEffect(
		on(
			() => [filters.action, filters.actor, filters.from, filters.to],
			() => {
				if (!rangeProblem()) void entries.reload();
			},
			{ defer: true },
		),
	);
	const filterFields = (): FieldSpec<Filters>[] => [
		{
			name: "action",
			label: "Action",
			options: optionsOf(AuditActions, actionLabel, [{ value: "", label: "All actions" }]),
			testId: "audit-action",
		},
		{
			name: "actor",
			label: "Who",
			options: [
				{ value: "", label: "Anyone" },
				...ACTOR_OPTIONS,
				...(members.data() ?? []).map((member) => ({ value: member.id, label: member.name })),
			],
			search: { placeholder: "Anyone" },
			testId: "audit-actor",
		},
		{ name: "from", label: "From", type: "date", testId: "audit-from" },
		{ name: "to", label: "To", type: "date", testId: "audit-to" },
	];
	const csvHref = () => {
		const params = new URLSearchParams({ ...query(), format: "csv" });
		return `/api/orgs/${encodeURIComponent(props.orgId)}/audit?${params}`;
	};

	return (
		<AdminSection
			name="audit"
			title="Audit log"
			intro="Every change to members, invitations, passwords and settings, with who made it and when. Entries are never changed or removed."
			class="audit-panel"
			tools={
				<Show when={!rangeProblem()}>
					<a class="button" href={csvHref()} download="" data-testid="audit-csv">
						Download CSV
					</a>
				</Show>
			}
		>
			<fieldset class="form-grid audit-filters">
				<legend class="sr-only">Filter the audit log</legend>
				<FormFields store={form} fields={filterFields()} errors={{ to: rangeProblem() }} />
			</fieldset>

			<Show
				when={!rangeProblem()}
				fallback={
					<p class="muted" role="status" data-testid="audit-no-period">
						No entries shown: the period ends before it starts.
					</p>
				}
			>
				<PagedList
					list={entries}
					testId="audit-entries"
					errorTestId="audit-error"
					empty={
						<p class="muted" data-testid="audit-empty">
							Nothing recorded matches.
						</p>
					}
					more={{ label: "Older entries", testId: "audit-more" }}
					key={(entry) => entry.id}
				>
					{(item) => {
						// An entry of the log never changes.
						const entry = item();
						return (
							<li class="admin-item audit-entry" data-testid="audit-entry" data-entry-id={entry.id}>
								<div class="admin-item-head">
									<strong class="admin-item-title">{actionLabel(entry.action)}</strong>
									<span class="muted">
										by {entry.actorName ?? ACTOR_WORDS[entry.actor] ?? entry.actor} ·{" "}
										<time datetime={entry.at}>{formatDateTime(entry.at)}</time>
									</span>
								</div>
								<Show when={entry.target}>
									{(target) => (
										<p class="audit-target" data-testid="audit-target" title={target().id}>
											{targetWords(target())}
										</p>
									)}
								</Show>
								<Show when={Object.keys(entry.details).length > 0}>
									<ul class="audit-details">
										<For each={detailFacts(entry.details, boardName)}>
											{(fact) => <li>{fact}</li>}
										</For>
									</ul>
								</Show>
							</li>
						);
					}}
				</PagedList>
			</Show>
		</AdminSection>
	);
}
