/**
 * The live board: filters on top, one virtualised column per status. On a phone the columns
 * become tabs, one status at a time, and the filters fold behind one button (search stays
 * in view): eight 312 px columns side by side cannot be read on a 390 px screen.
 */

import { A } from "@solidjs/router";
import { type MentionStatus, Networks, Priorities } from "@switchboard/domain";
import { createEffect, createMemo, For, Match, on, Show, Switch } from "solid-js";
import {
	BOARD_COLUMNS,
	type BoardFilters,
	boardTags,
	DONE_COLUMNS,
	EMPTY_FILTERS,
	NETWORK_LABELS,
	PRIORITY_LABELS,
} from "../board-model.ts";
import { FiltersToggle } from "../components/bits.tsx";
import { BoardColumn, type ColumnHandle } from "../components/board-column.tsx";
import { ClaimNextButton } from "../components/command-button.tsx";
import { SearchField } from "../components/forms.tsx";
import { showTab, trackTabStrip } from "../components/tab-strip.ts";
import { formatCount, plural } from "../format.ts";
import { ACTIONS, type ActionKind, ActionKinds } from "../lifecycle-model.ts";
import { createDisclosure } from "../popup.ts";
import { useSession } from "../session-context.tsx";
import { useWorkspace } from "../workspace.tsx";

/** The actions of the bulk bar kept in its one row on a phone; the others are behind "More". */
const PHONE_BULK_ACTIONS: readonly ActionKind[] = ["snooze"];

export function BoardPage() {
	const ws = useWorkspace();
	const { boardTab: activeStatus, setBoardTab: setActiveStatus } = ws;
	const { onNoBoard, session } = useSession();
	const handles = new Map<string, ColumnHandle>();
	const tags = createMemo(() => boardTags(ws.board().mentions));
	const shown = createMemo(() => ws.columns().reduce((n, column) => n + column.mentions.length, 0));
	const total = createMemo(() => ws.board().mentions.length);
	// Column definitions are constants, so <For> keeps each column (and its scroll) alive
	// while the cards in it change.
	const visibleColumns = createMemo(() =>
		ws.filters.showDone ? [...BOARD_COLUMNS, ...DONE_COLUMNS] : BOARD_COLUMNS,
	);
	const cardsByStatus = createMemo(
		() => new Map(ws.columns().map((column) => [column.status, column.mentions])),
	);
	const filtered = () =>
		JSON.stringify({ ...ws.filters, showDone: false }) !==
		JSON.stringify({ ...EMPTY_FILTERS, showDone: false });
	/** Filters set besides the search, which stays in view: the count on the Filters button. */
	const hiddenFilters = createMemo(
		() =>
			[ws.filters.network, ws.filters.priority, ws.filters.tag].filter(Boolean).length +
			[ws.filters.unclaimed, ws.filters.mine, ws.filters.showDone].filter(Boolean).length,
	);
	/**
	 * A column the search and the filters leave empty while others keep matches. A phone shows
	 * one column: it says where the matches are, a tap away, rather than "Nothing here.".
	 */
	const noMatchHere = (status: MentionStatus) => {
		const elsewhere = () =>
			visibleColumns()
				.filter((column) => column.status !== status)
				.map((column) => ({ column, count: cardsByStatus().get(column.status)?.length ?? 0 }))
				.filter(({ count }) => count > 0);
		return (
			<div class="column-empty" data-testid="column-no-match">
				<p>No match here.</p>
				<Show when={elsewhere().length > 0}>
					<div class="column-elsewhere">
						<For each={elsewhere()}>
							{({ column, count }) => (
								<button
									type="button"
									class="button button-small"
									onClick={() => setActiveStatus(column.status)}
									data-testid="column-elsewhere"
								>
									{formatCount(count)} in {column.title}
								</button>
							)}
						</For>
					</div>
				</Show>
			</div>
		);
	};
	const { open: filtersOpen, toggle: filtersToggle } = createDisclosure("filter-options");
	const { open: moreOpen, setOpen: setMoreOpen, toggle: moreToggle } = createDisclosure("bulk-bar");
	// A new selection starts with the bar folded.
	createEffect(() => {
		if (ws.selection().length === 0) setMoreOpen(false);
	});
	// A hidden done column cannot stay the shown tab.
	createEffect(() => {
		if (!visibleColumns().some((column) => column.status === activeStatus()))
			setActiveStatus("new");
	});
	const tabs: HTMLButtonElement[] = [];
	let statusStrip: HTMLDivElement | undefined;
	// The shown status's tab in view, clear of the fades: chosen by a tap at the edge, an
	// arrow key, or a card selected in another column.
	createEffect(() => {
		const at = visibleColumns().findIndex((column) => column.status === activeStatus());
		const chosen = tabs[at];
		if (statusStrip?.isConnected && chosen?.isConnected) showTab(statusStrip, chosen);
	});
	/** Arrow keys move between the tabs, as in every tab list. */
	const onTabKey = (event: KeyboardEvent, index: number) => {
		const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
		if (step === 0) return;
		event.preventDefault();
		const columns = visibleColumns();
		const next = (index + step + columns.length) % columns.length;
		const column = columns[next];
		if (!column) return;
		setActiveStatus(column.status);
		tabs[next]?.focus();
	};

	// j/k and a focus from elsewhere bring the selected card into view.
	createEffect(
		on(ws.selectedId, (id) => {
			if (!id) return;
			for (const column of ws.columns()) {
				const index = column.mentions.findIndex((mention) => mention.id === id);
				if (index !== -1) {
					setActiveStatus(column.status);
					handles.get(column.status)?.reveal(index, id);
					return;
				}
			}
		}),
	);

	return (
		<div class="board-page">
			<h1 class="sr-only">Board</h1>
			<div class="toolbar">
				<form class="filters" aria-label="Filter the board" onSubmit={(e) => e.preventDefault()}>
					<SearchField
						id="filter-search"
						label="Search author or text"
						placeholder="Author or text…"
						value={ws.filters.search}
						onInput={(value) => ws.setFilters("search", value)}
					/>
					<FiltersToggle
						toggle={filtersToggle}
						count={hiddenFilters()}
						counted=" set"
						class="filters-toggle"
						testId="filters-toggle"
					/>
					<div
						id="filter-options"
						class="filter-options"
						classList={{ "filter-options-open": filtersOpen() }}
					>
						<FilterSelect
							name="network"
							label="Network"
							all="All networks"
							options={Networks}
							labelOf={(network) => NETWORK_LABELS[network]}
						/>
						<FilterSelect
							name="priority"
							label="Priority"
							all="All priorities"
							options={Priorities}
							labelOf={(priority) => PRIORITY_LABELS[priority]}
						/>
						<FilterSelect
							name="tag"
							label="Tag"
							all="All tags"
							options={tags()}
							labelOf={(tag) => tag}
						/>
						<FilterCheck name="unclaimed" label="Unclaimed" />
						<FilterCheck name="mine" label="Mine" />
						<FilterCheck name="showDone" label="Show done" />
						<Show when={filtered()}>
							<button
								type="button"
								class="button button-ghost button-small"
								onClick={() => ws.setFilters({ ...EMPTY_FILTERS, showDone: ws.filters.showDone })}
							>
								Clear filters
							</button>
						</Show>
					</div>
				</form>
				<div class="toolbar-end">
					<span class="toolbar-count" aria-live="polite" data-testid="board-count">
						{/* Not "0 conversations" while the board is still loading. */}
						<Show when={ws.board().ready}>
							{shown() === total()
								? plural(total(), "conversation")
								: `${formatCount(shown())} of ${plural(total(), "conversation")}`}
						</Show>
					</span>
					<ClaimNextButton
						class="button button-primary"
						title="Claim the best open conversation for you (n)"
					>
						Claim next
					</ClaimNextButton>
				</div>
			</div>
			<Show when={ws.selection().length > 0}>
				{/* On a phone one row: the count, snooze, "More" for the rarer actions (they wrap
				    below it when opened) and clear; all of them in a row on a wide screen. */}
				<section
					id="bulk-bar"
					class="bulk-bar"
					classList={{ "bulk-more-open": moreOpen() }}
					aria-label="Selected conversations"
					data-testid="bulk-bar"
				>
					<span class="bulk-count" aria-live="polite" data-testid="bulk-count">
						{formatCount(ws.selection().length)}{" "}
						<span class="narrow-sr-only">
							{ws.selection().length === 1 ? "conversation" : "conversations"}
						</span>{" "}
						selected
					</span>
					<For each={ActionKinds}>
						{(kind) => (
							<button
								type="button"
								class="button button-small"
								classList={{ "bulk-rare": !PHONE_BULK_ACTIONS.includes(kind) }}
								aria-haspopup="dialog"
								onClick={() => ws.openAction(kind, [...ws.selection()])}
								data-testid={`bulk-${kind}`}
							>
								{ACTIONS[kind].label}…
							</button>
						)}
					</For>
					<button
						type="button"
						class="button button-small bulk-more"
						{...moreToggle}
						data-testid="bulk-more"
					>
						More
					</button>
					<button
						type="button"
						class="button button-small button-ghost bulk-clear"
						onClick={() => ws.clearSelection()}
						data-testid="bulk-clear"
					>
						<span class="bulk-clear-icon" aria-hidden="true">
							✕
						</span>
						<span class="narrow-sr-only">Clear selection</span>
					</button>
				</section>
			</Show>
			<Switch>
				<Match when={onNoBoard()}>
					<NoBoard />
				</Match>
				<Match when={!ws.board().ready}>
					<p class="board-loading" role="status">
						Loading the board…
					</p>
				</Match>
				<Match when={total() === 0}>
					<EmptyBoard
						admin={ws.me.role === "admin"}
						orgId={ws.me.orgId}
						boardId={session()?.boardId ?? "main"}
					/>
				</Match>
				<Match when={shown() === 0 && filtered()}>
					<NoMatch />
				</Match>
				<Match when={true}>
					<div
						class="status-tabs"
						role="tablist"
						aria-label="Statuses"
						ref={(element) => {
							statusStrip = element;
							// At 360 px the statuses overflow the row, which scrolls sideways.
							trackTabStrip(element);
						}}
						data-testid="status-tabs"
					>
						<For each={visibleColumns()}>
							{(column, index) => (
								<button
									ref={(element) => {
										tabs[index()] = element;
									}}
									type="button"
									role="tab"
									class="status-tab"
									id={`status-tab-${column.status}`}
									aria-selected={activeStatus() === column.status}
									aria-controls={`column-panel-${column.status}`}
									tabIndex={activeStatus() === column.status ? 0 : -1}
									onClick={() => setActiveStatus(column.status)}
									onKeyDown={(event) => onTabKey(event, index())}
									data-status={column.status}
								>
									{column.title}
									<span class="status-tab-count">
										{formatCount(cardsByStatus().get(column.status)?.length ?? 0)}
									</span>
								</button>
							)}
						</For>
					</div>
					<div class="columns" data-testid="board">
						<For each={visibleColumns()}>
							{(column) => (
								<BoardColumn
									status={column.status}
									title={column.title}
									active={activeStatus() === column.status}
									mentions={cardsByStatus().get(column.status) ?? []}
									empty={filtered() ? noMatchHere(column.status) : undefined}
									onReady={(handle) => handles.set(column.status, handle)}
								/>
							)}
						</For>
					</div>
				</Match>
			</Switch>
		</div>
	);
}

/**
 * The member is on no board (an admin took them off every one): said, where the board would be.
 * The client keeps trying the board, which opens here once they are put back.
 */
function NoBoard() {
	return (
		<div class="empty-state" role="status" data-testid="no-board">
			<p>You are not on any board yet.</p>
			<p class="muted">
				An admin of your organisation adds you to one in Admin › Members; it opens here as soon as
				they do.
			</p>
		</div>
	);
}

/**
 * The board when the search and the filters match no conversation: what matched nothing and
 * the way back, where eight columns (or a phone's one tab) each said "Nothing here.".
 */
function NoMatch() {
	const ws = useWorkspace();
	const search = () => ws.filters.search.trim();
	/** The filters that narrow the board, besides the search. */
	const narrowing = () =>
		[ws.filters.network, ws.filters.priority, ws.filters.tag].filter(Boolean).length +
		[ws.filters.unclaimed, ws.filters.mine].filter(Boolean).length;
	return (
		<div class="empty-state board-no-match" data-testid="board-no-match">
			<p>
				<Show when={search()} fallback="No conversation matches the filters.">
					{(text) => (
						<>
							No conversation matches “<strong>{text()}</strong>”
							{narrowing() > 0 ? " with the filters set." : "."}
						</>
					)}
				</Show>
			</p>
			<div class="board-no-match-actions">
				<Show when={search()}>
					<button
						type="button"
						class="button"
						onClick={() => ws.setFilters("search", "")}
						data-testid="no-match-clear-search"
					>
						Clear search
					</button>
				</Show>
				<Show when={narrowing() > 0}>
					<button
						type="button"
						class="button"
						onClick={() =>
							ws.setFilters({
								...EMPTY_FILTERS,
								search: ws.filters.search,
								showDone: ws.filters.showDone,
							})
						}
						data-testid="no-match-clear-filters"
					>
						Clear filters
					</button>
				</Show>
			</div>
		</div>
	);
}

/**
 * A board with no conversation at all (a new organisation): what to do first, instead of
 * eight columns that each say "Nothing here".
 */
function EmptyBoard(props: { admin: boolean; orgId: string; boardId: string }) {
	return (
		<div class="empty-state board-empty" data-testid="board-empty">
			<h2>No conversations yet</h2>
			<Show
				when={props.admin}
				fallback={
					<p class="muted">
						Mentions appear here as soon as your admins connect a source. Nothing to do until then.
					</p>
				}
			>
				<ol class="board-empty-steps">
					<li>
						<A href="/admin?tab=sources" data-testid="empty-connect-source">
							Connect a source
						</A>{" "}
						— a feed, a Mastodon or Bluesky search, or a webhook your tools post mentions to. Or
						import a file:{" "}
						<code>
							pnpm switchboard import mentions.csv --org {props.orgId}
							{/* Without it, a second board's import went to the first. */}
							{props.boardId === "main" ? "" : ` --board ${props.boardId}`}
						</code>
						.
					</li>
					<li>
						<A href="/admin?tab=members" data-testid="empty-invite-team">
							Invite your team
						</A>{" "}
						— one by one or from a CSV of your colleagues; each gets a link to join.
					</li>
					<li>Claim the first conversation that comes in, and answer it together.</li>
				</ol>
			</Show>
		</div>
	);
}

type SelectFilter = "network" | "priority" | "tag";
type CheckFilter = "unclaimed" | "mine" | "showDone";

/** One of the board's yes-or-no filters, a checkbox (test id `filter-<name>`). */
function FilterCheck(props: { name: CheckFilter; label: string }) {
	const ws = useWorkspace();
	return (
		<label class="check">
			<input
				type="checkbox"
				checked={ws.filters[props.name]}
				onChange={(e) => ws.setFilters(props.name, e.currentTarget.checked)}
				data-testid={`filter-${props.name}`}
			/>
			{props.label}
		</label>
	);
}

/**
 * One of the board's choice filters: `all` ("All networks"), or one of `options`. The unset
 * choice names what it filters, so that on a wide screen the filters fit the toolbar's one
 * row with their labels left to screen readers (shown in the folded filters of a phone,
 * responsive.css).
 */
function FilterSelect<K extends SelectFilter>(props: {
	name: K;
	label: string;
	all: string;
	options: readonly Exclude<BoardFilters[K], "">[];
	labelOf: (option: Exclude<BoardFilters[K], "">) => string;
}) {
	const ws = useWorkspace();
	const id = () => `filter-${props.name}`;
	return (
		<div class="field">
			<label class="sr-only filter-label" for={id()}>
				{props.label}
			</label>
			<select
				id={id()}
				value={ws.filters[props.name]}
				onChange={(e) => ws.setFilters(props.name, e.currentTarget.value as BoardFilters[K])}
				data-testid={id()}
			>
				<option value="">{props.all}</option>
				<For each={props.options}>
					{(option) => <option value={option}>{props.labelOf(option)}</option>}
				</For>
			</select>
		</div>
	);
}
