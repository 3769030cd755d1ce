/**
 * Scenario 12's people, in one of several load processes: a share of the company, each
 * member a real `@hocuspocus/provider` on the board, through one socket of their own from an
 * address of their own (behind the load balancer). While the load runs, members change what
 * they look at, some press claimNext, editors type into their draft on the same socket with
 * their cursors shared, and the first process also posts the signed webhook of the ingest.
 *
 * What one load core cannot do is be a thousand browsers. So, measured on this machine:
 * - Every member sends board presence as a browser does (y-protocols awareness: their state,
 *   each change, the renewal every 15 s), but none decodes the board presence it receives:
 *   the provider turns every awareness message into an array of all states, twice
 *   (`awarenessStatesToArray` on `update` and `change`), and the load core doing that for
 *   250 members was busy 0.97 of the time. Scenario 3 times presence delivery.
 * - Every member syncs the board; after that, one in ten (`watching`) decode every
 *   change and note when each claim's owner appears, and the others receive the same frames
 *   but leave the board updates undecoded (`skims`): a thousand boards decoding 50 new
 *   mentions a second kept the load core busy 0.99 of the time, stretching 20 s of load
 *   to 31 s, and a quarter of them still 0.93–0.98 (latencies that measured the load core's
 *   queue as much as the server).
 * The server does the same work either way: it sends every frame to every socket. A frame
 * left undecoded still tells the member's provider that its socket lives (see `Skimming`).
 * Commands whose answer went with a closed socket are sent again, as the web client does.
 *
 * Every watching board observes the work entries it receives and notes when it first shows
 * each (conversation, owner) pair: after the load, the parent gathers every process's
 * acknowledged claims and each process tells, per claim, how many of its watching boards
 * show that owner and when the last of them did (a wall clock shared by the processes of
 * this machine).
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { signatureHeaders } from "@switchboard/connectors";
import { boardRoots, type KeyedEntry, type MentionWork } from "@switchboard/domain";
import * as encoding from "lib0/encoding";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import {
	frameType,
	HocuspocusMessage,
	instrumentedWebSocket,
	SocketStats,
} from "../lib/clients.ts";
import { CommandChannel, NO_ANSWER } from "../lib/commands.ts";
import type { LoadTask } from "../lib/load.ts";

export interface CompanyMember {
	token: string;
	memberId: string;
	name: string;
	/** The address the load balancer names in X-Forwarded-For. */
	address: string;
	/** Index into `wsUrls`: the instance the load balancer sent this member to. */
	instance: number;
	/** Whether this member's board keeps decoding every change (see the file). */
	watching: boolean;
}

export interface CompanyParams {
	wsUrls: string[];
	board: string;
	members: CompanyMember[];
	/** Co-edited drafts: the document, and its editors as indexes into `members`. */
	drafts: { document: string; editors: number[] }[];
	/** Conversations a member may look at (ids on the board). */
	viewable: string[];
	seconds: number;
	/** claimNext presses per second from this process's members. */
	claimsPerSecond: number;
	/** Mean time between two presence changes of one member, in ms. */
	presenceEveryMs: number;
	/** Mean time between two keystrokes of one editor, in ms. */
	typeEveryMs: number;
	/** A member stops pressing claimNext at this many claims (their capacity). */
	capacity: number;
	/** The signed webhook of the ingest, posted from this process only. */
	ingest: IngestPlan | null;
}

export interface IngestPlan {
	/** One URL per instance; requests go round the instances. */
	webhookUrls: string[];
	secret: string;
	/** Mentions per second, one per request. */
	perSecond: number;
	/** Prefix of the external ids (several runs share nothing, but ids stay readable). */
	run: string;
}

/** An acknowledged claim. */
export interface Claim {
	mentionId: string;
	memberId: string;
	/** Wall clock (performance.timeOrigin + now) when claimNext was sent, in ms. */
	sentAt: number;
}

/** Per claim, in the order of the claims the parent sent back. */
export interface Sighting {
	/** This process's boards that show the claim's owner. */
	boards: number;
	/** Wall clock when the last of them first showed it, in ms; 0 when none did. */
	lastAt: number;
}

export interface CompanyResult {
	clients: number;
	/** Members whose boards decode every change. */
	watching: number;
	/** ms from the first connection to every board synced. */
	connectMs: number;
	claimMs: number[];
	rejects: Record<string, number>;
	sightings: Sighting[];
	/** Draft updates sent and their acknowledgement times, in ms. */
	draftUpdates: number;
	draftAckMs: number[];
	/** Draft updates never acknowledged (after the settle). */
	draftUnacked: number;
	presenceChanges: number;
	/** WebSocket messages the members received while the load ran. */
	framesInLoad: number;
	ingest: {
		accepted: number;
		requests: number;
		failures: Record<string, number>;
		requestMs: number[];
		/** Requests the loop's last turn came too late for, sent after it. */
		lateRequests: number;
	};
	/**
	 * CPU time this process used while the load ran, and how long that was, in ms: summed
	 * over the processes, the share of the load core they took (near 1: they wait for it).
	 */
	loadCpuMs: number;
	loadWallMs: number;
	/** Event-loop utilisation of this process while the load ran: near 1, it measures itself. */
	elu: number;
	/** Sockets closed (by the server, or by the provider when it reconnects). */
	closes: number;
	/** The same by close code. */
	closeCodes: Record<string, number>;
	/** Commands sent again after a reconnect (their answer went with the socket). */
	commandsResent: number;
}

const wallClock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exponential = (mean: number) => -Math.log(1 - Math.random()) * mean;
/** Members connecting at once: a crowd arriving, not a single burst of a thousand. */
const WAVE = 50;
/** How long the boards get, after the load, to show every acknowledged claim. */
const SETTLE_MS = 30_000;

/** One member: a socket, the board provider with presence, maybe a draft. */
class Member {
	readonly doc = new Y.Doc();
	readonly stats = new SocketStats();
	readonly socket: HocuspocusProviderWebsocket;
	readonly board: HocuspocusProvider;
	readonly commands = new CommandChannel();
	readonly presence: Awareness;
	/** Whether this member's board keeps decoding after its first sync (see the file). */
	readonly watching: boolean;
	private boardSynced = false;
	readonly synced: Promise<void>;
	/** (conversation, owner) pairs this board has shown, with when it first did. */
	readonly seen = new Map<string, number>();
	draft: { doc: Y.Doc; provider: HocuspocusProvider; synced: Promise<void> } | null = null;
	claims = 0;
	/** WebSocket messages received from the server. */
	frames = 0;
	nextPresenceAt = 0;
	nextKeyAt = 0;

	readonly person: CompanyMember;

	constructor(params: CompanyParams, person: CompanyMember) {
		this.person = person;
		this.watching = person.watching;
		const Counted = instrumentedWebSocket(this.stats, {
			hocuspocus: true,
			headers: { "x-forwarded-for": person.address },
		});
		const member = this;
		this.socket = new HocuspocusProviderWebsocket({
			url: params.wsUrls[person.instance] as string,
			WebSocketPolyfill: class Skimming extends Counted {
				constructor(address: string | URL, protocols?: string | string[]) {
					super(address, protocols);
					// A socket closed while it connects (at the end) errs: the provider handles the close.
					this.on("error", () => {});
				}

				override emit(event: string | symbol, ...args: unknown[]): boolean {
					if (event !== "message") return super.emit(event, ...args);
					member.frames++;
					if (member.skims(args[0], params.board)) {
						// A browser's provider hears every frame, and each one tells it the socket
						// lives: a provider that hears nothing for 30 s (messageReconnectTimeout)
						// closes its socket itself (1005, no status) and connects and syncs again.
						// A skimming member hears only its own answers, so it must be told too.
						member.socket.lastMessageReceived = Date.now();
						return true;
					}
					return super.emit(event, ...args);
				}
			},
		});
		this.board = new HocuspocusProvider({
			websocketProvider: this.socket,
			name: params.board,
			document: this.doc,
			token: person.token,
			// Presence goes out from `presence` below; what comes in is not decoded (see the file).
			awareness: null,
			onStateless: this.commands.receive,
		});
		this.commands.attach(this.board);
		this.presence = new Awareness(this.doc);
		// Sent as the provider sends it: every local change and every 15 s renewal.
		this.presence.on("update", (_: unknown, origin: unknown) => {
			if (origin === "local" && this.board.isAuthenticated) this.sendPresence(params.board);
		});
		this.board.on("authenticated", () => this.sendPresence(params.board));
		this.presence.setLocalState({
			user: { id: person.memberId, name: person.name, color: "#1d4ed8" },
			viewing: null,
			typing: false,
		});
		boardRoots(this.doc).work.observe((event) => {
			const now = wallClock();
			for (const item of event.changes.added) {
				for (const entry of item.content.getContent() as KeyedEntry<MentionWork>[]) {
					const owner = entry?.v?.owner?.memberId;
					const key = owner ? `${entry.k} ${owner}` : null;
					if (key && !this.seen.has(key)) this.seen.set(key, now);
				}
			}
		});
		this.synced = providerSynced(this.board).then(() => {
			this.boardSynced = true;
		});
		this.board.attach();
	}

	openDraft(document: string): void {
		const doc = new Y.Doc();
		const provider = new HocuspocusProvider({
			websocketProvider: this.socket,
			name: document,
			document: doc,
			token: this.person.token,
		});
		provider.awareness?.setLocalStateField("user", {
			id: this.person.memberId,
			name: this.person.name,
			color: "#1d4ed8",
		});
		this.draft = { doc, provider, synced: providerSynced(provider) };
		provider.attach();
	}

	/**
	 * Whether a frame from the server is left undecoded: board presence always (see the file),
	 * board updates after the first sync unless this member is watching.
	 */
	skims(data: unknown, board: string): boolean {
		const type = frameType(data, board);
		return (
			type === HocuspocusMessage.awareness ||
			(type === HocuspocusMessage.sync && this.boardSynced && !this.watching)
		);
	}

	/** This member's presence on the board, in the Hocuspocus wire format. */
	private sendPresence(board: string): void {
		const encoder = encoding.createEncoder();
		encoding.writeVarString(encoder, board);
		encoding.writeVarUint(encoder, HocuspocusMessage.awareness);
		encoding.writeVarUint8Array(
			encoder,
			encodeAwarenessUpdate(this.presence, [this.presence.clientID]),
		);
		this.socket.send(encoding.toUint8Array(encoder));
	}

	/** Look at another conversation (or at none), as a person moving through the board. */
	look(viewable: readonly string[]): void {
		const viewing =
			Math.random() < 0.2 ? null : (viewable[Math.floor(Math.random() * viewable.length)] ?? null);
		this.presence.setLocalStateField("viewing", viewing);
	}

	/** One keystroke at a random place of the draft's body, the cursor shown to the others. */
	type(): void {
		if (!this.draft) return;
		const body = this.draft.doc.getText("body");
		const at = Math.floor(Math.random() * (body.length + 1));
		body.insert(at, String.fromCharCode(97 + Math.floor(Math.random() * 26)));
		this.draft.provider.awareness?.setLocalStateField("cursor", { anchor: at + 1, head: at + 1 });
	}

	destroy(): void {
		this.draft?.provider.destroy();
		this.presence.destroy();
		this.board.destroy();
		this.socket.destroy();
	}
}

function providerSynced(provider: HocuspocusProvider): Promise<void> {
	return new Promise((resolve) => {
		if (provider.isSynced) resolve();
		else provider.on("synced", () => resolve());
	});
}

/** A mention as a bridge forwards it, one per request. */
function webhookMention(run: string, i: number) {
	return {
		network: "other",
		externalId: `${run}-${i}`,
		url: `https://social.example/${run}/${i}`,
		author: { handle: `customer${i % 1499}`, name: `Customer ${i % 1499}`, reach: 50 + (i % 9000) },
		text: `@acme order ${i} arrived damaged, who can help me today?`,
		postedAt: new Date(Date.now() - 1_000).toISOString(),
	};
}

/** Post one signed mention per request at `perSecond` until `until`, round the instances. */
async function ingest(plan: IngestPlan, until: number): Promise<CompanyResult["ingest"]> {
	const result: CompanyResult["ingest"] = {
		accepted: 0,
		requests: 0,
		failures: {},
		requestMs: [],
		lateRequests: 0,
	};
	const inFlight: Promise<void>[] = [];
	const post = (i: number) => {
		const url = plan.webhookUrls[i % plan.webhookUrls.length] as string;
		const body = JSON.stringify({ mentions: [webhookMention(plan.run, i)] });
		const sent = performance.now();
		inFlight.push(
			fetch(url, {
				method: "POST",
				headers: { "content-type": "application/json", ...signatureHeaders(plan.secret, body) },
				body,
			})
				.then(async (response) => {
					const answer = (await response.json()) as { accepted?: number };
					result.requestMs.push(performance.now() - sent);
					if (response.status === 202) result.accepted += answer.accepted ?? 0;
					else result.failures[response.status] = (result.failures[response.status] ?? 0) + 1;
				})
				.catch((error: unknown) => {
					const cause = (error as { cause?: { code?: string; message?: string } }).cause;
					// The code and the message ("other side closed"), the instance and the second.
					const second = Math.floor((performance.now() - started) / 1000);
					const key = `${[cause?.code, cause?.message].filter(Boolean).join(" ") || String(error)} (instance ${i % plan.webhookUrls.length}, @${second}s)`;
					result.failures[key] = (result.failures[key] ?? 0) + 1;
				})
				.finally(() => {
					result.requests++;
				}),
		);
	};
	// Paced on the start: every request due by now goes out, so neither a slow answer nor a
	// busy event loop (a turn of a thousand boards' messages) slows the stream down.
	const started = performance.now();
	const total = Math.round(((until - wallClock()) * plan.perSecond) / 1000);
	let sent = 0;
	while (wallClock() < until) {
		const due = Math.floor(((performance.now() - started) * plan.perSecond) / 1000) + 1;
		while (sent < due && sent < total) post(sent++);
		await sleep(1000 / plan.perSecond);
	}
	// What a last late turn left unsent goes out too: the load is perSecond × seconds.
	const late = total - sent;
	while (sent < total) post(sent++);
	result.lateRequests = late;
	await Promise.all(inFlight);
	return result;
}

const task: LoadTask<CompanyParams, CompanyResult> = async (params, control) => {
	const connectStart = performance.now();
	const members: Member[] = [];
	for (let start = 0; start < params.members.length; start += WAVE) {
		const wave = params.members.slice(start, start + WAVE).map((p) => new Member(params, p));
		members.push(...wave);
		await Promise.all(wave.map((member) => member.synced));
	}
	for (const { document, editors } of params.drafts) {
		for (const editor of editors) members[editor]?.openDraft(document);
	}
	await Promise.all(members.map((member) => member.draft?.synced));
	const connectMs = performance.now() - connectStart;
	control.log(`${members.length} members on the board in ${(connectMs / 1000).toFixed(1)} s`);

	// Every process connected: the parent measures memory, then starts the load together.
	const { until } = (await control.mark("connected")) as { until: number };
	// How late this process began the load: a backlog of the joins' frames delays it.
	const lateMs = wallClock() - (until - params.seconds * 1000);
	const elu = performance.eventLoopUtilization();
	const delay = monitorEventLoopDelay({ resolution: 20 });
	delay.enable();
	const claims: Claim[] = [];
	const claimMs: number[] = [];
	const rejects: Record<string, number> = {};
	const pending: Promise<void>[] = [];
	let presenceChanges = 0;
	const editors = members.filter((member) => member.draft);
	const draftStats = editors.map((editor) => editor.stats);
	for (const stats of draftStats) stats.ackMs.length = 0;
	let draftUpdates = 0;
	const frames = () => members.reduce((sum, member) => sum + member.frames, 0);
	const framesBefore = frames();
	const ingestDone = params.ingest ? ingest(params.ingest, until) : null;
	const now0 = performance.now();
	const cpu0 = process.cpuUsage();
	for (const member of members) {
		member.nextPresenceAt = now0 + exponential(params.presenceEveryMs);
		member.nextKeyAt = now0 + exponential(params.typeEveryMs);
	}
	let nextClaimAt = now0 + exponential(1000 / params.claimsPerSecond);
	let claimer = Math.floor(Math.random() * members.length);
	// One clock for the whole crowd (a timer per person would cost more than their work).
	while (wallClock() < until) {
		const now = performance.now();
		for (const member of members) {
			if (member.nextPresenceAt <= now) {
				member.look(params.viewable);
				presenceChanges++;
				member.nextPresenceAt = now + exponential(params.presenceEveryMs);
			}
			if (member.draft && member.nextKeyAt <= now) {
				member.type();
				draftUpdates++;
				member.nextKeyAt = now + exponential(params.typeEveryMs);
			}
		}
		while (params.claimsPerSecond > 0 && nextClaimAt <= now) {
			nextClaimAt += exponential(1000 / params.claimsPerSecond);
			const member = members[claimer++ % members.length] as Member;
			if (member.claims >= params.capacity) continue;
			member.claims++;
			const sentAt = wallClock();
			const sent = performance.now();
			pending.push(
				member.commands.send({ name: "claimNext", args: {} }).then((answer) => {
					claimMs.push(performance.now() - sent);
					const mentionId = answer.type === "ack" ? answer.result?.mentionId : undefined;
					if (typeof mentionId === "string") {
						claims.push({ mentionId, memberId: member.person.memberId, sentAt });
						return;
					}
					const code = answer.type === "reject" ? answer.code : "ack_without_mention";
					rejects[code] = (rejects[code] ?? 0) + 1;
				}),
			);
		}
		await sleep(10);
	}
	const load = performance.eventLoopUtilization(elu);
	const cpu = process.cpuUsage(cpu0);
	const loadWallMs = performance.now() - now0;
	delay.disable();
	const framesInLoad = frames() - framesBefore;
	await Promise.all(pending);
	const ingested = (await ingestDone) ?? {
		accepted: 0,
		requests: 0,
		failures: {},
		requestMs: [],
		lateRequests: 0,
	};
	control.log(
		`${claims.length} claims, ${presenceChanges} presence changes, ${draftUpdates} keystrokes, ${ingested.accepted} mentions posted in ${ingested.requests} requests (${ingested.lateRequests} after the window); load ELU ${load.utilization.toFixed(2)}, began ${lateMs.toFixed(0)} ms after the mark, longest turn ${(delay.max / 1e6).toFixed(0)} ms`,
	);

	// Every process's claims, from the parent: now wait until these boards show them all.
	const all = (await control.mark("stop", claims)) as Claim[];
	const keys = all.map((claim) => `${claim.mentionId} ${claim.memberId}`);
	const deadline = performance.now() + SETTLE_MS;
	const watchers = members.filter((member) => member.watching);
	const everywhere = () => watchers.every((member) => keys.every((key) => member.seen.has(key)));
	while (!everywhere() && performance.now() < deadline) await sleep(100);
	const unacked = () =>
		draftStats.reduce((sum, stats) => sum + stats.waiting.filter((t) => t !== null).length, 0);
	while (unacked() > 0 && performance.now() < deadline) await sleep(100);
	const sightings = keys.map((key) => {
		let boards = 0;
		let lastAt = 0;
		for (const member of watchers) {
			const at = member.seen.get(key);
			if (at === undefined) continue;
			boards++;
			lastAt = Math.max(lastAt, at);
		}
		return { boards, lastAt };
	});
	const result: CompanyResult = {
		clients: members.length,
		watching: watchers.length,
		connectMs,
		claimMs,
		rejects,
		sightings,
		draftUpdates,
		draftAckMs: draftStats.flatMap((stats) => stats.ackMs),
		draftUnacked: unacked(),
		presenceChanges,
		framesInLoad,
		ingest: ingested,
		elu: load.utilization,
		loadCpuMs: (cpu.user + cpu.system) / 1000,
		loadWallMs,
		closes: members.reduce((sum, member) => sum + member.stats.closeCodes.length, 0),
		closeCodes: members
			.flatMap((member) => member.stats.closeCodes)
			.reduce<Record<string, number>>((counts, code) => {
				counts[code] = (counts[code] ?? 0) + 1;
				return counts;
			}, {}),
		commandsResent: members.reduce((sum, member) => sum + member.commands.resent, 0),
	};
	if ((rejects[NO_ANSWER] ?? 0) > 0) control.log(`${rejects[NO_ANSWER]} claims never answered`);
	for (const member of members) member.destroy();
	return result;
};

export default task;
