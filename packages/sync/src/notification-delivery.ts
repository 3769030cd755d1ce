/**
 * Live notifications: a member's new notification and unread count reach every socket they
 * have open, on whichever instance and whatever board, as a `notifications` server message
 * on their board document (docs/PROTOCOL.md). The server publishes on a bus (Redis pub/sub
 * across instances); each instance hands the message to its own connections of that
 * member. Nobody polls: a client reads the feed once over HTTP when it connects, then
 * listens.
 */
import type { Extension } from "@hocuspocus/server";
import type { NotificationsMessage } from "@switchboard/domain";
import { type Bus, BusListener } from "./bus.ts";
import type { SyncContext } from "./context.ts";

/** A message for every socket of one member. */
export interface MemberMessage {
	memberId: string;
	message: NotificationsMessage;
}

export type MemberMessageBus = Bus<MemberMessage>;

/** Sends what the bus carries to this instance's board connections of its member. */
export class NotificationDelivery extends BusListener<MemberMessage> implements Extension {
	readonly extensionName = "switchboard-notifications";

	constructor(options: { bus: MemberMessageBus }) {
		super(options.bus);
	}

	protected receive(message: MemberMessage): void {
		this.deliver(message);
	}

	/** Send to this instance's board connections of the member; answers how many. */
	deliver({ memberId, message }: MemberMessage): number {
		if (!this.instance) return 0;
		const payload = JSON.stringify(message);
		let sent = 0;
		for (const document of this.instance.documents.values()) {
			for (const connection of document.getConnections()) {
				const context = connection.context as Partial<SyncContext>;
				// One copy per socket and board: the client listens on its board document.
				if (context.doc?.kind !== "board" || context.member?.memberId !== memberId) continue;
				connection.sendStateless(payload);
				sent++;
			}
		}
		return sent;
	}
}
