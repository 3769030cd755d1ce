/**
 * Every place where Switchboard reaches into Hocuspocus beyond its public hooks and
 * `handleConnection`. Each patch says what in `@hocuspocus/server` it relies on;
 * `hocuspocus-seams.test.ts` checks each of those against the installed version and fails
 * when an upgrade changes one. Upgrading Hocuspocus: read the four patches against the
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
 */
import {
	type Configuration,
	type Connection,
	type ConnectionConfiguration,
	type Document,
	Hocuspocus,
} from "@hocuspocus/server";
import { CloseCodes } from "@switchboard/domain";
import type { SocketContext } from "./context.ts";
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
}

/**
 * Hocuspocus with two changes: a document that cannot be loaded for a client (the
 * database is down) closes the socket with 4503, and awareness goes out through a
 * {@link PresenceRelay} (see presence-relay.ts).
 */
export class SwitchboardHocuspocus extends Hocuspocus<SocketContext> {
	private readonly presence: PresenceRelayOptions;
	private readonly metrics: Pick<SyncMetrics, "presenceSent">;

	constructor(configuration: SwitchboardConfiguration = {}) {
		const { presence, metrics, ...rest } = configuration;
		super(rest);
		this.presence = presence ?? {};
		this.metrics = metrics ?? noSyncMetrics;
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
		if (!presenceRelayOf(document)) {
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
