/**
 * Real clients for load generators: `@hocuspocus/provider` over `ws` for Switchboard and
 * bare Hocuspocus, y-websocket's WebsocketProvider for @y/websocket-server. Each socket is
 * a `ws` WebSocket subclass that counts what it receives, times every update it sends
 * until the server's sync-status answer (Hocuspocus only), and can read slowly.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import type { ServerTarget } from "./servers.ts";

/** Wire message types of the Hocuspocus protocol (its `MessageType`). */
export const HocuspocusMessage = { sync: 0, awareness: 1, syncStatus: 8 } as const;
/** y-protocols sync steps. */
export const SyncStep = { step2: 1, update: 2 } as const;

/** What one client's sockets saw. */
export class SocketStats {
	/** Bytes read from the TCP socket (frames included), across reconnects. */
	bytesReceived = 0;
	messagesReceived = 0;
	/** Send-to-acknowledgement times of updates, in ms (Hocuspocus protocol only). */
	readonly ackMs: number[] = [];
	/** Updates (and sync step 2) sent and not yet answered, oldest first: send time or null. */
	waiting: (number | null)[] = [];
	/** Close codes the server sent, in order. */
	readonly closeCodes: number[] = [];
	opened = 0;
}

function toBytes(data: unknown): Uint8Array | null {
	if (data instanceof Uint8Array) return data;
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
	return null;
}

/**
 * A frame the server sent about `document`, read as far as its Hocuspocus message type:
 * the type, and the decoder at what follows; null for another document's frame (or not binary).
 */
function frameHeader(
	data: unknown,
	document: string,
): { type: number; decoder: decoding.Decoder } | null {
	const bytes = toBytes(data);
	if (!bytes || bytes.length < 2) return null;
	const decoder = decoding.createDecoder(bytes);
	if (decoding.readVarString(decoder) !== document) return null;
	return { type: decoding.readVarUint(decoder), decoder };
}

/** The Hocuspocus message type of a frame about `document`, without decoding the rest. */
export function frameType(data: unknown, document: string): number | null {
	return frameHeader(data, document)?.type ?? null;
}

/** The y-protocols sync step of a sync frame about `document`, null for any other frame. */
export function syncStep(data: unknown, document: string): number | null {
	const header = frameHeader(data, document);
	return header?.type === HocuspocusMessage.sync ? decoding.readVarUint(header.decoder) : null;
}

export interface SocketOptions {
	/** Read at most this many bytes per second (a slow consumer). */
	readBytesPerSecond?: number;
	/** Parse the Hocuspocus protocol to time acknowledgements. */
	hocuspocus: boolean;
	/**
	 * Headers of the upgrade request, e.g. `X-Forwarded-For` for a person behind the load
	 * balancer, each from an address of their own.
	 */
	headers?: Record<string, string>;
}

/** A `ws` WebSocket class for a provider's `WebSocketPolyfill`. */
export function instrumentedWebSocket(stats: SocketStats, options: SocketOptions) {
	return class BenchWebSocket extends WebSocket {
		#socketBytesAtOpen = 0;
		#counted = 0;

		constructor(address: string | URL, protocols?: string | string[]) {
			super(address, protocols, options.headers ? { headers: options.headers } : {});
			stats.waiting = [];
			this.on("open", () => {
				stats.opened += 1;
				this.#socketBytesAtOpen = this.#rawSocket()?.bytesRead ?? 0;
			});
			this.on("close", (code) => {
				this.#countBytes();
				stats.closeCodes.push(code);
			});
			this.on("message", (data) => this.#received(data));
			if (options.readBytesPerSecond) this.#throttle(options.readBytesPerSecond);
		}

		#rawSocket(): { bytesRead: number } | undefined {
			return (this as unknown as { _socket?: { bytesRead: number } })._socket;
		}

		#countBytes(): void {
			const read = (this.#rawSocket()?.bytesRead ?? 0) - this.#socketBytesAtOpen;
			if (read > this.#counted) {
				stats.bytesReceived += read - this.#counted;
				this.#counted = read;
			}
		}

		#throttle(rate: number): void {
			let started = 0;
			let read = 0;
			this.on("message", (data) => {
				const bytes = toBytes(data);
				if (!bytes) return;
				const now = performance.now();
				if (started === 0) started = now;
				read += bytes.byteLength;
				const aheadMs = (read / rate) * 1000 - (now - started);
				if (aheadMs > 5 && this.readyState === WebSocket.OPEN) {
					// Stop reading the TCP socket: the kernel buffers fill, then the server's.
					this.pause();
					setTimeout(() => this.resume(), aheadMs);
				}
			});
		}

		override send(data: unknown, ...rest: unknown[]): void {
			const bytes = toBytes(data);
			if (bytes && options.hocuspocus) this.#sent(bytes);
			(super.send as (data: unknown, ...rest: unknown[]) => void)(data, ...rest);
		}

		#sent(bytes: Uint8Array): void {
			const decoder = decoding.createDecoder(bytes);
			decoding.readVarString(decoder);
			if (decoding.readVarUint(decoder) !== HocuspocusMessage.sync) return;
			const step = decoding.readVarUint(decoder);
			if (step === SyncStep.update) stats.waiting.push(performance.now());
			else if (step === SyncStep.step2) stats.waiting.push(null);
		}

		#received(data: unknown): void {
			stats.messagesReceived += 1;
			if (stats.messagesReceived % 64 === 0) this.#countBytes();
			if (!options.hocuspocus) return;
			const bytes = toBytes(data);
			if (!bytes || bytes.length < 2) return;
			const decoder = decoding.createDecoder(bytes);
			decoding.readVarString(decoder);
			if (decoding.readVarUint(decoder) !== HocuspocusMessage.syncStatus) return;
			const sentAt = stats.waiting.shift();
			if (typeof sentAt === "number") stats.ackMs.push(performance.now() - sentAt);
		}

		/** Count what the socket read so far (call before reading `stats.bytesReceived`). */
		flushStats(): void {
			this.#countBytes();
		}
	};
}

export interface BenchClient {
	doc: Y.Doc;
	stats: SocketStats;
	/** Resolves when the first sync with the server is complete. */
	synced: Promise<void>;
	/** Count what the open socket read so far into `stats.bytesReceived`. */
	flushStats(): void;
	destroy(): void;
}

export interface ClientOptions {
	target: ServerTarget;
	document: string;
	/** Which member's token (index into target.tokens). @default 0 */
	member?: number;
	/**
	 * Share presence (awareness), as an editor does. Off, the client sends no awareness
	 * state: a reader in the background. @default true
	 */
	presence?: boolean;
	/** Read at most this many bytes per second. */
	readBytesPerSecond?: number;
	doc?: Y.Doc;
}

/** Connect one real client to a document of the target server. */
export function connectClient(options: ClientOptions): BenchClient {
	const { target } = options;
	const doc = options.doc ?? new Y.Doc();
	const stats = new SocketStats();
	const presence = options.presence ?? true;
	const Base = instrumentedWebSocket(stats, {
		hocuspocus: target.kind !== "y-websocket",
		...(options.readBytesPerSecond ? { readBytesPerSecond: options.readBytesPerSecond } : {}),
	});
	let current: InstanceType<typeof Base> | null = null;
	// Remember the open socket, to count its bytes on demand.
	const Tracked = class extends Base {
		constructor(address: string | URL, protocols?: string | string[]) {
			super(address, protocols);
			current = this;
		}
	};
	const client = (synced: Promise<void>, closeProvider: () => void): BenchClient => ({
		doc,
		stats,
		synced,
		flushStats: () => current?.flushStats(),
		destroy() {
			current?.flushStats();
			closeProvider();
		},
	});
	if (target.kind === "y-websocket") {
		const provider = new WebsocketProvider(target.wsUrl, options.document, doc, {
			WebSocketPolyfill: Tracked as unknown as typeof globalThis.WebSocket,
			// Several clients of one room share this process: they must talk through the server.
			disableBc: true,
			connect: false,
		});
		if (!presence) provider.awareness.setLocalState(null);
		const synced = new Promise<void>((resolve) => {
			const onSync = (isSynced: boolean) => {
				if (!isSynced) return;
				provider.off("sync", onSync);
				resolve();
			};
			provider.on("sync", onSync);
		});
		provider.connect();
		return client(synced, () => provider.destroy());
	}
	const socket = new HocuspocusProviderWebsocket({
		url: target.wsUrl,
		WebSocketPolyfill: Tracked,
		// Readers with no presence hear nothing while the document is quiet.
		messageReconnectTimeout: presence ? 30_000 : 24 * 3600_000,
	});
	const provider = new HocuspocusProvider({
		websocketProvider: socket,
		name: options.document,
		document: doc,
		token: target.tokens[(options.member ?? 0) % Math.max(1, target.tokens.length)] ?? "token",
		...(presence ? {} : { awareness: null }),
	});
	const synced = new Promise<void>((resolve) => {
		if (provider.isSynced) resolve();
		else provider.on("synced", () => resolve());
	});
	provider.attach();
	return client(synced, () => {
		provider.destroy();
		socket.destroy();
	});
}

/** Bytes the clients have received so far, their last counts flushed first. */
export function bytesReceivedBy(clients: readonly BenchClient[]): number {
	let total = 0;
	for (const client of clients) {
		client.flushStats();
		total += client.stats.bytesReceived;
	}
	return total;
}
