/**
 * The Switchboard client: one WebSocket shared by the board and every open draft, the
 * board as a store with the user's pending commands on top, presence, and a command
 * queue that survives reloads and network loss.
 */
import {
	HocuspocusProvider,
	HocuspocusProviderWebsocket,
	WebSocketStatus,
} from "@hocuspocus/provider";
import {
	AppError,
	type BoardSettings,
	boardDocumentName,
	COOKIE_SESSION_TOKEN,
	type CommandInput,
	exponentialBackoff,
	type Mention,
	type NotificationsMessage,
} from "@switchboard/domain";
import { IndexeddbPersistence } from "y-indexeddb";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import type {
	BoardMention,
	BoardSnapshot,
	CommandResult,
	DraftHandle,
	Me,
	PendingCommand,
	SwitchboardClient,
	SyncStatus,
} from "./api.ts";
import { authError } from "./auth-errors.ts";
import { BoardModel } from "./board-model.ts";
import { type CommandAnswer, CommandChannel } from "./command-channel.ts";
import { CommandQueue, MemoryQueueStore, type QueueStore } from "./command-queue.ts";
import { DraftPool, unsentDraftsStore } from "./draft-pool.ts";
import { IndexedDbQueueStore, queueDatabaseName } from "./indexeddb-queue-store.ts";
import { localDocumentPrefix } from "./local-data.ts";
import { overlayPending } from "./overlay.ts";
import { type BoardAwarenessState, derivePresence, presenceUser } from "./presence.ts";
import { Listeners, shallowEqual, ValueStore } from "./value-store.ts";

export interface ClientOptions {
	/** Server base URL (http/https); the socket goes to <url>/sync as ws/wss. */
	url: string;
	/**
	 * The session token (`POST /api/auth/login`). Leave it out in a browser on the server's
	 * own origin: the socket then authenticates with the HttpOnly session cookie, which page
	 * scripts cannot read (`COOKIE_SESSION_TOKEN`).
	 */
	token?: string;
	me: Me;
	boardId: string;
	/**
	 * "indexeddb" keeps docs (y-indexeddb) and the command queue across reloads.
	 * @default "indexeddb" when globalThis.indexedDB exists, else "memory"
	 */
	persistence?: "indexeddb" | "memory";
	/** For Node: a WebSocket implementation (Node 24 has a global WebSocket, so usually unneeded). */
	WebSocketPolyfill?: unknown;
	/**
	 * Told about failures the client works around by itself: `unauthorized`/`forbidden`
	 * when the server refuses the board or a draft (an expired token: sign in again; the
	 * client keeps retrying, more and more slowly), `unavailable` when IndexedDB cannot
	 * keep the command queue (it then lives in memory only).
	 * @default ignored
	 */
	onError?: (error: AppError) => void;
}

/** How long to wait for a command's answer on a live connection before sending it again. */
const ANSWER_TIMEOUT_MS = 30_000;

/** Connect at the latest this long after start even if IndexedDB has not answered. */
const LOCAL_LOAD_TIMEOUT_MS = 2_000;

/**
 * Wait before connecting again after the board was refused: the server closes the socket
 * after a refusal, and Hocuspocus alone would reconnect every second with the same token.
 * @default 5 s doubling up to 5 min
 */
export function refusedRetryDelay(attempt: number): number {
	return exponentialBackoff(attempt, { baseMs: 5_000, maxMs: 300_000 });
}

/** Shared by every mention without pending commands; never mutated. */
const NO_PENDING: PendingCommand[] = Object.freeze([]) as unknown as PendingCommand[];

/** `<url>/sync` with the http(s) scheme turned into ws(s). */
export function syncUrl(url: string): string {
	return `${url.replace(/^http/, "ws").replace(/\/+$/, "")}/sync`;
}

/** The IndexedDB name of a document's local copy: per member, so accounts never mix. */
export function localDocumentName(memberId: string, documentName: string): string {
	return `${localDocumentPrefix(memberId)}${documentName}`;
}

function storageError(error: unknown): AppError {
	const message = error instanceof Error ? error.message : String(error);
	return new AppError("unavailable", `IndexedDB: ${message}`, { cause: error });
}

export function createSwitchboardClient(options: ClientOptions): SwitchboardClient {
	return new Client(options);
}

interface Dirty {
	mentions: boolean;
	members: boolean;
	settings: boolean;
	presence: boolean;
	ready: boolean;
	breaches: boolean;
}

const CLEAN: Dirty = {
	mentions: false,
	members: false,
	settings: false,
	presence: false,
	ready: false,
	breaches: false,
};

class Client implements SwitchboardClient {
	readonly me: Me;
	readonly board: ValueStore<BoardSnapshot>;
	readonly status: ValueStore<SyncStatus>;

	readonly #options: ClientOptions;
	readonly #socket: HocuspocusProviderWebsocket;
	readonly #doc = new Y.Doc();
	readonly #model: BoardModel;
	readonly #persistence: IndexeddbPersistence | null;
	readonly #provider: HocuspocusProvider;
	readonly #awareness: Awareness;
	readonly #channel: CommandChannel;
	readonly #queue: CommandQueue;
	readonly #drafts: DraftPool;
	readonly #rejectListeners = new Listeners<Extract<CommandResult, { ok: false }>>();
	readonly #notificationListeners = new Listeners<NotificationsMessage>();
	/** Resolved with null by in-flight sends when the connection drops. */
	readonly #offlineWaiters = new Set<() => void>();
	readonly #wrapped = new WeakMap<Mention, BoardMention>();
	#online = false;
	#ready = false;
	#dirty: Dirty = { ...CLEAN };
	#flushScheduled = false;
	#attachTimer: ReturnType<typeof setTimeout> | null = null;
	#reconnectTimer: ReturnType<typeof setTimeout> | null = null;
	/** Refusals of the board in a row. */
	#refusals = 0;
	/** The user went offline with `disconnect()`. */
	#offlineByUser = false;
	#destroyed = false;
	/** The board list and whether it carried an overlay, for reuse when nothing changed. */
	#lastBase: readonly Mention[] | null = null;
	#lastHadOverlay = false;

	constructor(options: ClientOptions) {
		this.#options = options;
		this.me = options.me;
		const token = options.token ?? COOKIE_SESSION_TOKEN;
		const mode =
			options.persistence ?? (typeof globalThis.indexedDB === "undefined" ? "memory" : "indexeddb");
		const local = mode === "indexeddb";
		const documentName = boardDocumentName(options.me.orgId, options.boardId);

		this.#model = new BoardModel(this.#doc);
		this.board = new ValueStore<BoardSnapshot>({
			ready: false,
			mentions: [],
			members: [...this.#model.members()],
			settings: this.#model.settings(),
			presence: new Map(),
			online: [],
			breaches: [],
		});
		this.status = new ValueStore<SyncStatus>(
			{ online: false, pendingCommands: 0, unsyncedDrafts: 0 },
			shallowEqual,
		);
		this.#model.onChange((change) => this.#markDirty(change));

		this.#socket = new HocuspocusProviderWebsocket({
			url: syncUrl(options.url),
			...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
		});
		this.#provider = new HocuspocusProvider({
			websocketProvider: this.#socket,
			name: documentName,
			document: this.#doc,
			token,
		});
		// The provider always has one: it is created without `awareness: null`.
		this.#awareness = this.#provider.awareness!;
		const presence: BoardAwarenessState = {
			user: presenceUser(options.me),
			viewing: null,
			typing: false,
		};
		this.#awareness.setLocalState(presence);
		this.#awareness.on("change", () => this.#markDirty({ presence: true }));

		for (const event of ["status", "authenticated", "authenticationFailed", "close"]) {
			this.#provider.on(event, () => this.#updateOnline());
		}
		this.#provider.on("synced", () => this.#setReady());
		this.#provider.on("authenticated", () => {
			this.#refusals = 0;
		});
		this.#provider.on("authenticationFailed", ({ reason }: { reason: string }) =>
			this.#refused(authError(reason, documentName)),
		);
		this.#channel = new CommandChannel(this.#provider, {
			onNotifications: (message) => this.#notificationListeners.notify(message),
		});

		const store: QueueStore = local
			? new IndexedDbQueueStore(queueDatabaseName(options.me.orgId, options.boardId, options.me.id))
			: new MemoryQueueStore();
		this.#queue = new CommandQueue({
			store,
			transport: { send: (id, command, version) => this.#sendOnce(id, command, version) },
			onChange: () => {
				this.#markDirty({ mentions: true });
				this.#updateStatus();
			},
			onAnswer: (result) => {
				if (result.ok) return;
				// A failing listener must not stall the queue.
				this.#rejectListeners.notify(result);
			},
			onError: (error) => this.#report(storageError(error)),
		});

		const localName = local ? (name: string) => localDocumentName(options.me.id, name) : null;
		this.#drafts = new DraftPool({
			socket: this.#socket,
			token,
			me: options.me,
			localName,
			// Unsent drafts are written down only where their edits outlive the page.
			...(local ? { unsent: unsentDraftsStore(options.me) } : {}),
			onUnsyncedChange: () => this.#updateStatus(),
			memberCard: (id) => this.board.get().members.find((member) => member.id === id),
			localLoadTimeoutMs: LOCAL_LOAD_TIMEOUT_MS,
			onError: (error) => this.#report(error),
			onStorageError: (error) => this.#report(storageError(error)),
		});

		this.#drafts.holdUnsent();

		// The board is read-only: attach only once the local copy is loaded, or the
		// provider would send it to the server as an update, which a read-only document
		// answers with "not applied".
		this.#persistence = localName
			? new IndexeddbPersistence(localName(documentName), this.#doc)
			: null;
		if (this.#persistence) {
			void this.#persistence.whenSynced.then(() => {
				if (this.#model.hasContent) this.#setReady();
				this.#attach();
			});
			this.#attachTimer = setTimeout(() => this.#attach(), LOCAL_LOAD_TIMEOUT_MS);
		} else {
			this.#attach();
		}
	}

	send(command: CommandInput): Promise<CommandResult> {
		return this.#queue.enqueue(command);
	}

	onReject(listener: (result: Extract<CommandResult, { ok: false }>) => void): () => void {
		return this.#rejectListeners.add(listener);
	}

	onNotifications(listener: (message: NotificationsMessage) => void): () => void {
		return this.#notificationListeners.add(listener);
	}

	openDraft(mentionId: string): DraftHandle {
		if (this.#destroyed) throw new Error("The client was destroyed.");
		return this.#drafts.open(mentionId);
	}

	setPresence(presence: { viewing: string | null; typing: boolean }): void {
		if (this.#destroyed) return;
		const current = this.#awareness.getLocalState() ?? {};
		// One awareness update for both fields.
		this.#awareness.setLocalState({
			...current,
			user: presenceUser(this.me),
			viewing: presence.viewing,
			typing: presence.typing,
		});
	}

	disconnect(): void {
		if (this.#destroyed) return;
		this.#offlineByUser = true;
		this.#clearReconnect();
		this.#socket.disconnect();
	}

	connect(): void {
		if (this.#destroyed) return;
		this.#offlineByUser = false;
		this.#clearReconnect();
		// Perhaps with a new session (signed in again): drafts refused for want of one try again.
		this.#drafts.retryUnauthorized();
		this.#reconnect();
	}

	destroy(): void {
		if (this.#destroyed) return;
		this.#destroyed = true;
		if (this.#attachTimer) clearTimeout(this.#attachTimer);
		this.#clearReconnect();
		this.#queue.destroy();
		for (const waiter of [...this.#offlineWaiters]) waiter();
		this.#drafts.destroy();
		this.#channel.destroy();
		this.#provider.destroy();
		this.#socket.destroy();
		this.#persistence?.destroy().catch((error: unknown) => this.#report(storageError(error)));
		this.#model.destroy();
		this.#doc.destroy();
		this.#rejectListeners.clear();
		this.board.clear();
		this.status.clear();
	}

	#reconnect(): void {
		// A close still on its way would otherwise see shouldConnect=false and stay offline.
		this.#socket.shouldConnect = true;
		void this.#socket.connect();
	}

	#clearReconnect(): void {
		if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
		this.#reconnectTimer = null;
	}

	/** The board was refused: say so, and try again later rather than every second. */
	#refused(error: AppError): void {
		if (this.#destroyed) return;
		this.#report(error);
		this.#refusals += 1;
		this.#socket.disconnect();
		this.#clearReconnect();
		this.#reconnectTimer = setTimeout(() => {
			this.#reconnectTimer = null;
			if (!this.#offlineByUser && !this.#destroyed) this.#reconnect();
		}, refusedRetryDelay(this.#refusals));
	}

	#report(error: AppError): void {
		this.#options.onError?.(error);
	}

	#attach(): void {
		if (this.#attachTimer) clearTimeout(this.#attachTimer);
		this.#attachTimer = null;
		if (!this.#destroyed) this.#provider.attach();
	}

	/** Send one command; null when the connection drops or the answer takes too long. */
	#sendOnce(id: string, command: CommandInput, version: number): Promise<CommandAnswer | null> {
		if (!this.#online || this.#destroyed) return Promise.resolve(null);
		return new Promise((resolve) => {
			const finish = (answer: CommandAnswer | null) => {
				clearTimeout(timer);
				this.#offlineWaiters.delete(lost);
				resolve(answer);
			};
			const lost = () => finish(null);
			const timer = setTimeout(lost, ANSWER_TIMEOUT_MS);
			this.#offlineWaiters.add(lost);
			void this.#channel.send(command, id, version).then(finish);
		});
	}

	#updateOnline(): void {
		if (this.#destroyed) return;
		const online =
			this.#socket.status === WebSocketStatus.Connected && this.#provider.isAuthenticated;
		if (online === this.#online) return;
		this.#online = online;
		if (!online) for (const waiter of [...this.#offlineWaiters]) waiter();
		this.#queue.setOnline(online);
		this.#updateStatus();
	}

	#updateStatus(): void {
		if (this.#destroyed) return;
		this.status.set({
			online: this.#online,
			pendingCommands: this.#queue.pending().length,
			unsyncedDrafts: this.#drafts.unsyncedCount(),
		});
	}

	#setReady(): void {
		if (this.#ready) return;
		this.#ready = true;
		this.#markDirty({ ready: true });
	}

	#markDirty(change: Partial<Dirty>): void {
		if (this.#destroyed) return;
		const dirty = this.#dirty;
		if (change.mentions) dirty.mentions = true;
		if (change.members) dirty.members = true;
		if (change.settings) dirty.settings = true;
		if (change.presence) dirty.presence = true;
		if (change.ready) dirty.ready = true;
		if (change.breaches) dirty.breaches = true;
		if (this.#flushScheduled) return;
		this.#flushScheduled = true;
		// One notification per burst: a Yjs transaction touches several lists at once.
		queueMicrotask(() => this.#flush());
	}

	#flush(): void {
		this.#flushScheduled = false;
		if (this.#destroyed) return;
		const dirty = this.#dirty;
		this.#dirty = { ...CLEAN };
		const previous = this.board.get();
		const members = dirty.members ? [...this.#model.members()] : previous.members;
		const settings: BoardSettings = dirty.settings ? this.#model.settings() : previous.settings;
		// Member cards feed the overlay (capacity) and presence (names), so both follow them.
		const mentions =
			dirty.mentions || dirty.members ? this.#mentions(previous.mentions) : previous.mentions;
		let { presence, online } = previous;
		if (dirty.presence || dirty.members) {
			({ presence, online } = derivePresence(this.#awareness.getStates(), this.me.id, (id) =>
				this.#model.member(id),
			));
		}
		const breaches = dirty.breaches ? [...this.#model.breaches()] : previous.breaches;
		const next: BoardSnapshot = {
			ready: this.#ready,
			mentions,
			members,
			settings,
			presence,
			online,
			breaches,
		};
		if (shallowEqual(previous, next)) return;
		this.board.set(next);
	}

	/** The board's mentions with my pending commands on top. */
	#mentions(previous: BoardMention[]): BoardMention[] {
		const base = this.#model.mentions();
		const overlay = overlayPending({
			me: this.me,
			pending: this.#queue.pending(),
			mention: (id) => this.#model.mention(id),
			card: (id) => this.#model.member(id),
			mentions: () => base,
			replyLimits: this.board.get().settings.replyLimits,
		});
		if (overlay.size === 0 && !this.#lastHadOverlay && base === this.#lastBase) return previous;
		this.#lastBase = base;
		this.#lastHadOverlay = overlay.size > 0;
		const out: BoardMention[] = new Array(base.length);
		for (let i = 0; i < base.length; i++) {
			const mention = base[i] as Mention;
			out[i] = overlay.get(mention.id) ?? this.#wrap(mention);
		}
		return out;
	}

	/** A mention without pending commands; the same object while the mention is unchanged. */
	#wrap(mention: Mention): BoardMention {
		let wrapped = this.#wrapped.get(mention);
		if (!wrapped) {
			wrapped = { ...mention, pending: NO_PENDING };
			this.#wrapped.set(mention, wrapped);
		}
		return wrapped;
	}
}
