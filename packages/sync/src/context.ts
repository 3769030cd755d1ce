import type { DocumentRef } from "@switchboard/domain";
import type { Logger } from "pino";
import type { FirstSyncOrder } from "./first-sync-order.ts";
import type { MessageGuard } from "./message-guard.ts";
import type { TokenClaims } from "./tokens.ts";

/**
 * What the server knows about a socket before any document is authenticated. The
 * HTTP layer creates it for each WebSocket and passes it to Hocuspocus as the default
 * context.
 */
export interface SocketContext {
	/** Close the whole socket with an application close code (4401, 4403, ...). */
	closeSocket(code: number, reason: string): void;
	/** The request's remote address, for logs. */
	remoteAddress: string | undefined;
	/**
	 * The session cookie of the upgrade request, used for documents whose token is
	 * `COOKIE_SESSION_TOKEN` (a browser page that cannot read its HttpOnly cookie).
	 */
	sessionCookie?: string | undefined;
	/**
	 * This socket's logger: a child that carries its connection id, so every line about
	 * the socket (authentication, commands, storage failures) can be told apart.
	 */
	log?: Logger;
	/** The socket's message guard; told when a document finishes authentication. */
	guard?: MessageGuard;
	/** Holds a reconnecting provider's queued updates until its sync step 2 (see there). */
	order?: FirstSyncOrder;
	/** Call `listener` once the socket has closed (at once if it has). */
	onClose?(listener: () => void): void;
}

/** The context of an authenticated document connection. */
export interface SyncContext extends SocketContext {
	member: TokenClaims;
	doc: DocumentRef;
	/** The board the document belongs to: the board itself, or a draft's conversation's. */
	boardId: string;
}

/** Transaction origins Switchboard itself writes with; persistence branches on them. */
export const Origins = {
	/** The server writes the board projection after a command or an ingest. */
	projection: { source: "local", context: { writer: "projection" } },
} as const;

export function isProjectionOrigin(origin: unknown): boolean {
	return origin === Origins.projection;
}
