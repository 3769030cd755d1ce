/**
 * The signed-in workspace: the board as signals, the filters and the selected card that
 * the board and the conversation view share, commands with their outcome told to the
 * user, and the keyboard shortcuts.
 */

import { createLazyMemo } from "@solid-primitives/memo";
import { useLocation, useNavigate } from "@solidjs/router";
import type {
	BoardMention,
	BoardSnapshot,
	CommandResult,
	Me,
	SwitchboardClient,
	SyncStatus,
} from "@switchboard/client";
import { describeRefusal, isNoticeReject } from "@switchboard/client";
import {
	type BulkItemInput,
	type CommandInput,
	type MemberCard,
	type MentionStatus,
	type Priority,
	parseBulkResult,
} from "@switchboard/domain";
import {
	type Accessor,
	createContext,
	createEffect,
	createMemo,
	createSignal,
	type JSX,
	on,
	onCleanup,
	onMount,
	type Setter,
} from "solid-js";
import { createStore, type SetStoreFunction } from "solid-js/store";
import {
	type BoardColumn,
	type BoardFilters,
	boardColumns,
	columnOrder,
	EMPTY_FILTERS,
	indexById,
	type MentionIndex,
} from "./board-model.ts";
import { useClient, useStore } from "./client-context.tsx";
import type { Focusable } from "./focus.ts";
import { prepareFormats } from "./format.ts";
import type { HistoryPlaces } from "./history-place.ts";
import {
	ACTIONS,
	type ActionKind,
	commandFor,
	describeBulk,
	priorityTargets,
} from "./lifecycle-model.ts";
import { useRequiredContext } from "./required-context.ts";
import { useSession } from "./session-context.tsx";
import { useToasts } from "./toasts.tsx";

export interface Workspace {
	client: SwitchboardClient;
	/** The signed-in member as the server says now: their role may change while they work. */
	readonly me: Me;
	board: Accessor<BoardSnapshot>;
	status: Accessor<SyncStatus>;
	/** The current time, ticking every few seconds, for ages and SLA timers. */
	now: Accessor<number>;
	/** Mentions by id. */
	mentionsById: Accessor<MentionIndex>;
	membersById: Accessor<Map<string, MemberCard>>;
	/** A member's name, or a placeholder when the board does not know them (yet). */
	memberName(memberId: string): string;
	filters: BoardFilters;
	setFilters: SetStoreFunction<BoardFilters>;
	/** The visible columns after filters. */
	columns: Accessor<BoardColumn[]>;
	/** Every visible card, column after column: the order j/k walk. */
	order: Accessor<BoardMention[]>;
	selectedId: Accessor<string | null>;
	setSelectedId: Setter<string | null>;
	/**
	 * The status a phone's board shows, one at a time: it outlives the board page, so coming
	 * back from a conversation keeps it, and not the session (the next sign-in starts on New).
	 */
	boardTab: Accessor<MentionStatus>;
	setBoardTab: Setter<MentionStatus>;
	helpOpen: Accessor<boolean>;
	setHelpOpen: Setter<boolean>;
	/** Send a command; a refusal is told by the reject toast, a success optionally here. */
	run(command: CommandInput, success?: string): Promise<CommandResult>;
	/** Claim the best open conversation for me and open it. */
	claimNext(): Promise<void>;
	open(mentionId: string): void;
	/** Cards picked for a bulk action (x, or their checkbox), in the order picked. */
	selection: Accessor<readonly string[]>;
	toggleSelected(mentionId: string): void;
	clearSelection(): void;
	/** What the shortcuts and the action dialog act on: the selection, else the current one. */
	targets(): string[];
	/** The action dialog's state: which form, on which conversations; null when closed. */
	action: Accessor<ActionState | null>;
	/**
	 * Opens the action dialog. `focusAfter` says where the focus goes once the dialog closes
	 * when what opened it went with what the action changed (Dismiss… once dismissed).
	 */
	openAction(
		kind: ActionKind,
		mentionIds?: string[],
		focusAfter?: () => Focusable | null | undefined,
	): void;
	closeAction(): void;
	/**
	 * Apply one command to each conversation: the command for one, a bulk command for
	 * several; tells the outcome (per conversation for a bulk) and clears the selection
	 * when it was the selection that was acted on. Resolves true when all were applied.
	 */
	applyTo(
		mentionIds: readonly string[],
		item: (id: string) => BulkItemInput,
		done: string,
	): Promise<boolean>;
	/** Set the priority of the conversations whose priority differs. */
	setPriority(mentionIds: readonly string[], priority: Priority): Promise<boolean>;
	/** Where History was left, to come back to (history-place.ts). */
	historyPlaces: HistoryPlaces;
}

/** What the action dialog is open for. */
export interface ActionState {
	kind: ActionKind;
	mentionIds: string[];
	/** See `Workspace.openAction`. */
	focusAfter?: (() => Focusable | null | undefined) | undefined;
}

const WorkspaceContext = createContext<Workspace>();

/** How often ages and SLA timers move on, in ms. */
const TICK_MS = 10_000;

/** The actions whose dialog one key opens (d, s, e, t: see ACTIONS), by that key. */
const DIALOG_KEYS: ReadonlyMap<string, ActionKind> = new Map(
	(["dismiss", "snooze", "escalate", "tags"] as const).map((kind) => [ACTIONS[kind].key, kind]),
);

/** A claimNext answered later than this (queued offline) does not pull the user away. */
const FOLLOW_CLAIM_MS = 5_000;

function isTypingTarget(target: EventTarget | null): boolean {
	if (!(target instanceof HTMLElement)) return false;
	return (
		target.isContentEditable ||
		// A card's checkbox keeps the shortcuts: pick cards, then act on them.
		(target instanceof HTMLInputElement && target.type !== "checkbox" && target.type !== "radio") ||
		target instanceof HTMLTextAreaElement ||
		target instanceof HTMLSelectElement ||
		target.closest("[contenteditable='true'], .cm-editor") !== null
	);
}

export function WorkspaceProvider(props: { children: JSX.Element }) {
	const client = useClient();
	const toasts = useToasts();
	const navigate = useNavigate();
	const location = useLocation();
	// The board's first complete data (a 10,000-card board's last slice from its worker) comes
	// to the page a task after the task that took it in: what the page builds from it (the
	// derived lists and the columns) is a task of its own, and the first cards the one after
	// (board-column.tsx), none of them long enough to make the page feel stuck.
	const board = useStore(client.board, (next, shown) => next.ready && !shown.ready);
	const status = useStore(client.status);

	// The board's first render formats counts and sorts tags: the locale's data for both is
	// read in while the board is on its way rather than in that render.
	if ("requestIdleCallback" in window) requestIdleCallback(prepareFormats, { timeout: 1_000 });
	else setTimeout(prepareFormats, 0);

	const [now, setNow] = createSignal(Date.now());
	const timer = setInterval(() => setNow(Date.now()), TICK_MS);
	onCleanup(() => clearInterval(timer));

	const mentions = createMemo(() => board().mentions);
	const members = createMemo(() => board().members);
	const mentionsById = createMemo(() => indexById(mentions()));
	const membersById = createMemo(() => new Map(members().map((m) => [m.id, m])));

	const [filters, setFilters] = createStore<BoardFilters>({ ...EMPTY_FILTERS });
	// Worked out when read: only the board shows them, and on the other pages (the queue,
	// History, Settings) a phone sorted every card on each change of the board for nothing.
	const columns = createLazyMemo(() => boardColumns(mentions(), { ...filters }, client.me.id));
	// Walked only when j or k is pressed: not a list to build on every change of the board.
	const order = () => columnOrder(columns());

	const [selectedId, setSelectedId] = createSignal<string | null>(null);
	const [boardTab, setBoardTab] = createSignal<MentionStatus>("new");
	// Every set notifies: `?` pressed in the turn Escape closed the help finds the signal still
	// true (the dialog's close event is queued), and must still open the dialog again.
	const [helpOpen, setHelpOpen] = createSignal(false, { equals: false });

	/** The conversation on screen, from the route. */
	const viewing = (): string | null => {
		const match = location.pathname.match(/^\/m\/([^/]+)/);
		return match?.[1] ? decodeURIComponent(match[1]) : null;
	};
	const handleOf = (mentionId: string) => mentionsById().get(mentionId)?.author.handle;

	onCleanup(
		client.onReject((result) => {
			toasts.notify(
				isNoticeReject(result.reject) ? "info" : "error",
				describeRefusal(result, { handleOf, viewing: viewing() }),
			);
		}),
	);

	const [selection, setSelection] = createSignal<readonly string[]>([]);
	const toggleSelected = (mentionId: string) =>
		setSelection((list) =>
			list.includes(mentionId) ? list.filter((id) => id !== mentionId) : [...list, mentionId],
		);
	const clearSelection = () => setSelection([]);
	// A card that left the board (archived) cannot stay selected.
	const liveSelection = createMemo(() => selection().filter((id) => mentionsById().has(id)));

	const [action, setAction] = createSignal<ActionState | null>(null);

	// The action dialog belongs to the page it was opened on. Going elsewhere with it open (the
	// back button or a swipe back, a notification's link, Claim next's answer following the
	// claim) closes it, so that its buttons never act on a conversation no longer on screen.
	// The help acts on nothing and stays: `?` pressed while Claim next's answer is on its way
	// keeps the help it opened.
	createEffect(
		on(
			() => location.pathname,
			() => setAction(null),
			{ defer: true },
		),
	);

	const memberName = (memberId: string) =>
		membersById().get(memberId)?.name ?? (memberId === client.me.id ? client.me.name : "someone");

	const open = (mentionId: string) => {
		setSelectedId(mentionId);
		navigate(`/m/${encodeURIComponent(mentionId)}`);
	};

	const run = async (command: CommandInput, success?: string) => {
		const result = await client.send(command);
		if (result.ok && success) toasts.notify("info", success);
		return result;
	};

	const claimNext = async () => {
		const started = Date.now();
		const result = await client.send({ name: "claimNext", args: {} });
		if (!result.ok) return;
		const mentionId = result.result?.mentionId;
		if (typeof mentionId !== "string") return;
		const handle = mentionsById().get(mentionId)?.author.handle;
		if (Date.now() - started <= FOLLOW_CLAIM_MS) {
			open(mentionId);
		} else {
			toasts.notify("info", handle ? `You now own the conversation with @${handle}.` : "Claimed.");
		}
	};

	/** The conversation the shortcuts act on: the open one, else the selected card. */
	const current = (): BoardMention | undefined => {
		const id = viewing() ?? selectedId();
		return id ? mentionsById().get(id) : undefined;
	};

	const targets = (): string[] => {
		// The selection is the board's; on a conversation page the open one is the target.
		const picked = liveSelection();
		if (picked.length > 0 && viewing() === null) return [...picked];
		const mention = current();
		return mention ? [mention.id] : [];
	};

	const openAction = (
		kind: ActionKind,
		mentionIds: string[] = targets(),
		focusAfter?: () => Focusable | null | undefined,
	) => {
		if (mentionIds.length === 0) return;
		setAction({ kind, mentionIds, focusAfter });
	};

	const applyTo = async (
		mentionIds: readonly string[],
		item: (id: string) => BulkItemInput,
		done: string,
	): Promise<boolean> => {
		if (mentionIds.length === 0) return true;
		const wasSelection =
			mentionIds.length > 1 ||
			(mentionIds.length === 1 && liveSelection().includes(mentionIds[0]!));
		const command = commandFor(mentionIds, item);
		const result = await client.send(command);
		if (!result.ok) return false;
		if (wasSelection) clearSelection();
		if (command.name !== "bulk") {
			toasts.notify("info", `${done}.`);
			return true;
		}
		const bulk = parseBulkResult(result.result);
		if (!bulk) return true;
		const told = describeBulk(done, bulk.items, handleOf);
		toasts.notify(told.kind, told.message);
		return told.kind === "info";
	};

	const setPriority = (mentionIds: readonly string[], priority: Priority) => {
		const mentions = mentionIds.flatMap((id) => mentionsById().get(id) ?? []);
		return applyTo(
			priorityTargets(mentions, priority),
			(mentionId) => ({ name: "setPriority", args: { mentionId, priority } }),
			`Priority set to ${priority}`,
		);
	};

	const move = (step: 1 | -1) => {
		const list = order();
		if (list.length === 0) return;
		const at = list.findIndex((mention) => mention.id === current()?.id);
		const next =
			at === -1
				? step === 1
					? 0
					: list.length - 1
				: Math.min(list.length - 1, Math.max(0, at + step));
		const target = list[next];
		if (!target) return;
		setSelectedId(target.id);
		if (location.pathname.startsWith("/m/")) open(target.id);
	};

	const onKeyDown = (event: KeyboardEvent) => {
		if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
		// A modal dialog open in the page, not the helpOpen signal, decides: Escape hides the
		// dialog at once but its close event (which clears the signal) is a queued task, and
		// Chromium runs input first, so a key pressed right after Escape was swallowed.
		if (document.querySelector("dialog:modal") || isTypingTarget(event.target)) return;
		const target = event.target instanceof HTMLElement ? event.target : null;
		// Enter keeps its meaning on buttons and links; it opens only from a card or the page.
		if (event.key === "Enter" && target?.closest("button, a, summary")) return;
		const mention = current();
		const picked = targets();
		const hasTargets = () => picked.length > 0;
		switch (event.key) {
			case "?":
				setHelpOpen(true);
				break;
			case "j":
				move(1);
				break;
			case "k":
				move(-1);
				break;
			case "o":
			case "Enter":
				if (!mention) return;
				open(mention.id);
				break;
			case "c":
			case "r":
				if (!mention) return;
				void run({
					name: event.key === "c" ? "claim" : "release",
					args: { mentionId: mention.id },
				});
				break;
			case "n":
				void claimNext();
				break;
			case "x":
				if (!mention || viewing() !== null) return;
				toggleSelected(mention.id);
				break;
			case "Escape":
				if (liveSelection().length === 0) return;
				clearSelection();
				break;
			case "C":
				// Shift, not Caps Lock: a claim typed with Caps Lock on must not close.
				if (!hasTargets() || !event.shiftKey) return;
				void applyTo(picked, (mentionId) => ({ name: "close", args: { mentionId } }), "Closed");
				break;
			case "O":
				if (!hasTargets() || !event.shiftKey) return;
				void applyTo(picked, (mentionId) => ({ name: "reopen", args: { mentionId } }), "Reopened");
				break;
			case "1":
			case "2":
			case "3":
				if (!hasTargets()) return;
				void setPriority(picked, (["high", "normal", "low"] as const)[Number(event.key) - 1]!);
				break;
			default: {
				const kind = DIALOG_KEYS.get(event.key);
				if (!kind || !hasTargets()) return;
				openAction(kind, picked);
			}
		}
		event.preventDefault();
	};
	onMount(() => document.addEventListener("keydown", onKeyDown));
	onCleanup(() => document.removeEventListener("keydown", onKeyDown));

	const { session } = useSession();
	const workspace: Workspace = {
		client,
		get me() {
			return session()?.me ?? client.me;
		},
		board,
		status,
		now,
		mentionsById,
		membersById,
		memberName,
		filters,
		setFilters,
		columns,
		order,
		selectedId,
		setSelectedId,
		boardTab,
		setBoardTab,
		helpOpen,
		setHelpOpen,
		run,
		claimNext,
		open,
		selection: liveSelection,
		toggleSelected,
		clearSelection,
		targets,
		action,
		openAction,
		closeAction: () => setAction(null),
		applyTo,
		setPriority,
		historyPlaces: { left: null },
	};
	return <WorkspaceContext.Provider value={workspace}>{props.children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): Workspace {
	return useRequiredContext(WorkspaceContext, "useWorkspace", "WorkspaceProvider");
}
