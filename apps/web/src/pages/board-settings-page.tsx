/**
 * A board's settings (admins): SLA targets, lease, approval rules, reply limits, templates,
 * one form per section (components/board-settings-sections.tsx lists them). Each save is
 * projected onto the live board at once, so every open card counts down to the new targets.
 */

import { A, useBeforeLeave, useNavigate, useParams } from "@solidjs/router";
import { HttpRoutes, type MemberListing } from "@switchboard/domain";
import { createSignal, For, onCleanup, Show } from "solid-js";
import { Dynamic } from "solid-js/web";
import { createLoader, type Loader, useApi } from "../api.ts";
import { BoardSelect } from "../components/board-select.tsx";
import {
	BOARD_SETTINGS_SECTIONS,
	type BoardSettingsPatch,
	UnsavedSettingsContext,
} from "../components/board-settings-sections.tsx";
import { Loaded } from "../components/forms.tsx";
import { formatList } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";
import { AdminsOnly } from "./admin-page.tsx";

export function BoardSettingsPage() {
	const ws = useWorkspace();
	return (
		<AdminsOnly what="A board's targets, lease, approval rules and templates are set by your organisation's admins.">
			<BoardSettingsArea orgId={ws.me.orgId} />
		</AdminsOnly>
	);
}

function BoardSettingsArea(props: { orgId: string }) {
	const params = useParams<{ boardId: string }>();
	const navigate = useNavigate();
	const api = useApi();
	const boards = createLoader(() => api.boards());
	const members = createLoader(async () => (await api.request(HttpRoutes.members, {})).members);
	const boardName = () =>
		boards.data()?.find((board) => board.id === params.boardId)?.name ?? params.boardId;
	return (
		<div class="page board-settings-page" data-testid="board-settings-page">
			<div class="page-heading">
				<nav aria-label="Breadcrumb" class="breadcrumb small">
					<A href="/admin?tab=boards">Admin › Boards</A>
				</nav>
				<h1>Settings of {boardName()}</h1>
				<BoardSelect
					boards={boards.data()}
					value={params.boardId}
					onChange={(boardId) => navigate(`/admin/boards/${encodeURIComponent(boardId)}`)}
					class="inline-field"
					labelClass="field-label"
					testId="settings-board-select"
				/>
			</div>
			<Show when={params.boardId} keyed>
				{(boardId) => (
					<BoardSettingsForms orgId={props.orgId} boardId={boardId} members={members} />
				)}
			</Show>
		</div>
	);
}

function BoardSettingsForms(props: {
	orgId: string;
	boardId: string;
	members: Loader<readonly MemberListing[]>;
}) {
	const api = useApi();
	const settings = createLoader(
		async () =>
			(await api.request(HttpRoutes.boardSettings, { params: { boardId: props.boardId } }))
				.settings,
	);
	// Sections with changes not saved: leaving the page (a link, the back button, another
	// board, closing the tab) asks first.
	const [unsaved, setUnsaved] = createSignal<ReadonlySet<string>>(new Set());
	const mark = (title: string, changed: boolean) =>
		setUnsaved((titles) => {
			if (titles.has(title) === changed) return titles;
			const next = new Set(titles);
			if (changed) next.add(title);
			else next.delete(title);
			return next;
		});
	useBeforeLeave((event) => {
		const titles = [...unsaved()];
		if (event.defaultPrevented || titles.length === 0) return;
		event.preventDefault();
		const which = formatList(titles);
		if (window.confirm(`Your changes to ${which} are not saved. Leave without them?`)) {
			setUnsaved(new Set<string>());
			event.retry(true);
		}
	});
	const beforeUnload = (event: BeforeUnloadEvent) => {
		if (unsaved().size > 0) event.preventDefault();
	};
	window.addEventListener("beforeunload", beforeUnload);
	onCleanup(() => window.removeEventListener("beforeunload", beforeUnload));
	const save = async (patch: BoardSettingsPatch) => {
		const answer = await api.request(HttpRoutes.saveBoardSettings, {
			params: { orgId: props.orgId, boardId: props.boardId },
			body: patch,
		});
		settings.set(answer.settings);
		return answer.settings;
	};
	return (
		<Loaded loader={settings} errorTestId="settings-load-error" loading="Loading settings…">
			{(loaded) => {
				// Read once (Show runs this untracked): a save keeps every section's fields as
				// they are, rather than remounting the sections with what the server answered.
				const initial = loaded();
				return (
					<UnsavedSettingsContext.Provider value={{ mark }}>
						<div class="settings-sections">
							<For each={BOARD_SETTINGS_SECTIONS}>
								{(section) => (
									<Dynamic
										component={section.component}
										orgId={props.orgId}
										boardId={props.boardId}
										settings={initial}
										members={props.members}
										save={save}
									/>
								)}
							</For>
						</div>
					</UnsavedSettingsContext.Provider>
				);
			}}
		</Loaded>
	);
}
