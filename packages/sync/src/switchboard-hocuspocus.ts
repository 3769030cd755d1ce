/**
 * Hocuspocus with two changes:
 * - when a document cannot be loaded for a client (the database is down), the socket is
 *   closed with 4503 before Hocuspocus answers permission-denied. A provider gives up on a
 *   document it was refused, while after a close it connects again and sends what the
 *   server has not acknowledged;
 * - awareness goes out through a {@link PresenceRelay}: changes coalesced per tick,
 *   unchanged keep-alives not relayed on their own (see presence-relay.ts).
 */
import {
	type Configuration,
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

export interface SwitchboardConfiguration extends Partial<Configuration<SocketContext>> {
	/** How presence is coalesced. @default defaultPresenceRelayOptions */
	presence?: PresenceRelayOptions;
}

export class SwitchboardHocuspocus extends Hocuspocus<SocketContext> {
	private readonly presence: PresenceRelayOptions;

	constructor(configuration: SwitchboardConfiguration = {}) {
		const { presence, ...rest } = configuration;
		super(rest);
		this.presence = presence ?? {};
	}

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
			attachPresenceRelay(document, this.presence);
		}
		return document;
	}
}
