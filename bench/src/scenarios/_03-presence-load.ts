/**
 * Load of scenario 3 (runs in a load process): a crowd on one board sharing presence.
 *
 * Most of the crowd are light clients: sockets that speak the wire protocol (Hocuspocus or
 * y-websocket), send what a provider sends for presence (their state on arrival, a new
 * view or a typing flag from time to time, the unchanged state again when it has not
 * changed for 15 s, as y-protocols renews it) and count what they receive without decoding
 * it, so that one load core can keep up with a thousand of them. A few observers are real
 * providers with y-protocols awareness: they time how long a change takes to reach them and
 * notice anyone who disappears from their screen.
 */

import { performance } from "node:perf_hooks";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { WebSocket } from "ws";
import type { Awareness } from "y-protocols/awareness";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { instrumentedWebSocket, SocketStats } from "../lib/clients.ts";
import type { LoadTask } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";
import { percentile } from "../lib/stats.ts";

export interface PresenceParams {
	target: ServerTarget;
	/** The board document. */
	document: string;
	/** Everybody on the board, observers included. */
	clients: number;
	/** Real providers among them that time delivery. */
	observers: number;
	windows: number;
	windowSeconds: number;
	/** Mean time between two presence actions of one person (a new view, typing), in ms. */
	actionEveryMs: number;
	/** How long a typing flag stays up, in ms. */
	typingMs: number;
}

export interface PresenceWindow {
	/** Messages all clients received during the window. */
	messages: number;
	/** Bytes all clients' sockets read during the window. */
	bytes: number;
	/** Presence messages the crowd sent: changes and unchanged renewals. */
	changesSent: number;
	renewalsSent: number;
	/** Change-to-screen times of changes at the observers, in ms. */
	p50Ms: number;
	p99Ms: number;
	/** Changes sent in the window (and not superseded by the same person's next one) that had
	 * not reached every observer 2 s after it. */
	missed: number;
	/**
	 * Share of the crowd's sends that left within 1 ms of the one before. People act
	 * independently (a few percent at these rates); a load process that falls behind sends
	 * in bunches, which arrive together and which Hocuspocus then merges for free.
	 */
	bunched: number;
	/** Event loop utilisation of the load process (near 1: the figures measure the load). */
	loadElu: number;
}

export interface PresenceResult {
	windows: PresenceWindow[];
	/** States of people still on the board that an observer dropped, over the whole run. */
	dropped: number;
	/** ms to connect the crowd. */
	joinMs: number;
}

/** Renew an unchanged state after this long, as y-protocols does (`outdatedTimeout / 2`). */
const RENEW_MS = 15_000;
/** Hocuspocus wire types. */
const Wire = { sync: 0, awareness: 1, auth: 2 } as const;
const CARDS = 200;
/** When the crowd sent, during a window. */
let sendTimes: number[] | null = null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exponential = (mean: number) => -Math.log(1 - Math.random()) * mean;

interface State {
	user: { id: string; name: string; color: string };
	viewing: string | null;
	typing: boolean;
	/** performance.now() of the change, for the observers (same process). */
	t: number;
}

/** One person of the crowd, on a bare socket. */
class LightClient {
	readonly clientId = Math.floor(Math.random() * 0xffffffff);
	readonly ready: Promise<void>;
	messages = 0;
	clock = 0;
	state: State;
	lastSentAt = 0;
	nextActionAt = 0;
	typingUntil = 0;
	private readonly ws: WebSocket;
	private readonly target: ServerTarget;
	private readonly document: string;
	private bytesAtOpen = 0;

	constructor(target: ServerTarget, document: string, index: number) {
		this.target = target;
		this.document = document;
		this.state = {
			user: { id: `person-${index}`, name: `Person ${index}`, color: "#1d4ed8" },
			viewing: null,
			typing: false,
			t: 0,
		};
		const hocuspocus = target.kind !== "y-websocket";
		this.ws = new WebSocket(hocuspocus ? target.wsUrl : `${target.wsUrl}/${document}`);
		this.ws.binaryType = "nodebuffer";
		this.ready = new Promise<void>((resolve, reject) => {
			// A socket that fails later must not take the process down: it stops counting.
			this.ws.on("error", reject);
			this.ws.once("close", (code) => reject(new Error(`closed with ${code}`)));
			this.ws.on("message", (data: Buffer) => {
				this.messages += 1;
				if (!hocuspocus) return resolve();
				// Hocuspocus answers the authentication: [name][auth][authenticated = 2].
				if (this.messages > 3) return;
				const decoder = decoding.createDecoder(data);
				decoding.readVarString(decoder);
				if (decoding.readVarUint(decoder) !== Wire.auth) return;
				if (decoding.readVarUint(decoder) === 2) resolve();
				else reject(new Error("permission denied"));
			});
		});
		const token = target.tokens[index % Math.max(1, target.tokens.length)] ?? "token";
		this.ws.once("open", () => {
			this.bytesAtOpen = this.bytesRead();
			if (hocuspocus) {
				this.send((e) => {
					encoding.writeVarUint(e, Wire.auth);
					encoding.writeVarUint(e, 0);
					encoding.writeVarString(e, token);
					encoding.writeVarString(e, "bench");
				});
			}
			// Sync step 1 with an empty state vector, as a provider starts.
			this.send((e) => {
				encoding.writeVarUint(e, Wire.sync);
				encoding.writeVarUint(e, 0);
				encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
			});
			this.sendState(performance.now());
		});
	}

	private bytesRead(): number {
		return (this.ws as unknown as { _socket?: { bytesRead: number } })._socket?.bytesRead ?? 0;
	}

	/** Bytes read since the socket opened. */
	get bytes(): number {
		return this.bytesRead() - this.bytesAtOpen;
	}

	private send(write: (encoder: encoding.Encoder) => void): void {
		if (this.ws.readyState !== WebSocket.OPEN) return;
		const encoder = encoding.createEncoder();
		if (this.target.kind !== "y-websocket") encoding.writeVarString(encoder, this.document);
		write(encoder);
		this.ws.send(encoding.toUint8Array(encoder));
	}

	/** Send the state with the next clock: a change, or an unchanged renewal. */
	sendState(now: number): void {
		sendTimes?.push(now);
		this.clock += 1;
		this.lastSentAt = now;
		const update = encoding.createEncoder();
		encoding.writeVarUint(update, 1);
		encoding.writeVarUint(update, this.clientId);
		encoding.writeVarUint(update, this.clock);
		encoding.writeVarString(update, JSON.stringify(this.state));
		this.send((e) => {
			encoding.writeVarUint(e, Wire.awareness);
			encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
		});
	}

	close(): void {
		this.ws.close();
	}
}

interface Observer {
	awareness: Awareness;
	stats: SocketStats;
	flush(): void;
	destroy(): void;
}

function observe(target: ServerTarget, document: string, index: number): Promise<Observer> {
	const stats = new SocketStats();
	let current: { flushStats(): void } | null = null;
	const Base = instrumentedWebSocket(stats, { hocuspocus: target.kind !== "y-websocket" });
	const Tracked = class extends Base {
		constructor(address: string | URL, protocols?: string | string[]) {
			super(address, protocols);
			current = this as unknown as { flushStats(): void };
		}
	};
	const doc = new Y.Doc();
	const state = {
		user: { id: `observer-${index}`, name: `Observer ${index}`, color: "#be123c" },
		viewing: null,
		typing: false,
	};
	if (target.kind === "y-websocket") {
		const provider = new WebsocketProvider(target.wsUrl, document, doc, {
			WebSocketPolyfill: Tracked as unknown as typeof globalThis.WebSocket,
			disableBc: true,
		});
		provider.awareness.setLocalState(state);
		return new Promise((resolve) => {
			provider.once("sync", () =>
				resolve({
					awareness: provider.awareness,
					stats,
					flush: () => current?.flushStats(),
					destroy: () => provider.destroy(),
				}),
			);
		});
	}
	const socket = new HocuspocusProviderWebsocket({ url: target.wsUrl, WebSocketPolyfill: Tracked });
	const provider = new HocuspocusProvider({
		websocketProvider: socket,
		name: document,
		document: doc,
		token: target.tokens[index % Math.max(1, target.tokens.length)] ?? "token",
	});
	provider.attach();
	const awareness = provider.awareness as Awareness;
	awareness.setLocalState(state);
	return new Promise((resolve) => {
		provider.on("synced", () =>
			resolve({
				awareness,
				stats,
				flush: () => current?.flushStats(),
				destroy: () => {
					provider.destroy();
					socket.destroy();
				},
			}),
		);
	});
}

function bunched(times: number[]): number {
	if (times.length < 2) return 0;
	let close = 0;
	for (let i = 1; i < times.length; i++) {
		if ((times[i] ?? 0) - (times[i - 1] ?? 0) < 1) close += 1;
	}
	return close / (times.length - 1);
}

const run: LoadTask<PresenceParams, PresenceResult> = async (params, control) => {
	const { target, document } = params;
	const observers: Observer[] = [];
	for (let i = 0; i < params.observers; i++) observers.push(await observe(target, document, i));

	const crowd: LightClient[] = [];
	const byId = new Map<number, LightClient>();

	// Observers: when each change (by its time stamp) reached them, and who they dropped.
	let dropped = 0;
	let latencies: number[] = [];
	/** Per change sent in the window: how many observers have seen it. */
	let pending = new Map<string, number>();
	for (const observer of observers) {
		observer.awareness.on(
			"change",
			({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
				const now = performance.now();
				for (const id of [...added, ...updated]) {
					const t = (observer.awareness.getStates().get(id) as State | undefined)?.t;
					if (!t || !byId.has(id)) continue;
					const key = `${id}:${t}`;
					const seen = pending.get(key);
					if (seen === undefined) continue;
					latencies.push(now - t);
					if (seen + 1 >= observers.length) pending.delete(key);
					else pending.set(key, seen + 1);
				}
				for (const id of removed) if (byId.has(id)) dropped += 1;
			},
		);
	}

	/** A client's change not yet seen everywhere, superseded by its next change. */
	const lastKey = new Map<number, string>();
	let changesSent = 0;
	let renewalsSent = 0;
	let measuring = false;
	// Each person on a timer of their own: people act independently, so their messages
	// reach the server spread out, not in bursts a server could merge for free.
	const act = (client: LightClient) => {
		const now = performance.now();
		let changed = false;
		if (client.typingUntil > 0 && now >= client.typingUntil) {
			client.typingUntil = 0;
			client.state = { ...client.state, typing: false, t: now };
			changed = true;
		} else if (now >= client.nextActionAt) {
			client.nextActionAt = now + exponential(params.actionEveryMs);
			if (Math.random() < 0.6 || client.state.viewing === null) {
				const card = `card-${Math.floor(Math.random() * CARDS)}`;
				client.state = { ...client.state, viewing: card, typing: false, t: now };
			} else {
				client.state = { ...client.state, typing: true, t: now };
				client.typingUntil = now + params.typingMs;
			}
			changed = true;
		}
		if (changed) {
			client.sendState(now);
			if (measuring) {
				changesSent += 1;
				const superseded = lastKey.get(client.clientId);
				if (superseded !== undefined) pending.delete(superseded);
				const key = `${client.clientId}:${now}`;
				lastKey.set(client.clientId, key);
				if (observers.length > 0) pending.set(key, 0);
			}
		} else if (now - client.lastSentAt >= RENEW_MS) {
			client.sendState(now);
			if (measuring) renewalsSent += 1;
		}
		schedule(client);
	};
	const timers = new Map<LightClient, ReturnType<typeof setTimeout>>();
	const schedule = (client: LightClient) => {
		const due = Math.min(
			client.nextActionAt,
			client.typingUntil > 0 ? client.typingUntil : Number.POSITIVE_INFINITY,
			client.lastSentAt + RENEW_MS,
		);
		timers.set(
			client,
			setTimeout(() => act(client), Math.max(0, due - performance.now())),
		);
	};
	/** One person on the board; like a provider, try again when a busy server refuses. */
	const arrive = async (index: number): Promise<LightClient> => {
		for (let attempt = 1; ; attempt++) {
			const client = new LightClient(target, document, index);
			try {
				await client.ready;
				crowd.push(client);
				byId.set(client.clientId, client);
				return client;
			} catch (error) {
				client.close();
				if (attempt >= 5) throw error;
				await sleep(500 * attempt);
			}
		}
	};
	// People arrive in batches and act from the moment they are on the board, so each one
	// renews their state 15 s after their last message, as y-protocols does.
	const started = performance.now();
	const batch = 50;
	for (let start = params.observers; start < params.clients; start += batch) {
		const indexes: number[] = [];
		for (let i = start; i < Math.min(params.clients, start + batch); i++) indexes.push(i);
		const group = await Promise.all(indexes.map((i) => arrive(i)));
		for (const client of group) {
			client.nextActionAt = performance.now() + exponential(params.actionEveryMs);
			schedule(client);
		}
	}
	const joinMs = performance.now() - started;
	control.log(`${target.kind}: ${params.clients} on the board in ${Math.round(joinMs)} ms`);

	const counted = () => {
		let messages = 0;
		let bytes = 0;
		for (const client of crowd) {
			messages += client.messages;
			bytes += client.bytes;
		}
		for (const observer of observers) {
			observer.flush();
			messages += observer.stats.messagesReceived;
			bytes += observer.stats.bytesReceived;
		}
		return { messages, bytes };
	};

	// Settle: the arrival's burst of states goes out before the first window.
	await sleep(2_000);
	const windows: PresenceWindow[] = [];
	for (let w = 0; w < params.windows; w++) {
		latencies = [];
		pending = new Map();
		changesSent = 0;
		renewalsSent = 0;
		const before = counted();
		await control.mark("start", w);
		const elu = performance.eventLoopUtilization();
		measuring = true;
		sendTimes = [];
		await sleep(params.windowSeconds * 1000);
		measuring = false;
		const sent = sendTimes;
		sendTimes = null;
		await control.mark("stop", w);
		const loadElu = performance.eventLoopUtilization(elu).utilization;
		const after = counted();
		// Late changes of the window still count for latency, not for the window's figures.
		await sleep(2_000);
		windows.push({
			messages: after.messages - before.messages,
			bytes: after.bytes - before.bytes,
			changesSent,
			renewalsSent,
			p50Ms: percentile(latencies, 50),
			p99Ms: percentile(latencies, 99),
			missed: pending.size,
			bunched: bunched(sent),
			loadElu,
		});
	}
	for (const timer of timers.values()) clearTimeout(timer);
	const droppedWhileThere = dropped;
	for (const client of crowd) client.close();
	for (const observer of observers) observer.destroy();
	return { windows, dropped: droppedWhileThere, joinMs };
};

export default run;
