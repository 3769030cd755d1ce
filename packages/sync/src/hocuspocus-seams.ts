/**
 * Every place where Switchboard reaches into Hocuspocus beyond its public hooks and
 * `handleConnection`. Each patch says what in `@hocuspocus/server` it relies on;
 * `hocuspocus-seams.test.ts` checks each of those against the installed version and fails
 * when an upgrade changes one. Upgrading Hocuspocus: read every patch below against the
 * new source, run that test, then raise `CHECKED_HOCUSPOCUS_VERSION`.
 *
 * 1. `SwitchboardHocuspocus.createDocument` (a subclass override): a document that cannot
 *    be loaded closes the socket with 4503 before Hocuspocus answers permission-denied.
 * 2. `takeOverAwarenessBroadcast` (a private method stubbed): awareness goes out through
 *    the PresenceRelay instead of on every change and renewal.
 * 3. `interceptIncoming` (a `Connection.handleMessage` wrap): the durable log appends an
 *    update as soon as it arrives, before its turn in the connection's queue.
 * 4. `MessageTypes` and `AUTH_TOKEN_MESSAGE` (a pre-parser): frame-codec.ts reads
 *    Hocuspocus' wire format before Hocuspocus does, with these copies of its numbers.
 * 5. `serveCachedFirstSync` (a `MessageReceiver.prototype.readSyncMessage` wrap): a new
 *    client's sync step 2 is a message kept with the document's cached encoded state
 *    (encoded-state-cache.ts) instead of a fresh encoding of the whole document.
 * 6. `lazyAwarenessHookStates` (an awareness listener replaced): the `onAwarenessUpdate`
 *    hook's `states` array is built when a hook reads it, not for every awareness message.
 * 7. `SwitchboardHocuspocus.hooks` (a subclass override): each hook runs on the extensions
 *    that have it, found once per hook instead of on every call, and Hocuspocus' own no-op
 *    defaults are not run for the hooks of every message.
 * 8. `readAwarenessDirectly` (a `MessageReceiver.prototype.apply` wrap): an awareness
 *    message's states are read from its bytes for `beforeHandleAwareness`, not through a
 *    scratch `Y.Doc` and `Awareness` made for every message.
 * 9. `SwitchboardHocuspocus.createDocument` again: what loading a document changed is not
 *    broadcast to the clients that join it, which are sent the loaded document in their sync.
 */
import {
	type Configuration,
	type Connection,
	type ConnectionConfiguration,
	type Document,
	type Extension,
	Hocuspocus,
	type HookName,
	type HookPayloadByName,
	type IncomingMessage,
	MessageReceiver,
	OutgoingMessage,
} from "@hocuspocus/server";
import { CloseCodes } from "@switchboard/domain";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { applyAwarenessUpdate } from "y-protocols/awareness";
import { messageYjsSyncStep1, messageYjsSyncStep2 } from "y-protocols/sync";
import type { SocketContext } from "./context.ts";
import {
	attachEncodedStateCache,
	type EncodedStateTuning,
	encodedStateCacheOf,
} from "./encoded-state-cache.ts";
import {
	attachPresenceRelay,
	type PresenceRelayOptions,
	presenceRelayOf,
} from "./presence-relay.ts";
import { noSyncMetrics, type SyncMetrics } from "./sync-metrics.ts";

/** The `@hocuspocus/server` version whose source the patches below were checked against. */
export const CHECKED_HOCUSPOCUS_VERSION = "4.7.0";

/**
 * Patch 4, the pre-parser. Hocuspocus' `MessageType` (types.ts) as an `as const` table:
 * every frame is `varString address, varUint type, ...`, and ClientConnection /
 * MessageReceiver switch on these numbers.
 *
 * Relies on: the numbers of `MessageType` (the canary compares them one by one), and on
 * ClientConnection handing the very frame object it received to `Connection.handleMessage`
 * (frame-codec.ts keeps one decode per frame object; a copy would only cost a second
 * decode, not a wrong answer).
 */
export const MessageTypes = {
	sync: 0,
	awareness: 1,
	auth: 2,
	queryAwareness: 3,
	syncReply: 4,
	stateless: 5,
	broadcastStateless: 6,
	close: 7,
	syncStatus: 8,
	ping: 9,
	pong: 10,
} as const;

/**
 * Patch 4, continued: the sub-type of an authentication message that carries a token
 * (`AuthMessageType.Token` of @hocuspocus/common, read in MessageReceiver's `Auth` case).
 */
export const AUTH_TOKEN_MESSAGE = 0;

export interface SwitchboardConfiguration extends Partial<Configuration<SocketContext>> {
	/** How presence is coalesced. @default defaultPresenceRelayOptions */
	presence?: PresenceRelayOptions;
	/** Where presence fan-out is counted. @default nowhere */
	metrics?: Pick<SyncMetrics, "presenceSent">;
	/** Which documents keep their encoded state. @default defaultEncodedStateTuning */
	encodedState?: Partial<EncodedStateTuning>;
}

/**
 * Patch 9. Hocuspocus batches a document's updates for its clients (`Document.handleUpdate`
 * queues them, `flush` sends the batch a turn later, `flushDelay`), and loading a document
 * applies its stored state as updates: the batch then holds the whole document. When the
 * load ends before that turn comes (always on the embedded database), the clients that join
 * get their sync, then the batch: a returning phone, whose local copy its sync step 2
 * already completed, was sent the whole board once more, uncompressed (615 KB for the demo
 * board; tests/board-rejoin.test.ts). Sent now, while nobody has joined, it goes to nobody.
 *
 * Relies on: `Document.flush` sending the batch to the document's connections only (its
 * direct connections and the Redis extension get updates through hooks, not the batch), and
 * on a freshly loaded document having no connection yet (patch 1).
 */
function dropLoadBroadcast(document: Document): void {
	if (document.getConnectionsCount() === 0) document.flush();
}

/**
 * Hocuspocus with three changes: a document that cannot be loaded for a client (the
 * database is down) closes the socket with 4503, awareness goes out through a
 * {@link PresenceRelay} (see presence-relay.ts), and a new client's first sync of a large
 * document is answered from its encoded state kept between changes.
 */
export class SwitchboardHocuspocus extends Hocuspocus<SocketContext> {
	private readonly presence: PresenceRelayOptions;
	private readonly metrics: Pick<SyncMetrics, "presenceSent">;
	private readonly encodedState: Partial<EncodedStateTuning>;
	/** Unset while Hocuspocus' constructor runs (it dispatches `onConfigure`). */
	private readonly hookTable: HookTable | undefined;

	constructor(configuration: SwitchboardConfiguration = {}) {
		const { presence, metrics, encodedState, ...rest } = configuration;
		super(rest);
		this.presence = presence ?? {};
		this.metrics = metrics ?? noSyncMetrics;
		this.encodedState = encodedState ?? {};
		this.hookTable = new HookTable(defaultMessageHooks(this.configuration, rest));
		serveCachedFirstSync();
		readAwarenessDirectly();
	}

	/**
	 * Patch 7. Hocuspocus' `hooks` filters every extension for the hook on every call and
	 * runs its configuration's hooks too, as an extension it appends last: for the hooks of
	 * every message and change (`MESSAGE_HOOKS`) those are no-ops that each cost a promise
	 * and two chain links (Switchboard sets none of them). Same chain as Hocuspocus': one
	 * extension after the other, each awaited, the first in a later microtask, an error
	 * logged and passed on, `callback` after each.
	 *
	 * Relies on: Hocuspocus and ClientConnection dispatching every hook through
	 * `this.hooks` (ClientConnection gets `this.hooks.bind(this)`), on the configuration's
	 * hooks being the functions of `this.configuration` of the same names, and on Hocuspocus
	 * not using the value of a `MESSAGE_HOOKS` dispatch.
	 */
	override hooks<T extends HookName>(
		name: T,
		payload: HookPayloadByName<SocketContext>[T],
		// biome-ignore lint/complexity/noBannedTypes: Hocuspocus' own signature.
		callback: Function | null = null,
	): Promise<unknown> {
		if (!this.hookTable) return super.hooks(name, payload, callback);
		let chain: Promise<unknown> = Promise.resolve();
		for (const extension of this.hookTable.having(name, this.configuration.extensions)) {
			chain = chain
				.then(() => (extension[name] as (data: typeof payload) => unknown).call(extension, payload))
				.catch((error: unknown) => {
					// As Hocuspocus does.
					const message = (error as { message?: unknown } | null)?.message;
					if (message) console.error(`[${name}]`, message);
					throw error;
				});
			if (callback) chain = chain.then((...args: unknown[]) => callback(...args));
		}
		return chain;
	}

	/**
	 * Patch 1. A provider gives up on a document it was refused, while after a close it
	 * connects again and sends what the server has not acknowledged: so when loading
	 * fails, close the socket first, then let Hocuspocus answer as it does.
	 *
	 * Relies on: ClientConnection calling `createDocument` (public, with this signature)
	 * through its document provider, the Hocuspocus instance, before it creates the
	 * connection and answers, so the close goes out first; and on the returned document
	 * having no connection yet, so the relay is attached before anyone's awareness.
	 */
	override async createDocument(
		documentName: string,
		request: Request,
		socketId: string,
		connection: ConnectionConfiguration,
		context?: SocketContext,
	): Promise<Document> {
		let document: Document;
		try {
			document = await super.createDocument(documentName, request, socketId, connection, context);
		} catch (error) {
			// Direct connections (the server itself) have no socket to close.
			context?.closeSocket?.(
				CloseCodes.unavailable.code,
				`${CloseCodes.unavailable.reason}: the document could not be loaded; connect again later`,
			);
			throw error;
		}
		// Before any connection joins: this continuation runs before the caller's.
		attachEncodedStateCache(document, this.encodedState);
		if (!presenceRelayOf(document)) {
			dropLoadBroadcast(document);
			lazyAwarenessHookStates(document, this);
			attachPresenceRelay(
				document,
				takeOverAwarenessBroadcast(document),
				this.presence,
				this.metrics,
			);
		}
		return document;
	}
}

/**
 * Patch 7, continued: hooks Hocuspocus dispatches for every message, update or awareness
 * change (and every debounced store) without using what they return.
 */
export const MESSAGE_HOOKS: ReadonlySet<HookName> = new Set<HookName>([
	"beforeHandleMessage",
	"afterHandleMessage",
	"beforeSync",
	"onChange",
	"beforeHandleAwareness",
	"onAwarenessUpdate",
	"beforeBroadcastStateless",
	"onStoreDocument",
	"afterStoreDocument",
]);

/** Hocuspocus' default no-ops among the configuration's `MESSAGE_HOOKS` (none was given). */
function defaultMessageHooks(
	configuration: Partial<Record<HookName, unknown>>,
	given: Partial<Record<HookName, unknown>>,
): Set<unknown> {
	const defaults = new Set<unknown>();
	for (const name of MESSAGE_HOOKS) {
		if (given[name] === undefined && typeof configuration[name] === "function") {
			defaults.add(configuration[name]);
		}
	}
	return defaults;
}

/** Per hook, the extensions that have it, except the skipped functions; kept per list. */
class HookTable {
	private readonly skipped: ReadonlySet<unknown>;
	private extensions: readonly Extension[] = [];
	private count = 0;
	private readonly lists = new Map<HookName, Extension[]>();

	constructor(skipped: ReadonlySet<unknown>) {
		this.skipped = skipped;
	}

	having(name: HookName, extensions: readonly Extension[]): Extension[] {
		// The list is Hocuspocus' configuration; anything that changes it starts afresh.
		if (extensions !== this.extensions || extensions.length !== this.count) {
			this.extensions = extensions;
			this.count = extensions.length;
			this.lists.clear();
		}
		let list = this.lists.get(name);
		if (!list) {
			list = extensions.filter(
				(extension) => typeof extension[name] === "function" && !this.skipped.has(extension[name]),
			);
			this.lists.set(name, list);
		}
		return list;
	}
}

/**
 * Patch 6. Hocuspocus dispatches the `onAwarenessUpdate` hook from a listener on the
 * document's awareness that builds, for every awareness message, an array of every state
 * of the document (`states: awarenessStatesToArray(document.awareness.getStates())`), read
 * or not. On a board of 1,000 that is 1,000 objects per message: 19% of the server's CPU in
 * bench scenario 3 (`--cpu-prof`), for a field no Switchboard extension and not the Redis
 * extension reads. Replace that listener with one whose `states` is built on first read.
 *
 * Relies on: `Hocuspocus.loadDocument` adding that listener to `document.awareness`'s
 * `update` event last, after the `afterLoadDocument` hooks (Hocuspocus.ts, the end of
 * `loadDocument`), as an arrow function (no name, unlike Document's own bound
 * `handleAwarenessUpdate`); on lib0's Observable keeping listeners in `_observers`, a Map of
 * Sets in the order they were added; and on the hook's payload fields (types.ts,
 * `onAwarenessUpdatePayload`). The canary checks that a hook gets every field, once.
 */
export function lazyAwarenessHookStates(
	document: Document,
	instance: Hocuspocus<SocketContext>,
): void {
	const observers = (
		document.awareness as unknown as { _observers?: Map<string, Set<(...args: never[]) => void>> }
	)._observers?.get("update");
	const dispatcher = observers ? [...observers].at(-1) : undefined;
	if (dispatcher?.name !== "" || observers?.size === 1) {
		throw new Error("@hocuspocus/server changed: the onAwarenessUpdate listener is not last");
	}
	document.awareness.off("update", dispatcher);
	document.awareness.on(
		"update",
		(update: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
			const connection =
				(origin as { source?: unknown } | null)?.source === "connection"
					? (origin as { connection: Connection }).connection
					: undefined;
			let states: { clientId: number; [key: string]: unknown }[] | undefined;
			void instance.hooks("onAwarenessUpdate", {
				document,
				documentName: document.name,
				instance,
				...update,
				transactionOrigin: origin,
				connection,
				awareness: document.awareness,
				get states() {
					states ??= Array.from(document.awareness.getStates(), ([clientId, state]) => ({
						clientId,
						...state,
					}));
					return states;
				},
			});
		},
	);
}

/** Sends one awareness message with these clients' states to every connection. */
export type AwarenessBroadcast = (clients: number[]) => void;

/**
 * Patch 2. Silence Hocuspocus' own awareness broadcast on this document and return it, so
 * that the caller decides when and for which clients it runs.
 *
 * Relies on: `Document.broadcastAwarenessUpdate(changedClients)` (private) being the only
 * path by which awareness leaves a document, reached from `handleAwarenessUpdate` (every
 * awareness `update`, renewals included) directly or through `flush`; and on it encoding
 * one message per message address and sending it to every connection.
 */
export function takeOverAwarenessBroadcast(document: Document): AwarenessBroadcast {
	const target = document as unknown as { broadcastAwarenessUpdate?: unknown };
	const original = target.broadcastAwarenessUpdate;
	if (typeof original !== "function") {
		throw new Error("@hocuspocus/server changed: Document.broadcastAwarenessUpdate is gone");
	}
	target.broadcastAwarenessUpdate = () => {};
	return (clients) => {
		(original as AwarenessBroadcast).call(document, clients);
	};
}

/**
 * Patch 3. Call `observe` with every frame Hocuspocus hands to this document connection,
 * as it arrives, before the connection queues it behind the messages it is handling.
 *
 * Relies on: `Connection.handleMessage(data)` (public, but Hocuspocus calls it itself and
 * does not offer a hook at that point) being how ClientConnection delivers every frame of
 * an established connection, including the ones queued during authentication, looked up
 * on the instance so that an own property takes its place.
 */
export function interceptIncoming(
	connection: Connection,
	observe: (frame: Uint8Array) => void,
): void {
	const handle = connection.handleMessage.bind(connection);
	connection.handleMessage = (data: Uint8Array) => {
		observe(data);
		handle(data);
	};
}

type ReadSyncMessage = (
	this: MessageReceiver,
	message: IncomingMessage,
	document: Document,
	connection?: Connection,
	reply?: (message: Uint8Array) => void,
	requestFirstSync?: boolean,
) => Promise<number>;

/** What `readSyncMessage` was before patch 5, kept to call and for the canary. */
let originalReadSyncMessage: ReadSyncMessage | null = null;

/** Whether a sync step 1 asks for everything: an empty state vector (no client known). */
function asksForEverything(message: IncomingMessage): boolean {
	const decoder = message.decoder;
	const start = decoder.pos;
	try {
		if (decoding.readVarUint(decoder) !== messageYjsSyncStep1) return false;
		const stateVector = decoding.readVarUint8Array(decoder);
		return stateVector.byteLength === 1 && stateVector[0] === 0;
	} catch {
		return false; // Malformed: Hocuspocus' own reading says so.
	} finally {
		decoder.pos = start;
	}
}

/**
 * Patch 5. Answer a sync step 1 with an empty state vector (a client that has nothing yet)
 * with the document's cached encoded state, when an {@link EncodedStateCache} is attached
 * to it (by `SwitchboardHocuspocus.createDocument`); everything else goes to Hocuspocus as
 * before. The bytes are the same as `Y.encodeStateAsUpdate(document, [0])`. Installed
 * once per process; documents without a cache are not affected.
 *
 * Relies on: `MessageReceiver` (exported) reading every sync and sync-reply message through
 * `readSyncMessage(message, document, connection, reply, requestFirstSync)`, whose step 1
 * branch this repeats with the cached bytes (MessageReceiver.ts, `case
 * messageYjsSyncStep1`): `beforeSync` awaited with the step type and the state vector
 * peeked, `readSyncStep1` writing step 2 into the message's encoder (after the `Sync`
 * type that `apply` wrote, which `apply` then sends through `reply` if given, else
 * `connection.send`, only when something was written after that type), then the server's
 * own step 1 as a sync-reply through `reply`, or as a sync message through
 * `connection.send`, and the step type returned. The step 2 is sent here, after the step 1,
 * the order in which Hocuspocus' answers arrive.
 */
export function serveCachedFirstSync(): void {
	if (originalReadSyncMessage) return;
	const prototype = MessageReceiver.prototype as unknown as { readSyncMessage: ReadSyncMessage };
	const original = prototype.readSyncMessage;
	if (typeof original !== "function") {
		throw new Error("@hocuspocus/server changed: MessageReceiver.readSyncMessage is gone");
	}
	originalReadSyncMessage = original;
	prototype.readSyncMessage = async function readSyncMessage(
		message,
		document,
		connection,
		reply,
		requestFirstSync = true,
	) {
		const cache = encodedStateCacheOf(document);
		if (!cache || !asksForEverything(message)) {
			return original.call(this, message, document, connection, reply, requestFirstSync);
		}
		const type = message.readVarUint();
		const messageAddress = connection?.messageAddress ?? document.name;
		if (connection) {
			await connection.callbacks.beforeSync(connection, {
				type,
				payload: message.peekVarUint8Array(),
			});
		}
		message.readVarUint8Array();
		// After beforeSync: the state as it is now, as `readSyncStep1` would encode it, after
		// what the message's encoder holds (the address and the sync type `apply` wrote), as
		// one array kept with the state: `apply` would copy the whole state into its encoder
		// and out again for every client. Nothing is written into the encoder, so `apply`
		// sends nothing more; the step 2 goes out below, where `apply` would send it.
		const head = encoding.toUint8Array(message.encoder);
		const stepTwo = cache.framed((state) => {
			const encoder = encoding.createEncoder();
			encoding.writeUint8Array(encoder, head);
			encoding.writeVarUint(encoder, messageYjsSyncStep2);
			encoding.writeVarUint(encoder, state.byteLength);
			return encoding.toUint8Array(encoder);
		});
		if (reply && requestFirstSync) {
			reply(
				new OutgoingMessage(messageAddress)
					.createSyncReplyMessage()
					.writeFirstSyncStepFor(document)
					.toUint8Array(),
			);
		} else if (connection) {
			connection.send(
				new OutgoingMessage(messageAddress)
					.createSyncMessage()
					.writeFirstSyncStepFor(document)
					.toUint8Array(),
			);
		}
		if (reply) reply(stepTwo);
		else if (connection) connection.send(stepTwo);
		return type;
	};
}

type Apply = (
	this: MessageReceiver,
	document: Document,
	connection?: Connection,
	reply?: (message: Uint8Array) => void,
) => Promise<void>;

/** What `apply` was before patch 8, kept to call and for the canary. */
let originalApply: Apply | null = null;

/** Hocuspocus' own `apply`, for the canary to compare patch 8 with; null before it. */
export function hocuspocusApply(): Apply | null {
	return originalApply;
}

/**
 * The states of an awareness update (y-protocols' encoding: a count, then each client's id,
 * clock and state as JSON), by client id, with their clocks; a removal (state `null`) is
 * left out, as `Awareness.getStates()` leaves it out.
 */
function readAwarenessStates(update: Uint8Array): {
	states: Map<number, Record<string, unknown>>;
	clocks: Map<number, number>;
} {
	const decoder = decoding.createDecoder(update);
	const states = new Map<number, Record<string, unknown>>();
	const clocks = new Map<number, number>();
	const count = decoding.readVarUint(decoder);
	for (let i = 0; i < count; i++) {
		const clientId = decoding.readVarUint(decoder);
		const clock = decoding.readVarUint(decoder);
		const state = JSON.parse(decoding.readVarString(decoder)) as Record<string, unknown> | null;
		if (state === null) continue;
		states.set(clientId, state);
		clocks.set(clientId, clock);
	}
	return { states, clocks };
}

/** An awareness update of these states, each with its clock (y-protocols' encoding). */
function writeAwarenessStates(
	states: ReadonlyMap<number, Record<string, unknown>>,
	clocks: ReadonlyMap<number, number>,
): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, states.size);
	for (const [clientId, state] of states) {
		encoding.writeVarUint(encoder, clientId);
		encoding.writeVarUint(encoder, clocks.get(clientId) ?? 0);
		encoding.writeVarString(encoder, JSON.stringify(state));
	}
	return encoding.toUint8Array(encoder);
}

/**
 * Patch 8. For every awareness message Hocuspocus makes a scratch `Y.Doc` and an `Awareness`
 * on it (an interval timer and a local state of its own, events on both), applies the
 * update to it so that `beforeHandleAwareness` can see and edit the states, encodes what is
 * left, destroys both and applies that encoding to the document. This reads the states from
 * the update's bytes instead and applies the same encoding: taking one message in cost
 * 280–300 µs of CPU Hocuspocus' way and 14–15 µs this way (bench/src/awareness-cost.ts,
 * bench/findings/03.md). One difference: the scratch's own empty local state is not among
 * the states the hook sees. It never reached the document (its clock, 0, is not newer than
 * an unknown client's), but the awareness guard counted it against the connection's
 * allowance of client ids. Installed once per process.
 *
 * Relies on: `MessageReceiver` (exported) handling every message in
 * `apply(document, connection, reply)`, which reads the message type first and, for
 * `MessageType.Awareness` (MessageReceiver.ts), reads the update as a var-length array,
 * takes as origin `{ source: "connection", connection }` with a connection, else its
 * `defaultTransactionOrigin` or `{ source: "local" }`, awaits
 * `document.callbacks.beforeHandleAwareness(document, states, origin)` with the states by
 * client id, encodes the states left with their clocks, and applies that to
 * `document.awareness` with the same origin.
 */
export function readAwarenessDirectly(): void {
	if (originalApply) return;
	const prototype = MessageReceiver.prototype as unknown as { apply: Apply };
	const original = prototype.apply;
	if (typeof original !== "function") {
		throw new Error("@hocuspocus/server changed: MessageReceiver.apply is gone");
	}
	originalApply = original;
	prototype.apply = async function apply(document, connection, reply) {
		const { message } = this;
		const start = message.decoder.pos;
		if (message.readVarUint() !== MessageTypes.awareness) {
			message.decoder.pos = start;
			return original.call(this, document, connection, reply);
		}
		const { states, clocks } = readAwarenessStates(message.readVarUint8Array());
		const origin = connection
			? { source: "connection", connection }
			: (this.defaultTransactionOrigin ?? { source: "local" });
		await document.callbacks.beforeHandleAwareness(document, states, origin);
		applyAwarenessUpdate(document.awareness, writeAwarenessStates(states, clocks), origin);
	};
}
