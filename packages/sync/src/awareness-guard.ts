/**
 * Awareness from a client speaks for that client only. The `user` of every state a
 * connection sends is rewritten to the member the connection authenticated as (id and
 * name; the color is kept), so nobody can show up as someone else. A connection may not
 * overwrite or remove the states of client ids another connection announced, and may
 * announce only a few client ids of its own. A client id stays bound to the member who
 * first announced it after that connection has gone, so while its owner reconnects (with
 * the same document and so the same client id) another member cannot take it.
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

/** Who announced a client id: the connection, and the member it authenticated as. */
interface Announcer {
	connection: Connection;
	memberId: string | undefined;
}

/**
 * Which connection announced each client id of a document. Hocuspocus records a client id
 * in the `getClients` set of the connection whose update added it, once per id; this index
 * points at that connection, so a check need not walk every connection of a board of a
 * thousand for every awareness message. Entries outlive their state's removal by
 * {@link RECONNECT_GRACE_MS}: the member keeps the id while reconnecting.
 */
const announcers = new WeakMap<Document, Map<number, Announcer>>();

/** How long a client id stays its member's after its state was removed (a reconnect). */
export const RECONNECT_GRACE_MS = 2 * 60_000;

function memberOf(connection: Connection): string | undefined {
	return (connection.context as Partial<SyncContext> | undefined)?.member?.memberId;
}

function announcerIndex(document: Document): Map<number, Announcer> {
	let index = announcers.get(document);
	if (!index) {
		const created = new Map<number, Announcer>();
		index = created;
		announcers.set(document, created);
		document.awareness.on(
			"update",
			({ added, removed }: { added: number[]; removed: number[] }, origin: unknown) => {
				for (const clientId of removed) {
					const bound = created.get(clientId);
					if (!bound) continue;
					setTimeout(() => {
						// Still the same binding and no state since: the member did not come back.
						if (created.get(clientId) === bound && !document.awareness.getStates().has(clientId)) {
							created.delete(clientId);
						}
					}, RECONNECT_GRACE_MS).unref();
				}
				const connection = (origin as { source?: string; connection?: Connection } | null)
					?.connection;
				if ((origin as { source?: string } | null)?.source !== "connection" || !connection) return;
				const memberId = memberOf(connection);
				for (const clientId of added) {
					// A reconnect of the same member takes its id back; nobody else does.
					const bound = created.get(clientId);
					if (bound && bound.memberId !== memberId) continue;
					created.set(clientId, { connection, memberId });
				}
			},
		);
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
		// Bound to another member, or announced by another connection of this member that
		// is still on the document and still holds it.
		const others = (clientId: number) => {
			const announcer = index.get(clientId);
			if (announcer === undefined || announcer.connection === connection) return false;
			if (announcer.memberId !== context.member?.memberId) return true;
			return (
				document.hasConnection(announcer.connection) &&
				document.getClients(announcer.connection).has(clientId)
			);
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
