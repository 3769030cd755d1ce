/**
 * The client SDK's public shape: what the web app, tests and benchmarks program
 * against. Framework-agnostic: stores expose `get()` and `subscribe()`, so Solid (or
 * anything else) wraps them in its own reactivity.
 */

import type { HocuspocusProvider } from "@hocuspocus/provider";
import type {
	BoardSettings,
	CommandInput,
	Member,
	MemberCard,
	Mention,
	MentionWork,
	NotificationsMessage,
	Reject,
	Role,
	SlaBreachEntry,
} from "@switchboard/domain";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";

/** A readable, subscribable value. `subscribe` calls the listener on every change (not at once). */
export interface Store<T> {
	get(): T;
	subscribe(listener: (value: T) => void): () => void;
}

/** Who is signed in. */
export interface Me {
	id: string;
	orgId: string;
	role: Role;
	name: string;
	/** The email they sign in with; absent when a server before it did not say. */
	email?: string;
}

/** A command the server has not answered yet (made offline, or in flight). */
export interface PendingCommand {
	id: string;
	command: CommandInput;
	/** ISO time the user made it. */
	createdAt: string;
}

/** Presence on one conversation, from awareness. */
export interface Presence {
	viewers: MemberCard[];
	typers: MemberCard[];
}

/** A mention as the user should see it: the board's state with their pending commands on top. */
export interface BoardMention extends Mention {
	/** Pending commands of this user that touch this mention, oldest first. */
	pending: PendingCommand[];
	/**
	 * The work state the server has, when pending commands changed what is shown; absent
	 * when nothing is pending. Statuses the server alone decides (a review's) are shown from it.
	 */
	confirmed?: MentionWork;
}

export interface BoardSnapshot {
	/** False until the board was loaded from IndexedDB or the server. */
	ready: boolean;
	mentions: BoardMention[];
	members: MemberCard[];
	settings: BoardSettings;
	/** Presence per mention id (only mentions somebody else is on). */
	presence: Map<string, Presence>;
	/** Members online now (from awareness), including me. */
	online: MemberCard[];
	/** SLA breaches the server detected on this board, newest first (see docs/PROTOCOL.md). */
	breaches: SlaBreachEntry[];
}

/**
 * Where the connection to the server stands, as a person should read it:
 * - `connecting`: not connected yet, and no reason to think it will not be soon. From the
 *   start (and from `connect()`) until the first connection, for `connectTimeoutMs`; and
 *   right after a drop, while the socket reconnects, for `reconnectGraceMs`.
 * - `online`: the socket is connected and authenticated.
 * - `offline`: the browser says it is offline, `disconnect()` was called, the server refused
 *   the session, or connecting took longer than the grace above. The client keeps trying.
 *
 * Commands queue alike while connecting and offline: only `online` sends them.
 */
export type Connection = "connecting" | "online" | "offline";

export interface SyncStatus {
	/** The socket is connected and authenticated (`connection === "online"`). */
	online: boolean;
	/** Connecting, online or offline: see `Connection`. */
	connection: Connection;
	/** Commands the server has not answered. */
	pendingCommands: number;
	/**
	 * Drafts with local edits the server has not acknowledged: open ones, and closed ones
	 * the client keeps attached (after a reload too) until it has sent them.
	 */
	unsyncedDrafts: number;
}

/** The answer to a command, with words for a person when it was refused. */
export type CommandResult =
	| { ok: true; id: string; result?: Record<string, unknown> }
	| {
			ok: false;
			id: string;
			reject: Reject /** e.g. "Already claimed by Dana." */;
			explanation: string;
			/** The command refused (set by the client's queue). */
			command?: CommandInput;
			/**
			 * True when the command was made while offline (or before the page was reloaded)
			 * and refused after the connection came back: the user may be elsewhere by now.
			 */
			madeOffline?: boolean;
	  };

/** An open draft document with its provider; `close()` when the view goes away. */
export interface DraftHandle {
	mentionId: string;
	doc: Y.Doc;
	provider: HocuspocusProvider;
	awareness: Awareness;
	/** Edits not yet acknowledged by the server. */
	unsynced: Store<number>;
	/** Who else is in this conversation (their view open) and types, from the draft's awareness. */
	presence: Store<Presence>;
	/**
	 * Tell the others in the conversation that my view of it is open, and whether I type:
	 * they see it at once, through the draft (the board's badges follow `setPresence`).
	 */
	setPresence(presence: { here: boolean; typing: boolean }): void;
	close(): void;
}

export interface SwitchboardClient {
	readonly me: Me;
	readonly board: Store<BoardSnapshot>;
	readonly status: Store<SyncStatus>;
	/**
	 * Send a command. Queued in IndexedDB first, so it survives a reload while offline;
	 * sent in order when online; resolves with the server's answer (maybe much later).
	 */
	send(command: CommandInput): Promise<CommandResult>;
	/** Called for every reject, including those of commands queued before a reload. */
	onReject(listener: (result: Extract<CommandResult, { ok: false }>) => void): () => void;
	/**
	 * Called when the member's notifications change: a new one (`added`) or a new unread
	 * count (read on another device). Live over the board's socket; read the feed itself
	 * with `GET /api/me/notifications` when connecting.
	 */
	onNotifications(listener: (message: NotificationsMessage) => void): () => void;
	/** Open (or share) the draft of a mention. */
	openDraft(mentionId: string): DraftHandle;
	/** Tell others which conversation I am looking at, and whether I am typing in its draft. */
	setPresence(presence: { viewing: string | null; typing: boolean }): void;
	/**
	 * Go offline on purpose: close the socket and stay offline until `connect()`. Work goes
	 * on locally (commands queue, drafts keep their edits). The client connects by itself at
	 * start and after the network drops; this is only for a user's "work offline" switch.
	 */
	disconnect(): void;
	/** Connect again after `disconnect()`. */
	connect(): void;
	destroy(): void;
}

export type { Member };
