/**
 * The organisation's boards (teams), each with a link to its settings.
 */
import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import { createLoader, useApi } from "../api.ts";
import { FormError } from "./forms.tsx";

export function BoardsPanel(_props: { orgId: string }) {
	const api = useApi();
	const boards = createLoader(() => api.boards());
	return (
		<section class="admin-section" aria-labelledby="boards-title" data-testid="boards-panel">
			<div class="section-heading">
				<div>
					<h2 id="boards-title">Boards</h2>
					<p class="muted">
						Each board is a team with its own conversations, members and settings: service-level
						targets, lease, approval rules, reply limits and templates.
					</p>
				</div>
			</div>
			<FormError error={boards.error()} testId="boards-load-error" />
			<Show
				when={boards.data()}
				fallback={<p class="muted">{boards.error() ? "" : "Loading boards…"}</p>}
			>
				{(list) => (
					<ul class="board-list" data-testid="boards">
						<For each={list()}>
							{(board) => (
								<li class="board-row" data-testid="board-row" data-board-id={board.id}>
									<strong>{board.name}</strong>
									<A
										href={`/admin/boards/${encodeURIComponent(board.id)}`}
										class="button button-small"
										aria-label={`Settings of ${board.name}`}
										data-testid="board-settings-link"
									>
										Settings
									</A>
								</li>
							)}
						</For>
					</ul>
				)}
			</Show>
		</section>
	);
}
