/**
 * Revocation: ending sessions everywhere at once. The session service writes the revocation
 * to the database (so every later HTTP request and socket authentication is refused) and
 * publishes it on a `RevocationBus`, so that every instance closes the sockets already open
 * for it with 4401 at once rather than at the next membership check. The bus is in memory
 * for one instance and Redis pub/sub across instances (see the server's redis-revocations).
 * Logout, password change and deactivation all go through here; so do a board's access
 * ending (4403) and a change of role, which ends no session but closes the sockets that
 * authenticated with the old role: the client connects again with the new one, and reads
 * who it is now.
 */
import type { connectedPayload, Extension } from "@hocuspocus/server";
import { CloseCodes, type Role } from "@switchboard/domain";
import type { Logger } from "pino";
import { type Bus, BusListener, createLocalBus } from "./bus.ts";
import type { SyncContext } from "./context.ts";

/** What was revoked: one session of a member, or all of them. */
export interface Revocation {
	memberId: string;
	/** The one session ended (logout); absent when every session of the member ended. */
	sessionId?: string;
	/**
	 * When every session ended: the sessions that were open then. A socket of one of them
	 * closes; a socket of a session begun after (a sign-in in the same second, which a
	 * token's whole-second `iat` cannot tell apart) stays.
	 */
	sessionIds?: string[];
	/**
	 * Only the member's access to this board ended (an admin took them off it): their
	 * sockets on the board's documents (the board and its conversations' drafts) close with
	 * 4403; their sessions go on.
	 */
	boardId?: string;
	/**
	 * The member's role is now this one: their sockets authenticated with another role close
	 * with 4401 and connect again; their sessions go on, and a socket with this role stays.
	 */
	role?: Role;
	/** Why, for the close reason the client sees. */
	reason: string;
}

/** Carries revocations to every instance, this one included. */
export type RevocationBus = Bus<Revocation>;

/** The bus of a single instance. */
export function createLocalRevocationBus(): RevocationBus {
	return createLocalBus<Revocation>();
}

/**
 * How long a revocation is remembered for connections still being set up when it came: a
 * socket authenticated just before it may join its document (load from the database)
 * after it, and would otherwise stay open until the next membership check.
 */
const REMEMBER_MS = 60_000;

/** Closes the sockets a revocation covers, on this instance, with 4401. */
export class RevocationExtension extends BusListener<Revocation> implements Extension {
	readonly extensionName = "switchboard-revocations";
	private readonly logger: Logger;
	private recent: { revocation: Revocation; at: number }[] = [];

	constructor(options: { bus: RevocationBus; logger: Logger }) {
		super(options.bus);
		this.logger = options.logger;
	}

	protected receive(revocation: Revocation): void {
		this.close(revocation);
	}

	/** A connection that joined its document after a revocation that covers it closes now. */
	async connected({ context }: connectedPayload<Partial<SyncContext>>): Promise<void> {
		const now = Date.now();
		this.recent = this.recent.filter((entry) => now - entry.at < REMEMBER_MS);
		// A board's access is judged again when a document authenticates: a member put back
		// on the board at once must not be closed by the memory of the removal. Of role changes
		// only the latest counts: a role changed and changed back leaves the first role good.
		const memberId = context.member?.memberId;
		const latestRole = this.recent.findLast(
			(entry) => entry.revocation.role !== undefined && entry.revocation.memberId === memberId,
		);
		const covering = this.recent.find(
			(entry) =>
				entry.revocation.boardId === undefined &&
				(entry.revocation.role === undefined || entry === latestRole) &&
				covers(entry.revocation, entry.at, context),
		);
		if (covering && context.closeSocket) {
			context.closeSocket(
				CloseCodes.unauthorized.code,
				`${CloseCodes.unauthorized.reason}: ${covering.revocation.reason}`,
			);
		}
	}

	/** Close every socket of this instance that the revocation covers. */
	close(revocation: Revocation): number {
		if (!this.instance) return 0;
		const at = Date.now();
		this.recent.push({ revocation, at });
		const closed = new Set<SyncContext["closeSocket"]>();
		for (const document of this.instance.documents.values()) {
			for (const connection of document.getConnections()) {
				const context = connection.context as Partial<SyncContext>;
				if (!context.closeSocket || !covers(revocation, at, context)) continue;
				closed.add(context.closeSocket);
			}
		}
		const close = revocation.boardId === undefined ? CloseCodes.unauthorized : CloseCodes.forbidden;
		for (const closeSocket of closed) {
			closeSocket(close.code, `${close.reason}: ${revocation.reason}`);
		}
		if (closed.size > 0) {
			this.logger.info(
				{ member: revocation.memberId, sockets: closed.size },
				revocation.role === undefined
					? "closed the sockets of ended sessions"
					: "closed the sockets of a member whose role changed",
			);
		}
		return closed.size;
	}
}

/**
 * Whether a revocation made at `at` ends the session of a socket: that one session, or
 * every session of the member open then (not one signed in afterwards). A token without a
 * session (an operator tool's) is judged by its issue time. A board's revocation covers
 * the member's sockets on that board; a role's, those authenticated with another role.
 */
export function covers(revocation: Revocation, at: number, context: Partial<SyncContext>): boolean {
	const member = context.member;
	if (!member || member.memberId !== revocation.memberId) return false;
	if (revocation.boardId !== undefined) return context.boardId === revocation.boardId;
	if (revocation.role !== undefined) return member.role !== revocation.role;
	if (revocation.sessionId !== undefined) return member.sessionId === revocation.sessionId;
	if (member.sessionId !== undefined && revocation.sessionIds !== undefined) {
		return revocation.sessionIds.includes(member.sessionId);
	}
	return (member.issuedAt ?? 0) * 1000 <= at;
}
