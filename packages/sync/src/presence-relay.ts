/**
 * Presence at scale. Hocuspocus applies every awareness message at once and relays it to
 * every connection of the document, keep-alives included: with N people on a board that is
 * N messages out per message in, and y-protocols renews each unchanged state every 15 s, so
 * an idle board of 1,000 costs ~67,000 messages a second.
 *
 * The relay keeps applying at once (the server's states are always current and its timeouts
 * refreshed) but changes how they go out, by interest:
 * - a change (a client added, its state changed, removed) waits for the end of the tick that
 *   it opened; the tick then sends one message with the latest state of every client changed
 *   in it, encoded once for all connections. A tick costs one send per connection, so it
 *   lasts 0.5 ms per connection (`msPerConnection`), up to 250 ms: a document's presence
 *   costs at most ~2,000 sends a second however many are on it. The few people in a
 *   conversation (its draft: 2–5 connections, a tick of 1–3 ms) so see each other's cursor
 *   and typing at once, as with bare Hocuspocus, while a board of 1,000 shows who looks at
 *   and types in what (its badges) four times a second;
 * - a keep-alive (a new clock, the same state) is not relayed on its own. A remote state
 *   lives 30 s (`outdatedTimeout`) after the last update a client applied for it, and a client
 *   renews its state 15–18 s after its last change, so the renewal must still reach the others:
 *   renewals ride along with the next tick, or at the latest `refreshMs` after they came in,
 *   all renewals of that period in one message. 18 s + `refreshMs` stays well below 30 s.
 *
 * Why not Hocuspocus 4.7's own batching (`flushDelay`, `Document.flush`)? It already gives
 * what the relay used to do itself: one message per batch with the latest state of every
 * changed client, encoded once per message address (`Document.broadcast`, Document.ts
 * 298–319). The relay now sends through that very code (hocuspocus-seams.ts, patch 2) and
 * keeps only what `flushDelay` cannot do (@hocuspocus/server 4.7.0, src/Document.ts):
 * - keep-alives: `handleAwarenessUpdate` listens to the awareness `update` event (line 88),
 *   which y-protocols emits for renewals too, and queues `added.concat(updated, removed)`
 *   (lines 252, 274–276): every renewal goes out with the next flush. Holding them is what
 *   takes an idle board of 1,000 from ~67,000 messages a second to a few hundred;
 * - one window per document for document updates and awareness alike (`scheduleFlush`,
 *   lines 376–397, shared by `handleUpdate` at 346–352): a 50–250 ms presence tick there
 *   would hold back every co-editor's keystrokes as long. Switchboard keeps `flushDelay: 0`
 *   (updates of one event-loop turn merged, nothing delayed) and ticks presence apart;
 * - a window that grows with the audience (`msPerConnection`): `flushDelay` is one number.
 */
import type { Document } from "@hocuspocus/server";
import type { Awareness } from "y-protocols/awareness";
import type { AwarenessBroadcast } from "./hocuspocus-seams.ts";
import { noSyncMetrics, type SyncMetrics } from "./sync-metrics.ts";

export interface PresenceRelayOptions {
	/**
	 * The shortest tick, in ms: how long the first change waits for others at least. 0: a
	 * document with few connections (a conversation's draft and its cursors) relays within
	 * a millisecond or two, as directly as bare Hocuspocus, since each change costs it only
	 * a few sends.
	 * @default 0
	 */
	tickMs?: number;
	/**
	 * The tick grows by this much per connection, up to `maxTickMs`. A tick costs one send
	 * per connection (a system call each, most of the relay's CPU), so a board with a crowd
	 * ticks less often: its presence costs at most ~1000 / msPerConnection sends a second
	 * (2,000) however many are on it, while bare Hocuspocus sends connections × changes.
	 * A quarter of a second is still "at once" for the board's badges (who looks at what,
	 * who types), which is all a person elsewhere on the board sees of a conversation.
	 * @default 0.5 (1.5 ms for 3 people in a draft, 50 ms at 100, 150 ms at 300, 250 ms from 500)
	 */
	msPerConnection?: number;
	/** @default 250 */
	maxTickMs?: number;
	/**
	 * Longest delay before an unchanged renewal is relayed, in ms. Must stay well below
	 * 30,000 − 18,000 (the remote timeout minus the renewal period), or people disappear.
	 * @default 5000
	 */
	refreshMs?: number;
}

export const defaultPresenceRelayOptions: Required<PresenceRelayOptions> = {
	tickMs: 0,
	msPerConnection: 0.5,
	maxTickMs: 250,
	refreshMs: 5_000,
};

interface AwarenessEvent {
	added: number[];
	updated: number[];
	removed: number[];
}

/** What a relay has sent, for tests and the benchmark. */
export interface PresenceRelayStats {
	/** Broadcasts (one message to every connection each). */
	broadcasts: number;
	/** Messages sent, summed over connections. */
	messages: number;
	/** Keep-alives that came in and were not relayed on their own. */
	renewalsHeld: number;
}

const relays = new WeakMap<Document, PresenceRelay>();

/**
 * Take over the awareness broadcast of a Hocuspocus document: `broadcast` is Hocuspocus'
 * own, silenced for everything but this relay (hocuspocus-seams.ts). Idempotent: a
 * document has at most one relay, which stops when the document is destroyed.
 */
export function attachPresenceRelay(
	document: Document,
	broadcast: AwarenessBroadcast,
	options: PresenceRelayOptions = {},
	metrics: Pick<SyncMetrics, "presenceSent"> = noSyncMetrics,
): PresenceRelay {
	let relay = relays.get(document);
	if (!relay) {
		relay = new PresenceRelay(document, broadcast, options, metrics);
		relays.set(document, relay);
	}
	return relay;
}

/** The relay of a document, if one was attached. */
export function presenceRelayOf(document: Document): PresenceRelay | undefined {
	return relays.get(document);
}

export class PresenceRelay {
	readonly stats: PresenceRelayStats = { broadcasts: 0, messages: 0, renewalsHeld: 0 };
	private readonly document: Document;
	private readonly awareness: Awareness;
	private readonly send: AwarenessBroadcast;
	private readonly metrics: Pick<SyncMetrics, "presenceSent">;
	private readonly tickMs: number;
	private readonly msPerConnection: number;
	private readonly maxTickMs: number;
	private readonly refreshMs: number;
	/** Clients added, changed or removed since the last broadcast. */
	private readonly changed = new Set<number>();
	/** Clients whose state was renewed, unchanged, since the last broadcast. */
	private readonly renewed = new Set<number>();
	private tickTimer: ReturnType<typeof setTimeout> | null = null;
	private refreshTimer: ReturnType<typeof setInterval> | null = null;
	private stopped = false;

	constructor(
		document: Document,
		broadcast: AwarenessBroadcast,
		options: PresenceRelayOptions = {},
		metrics: Pick<SyncMetrics, "presenceSent"> = noSyncMetrics,
	) {
		const { tickMs, msPerConnection, maxTickMs, refreshMs } = {
			...defaultPresenceRelayOptions,
			...options,
		};
		this.document = document;
		this.awareness = document.awareness;
		this.tickMs = tickMs;
		this.msPerConnection = msPerConnection;
		this.maxTickMs = Math.max(tickMs, maxTickMs);
		this.refreshMs = refreshMs;
		this.send = broadcast;
		this.metrics = metrics;
		// y-protocols emits `change` (real changes only) right before `update` (changes and
		// renewals) for the same update, so a client in `updated` and not yet in `changed`
		// was renewed without a change.
		this.awareness.on("change", this.onChange);
		this.awareness.on("update", this.onUpdate);
		document.on("destroy", () => this.stop());
	}

	/** Send what is pending now (the document is going away, or a test wants it). */
	flush(): void {
		this.clearTick();
		if (this.changed.size === 0 && this.renewed.size === 0) return;
		const clients = [...this.changed];
		for (const clientId of this.renewed) {
			if (!this.changed.has(clientId)) clients.push(clientId);
		}
		this.changed.clear();
		this.renewed.clear();
		this.broadcast(clients);
	}

	stop(): void {
		if (this.stopped) return;
		this.stopped = true;
		this.clearTick();
		this.clearRefresh();
		this.awareness.off("change", this.onChange);
		this.awareness.off("update", this.onUpdate);
	}

	private readonly onChange = ({ added, updated, removed }: AwarenessEvent): void => {
		for (const clientId of added) this.changed.add(clientId);
		for (const clientId of updated) this.changed.add(clientId);
		for (const clientId of removed) this.changed.add(clientId);
		if (this.tickTimer === null && !this.stopped) {
			this.tickTimer = setTimeout(this.onTick, this.currentTickMs());
			this.tickTimer.unref?.();
		}
	};

	private readonly onUpdate = ({ updated }: AwarenessEvent): void => {
		let held = false;
		for (const clientId of updated) {
			if (this.changed.has(clientId)) continue;
			this.renewed.add(clientId);
			this.stats.renewalsHeld += 1;
			held = true;
		}
		// A sweep every `refreshMs` while renewals keep coming (an interval rather than a
		// timeout per period: one timer for the document, and a fake clock can drive it).
		if (held && this.refreshTimer === null && !this.stopped) {
			this.refreshTimer = setInterval(this.onRefresh, this.refreshMs);
			this.refreshTimer.unref?.();
		}
	};

	/** The tick for the audience the document has now. */
	currentTickMs(): number {
		const byAudience = this.document.getConnectionsCount() * this.msPerConnection;
		return Math.min(this.maxTickMs, Math.max(this.tickMs, byAudience));
	}

	private readonly onTick = (): void => {
		this.tickTimer = null;
		this.flush();
	};

	private readonly onRefresh = (): void => {
		if (this.renewed.size === 0 && this.changed.size === 0) {
			this.clearRefresh();
			return;
		}
		this.flush();
	};

	private clearTick(): void {
		if (this.tickTimer !== null) clearTimeout(this.tickTimer);
		this.tickTimer = null;
	}

	private clearRefresh(): void {
		if (this.refreshTimer !== null) clearInterval(this.refreshTimer);
		this.refreshTimer = null;
	}

	/** One awareness message with these clients; Hocuspocus encodes it once per address. */
	private broadcast(clients: number[]): void {
		this.send(clients);
		const connections = this.document.connections.size;
		this.stats.broadcasts += 1;
		this.stats.messages += connections;
		this.metrics.presenceSent(connections);
	}
}
