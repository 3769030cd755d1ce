/**
 * Awareness from a client speaks for that client only. The `user` of every state a
 * connection sends is rewritten to the member the connection authenticated as (id and
 * name; the color is kept), so nobody can show up as someone else. A connection may not
 * overwrite or remove the states of client ids another connection announced, and may
 * announce only a few client ids of its own.
 */
import type { beforeHandleAwarenessPayload, Extension } from "@hocuspocus/server";
import type { SyncContext } from "./context.ts";
import { defaultSyncLimits } from "./message-guard.ts";

export interface AwarenessGuardOptions {
	/** @default defaultSyncLimits.maxAwarenessClients */
	maxClientsPerConnection?: number;
}

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

export class AwarenessGuard implements Extension {
	readonly extensionName = "switchboard-awareness-guard";
	private readonly maxClients: number;

	constructor(options: AwarenessGuardOptions = {}) {
		this.maxClients = options.maxClientsPerConnection ?? defaultSyncLimits.maxAwarenessClients;
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
		const others = new Set<number>();
		for (const other of document.getConnections()) {
			if (other === connection) continue;
			for (const clientId of document.getClients(other)) others.add(clientId);
		}
		let announced = own.size;
		for (const [clientId, state] of states) {
			if (others.has(clientId)) {
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
