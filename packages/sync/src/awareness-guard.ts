/**
 * Awareness from a client speaks for that client only. The `user` of every state a
 * connection sends is rewritten to the member the connection authenticated as (id and
 * name; the color is kept), so nobody can show up as someone else. A connection may not
 * overwrite or remove the states of client ids another connection announced, and may
 * announce only a few client ids of its own.
 */
import type {
	afterLoadDocumentPayload,
	beforeHandleAwarenessPayload,
	Connection,
	Document,
	Extension,
} from "@hocuspocus/server";
import type { SyncContext } from "./context.ts";
import { defaultSyncLimits } from "./message-guard.ts";

export interface AwarenessGuardOptions {
	/** @default defaultSyncLimits.maxAwarenessClients */
	maxClientsPerConnection?: number;
}

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

/**
 * Which connection announced each client id of a document. Hocuspocus records a client id
 * in the `getClients` set of the connection whose update added it, once per id; this index
 * points at that connection, so a check need not walk every connection of a board of a
 * thousand for every awareness message.
 */
const announcers = new WeakMap<Document, Map<number, Connection>>();

function announcerIndex(document: Document): Map<number, Connection> {
	let index = announcers.get(document);
	if (!index) {
		const created = new Map<number, Connection>();
		index = created;
		announcers.set(document, created);
		document.awareness.on("update", ({ added }: { added: number[] }, origin: unknown) => {
			const connection = (origin as { source?: string; connection?: Connection } | null)
				?.connection;
			if ((origin as { source?: string } | null)?.source !== "connection" || !connection) return;
			for (const clientId of added) created.set(clientId, connection);
		});
	}
	return index;
}

export class AwarenessGuard implements Extension {
	readonly extensionName = "switchboard-awareness-guard";
	private readonly maxClients: number;

	constructor(options: AwarenessGuardOptions = {}) {
		this.maxClients = options.maxClientsPerConnection ?? defaultSyncLimits.maxAwarenessClients;
	}

	async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
		announcerIndex(document);
	}

	async beforeHandleAwareness({
		connection,
		context,
		document,
		states,
	}: beforeHandleAwarenessPayload<SyncContext>): Promise<void> {
		// Updates relayed from other instances (Redis) were checked where they came in.
		if (!connection || !context?.member) return;
		const own = document.getClients(connection);
		const index = announcerIndex(document);
		// Announced by another connection still on the document and still holding it.
		const others = (clientId: number) => {
			const announcer = index.get(clientId);
			if (announcer === undefined || announcer === connection) return false;
			if (!document.hasConnection(announcer)) {
				index.delete(clientId);
				return false;
			}
			return document.getClients(announcer).has(clientId);
		};
		let announced = own.size;
		for (const [clientId, state] of states) {
			if (others(clientId)) {
				states.delete(clientId);
				continue;
			}
			if (!own.has(clientId)) {
				if (announced >= this.maxClients) {
					states.delete(clientId);
					continue;
				}
				announced += 1;
			}
			const claimed = typeof state.user === "object" && state.user !== null ? state.user : {};
			const color = (claimed as { color?: unknown }).color;
			state.user = {
				id: context.member.memberId,
				name: context.member.name,
				...(typeof color === "string" && COLOR.test(color) ? { color } : {}),
			};
		}
	}
}
