/**
 * How many sockets one member holds open on this instance (issue 15, row 17): 200 sockets
 * on one token drew 110 MiB of board syncs from 47 KB sent. A socket counts for a member
 * from its first document that authenticates with their token until it closes; one more is
 * refused with 4429 and a reason that says what to do.
 *
 * Counted per instance, in memory: a socket lives on one instance, so the count is exact
 * and nothing is left counted when an instance dies, which a shared counter could not
 * promise. Behind a load balancer a member may hold this many on each instance; opening
 * sockets is also rate-limited per address across instances (the server's rate limits).
 */
import type { SocketContext } from "./context.ts";

/** @default 20: every tab and device of a person, each one socket, with room to spare */
export const DEFAULT_MAX_SOCKETS_PER_MEMBER = 20;

export class MemberSockets {
	readonly max: number;
	/** Each member's open sockets, known by their `closeSocket` (one per socket). */
	readonly #sockets = new Map<string, Set<SocketContext["closeSocket"]>>();

	constructor(options: { maxPerMember?: number } = {}) {
		this.max = options.maxPerMember ?? DEFAULT_MAX_SOCKETS_PER_MEMBER;
	}

	/** Sockets `memberId` holds open here now. */
	count(memberId: string): number {
		return this.#sockets.get(memberId)?.size ?? 0;
	}

	/**
	 * Count the socket as one of the member's, until it closes; false (and nothing counted)
	 * when the member already holds `max` others. A socket counted already is admitted.
	 */
	admit(memberId: string, socket: SocketContext): boolean {
		let sockets = this.#sockets.get(memberId);
		if (sockets?.has(socket.closeSocket)) return true;
		if ((sockets?.size ?? 0) >= this.max) return false;
		if (!sockets) {
			sockets = new Set();
			this.#sockets.set(memberId, sockets);
		}
		sockets.add(socket.closeSocket);
		const counted = sockets;
		socket.onClose?.(() => {
			counted.delete(socket.closeSocket);
			if (counted.size === 0 && this.#sockets.get(memberId) === counted) {
				this.#sockets.delete(memberId);
			}
		});
		return true;
	}

	/**
	 * Why a socket was refused, after "Too Many Connections: " in the close reason (a close
	 * reason holds 123 bytes).
	 */
	refusal(): string {
		return `${this.max} of this member's connections are open here already; close a tab or a device`;
	}
}
