/**
 * Load of scenario 3 (runs in a load process): a crowd on one board sharing presence, and
 * small groups of them in conversations, co-editing a draft with their cursors shown.
 *
 * Most of the crowd are light clients: sockets that speak the wire protocol (Hocuspocus or
 * y-websocket), send what a provider sends for presence (their state on arrival, a new
 * view or a typing flag from time to time, the unchanged state again when it has not
 * changed for 15 s, as y-protocols renews it) and count what they receive without decoding
 * it, so that one load core can keep up with a thousand of them. A few observers are real
 * providers with y-protocols awareness: they time how long a change takes to reach them and
 * notice anyone who disappears from their screen.
 *
 * The people in a conversation also hold its draft document open (a socket of its own, as
 * y-websocket needs one per document anyway) and publish there what the web client does:
 * their cursor (y-codemirror.next's relative positions) and whether they type, at typing
 * pace while they type. They decode what they receive on the draft, which is only their
 * conversation's few people, and time how long each cursor or typing change of the others
 * took to reach them: the presence a person in a conversation looks at.
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
	/** Repeats: each is a window of board presence alone, then one with the conversations too. */
	windows: number;
	windowSeconds: number;
	/** Mean time between two presence actions of one person (a new view, typing), in ms. */
	actionEveryMs: number;
	/** How long a typing flag stays up, in ms. */
	typingMs: number;
	/** Draft documents of conversations with people co-editing in them. */
	conversations: string[];
	/** People in each conversation (they are part of `clients`). */
	perConversation: number;
	/** Mean time between two cursor moves of a person typing in a draft, in ms. */
	cursorEveryMs: number;
}

export interface PresenceWindow {
	/**
	 * "board": the crowd's board presence alone (nobody types in a draft); "conversations":
	 * the same crowd while the people in conversations type in their drafts.
	 */
	phase: "board" | "conversations";
	/** Messages all clients received during the window. */
	messages: number;
	/** Bytes all clients' sockets read during the window. */
	bytes: number;
	/** Presence messages the crowd sent: changes and unchanged renewals. */
	changesSent: number;
	renewalsSent: number;
	/** Change-to-screen times of board changes (the badges) at the observers, in ms. */
	p50Ms: number;
	p99Ms: number;
	/** Presence messages sent on the conversations' drafts: cursor/typing changes, renewals. */
	draftChangesSent: number;
	draftRenewalsSent: number;
	/** Change-to-screen times of cursor and typing changes at the others in the conversation. */
	draftP50Ms: number;
	draftP99Ms: number;
	/** Draft changes of the window not seen by every other person in the conversation 2 s later. */
	draftMissed: number;
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

/**
 * A bare socket on one document that speaks just enough of the wire protocol (Hocuspocus
 * or y-websocket) to share presence: it authenticates, asks for the document as a provider
 * starts, sends its state with the next clock on each change or renewal, and counts what it
 * receives. What it does with a frame once authenticated is its subclass's business.
 */
class PresenceSocket<S> {
	readonly clientId = Math.floor(Math.random() * 0xffffffff);
	readonly ready: Promise<void>;
	messages = 0;
	lastSentAt = 0;
	state: S;
	private clock = 0;
	private readonly ws: WebSocket;
	private readonly hocuspocus: boolean;
	private readonly document: string;
	private bytesAtOpen = 0;

	constructor(target: ServerTarget, document: string, token: string, state: S) {
		this.document = document;
		this.state = state;
		this.hocuspocus = target.kind !== "y-websocket";
		this.ws = new WebSocket(this.hocuspocus ? target.wsUrl : `${target.wsUrl}/${document}`);
		this.ws.binaryType = "nodebuffer";
		let authenticated = !this.hocuspocus;
		this.ready = new Promise<void>((resolve, reject) => {
			// A socket that fails later must not take the process down: it stops counting.
			this.ws.on("error", reject);
			this.ws.once("close", (code) => reject(new Error(`closed with ${code}`)));
			this.ws.on("message", (data: Buffer) => {
				this.messages += 1;
				if (authenticated) {
					resolve();
					this.received(data);
					return;
				}
				// Hocuspocus answers the authentication: [name][auth][authenticated = 2].
				const decoder = decoding.createDecoder(data);
				decoding.readVarString(decoder);
				if (decoding.readVarUint(decoder) !== Wire.auth) return;
				if (decoding.readVarUint(decoder) !== 2) return reject(new Error("permission denied"));
				authenticated = true;
				resolve();
			});
		});
		this.ws.once("open", () => {
			this.bytesAtOpen = this.bytesRead();
			if (this.hocuspocus) {
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

	/** A frame received once authenticated: only counted, unless a subclass reads it. */
	protected received(_frame: Buffer): void {}

	/** Where an awareness frame's update starts, or null for any other frame. */
	protected awarenessUpdateOf(frame: Buffer): Uint8Array | null {
		const decoder = decoding.createDecoder(frame);
		if (this.hocuspocus) decoding.readVarString(decoder);
		if (decoding.readVarUint(decoder) !== Wire.awareness) return null;
		return decoding.readVarUint8Array(decoder);
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
		if (this.hocuspocus) encoding.writeVarString(encoder, this.document);
		write(encoder);
		this.ws.send(encoding.toUint8Array(encoder));
	}

	/** Send the state with the next clock: a change, or an unchanged renewal. */
	sendState(now: number): void {
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

/** One person of the crowd on the board: counts what it receives without decoding it. */
class LightClient extends PresenceSocket<State> {
	nextActionAt = 0;
	typingUntil = 0;

	constructor(target: ServerTarget, document: string, index: number) {
		const token = target.tokens[index % Math.max(1, target.tokens.length)] ?? "token";
		super(target, document, token, {
			user: { id: `person-${index}`, name: `Person ${index}`, color: "#1d4ed8" },
			viewing: null,
			typing: false,
			t: 0,
		});
	}

	override sendState(now: number): void {
		sendTimes?.push(now);
		super.sendState(now);
	}
}

/** A cursor as y-codemirror.next publishes it: two Yjs relative positions, as JSON. */
type Cursor = { anchor: unknown; head: unknown };

interface DraftState {
	user: { id: string; name: string; color: string };
	cursor: Cursor | null;
	typing: boolean;
	t: number;
}

/**
 * One person's draft of a conversation, on a socket of its own. It reads what it receives
 * (its conversation's few people), to time the others' changes.
 */
class DraftSeat extends PresenceSocket<DraftState> {
	/** Called with each state of another client this seat receives. */
	onState: ((clientId: number, state: DraftState, now: number) => void) | null = null;

	constructor(target: ServerTarget, document: string, token: string, user: DraftState["user"]) {
		super(target, document, token, { user, cursor: null, typing: false, t: 0 });
	}

	protected override received(frame: Buffer): void {
		const update = this.awarenessUpdateOf(frame);
		if (!update) return;
		const now = performance.now();
		const decoder = decoding.createDecoder(update);
		const count = decoding.readVarUint(decoder);
		for (let i = 0; i < count; i++) {
			const clientId = decoding.readVarUint(decoder);
			decoding.readVarUint(decoder);
			const json = decoding.readVarString(decoder);
			if (clientId === this.clientId || json === "null") continue;
			this.onState?.(clientId, JSON.parse(json) as DraftState, now);
		}
	}
}

/** Cursors in a draft of a few hundred characters, as y-codemirror.next encodes them. */
function cursorsOf(length: number): Cursor[] {
	const doc = new Y.Doc();
	const text = doc.getText("body");
	text.insert(0, "x".repeat(length));
	return Array.from({ length: length + 1 }, (_, index) => {
		const position = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, index));
		return { anchor: position, head: position };
	});
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

/** A person of the crowd in a conversation: on the board, and in its draft. */
interface Seated {
	client: LightClient;
	seat: DraftSeat;
	/** The others in the same conversation. */
	peers: number;
	typingUntil: number;
	nextBurstAt: number;
	nextCursorAt: number;
	position: number;
}

/** Mean pause between two bursts of typing of a person in a conversation, in ms. */
const PAUSE_MS = 4_000;
/** Length of the draft the cursors move in. */
const DRAFT_LENGTH = 280;

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
	/** Whether the people in conversations type (and move their cursors) in their drafts. */
	let conversing = false;
	/** A change of a person's board state (a new view, typing or its end). */
	const boardChange = (client: LightClient, now: number) => {
		client.sendState(now);
		if (!measuring) return;
		changesSent += 1;
		const superseded = lastKey.get(client.clientId);
		if (superseded !== undefined) pending.delete(superseded);
		const key = `${client.clientId}:${now}`;
		lastKey.set(client.clientId, key);
		if (observers.length > 0) pending.set(key, 0);
	};
	const renewBoard = (client: LightClient, now: number) => {
		if (now - client.lastSentAt < RENEW_MS) return;
		client.sendState(now);
		if (measuring) renewalsSent += 1;
	};

	// The same bookkeeping for the conversations' drafts, where the others in the
	// conversation are the observers.
	let draftLatencies: number[] = [];
	let draftPending = new Map<string, number>();
	const draftLastKey = new Map<number, string>();
	let draftChangesSent = 0;
	let draftRenewalsSent = 0;
	const draftChange = (person: Seated, now: number) => {
		person.seat.state.t = now;
		person.seat.sendState(now);
		if (!measuring) return;
		draftChangesSent += 1;
		const { clientId } = person.seat;
		const superseded = draftLastKey.get(clientId);
		if (superseded !== undefined) draftPending.delete(superseded);
		const key = `${clientId}:${now}`;
		draftLastKey.set(clientId, key);
		if (person.peers > 0) draftPending.set(key, 0);
	};
	const seatedIn = new Map<number, Seated>();
	const onDraftState = (clientId: number, state: DraftState, now: number) => {
		const person = seatedIn.get(clientId);
		if (!person) return;
		const key = `${clientId}:${state.t}`;
		const seen = draftPending.get(key);
		if (seen === undefined) return;
		draftLatencies.push(now - state.t);
		if (seen + 1 >= person.peers) draftPending.delete(key);
		else draftPending.set(key, seen + 1);
	};

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
		if (changed) boardChange(client, now);
		else renewBoard(client, now);
		schedule(client);
	};
	const timers = new Map<object, ReturnType<typeof setTimeout>>();
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

	// A person in a conversation types in bursts: the board's badge says so at the start and
	// the end of a burst (coalesced there), the draft carries every cursor move (direct).
	const cursors = cursorsOf(DRAFT_LENGTH);
	const actSeated = (person: Seated) => {
		clearTimeout(timers.get(person));
		const now = performance.now();
		const { client, seat } = person;
		if (person.typingUntil > 0 && now >= person.typingUntil) {
			person.typingUntil = 0;
			person.nextBurstAt = now + exponential(PAUSE_MS);
			seat.state = { ...seat.state, typing: false };
			draftChange(person, now);
			client.state = { ...client.state, typing: false, t: now };
			boardChange(client, now);
		} else if (person.typingUntil > 0 && now >= person.nextCursorAt) {
			person.nextCursorAt = now + exponential(params.cursorEveryMs);
			person.position = (person.position + 1) % cursors.length;
			seat.state = { ...seat.state, cursor: cursors[person.position] ?? null };
			draftChange(person, now);
		} else if (person.typingUntil === 0 && now >= person.nextBurstAt && !conversing) {
			person.nextBurstAt = now + exponential(PAUSE_MS);
		} else if (person.typingUntil === 0 && now >= person.nextBurstAt) {
			person.typingUntil = now + params.typingMs;
			person.nextCursorAt = now + exponential(params.cursorEveryMs);
			seat.state = { ...seat.state, typing: true };
			draftChange(person, now);
			client.state = { ...client.state, typing: true, t: now };
			boardChange(client, now);
		}
		renewBoard(client, now);
		if (now - seat.lastSentAt >= RENEW_MS) {
			seat.sendState(now);
			if (measuring) draftRenewalsSent += 1;
		}
		const due = Math.min(
			person.typingUntil > 0
				? Math.min(person.typingUntil, person.nextCursorAt)
				: person.nextBurstAt,
			client.lastSentAt + RENEW_MS,
			seat.lastSentAt + RENEW_MS,
		);
		timers.set(
			person,
			setTimeout(() => actSeated(person), Math.max(0, due - performance.now())),
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
	// The first people of the crowd sit in the conversations; everyone else wanders the board.
	const seatedCount = Math.min(
		params.clients - params.observers,
		params.conversations.length * params.perConversation,
	);
	const seats: DraftSeat[] = [];
	const seated: Seated[] = [];
	const sit = async (client: LightClient, index: number): Promise<void> => {
		const conversation = Math.floor(index / params.perConversation);
		const name = params.conversations[conversation] as string;
		const token = target.tokens[(params.observers + index) % Math.max(1, target.tokens.length)];
		const seat = new DraftSeat(target, name, token ?? "token", client.state.user);
		seat.onState = onDraftState;
		await seat.ready;
		seats.push(seat);
		const person: Seated = {
			client,
			seat,
			peers: params.perConversation - 1,
			typingUntil: 0,
			nextBurstAt: performance.now() + exponential(PAUSE_MS),
			nextCursorAt: 0,
			position: Math.floor(Math.random() * cursors.length),
		};
		seatedIn.set(seat.clientId, person);
		seated.push(person);
		// Looking at the conversation, for as long as the run lasts.
		client.state = { ...client.state, viewing: `conversation-${conversation}`, t: 0 };
	};
	// People arrive in batches and act from the moment they are on the board, so each one
	// renews their state 15 s after their last message, as y-protocols does.
	const started = performance.now();
	const batch = 50;
	for (let start = params.observers; start < params.clients; start += batch) {
		const indexes: number[] = [];
		for (let i = start; i < Math.min(params.clients, start + batch); i++) indexes.push(i);
		const group = await Promise.all(indexes.map((i) => arrive(i)));
		const sitting: Promise<void>[] = [];
		for (const [offset, client] of group.entries()) {
			const index = start + offset - params.observers;
			if (index < seatedCount) {
				sitting.push(sit(client, index));
				continue;
			}
			client.nextActionAt = performance.now() + exponential(params.actionEveryMs);
			schedule(client);
		}
		await Promise.all(sitting);
	}
	for (const person of seated) {
		boardChange(person.client, performance.now());
		actSeated(person);
	}
	const joinMs = performance.now() - started;
	control.log(
		`${target.kind}: ${params.clients} on the board in ${Math.round(joinMs)} ms, ${seated.length} of them in ${params.conversations.length} conversations`,
	);

	const counted = () => {
		let messages = 0;
		let bytes = 0;
		for (const client of crowd) {
			messages += client.messages;
			bytes += client.bytes;
		}
		for (const seat of seats) {
			messages += seat.messages;
			bytes += seat.bytes;
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
	const phases = ["board", "conversations"] as const;
	for (let w = 0; w < params.windows * phases.length; w++) {
		const phase = phases[w % phases.length] as PresenceWindow["phase"];
		if (conversing && phase === "board") {
			// Everyone stops typing in the drafts (the end of a burst), and the board settles.
			conversing = false;
			for (const person of seated) {
				if (person.typingUntil === 0) continue;
				person.typingUntil = performance.now();
				actSeated(person);
			}
			await sleep(1_000);
		}
		conversing = phase === "conversations";
		latencies = [];
		pending = new Map();
		changesSent = 0;
		renewalsSent = 0;
		draftLatencies = [];
		draftPending = new Map();
		draftChangesSent = 0;
		draftRenewalsSent = 0;
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
			phase,
			messages: after.messages - before.messages,
			bytes: after.bytes - before.bytes,
			changesSent,
			renewalsSent,
			p50Ms: percentile(latencies, 50),
			p99Ms: percentile(latencies, 99),
			missed: pending.size,
			draftChangesSent,
			draftRenewalsSent,
			draftP50Ms: percentile(draftLatencies, 50),
			draftP99Ms: percentile(draftLatencies, 99),
			draftMissed: draftPending.size,
			bunched: bunched(sent),
			loadElu,
		});
	}
	for (const timer of timers.values()) clearTimeout(timer);
	const droppedWhileThere = dropped;
	for (const client of crowd) client.close();
	for (const seat of seats) seat.close();
	for (const observer of observers) observer.destroy();
	return { windows, dropped: droppedWhileThere, joinMs };
};

export default run;
