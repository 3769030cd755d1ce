/**
 * The Switchboard client: one WebSocket shared by the board and every open draft, the
 * board as a store with the user's pending commands on top, presence, and a command
 * queue that survives reloads and network loss.
 */
import { HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import {
	AppError,
	type BoardSettings,
	boardDocumentName,
	COOKIE_SESSION_TOKEN,
	type CommandInput,
	DEFAULT_BOARD_SETTINGS,
	type MemberCard,
	type Mention,
	type NotificationsMessage,
	type SlaBreachEntry,
} from "@switchboard/domain";
import type {
	BoardMention,
	BoardSnapshot,
	CommandResult,
	Connection,
	DraftHandle,
	Me,
	PendingCommand,
	Presence,
	SwitchboardClient,
	SyncStatus,
} from "./api.ts";
import { authError } from "./auth-errors.ts";
import type { BoardDelta, BoardEvent, BoardReplicaConfig } from "./board-feed.ts";
import { type BoardLink, localBoardLink, workerBoardLink } from "./board-link.ts";
import { syncUrl } from "./board-replica.ts";
import { type CommandAnswer, CommandChannel, type StatelessLink } from "./command-channel.ts";
import { CommandQueue, MemoryQueueStore, type QueueStore } from "./command-queue.ts";
import { DraftPool } from "./draft-pool.ts";
import { IndexedDbQueueStore, queueDatabaseName } from "./indexeddb-queue-store.ts";
import { localDocumentPrefix } from "./local-data.ts";
import { overlayPending } from "./overlay.ts";
import { SortedMentions } from "./sorted-mentions.ts";
import { unsentDraftsStore } from "./unsent-drafts.ts";
import { ChangeBatch, Listeners, shallowEqual, ValueStore } from "./value-store.ts";

export { refusedRetryDelay, syncUrl } from "./board-replica.ts";

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
	 * Keep the board's Yjs document in a dedicated worker, with a socket of its own, and
	 * hand the page only what changed: decoding a large board (0.5 s of CPU for 10,000
	 * cards) then never blocks the page. Drafts stay on the page's socket.
	 * @default true where `Worker` exists (browsers), false elsewhere
	 */
	boardWorker?: boolean;
	/**
	 * With nothing of the board on this device, load its state over HTTP, compressed, before
	 * the socket's sync (`GET /api/boards/:boardId/state`): over the socket the whole board is
	 * one uncompressed message, most of a phone's first sign-in.
	 * @default true
	 */
	loadBoardOverHttp?: boolean;
	/**
	 * At least this long between two updates of `board` while the board keeps changing, in ms
	 * (a burst of new mentions shows together). A change after a quiet spell shows at once,
	 * and a command's answer never comes before the board's change it made.
	 * @default BOARD_DELTA_INTERVAL_MS (100)
	 */
	boardDeltaIntervalMs?: number;
	/**
	 * Told when the board's first state arrived (ms since the epoch; over HTTP or in the
	 * socket's first sync), for performance marks.
	 */
	onFirstSync?: (sync: { receivedAt: number; bytes: number }) => void;
	/**
	 * Told about failures the client works around by itself: `unauthorized`/`forbidden`
	 * when the server refuses the board or a draft (an expired token: sign in again; the
	 * client keeps retrying, more and more slowly), `unavailable` when IndexedDB cannot
	 * keep the command queue (it then lives in memory only).
	 * @default ignored
	 */
	onError?: (error: AppError) => void;
	/**
	 * How long the status says `connecting` (rather than `offline`) from the start, or from
	 * `connect()`, before the first connection: a phone's first socket (DNS, TLS, sign-in)
	 * takes seconds, and "offline" would read as broken.
	 * @default 10_000
	 */
	connectTimeoutMs?: number;
	/**
	 * How long the status says `connecting` after the connection dropped, while the socket
	 * reconnects (Hocuspocus tries again after 1 s, then more slowly): a server restart or a
	 * refused draft passes unnoticed; a dead network shows as offline soon.
	 * @default 4_000
	 */
	reconnectGraceMs?: number;
}

/** How long to wait for a command's answer on a live connection before sending it again. */
const ANSWER_TIMEOUT_MS = 30_000;

/** See `ClientOptions.connectTimeoutMs` and `reconnectGraceMs`. */
const CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_GRACE_MS = 4_000;

/** Connect at the latest this long after start even if IndexedDB has not answered. */
const LOCAL_LOAD_TIMEOUT_MS = 2_000;

/** Shared by every mention without pending commands; never mutated. */
const NO_PENDING: PendingCommand[] = Object.freeze([]) as unknown as PendingCommand[];

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

/** The parts of the board snapshot a change may touch. */
type Part = "mentions" | "members" | "settings" | "presence" | "ready" | "breaches";

class Client implements SwitchboardClient {
	readonly me: Me;
	readonly board: ValueStore<BoardSnapshot>;
	readonly status: ValueStore<SyncStatus>;

	readonly #options: ClientOptions;
	/** The drafts' socket; the board's too unless the board lives in a worker. */
	readonly #socket: HocuspocusProviderWebsocket;
	readonly #board: BoardLink;
	readonly #channel: CommandChannel;
	readonly #queue: CommandQueue;
	readonly #drafts: DraftPool;
	readonly #rejectListeners = new Listeners<Extract<CommandResult, { ok: false }>>();
	readonly #notificationListeners = new Listeners<NotificationsMessage>();
	readonly #statelessListeners = new Set<(data: { payload: string }) => void>();
	/** Resolved with null by in-flight sends when the connection drops. */
	readonly #offlineWaiters = new Set<() => void>();
	/** The board as the replica last told it, mentions already wrapped as `BoardMention`s. */
	readonly #mentionsById = new SortedMentions<BoardMention>();
	#members: MemberCard[] = [];
	#memberById = new Map<string, MemberCard>();
	#settings: BoardSettings = DEFAULT_BOARD_SETTINGS;
	#breaches: SlaBreachEntry[] = [];
	#presence: { presence: Map<string, Presence>; online: MemberCard[] } = {
		presence: new Map(),
		online: [],
	};
	#online = false;
	#connection: Connection = "connecting";
	/** Turns `connecting` into `offline` when it takes too long. */
	#connectingTimer: ReturnType<typeof setTimeout> | null = null;
	/** `disconnect()` was called (the browser went offline) and `connect()` not since. */
	#offlineByUser = false;
	#ready = false;
	readonly #changes = new ChangeBatch<Part>((changed) => this.#flush(changed));
	#destroyed = false;
	/** The board list and whether it carried an overlay, for reuse when nothing changed. */
	#lastBase: readonly BoardMention[] | null = null;
	#lastHadOverlay = false;

	constructor(options: ClientOptions) {
		this.#options = options;
		this.me = options.me;
		const token = options.token ?? COOKIE_SESSION_TOKEN;
		const mode =
			options.persistence ?? (typeof globalThis.indexedDB === "undefined" ? "memory" : "indexeddb");
		const local = mode === "indexeddb";
		const documentName = boardDocumentName(options.me.orgId, options.boardId);

		this.board = new ValueStore<BoardSnapshot>({
			ready: false,
			mentions: [],
			members: [],
			settings: this.#settings,
			presence: this.#presence.presence,
			online: this.#presence.online,
			breaches: [],
		});
		// A browser that knows it is offline is not connecting (Node has no navigator.onLine).
		if (globalThis.navigator?.onLine === false) this.#connection = "offline";
		else this.#connecting(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
		this.status = new ValueStore<SyncStatus>(
			{ online: false, connection: this.#connection, pendingCommands: 0, unsyncedDrafts: 0 },
			shallowEqual,
		);

		this.#socket = new HocuspocusProviderWebsocket({
			url: syncUrl(options.url),
			...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
		});
		const localName = local ? (name: string) => localDocumentName(options.me.id, name) : null;
		const config: BoardReplicaConfig = {
			url: options.url,
			token,
			me: options.me,
			boardId: options.boardId,
			localName: localName ? localName(documentName) : null,
			localLoadTimeoutMs: LOCAL_LOAD_TIMEOUT_MS,
			...(options.loadBoardOverHttp === false ? { loadOverHttp: false } : {}),
			...(options.boardDeltaIntervalMs === undefined
				? {}
				: { deltaIntervalMs: options.boardDeltaIntervalMs }),
		};
		const emit = (event: BoardEvent) => this.#receive(event, documentName);
		const inWorker = options.boardWorker ?? typeof globalThis.Worker === "function";
		this.#board = inWorker
			? workerBoardLink(config, emit)
			: localBoardLink(config, this.#socket, emit);

		const stateless: StatelessLink = {
			sendStateless: (payload) => this.#board.call({ type: "stateless", payload }),
			on: (_event, listener) => this.#statelessListeners.add(listener),
			off: (_event, listener) => this.#statelessListeners.delete(listener),
		};
		this.#channel = new CommandChannel(stateless, {
			onNotifications: (message) => this.#notificationListeners.notify(message),
		});

		const store: QueueStore = local
			? new IndexedDbQueueStore(queueDatabaseName(options.me.orgId, options.boardId, options.me.id))
			: new MemoryQueueStore();
		this.#queue = new CommandQueue({
			store,
			transport: { send: (id, command, version) => this.#sendOnce(id, command, version) },
			onChange: () => {
				this.#markDirty(["mentions"]);
				this.#updateStatus();
			},
			onAnswer: (result) => {
				if (result.ok) return;
				// A failing listener must not stall the queue.
				this.#rejectListeners.notify(result);
			},
			onError: (error) => this.#report(storageError(error)),
		});

		this.#drafts = new DraftPool({
			socket: this.#socket,
			token,
			me: options.me,
			localName,
			// Unsent drafts are written down only where their edits outlive the page.
			...(local ? { unsent: unsentDraftsStore(options.me) } : {}),
			onUnsyncedChange: () => this.#updateStatus(),
			memberCard: (id) => this.#memberById.get(id),
			localLoadTimeoutMs: LOCAL_LOAD_TIMEOUT_MS,
			onError: (error) => this.#report(error),
			onStorageError: (error) => this.#report(storageError(error)),
		});

		this.#drafts.holdUnsent();
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
		this.#board.call({ type: "presence", ...presence });
	}

	disconnect(): void {
		if (this.#destroyed) return;
		this.#offlineByUser = true;
		// Online, it says offline when the socket has closed (`#setOnline`), and not before.
		if (!this.#online) {
			this.#setConnection("offline");
			this.#updateStatus();
		}
		this.#board.call({ type: "disconnect" });
		this.#socket.disconnect();
	}

	connect(): void {
		if (this.#destroyed) return;
		this.#offlineByUser = false;
		if (!this.#online) {
			this.#connecting(this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
			this.#updateStatus();
		}
		this.#board.call({ type: "connect" });
		// Perhaps with a new session (signed in again): drafts refused for want of one try again.
		this.#drafts.retryUnauthorized();
		// A close still on its way would otherwise see shouldConnect=false and stay offline.
		this.#socket.shouldConnect = true;
		void this.#socket.connect();
	}

	destroy(): void {
		if (this.#destroyed) return;
		this.#destroyed = true;
		this.#clearConnecting();
		this.#queue.destroy();
		for (const waiter of [...this.#offlineWaiters]) waiter();
		this.#drafts.destroy();
		this.#channel.destroy();
		this.#board.call({ type: "destroy" });
		this.#socket.destroy();
		this.#rejectListeners.clear();
		this.#statelessListeners.clear();
		this.board.clear();
		this.status.clear();
	}

	#report(error: AppError): void {
		this.#options.onError?.(error);
	}

	#receive(event: BoardEvent, documentName: string): void {
		if (this.#destroyed) return;
		switch (event.type) {
			case "delta":
				this.#apply(event.delta);
				return;
			case "online":
				this.#setOnline(event.online);
				return;
			case "connecting":
				if (this.#online || this.#offlineByUser || globalThis.navigator?.onLine === false) return;
				// A slow phone's first board download is not the connection failing: connecting,
				// with the download's own deadline; the socket's time to connect counts after it.
				if (event.waitingFor === "state") this.#setConnection("connecting");
				else this.#connecting(this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
				this.#updateStatus();
				return;
			case "refused":
				// Retried only after seconds, and likely refused again: no use waiting for it.
				if (!this.#online) {
					this.#setConnection("offline");
					this.#updateStatus();
				}
				this.#report(authError(event.reason, documentName));
				return;
			case "stateless":
				for (const listener of [...this.#statelessListeners]) listener({ payload: event.payload });
				return;
			case "firstSync":
				this.#options.onFirstSync?.({ receivedAt: event.receivedAt, bytes: event.bytes });
				return;
			case "storageError":
				this.#report(storageError(new Error(event.message)));
				return;
			default: {
				const unreachable: never = event;
				throw new Error(`unknown board event ${JSON.stringify(unreachable)}`);
			}
		}
	}

	/** Take the replica's changes; a partial delta waits for the rest before it shows. */
	#apply(delta: BoardDelta): void {
		const change: Part[] = [];
		if (delta.mentions) {
			const mentions = this.#mentionsById;
			for (const id of delta.mentions.remove) mentions.delete(id);
			for (const mention of delta.mentions.upsert) mentions.set(wrap(mention));
			change.push("mentions");
		}
		if (delta.members) {
			this.#members = delta.members;
			this.#memberById = new Map(delta.members.map((card) => [card.id, card]));
			change.push("members");
		}
		if (delta.settings) {
			this.#settings = delta.settings;
			change.push("settings");
		}
		if (delta.breaches) {
			this.#breaches = delta.breaches;
			change.push("breaches");
		}
		if (delta.presence) {
			this.#presence = delta.presence;
			change.push("presence");
		}
		if (delta.ready) {
			this.#ready = true;
			change.push("ready");
		}
		this.#markDirty(change, delta.partial === true);
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

	#setOnline(online: boolean): void {
		if (online === this.#online) return;
		this.#online = online;
		if (!online) for (const waiter of [...this.#offlineWaiters]) waiter();
		// The board was let in on the shared socket, so the session is good: drafts refused for
		// want of one attach again. `connect()` after signing in again does it too, but a retry
		// that left with the ended session's cookie can be refused after it, taking the drafts
		// down once more while the board then comes back by the socket's next retry: the header
		// said Online while a draft's edits stayed on this device, unsent, until a reload.
		if (online) this.#drafts.retryUnauthorized();
		if (online) this.#setConnection("online");
		else if (this.#offlineByUser) this.#setConnection("offline");
		// A drop: the socket is reconnecting already.
		else this.#connecting(this.#options.reconnectGraceMs ?? RECONNECT_GRACE_MS);
		this.#queue.setOnline(online);
		this.#updateStatus();
	}

	/** Say `connecting` for at most `ms`, then `offline` unless connected by then. */
	#connecting(ms: number): void {
		this.#setConnection("connecting");
		this.#connectingTimer = setTimeout(() => {
			this.#connectingTimer = null;
			this.#setConnection("offline");
			this.#updateStatus();
		}, ms);
	}

	#setConnection(connection: Connection): void {
		this.#clearConnecting();
		this.#connection = connection;
	}

	#clearConnecting(): void {
		if (this.#connectingTimer) clearTimeout(this.#connectingTimer);
		this.#connectingTimer = null;
	}

	#updateStatus(): void {
		if (this.#destroyed) return;
		this.status.set({
			online: this.#online,
			connection: this.#connection,
			pendingCommands: this.#queue.pending().length,
			unsyncedDrafts: this.#drafts.unsyncedCount(),
		});
	}

	/** Note what changed; `hold` collects it without showing it yet (more follows at once). */
	#markDirty(parts: Part[], hold = false): void {
		if (!this.#destroyed) this.#changes.mark(parts, hold);
	}

	#flush(changed: ReadonlySet<Part>): void {
		if (this.#destroyed) return;
		const dirty = (part: Part) => changed.has(part);
		const previous = this.board.get();
		const members = dirty("members") ? this.#members : previous.members;
		const settings = dirty("settings") ? this.#settings : previous.settings;
		// Member cards feed the overlay (capacity), so it follows them.
		const mentions =
			dirty("mentions") || dirty("members") ? this.#mentions(previous.mentions) : previous.mentions;
		const { presence, online } = dirty("presence") ? this.#presence : previous;
		const breaches = dirty("breaches") ? this.#breaches : previous.breaches;
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
		const base = this.#mentionsById.list();
		const overlay = overlayPending({
			me: this.me,
			pending: this.#queue.pending(),
			mention: (id) => this.#mentionsById.get(id),
			card: (id) => this.#memberById.get(id),
			mentions: () => base,
			replyLimits: this.#settings.replyLimits,
		});
		if (overlay.size === 0 && !this.#lastHadOverlay && base === this.#lastBase) return previous;
		this.#lastBase = base;
		this.#lastHadOverlay = overlay.size > 0;
		if (overlay.size === 0) return base as BoardMention[];
		const out: BoardMention[] = new Array(base.length);
		for (let i = 0; i < base.length; i++) {
			const mention = base[i] as BoardMention;
			out[i] = overlay.get(mention.id) ?? mention;
		}
		return out;
	}
}

/** A mention without pending commands, as the board shows it. */
function wrap(mention: Mention): BoardMention {
	return { ...mention, pending: NO_PENDING };
}
