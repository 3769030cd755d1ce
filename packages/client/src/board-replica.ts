/**
 * The board's replica: the read-only Yjs document, the Hocuspocus provider that syncs it,
 * its local copy (y-indexeddb) and the board's awareness. It tells its client what changed
 * as plain deltas (`BoardEvent`), so that it can run in a worker: in a browser it does
 * (`board-worker.ts`), and the page never decodes the board's first sync (about 0.5 s of
 * CPU for 10,000 cards) nor re-encodes it for the local copy.
 */
import {
	HocuspocusProvider,
	HocuspocusProviderWebsocket,
	WebSocketStatus,
} from "@hocuspocus/provider";
import {
	boardDocumentName,
	COOKIE_SESSION_TOKEN,
	exponentialBackoff,
	HttpRoutes,
	type Mention,
} from "@switchboard/domain";
import { IndexeddbPersistence } from "y-indexeddb";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { createApiRequest } from "./api-client.ts";
import type { BoardCall, BoardDelta, BoardEvent, BoardReplicaConfig } from "./board-feed.ts";
import { BoardModel } from "./board-model.ts";
import { holdLocalWrites } from "./held-local-writes.ts";
import { type BoardAwarenessState, derivePresence, presenceUser } from "./presence.ts";
import { byPostedAt } from "./sorted-mentions.ts";
import { ChangeBatch } from "./value-store.ts";

/**
 * Wait before connecting again after the board was refused: the server closes the socket
 * after a refusal, and Hocuspocus alone would reconnect every second with the same token.
 * @default 5 s doubling up to 5 min
 */
export function refusedRetryDelay(attempt: number): number {
	return exponentialBackoff(attempt, { baseMs: 5_000, maxMs: 300_000 });
}

/**
 * How long after its first sync the board is written to its local copy: by then the page has
 * the board on screen, and the write no longer competes with it (`holdLocalWrites`).
 */
export const LOCAL_WRITE_DELAY_MS = 1_000;

/**
 * How long the board's state over HTTP may take before the socket's sync goes ahead
 * without it: a slow phone's download of a large board, not a request that hangs.
 */
export const HTTP_STATE_TIMEOUT_MS = 30_000;

/**
 * At least this long between two deltas while the board keeps changing, in ms. At 50 new
 * mentions a second a delta per Yjs transaction made a phone's page sort and draw the board
 * some 25-50 times a second, busy most of the time and slow to answer a tap
 * (bench/findings/10-busy-board.md); ten a second still looks live. A change after a quiet
 * spell goes at once, and a command's answer never overtakes the changes before it.
 */
export const BOARD_DELTA_INTERVAL_MS = 100;

export interface BoardReplicaOptions extends BoardReplicaConfig {
	emit(event: BoardEvent): void;
	/**
	 * A socket shared with the client's drafts; the client then connects and disconnects
	 * it. @default a socket of the replica's own
	 */
	socket?: HocuspocusProviderWebsocket;
	/** For Node: a WebSocket implementation, for a socket of the replica's own. */
	WebSocketPolyfill?: unknown;
}

/** `<url>/sync` with the http(s) scheme turned into ws(s). */
export function syncUrl(url: string): string {
	return `${url.replace(/^http/, "ws").replace(/\/+$/, "")}/sync`;
}

/** The parts of the board besides its mentions that a change may touch. */
type Part = "members" | "settings" | "breaches" | "presence" | "ready";

export class BoardReplica {
	readonly #options: BoardReplicaOptions;
	readonly #doc = new Y.Doc();
	readonly #model: BoardModel;
	readonly #socket: HocuspocusProviderWebsocket;
	readonly #ownsSocket: boolean;
	readonly #provider: HocuspocusProvider;
	readonly #awareness: Awareness;
	readonly #persistence: IndexeddbPersistence | null;
	/** Writes what the local copy was held back from; nothing once called. */
	readonly #releaseLocalWrites: () => void;
	#localWriteTimer: ReturnType<typeof setTimeout> | null = null;
	readonly #changes: ChangeBatch<Part>;
	/** Mentions that came, went or changed since the last delta. */
	#mentionIds = new Set<string>();
	#online = false;
	#ready = false;
	/** The latest message before the first sync completed: the one that completed it. */
	#lastMessage: { receivedAt: number; bytes: number } | null = null;
	#attachTimer: ReturnType<typeof setTimeout> | null = null;
	/** The local copy answered, or did not in time: the provider attaches (after the HTTP state). */
	#starting = false;
	#reconnectTimer: ReturnType<typeof setTimeout> | null = null;
	/** Refusals of the board in a row. */
	#refusals = 0;
	/** `connect` calls so far (the network is back, or the member signed in again). */
	#connects = 0;
	/** How many `connect` calls there were when the socket's latest attempt left. */
	#attemptAfter = 0;
	/** The user went offline (`disconnect`). */
	#offlineByUser = false;
	#destroyed = false;

	constructor(options: BoardReplicaOptions) {
		this.#options = options;
		this.#changes = new ChangeBatch<Part>((changed) => this.#flush(changed), {
			minIntervalMs: options.deltaIntervalMs ?? BOARD_DELTA_INTERVAL_MS,
		});
		const documentName = boardDocumentName(options.me.orgId, options.boardId);
		this.#model = new BoardModel(this.#doc);
		this.#model.onChange((change) => {
			for (const id of change.mentionIds) this.#mentionIds.add(id);
			const parts: Part[] = [];
			// Member cards name the people in presence.
			if (change.members) parts.push("members", "presence");
			if (change.settings) parts.push("settings");
			if (change.breaches) parts.push("breaches");
			this.#markDirty(parts);
		});
		this.#ownsSocket = !options.socket;
		this.#socket =
			options.socket ??
			new HocuspocusProviderWebsocket({
				url: syncUrl(options.url),
				...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
			});
		this.#provider = new HocuspocusProvider({
			websocketProvider: this.#socket,
			name: documentName,
			document: this.#doc,
			token: options.token,
		});
		// The provider always has one: it is created without `awareness: null`.
		this.#awareness = this.#provider.awareness!;
		const presence: BoardAwarenessState = {
			user: presenceUser(options.me),
			viewing: null,
			typing: false,
		};
		this.#awareness.setLocalState(presence);
		this.#awareness.on("change", () => this.#markDirty(["presence"]));

		for (const event of ["status", "authenticated", "authenticationFailed", "close"]) {
			this.#provider.on(event, () => this.#updateOnline());
		}
		// The upgrade carries the credentials of its time: a browser's session cookie then.
		this.#socket.on("status", this.#attemptLeft);
		this.#provider.on("message", ({ event }: { event: MessageEvent }) => this.#received(event));
		this.#provider.on("synced", () => {
			if (this.#lastMessage) this.#options.emit({ type: "firstSync", ...this.#lastMessage });
			this.#lastMessage = null;
			this.#setReady();
			this.#localWriteTimer ??= setTimeout(() => this.#releaseLocalWrites(), LOCAL_WRITE_DELAY_MS);
		});
		this.#provider.on("authenticated", () => {
			this.#refusals = 0;
		});
		this.#provider.on("authenticationFailed", ({ reason }: { reason: string }) =>
			this.#refused(reason),
		);
		this.#provider.on("stateless", ({ payload }: { payload: string }) => {
			// A command's answer follows the board's change that it made: the page must have
			// that change first, or the pending command's overlay would go before it shows.
			this.#changes.flushNow();
			options.emit({ type: "stateless", payload });
		});

		// The board is read-only: attach only once the local copy is loaded, or the
		// provider would send it to the server as an update, which a read-only document
		// answers with "not applied".
		this.#persistence = options.localName
			? new IndexeddbPersistence(options.localName, this.#doc)
			: null;
		// Until a moment after the first sync, what the server sends waits to be written.
		this.#releaseLocalWrites = this.#persistence ? holdLocalWrites(this.#persistence) : () => {};
		if (this.#persistence) {
			void this.#persistence.whenSynced.then(() => {
				if (this.#model.hasContent) this.#setReady();
				void this.#start();
			});
			this.#attachTimer = setTimeout(() => void this.#start(), options.localLoadTimeoutMs);
		} else {
			void this.#start();
		}
	}

	call(call: BoardCall): void {
		if (this.#destroyed) return;
		switch (call.type) {
			case "stateless":
				this.#provider.sendStateless(call.payload);
				return;
			case "presence": {
				const current = this.#awareness.getLocalState() ?? {};
				// One awareness update for both fields.
				this.#awareness.setLocalState({
					...current,
					user: presenceUser(this.#options.me),
					viewing: call.viewing,
					typing: call.typing,
				});
				return;
			}
			case "disconnect":
				this.#offlineByUser = true;
				this.#clearReconnect();
				if (this.#ownsSocket) this.#socket.disconnect();
				return;
			case "connect":
				this.#connects += 1;
				this.#offlineByUser = false;
				this.#clearReconnect();
				if (this.#ownsSocket) this.#reconnect();
				return;
			case "destroy":
				this.destroy();
				return;
			default: {
				const unreachable: never = call;
				throw new Error(`unknown board call ${JSON.stringify(unreachable)}`);
			}
		}
	}

	destroy(): void {
		if (this.#destroyed) return;
		this.#destroyed = true;
		this.#changes.cancel();
		if (this.#attachTimer) clearTimeout(this.#attachTimer);
		if (this.#localWriteTimer) clearTimeout(this.#localWriteTimer);
		this.#clearReconnect();
		// Before the local copy closes: what it was held back from is written now.
		this.#releaseLocalWrites();
		this.#provider.destroy();
		this.#socket.off("status", this.#attemptLeft);
		if (this.#ownsSocket) this.#socket.destroy();
		this.#persistence?.destroy().catch((error: unknown) => this.#storageError(error));
		this.#model.destroy();
		this.#doc.destroy();
	}

	#storageError(error: unknown): void {
		const message = error instanceof Error ? error.message : String(error);
		this.#options.emit({ type: "storageError", message });
	}

	/** Attach the provider, once; with nothing of the board here, after its state over HTTP. */
	async #start(): Promise<void> {
		if (this.#starting) return;
		this.#starting = true;
		if (this.#attachTimer) clearTimeout(this.#attachTimer);
		this.#attachTimer = null;
		// Events go out after the constructor has returned, as the board's deltas do.
		await Promise.resolve();
		if (this.#destroyed) return;
		if (this.#options.loadOverHttp !== false && !this.#model.hasContent) {
			this.#options.emit({ type: "connecting", waitingFor: "state" });
			await this.#loadOverHttp();
			if (this.#destroyed) return;
		}
		this.#options.emit({ type: "connecting", waitingFor: "socket" });
		this.#provider.attach();
	}

	/**
	 * The board's state over HTTP, compressed: over the socket it is one uncompressed message
	 * (447 KB for the demo's 500 conversations, most of a phone's sign-in). Any failure (an
	 * older server, a session just ended) leaves the socket's sync to do it all, and to report
	 * what was wrong.
	 */
	async #loadOverHttp(): Promise<void> {
		const { url, token, boardId } = this.#options;
		const request = createApiRequest({
			baseUrl: url.replace(/\/+$/, ""),
			// In a browser the session cookie goes along, as on the socket's upgrade.
			...(token === COOKIE_SESSION_TOKEN ? {} : { token }),
		});
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<null>((resolve) => {
			timer = setTimeout(() => resolve(null), HTTP_STATE_TIMEOUT_MS);
		});
		const state = await Promise.race([
			request(HttpRoutes.boardState, { params: { boardId } }).catch(() => null),
			timeout,
		]);
		clearTimeout(timer);
		if (!state || this.#destroyed) return;
		const receivedAt = performance.timeOrigin + performance.now();
		try {
			// As the provider's own: it must not send the board back to the server.
			Y.applyUpdate(this.#doc, state, this.#provider);
		} catch {
			// Not a Yjs update (a proxy's page): the socket's sync brings the board.
			return;
		}
		if (!this.#model.hasContent) return;
		this.#options.emit({ type: "firstSync", receivedAt, bytes: state.byteLength });
		this.#setReady();
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

	readonly #attemptLeft = ({ status }: { status: WebSocketStatus }) => {
		if (status === WebSocketStatus.Connecting) this.#attemptAfter = this.#connects;
	};

	/** The board was refused: say so, and try again later rather than every second. */
	#refused(reason: string): void {
		if (this.#destroyed) return;
		if (this.#attemptAfter !== this.#connects) {
			// The refused attempt left before the latest `connect`: with the ended session's
			// cookie, while the member signed in again (a connected socket takes no new one). Not
			// an answer about the session now: try again at once, on a socket of its own.
			this.#attemptAfter = this.#connects;
			this.#socket.disconnect();
			this.#clearReconnect();
			if (!this.#offlineByUser) this.#reconnect();
			return;
		}
		this.#options.emit({ type: "refused", reason });
		this.#refusals += 1;
		this.#socket.disconnect();
		this.#clearReconnect();
		this.#reconnectTimer = setTimeout(() => {
			this.#reconnectTimer = null;
			if (!this.#offlineByUser && !this.#destroyed) this.#reconnect();
		}, refusedRetryDelay(this.#refusals));
	}

	/** Until the first sync: when each message arrived, for the page's performance marks. */
	#received(event: MessageEvent): void {
		if (this.#ready) return;
		const data = event.data as ArrayBuffer | Uint8Array;
		this.#lastMessage = {
			receivedAt: performance.timeOrigin + performance.now(),
			bytes: data.byteLength,
		};
	}

	#updateOnline(): void {
		if (this.#destroyed) return;
		const online =
			this.#socket.status === WebSocketStatus.Connected && this.#provider.isAuthenticated;
		if (online === this.#online) return;
		this.#online = online;
		this.#options.emit({ type: "online", online });
	}

	#setReady(): void {
		if (this.#ready) return;
		this.#ready = true;
		this.#markDirty(["ready"]);
		// The board's first screen does not wait out the pace of later changes.
		this.#changes.flushNow();
	}

	#markDirty(parts: Part[]): void {
		// One delta per burst: a Yjs transaction touches several lists at once.
		if (!this.#destroyed) this.#changes.mark(parts);
	}

	#flush(changed: ReadonlySet<Part>): void {
		if (this.#destroyed) return;
		const mentionIds = this.#mentionIds;
		this.#mentionIds = new Set();
		const model = this.#model;
		const delta: BoardDelta = {};
		if (changed.has("members")) delta.members = [...model.members()];
		if (changed.has("settings")) delta.settings = model.settings();
		if (changed.has("breaches")) delta.breaches = [...model.breaches()];
		if (changed.has("presence")) {
			delta.presence = derivePresence(this.#awareness.getStates(), this.#options.me.id, (id) =>
				model.member(id),
			);
		}
		const upsert: Mention[] = [];
		const remove: string[] = [];
		for (const id of mentionIds) {
			const mention = model.mention(id);
			if (mention) upsert.push(mention);
			else remove.push(id);
		}
		// In the page's order: sorting them there again then costs one pass.
		if (upsert.length > 1) upsert.sort(byPostedAt);
		const slice = this.#options.sliceSize ?? Number.POSITIVE_INFINITY;
		// Slices before the last carry only mentions; the last carries everything else.
		let from = 0;
		for (; upsert.length - from > slice; from += slice) {
			const mentions = { upsert: upsert.slice(from, from + slice), remove: [] };
			this.#options.emit({ type: "delta", delta: { mentions, partial: true } });
		}
		const rest = from === 0 ? upsert : upsert.slice(from);
		if (rest.length > 0 || remove.length > 0) delta.mentions = { upsert: rest, remove };
		if (changed.has("ready")) delta.ready = true;
		if (Object.keys(delta).length > 0) this.#options.emit({ type: "delta", delta });
	}
}
