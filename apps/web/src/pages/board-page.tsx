/** The live board: filters on top, one virtualised column per status. */
import { Networks, Priorities } from "@switchboard/domain";
import { createEffect, createMemo, For, on, Show } from "solid-js";
import {
	BOARD_COLUMNS,
	boardTags,
	DONE_COLUMNS,
	EMPTY_FILTERS,
	NETWORK_LABELS,
	PRIORITY_LABELS,
} from "../board-model.ts";
import { BoardColumn, type ColumnHandle } from "../components/board-column.tsx";
import { plural } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";

export function BoardPage() {
	const ws = useWorkspace();
	const handles = new Map<string, ColumnHandle>();
	const tags = createMemo(() => boardTags(ws.board().mentions));
	const shown = createMemo(() => ws.order().length);
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

	// j/k and a focus from elsewhere bring the selected card into view.
	createEffect(
		on(ws.selectedId, (id) => {
			if (!id) return;
			for (const column of ws.columns()) {
				const index = column.mentions.findIndex((mention) => mention.id === id);
				if (index !== -1) {
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
					<div class="field field-search">
						<label for="filter-search" class="sr-only">
							Search author or text
						</label>
						<input
							id="filter-search"
							type="search"
							placeholder="Search author or text…"
							value={ws.filters.search}
							onInput={(e) => ws.setFilters("search", e.currentTarget.value)}
							data-testid="filter-search"
						/>
					</div>
					<div class="field">
						<label for="filter-network">Network</label>
						<select
							id="filter-network"
							value={ws.filters.network}
							onChange={(e) =>
								ws.setFilters("network", e.currentTarget.value as typeof ws.filters.network)
							}
							data-testid="filter-network"
						>
							<option value="">All</option>
							<For each={Networks}>
								{(network) => <option value={network}>{NETWORK_LABELS[network]}</option>}
							</For>
						</select>
					</div>
					<div class="field">
						<label for="filter-priority">Priority</label>
						<select
							id="filter-priority"
							value={ws.filters.priority}
							onChange={(e) =>
								ws.setFilters("priority", e.currentTarget.value as typeof ws.filters.priority)
							}
							data-testid="filter-priority"
						>
							<option value="">All</option>
							<For each={Priorities}>
								{(priority) => <option value={priority}>{PRIORITY_LABELS[priority]}</option>}
							</For>
						</select>
					</div>
					<div class="field">
						<label for="filter-tag">Tag</label>
						<select
							id="filter-tag"
							value={ws.filters.tag}
							onChange={(e) => ws.setFilters("tag", e.currentTarget.value)}
							data-testid="filter-tag"
						>
							<option value="">All</option>
							<For each={tags()}>{(tag) => <option value={tag}>{tag}</option>}</For>
						</select>
					</div>
					<label class="check">
						<input
							type="checkbox"
							checked={ws.filters.unclaimed}
							onChange={(e) => ws.setFilters("unclaimed", e.currentTarget.checked)}
							data-testid="filter-unclaimed"
						/>
						Unclaimed
					</label>
					<label class="check">
						<input
							type="checkbox"
							checked={ws.filters.mine}
							onChange={(e) => ws.setFilters("mine", e.currentTarget.checked)}
							data-testid="filter-mine"
						/>
						Mine
					</label>
					<label class="check">
						<input
							type="checkbox"
							checked={ws.filters.showDone}
							onChange={(e) => ws.setFilters("showDone", e.currentTarget.checked)}
						/>
						Show done
					</label>
					<Show when={filtered()}>
						<button
							type="button"
							class="button button-ghost button-small"
							onClick={() => ws.setFilters({ ...EMPTY_FILTERS, showDone: ws.filters.showDone })}
						>
							Clear filters
						</button>
					</Show>
				</form>
				<div class="toolbar-end">
					<span class="toolbar-count" aria-live="polite" data-testid="board-count">
						{shown() === total()
							? plural(total(), "conversation")
							: `${shown().toLocaleString()} of ${plural(total(), "conversation")}`}
					</span>
					<button
						type="button"
						class="button button-primary"
						data-testid="claim-next"
						onClick={() => void ws.claimNext()}
						title="Claim the best open conversation for you (n)"
					>
						Claim next
					</button>
				</div>
			</div>
			<Show
				when={ws.board().ready}
				fallback={
					<p class="board-loading" role="status">
						Loading the board…
					</p>
				}
			>
				<div class="columns" data-testid="board">
					<For each={visibleColumns()}>
						{(column) => (
							<BoardColumn
								status={column.status}
								title={column.title}
								mentions={cardsByStatus().get(column.status) ?? []}
								onReady={(handle) => handles.set(column.status, handle)}
							/>
						)}
					</For>
				</div>
			</Show>
		</div>
	);
}
