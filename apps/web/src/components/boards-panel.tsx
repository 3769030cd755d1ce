/**
 * Admin › Boards: the organisation's boards (teams). Create one, rename it, archive it or
 * bring it back, and open its settings. Who is on a board is set per member under
 * Admin › Members.
 */
import { A } from "@solidjs/router";
import { type Board, HttpRoutes } from "@switchboard/domain";
import { createSignal, createUniqueId, Index, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import {
	ActionButton,
	AdminSection,
	ConfirmButton,
	FormActions,
	FormError,
	Loaded,
	submitHandler,
	TextField,
} from "./forms.tsx";

export function BoardsPanel(props: { orgId: string }) {
	const api = useApi();
	const boards = createLoader(
		async () => (await api.request(HttpRoutes.boards, { query: { include: "archived" } })).boards,
	);
	const replace = (next: Board) =>
		boards.set((boards.data() ?? []).map((board) => (board.id === next.id ? next : board)));
	return (
		<AdminSection
			name="boards"
			title="Boards"
			intro="Each board is a team with its own conversations, members and settings: service-level targets, lease, approval rules, reply limits and templates. Ambassadors see the boards they are on (set under Members); moderators and admins see every board."
		>
			<NewBoardForm
				orgId={props.orgId}
				onCreated={(board) => boards.set([...(boards.data() ?? []), board])}
			/>
			<Loaded loader={boards} errorTestId="boards-load-error" loading="Loading boards…">
				{(list) => (
					<ul class="board-list" data-testid="boards">
						{/* By place, not by object: a changed board is a new object, and its row (with the
						    button that had the focus) must stay the same row. */}
						<Index each={list()}>
							{(board) => <BoardRow orgId={props.orgId} board={board()} onChanged={replace} />}
						</Index>
					</ul>
				)}
			</Loaded>
		</AdminSection>
	);
}

function NewBoardForm(props: { orgId: string; onCreated: (board: Board) => void }) {
	const api = useApi();
	const id = createUniqueId();
	const [name, setName] = createSignal("");
	const [problem, setProblem] = createSignal<string | undefined>();
	let input: HTMLInputElement | undefined;
	const create = createAction(async () => {
		const { board } = await api.request(HttpRoutes.createBoard, {
			params: { orgId: props.orgId },
			body: { name: name() },
		});
		props.onCreated(board);
		setName("");
	});
	return (
		<form
			class="new-board"
			onSubmit={submitHandler(() => {
				// Spaces pass the browser's `required`, and the server would refuse them.
				setProblem(name().trim() ? undefined : "Give the board a name.");
				if (problem()) input?.focus();
				// Created, the emptied field is ready for the next one.
				else void create.run().then((ok) => ok && input?.focus());
			})}
			data-testid="new-board"
		>
			<TextField
				id={`${id}-name`}
				ref={input}
				label="New board"
				hint="A team: support, press, a region. Its id comes from the name."
				value={name()}
				onInput={setName}
				error={problem()}
				required
				maxLength={200}
				testId="new-board-name"
			/>
			<FormActions
				error={create.error()}
				errorTestId="new-board-error"
				label="Create board"
				busyLabel="Creating…"
				busy={create.busy()}
				testId="create-board"
			/>
		</form>
	);
}

function BoardRow(props: { orgId: string; board: Board; onChanged: (board: Board) => void }) {
	const api = useApi();
	const id = createUniqueId();
	const [renaming, setRenaming] = createSignal(false);
	const [name, setName] = createSignal(props.board.name);
	// Each control gives way to another: the focus follows to it, not to the page itself.
	let renameButton: HTMLButtonElement | undefined;
	let nameInput: HTMLInputElement | undefined;
	let archiveButton: HTMLButtonElement | undefined;
	let bringBackButton: HTMLButtonElement | undefined;
	const stopRenaming = () => {
		setRenaming(false);
		renameButton?.focus();
	};
	const change = createAction(async (body: { name?: string; archived?: boolean }) => {
		const { board } = await api.request(HttpRoutes.updateBoard, {
			params: { orgId: props.orgId, boardId: props.board.id },
			body,
		});
		props.onChanged(board);
		setRenaming(false);
	});
	return (
		<li
			class="board-row"
			classList={{ "board-archived": props.board.archivedAt !== null }}
			data-testid="board-row"
			data-board-id={props.board.id}
		>
			<Show
				when={renaming()}
				fallback={
					<strong class="board-row-name">
						{props.board.name}
						<Show when={props.board.archivedAt}>
							<span class="badge" data-testid="board-archived">
								Archived
							</span>
						</Show>
					</strong>
				}
			>
				<form
					class="board-rename"
					// Escape cancels, as it does the Archive question.
					onKeyDown={(event) => {
						if (event.key !== "Escape") return;
						event.preventDefault();
						setName(props.board.name);
						stopRenaming();
					}}
					onSubmit={submitHandler(
						() => void change.run({ name: name() }).then((ok) => ok && renameButton?.focus()),
					)}
				>
					<TextField
						id={`${id}-name`}
						ref={nameInput}
						label={`New name for ${props.board.name}`}
						value={name()}
						onInput={setName}
						required
						maxLength={200}
						testId="board-name"
					/>
					<FormActions
						label="Save name"
						busy={change.busy()}
						testId="board-rename-save"
						onCancel={() => {
							setName(props.board.name);
							stopRenaming();
						}}
					/>
				</form>
			</Show>
			<FormError error={change.error()} testId="board-error" />
			<div class="admin-item-actions">
				<Show when={!renaming()}>
					<button
						ref={renameButton}
						type="button"
						class="button button-small"
						onClick={() => {
							setRenaming(true);
							nameInput?.focus();
						}}
						aria-label={`Rename ${props.board.name}`}
						data-testid="board-rename"
					>
						Rename
					</button>
				</Show>
				<A
					href={`/admin/boards/${encodeURIComponent(props.board.id)}`}
					class="button button-small"
					aria-label={`Settings of ${props.board.name}`}
					data-testid="board-settings-link"
				>
					Settings
				</A>
				<Show
					when={props.board.archivedAt === null}
					fallback={
						<ActionButton
							action={change}
							args={[{ archived: false }]}
							class="button button-small"
							ref={(element) => {
								bringBackButton = element;
							}}
							focusAfter={() => archiveButton}
							testId="board-unarchive"
						>
							Bring back
						</ActionButton>
					}
				>
					<ConfirmButton
						label="Archive"
						question={`Archive ${props.board.name}? It becomes read-only and leaves the board switcher; its conversations stay in History, and new mentions routed to it go to the first board.`}
						confirmLabel="Archive"
						busy={change.busy()}
						onConfirm={() => change.run({ archived: true })}
						ref={(element) => {
							archiveButton = element;
						}}
						focusAfter={() => bringBackButton}
						testId="board-archive"
						accessibleLabel={`Archive ${props.board.name}`}
					/>
				</Show>
			</div>
		</li>
	);
}
