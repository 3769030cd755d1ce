/**
 * The header: where I am, whether my work reached the server, who is online, and me. On a
 * narrow screen the links, the people online, help and Sign out fold into a menu opened by
 * one button; the sync status stays in the bar, since it matters most when offline.
 */

import { A, useLocation, useNavigate } from "@solidjs/router";
import type { Board } from "@switchboard/domain";
import { createEffect, createMemo, on, onCleanup, Show } from "solid-js";
import { createLoader, useApi } from "../api.ts";
import { myOpen } from "../board-model.ts";
import { useSessionEnded } from "../client-context.tsx";
import { canInstall } from "../install.ts";
import { closeOnEscapeOrOutside, createDisclosure } from "../popup.ts";
import { boardOf, takeBoardsReadWith } from "../session.ts";
import { useSession } from "../session-context.tsx";
import { syncStatusView } from "../sync-status.ts";
import { useWorkspace } from "../workspace.tsx";
import { Avatar, AvatarStack } from "./bits.tsx";
import { BoardSelect } from "./board-select.tsx";
import { InstallButton } from "./install-offer.tsx";
import { ModeratorNav } from "./moderator-nav.tsx";
import { NotificationBell } from "./notification-bell.tsx";
import { SignOutButton } from "./session-dialogs.tsx";

/**
 * Online, connecting, offline or signed out, and how many of my changes the server does
 * not have yet (`syncStatusView` says which words and whether it warns).
 */
export function SyncIndicator() {
	const ws = useWorkspace();
	const ended = useSessionEnded();
	const unsynced = () => ws.status().pendingCommands + ws.status().unsyncedDrafts;
	const connection = () => ws.status().connection;
	const view = createMemo(() =>
		syncStatusView({ connection: connection(), sessionEnded: ended.ended(), unsynced: unsynced() }),
	);
	return (
		<div
			class="sync"
			classList={{
				"sync-online": view().state === "online",
				"sync-connecting": view().state === "connecting",
				"sync-warn": view().warns,
			}}
			data-testid="sync-status"
			data-online={ws.status().online ? "true" : "false"}
			data-connection={connection()}
			data-state={view().state}
			data-unsynced={unsynced()}
			role="status"
		>
			<span class="sync-dot" aria-hidden="true" />
			<span class="sync-state">{view().label}</span>
			<Show when={unsynced() > 0}>
				<span class="sync-count" aria-hidden="true">
					{unsynced()}
				</span>
			</Show>
			<Show when={view().detail}>
				<span class="sync-detail">{view().detail}</span>
			</Show>
		</div>
	);
}

/**
 * Which board (team) the workspace shows, when the member may open more than one: the
 * boards they are on (every board for moderators and admins), archived ones left out.
 * Choosing one reconnects the workspace to it.
 */
export function BoardSwitcher(props: { menuOpen: () => boolean }) {
	const api = useApi();
	const { session, switchBoard } = useSession();
	const navigate = useNavigate();
	const location = useLocation();
	// Sign-in (or leaving a refused board) has just read them to find the board: no second
	// request. A reload or a switch of board mounts this afresh and reads them again.
	const current = session();
	const boards = createLoader(api.boards, current ? takeBoardsReadWith(current) : undefined);
	// A board made since, or one the member was put on, shows without a reload: the list is read
	// again when the menu opens (a phone's way to the switcher), when the page is seen again,
	// when an admin leaves Admin and when the member's role changes (a moderator sees every
	// board). With one board the switcher is hidden, and nothing else would.
	const readAgain = async () => {
		const list = await api.boards().catch(() => undefined);
		// The same boards keep their options, so a picker open meanwhile is left alone.
		if (list && !sameBoards(list, boards.data())) boards.set(list);
	};
	createEffect(on(props.menuOpen, (open) => open && void readAgain(), { defer: true }));
	createEffect(
		on(
			() => session()?.me.role,
			() => void readAgain(),
			{ defer: true },
		),
	);
	createEffect(
		on(
			() => location.pathname.startsWith("/admin"),
			// Not deferred: `on` with `defer` records nothing on its first run, so an app opened on
			// Admin saw no `wasInAdmin` the first time it left.
			(inAdmin, wasInAdmin) => wasInAdmin && !inAdmin && void readAgain(),
		),
	);
	// The open board was archived (the first board's archive moves new work elsewhere) while
	// this device kept it as the one to open: it would show as empty, with nothing coming in and
	// no switcher when one board is left. Open a board the list offers instead.
	createEffect(() => {
		const list = boards.data();
		const open = session()?.boardId;
		if (!list?.length || open === undefined || list.some((board) => board.id === open)) return;
		switchBoard(boardOf(list, open));
	});
	const onVisible = () => document.visibilityState === "visible" && void readAgain();
	document.addEventListener("visibilitychange", onVisible);
	onCleanup(() => document.removeEventListener("visibilitychange", onVisible));
	return (
		<BoardSelect
			boards={boards.data()}
			value={session()?.boardId}
			onChange={(boardId) => {
				switchBoard(boardId);
				navigate("/");
			}}
			class="board-switcher"
			labelClass="board-switcher-label"
			testId="board-select"
		/>
	);
}

function sameBoards(
	a: readonly Pick<Board, "id" | "name">[],
	b: readonly Pick<Board, "id" | "name">[] | undefined,
): boolean {
	return (
		b !== undefined &&
		a.length === b.length &&
		a.every((board, i) => board.id === b[i]?.id && board.name === b[i]?.name)
	);
}

export function AppHeader() {
	const ws = useWorkspace();
	const queueCount = createMemo(() => myOpen(ws.board().mentions, ws.me.id).length);
	const others = createMemo(() => ws.board().online.filter((member) => member.id !== ws.me.id));

	const location = useLocation();
	const {
		open: menuOpen,
		setOpen: setMenuOpen,
		toggle: menuToggle,
	} = createDisclosure("header-menu");
	let menuButton: HTMLButtonElement | undefined;
	let menu: HTMLDivElement | undefined;

	// Asks first when the server does not have every change yet.

	// The menu closes when a link in it has done its work, on Escape (giving focus back to
	// its button) and on a tap outside it.
	createEffect(
		on(
			() => location.pathname,
			() => setMenuOpen(false),
			{ defer: true },
		),
	);
	closeOnEscapeOrOutside({
		open: menuOpen,
		close: () => setMenuOpen(false),
		button: () => menuButton,
		panel: () => menu,
	});

	return (
		<header class="app-header" classList={{ "menu-open": menuOpen() }}>
			<a href="#main" class="skip-link">
				Skip to content
			</a>
			<A href="/" class="brand" end>
				<img src="/favicon.svg" alt="" width="24" height="24" />
				<span class="brand-name">Switchboard</span>
			</A>
			<SyncIndicator />
			<NotificationBell />
			<button
				ref={menuButton}
				type="button"
				class="menu-button"
				{...menuToggle}
				data-testid="menu-button"
			>
				<span class="menu-icon" aria-hidden="true" />
				<span class="sr-only">Menu</span>
				<Show when={queueCount() > 0}>
					<span class="nav-count" aria-hidden="true">
						{queueCount()}
					</span>
				</Show>
			</button>
			<div ref={menu} id="header-menu" class="header-menu" data-testid="header-menu">
				<BoardSwitcher menuOpen={menuOpen} />
				<nav aria-label="Main" class="main-nav">
					<A href="/" end activeClass="active">
						Board
					</A>
					<A href="/queue" activeClass="active" data-testid="nav-queue">
						My queue
						<Show when={queueCount() > 0}>
							<span class="nav-count">{queueCount()}</span>
						</Show>
					</A>
					<A href="/history" activeClass="active" data-testid="nav-history">
						History
					</A>
					<ModeratorNav />
					<A href="/settings" activeClass="active" data-testid="nav-settings">
						Settings
					</A>
					<Show when={ws.me.role === "admin"}>
						<A href="/admin" activeClass="active" data-testid="nav-admin">
							Admin
						</A>
					</Show>
				</nav>
				<span class="toolbar-spacer" />
				<AvatarStack members={others()} label="Online now" max={5} testId="online" />
				<Show when={canInstall()}>
					<InstallButton
						class="button button-small button-on-dark header-install"
						testId="menu-install"
					/>
				</Show>
				<button
					type="button"
					class="icon-button header-button"
					onClick={() => {
						// The dialog gives focus back to what had it when it opened: the menu's button,
						// since this one is hidden with the menu (focus would fall to the page's body).
						menuButton?.focus();
						setMenuOpen(false);
						ws.setHelpOpen(true);
					}}
					aria-label="Help and shortcuts"
					title="Keyboard shortcuts (?)"
					data-testid="help-button"
				>
					?
					<span class="header-button-label" aria-hidden="true">
						Help and shortcuts
					</span>
				</button>
				<div class="me">
					{/* The name as the board's card has it: a change in Settings shows at once. */}
					<Avatar member={{ id: ws.me.id, name: ws.memberName(ws.me.id) }} size="medium" />
					<span class="me-name">
						{ws.memberName(ws.me.id)}
						<span class="me-role">{ws.me.role}</span>
					</span>
					<SignOutButton class="button button-small button-on-dark" testId="sign-out" />
				</div>
			</div>
		</header>
	);
}
