/**
 * Leases: an owner who has been offline longer than the board's lease gives their open
 * conversations back, so nothing waits on someone who is not there. Who is online comes
 * from the server's record of board connections (one row per member and server
 * instance, refreshed by a heartbeat); these functions only judge it.
 */
import { countsAgainstCapacity, type Mention } from "./model.ts";

const MINUTE = 60_000;

/** One server instance's record of a member's board connections. */
export interface PresenceRecord {
	memberId: string;
	/** Open board connections of the member on that instance. */
	connections: number;
	/** ISO time the instance last confirmed them (connect, disconnect or heartbeat). */
	lastSeenAt: string;
}

/** Whether a member is online, and when they were last seen. */
export interface MemberPresence {
	memberId: string;
	online: boolean;
	/** Latest sighting on any instance; null when never seen. */
	lastSeenAt: string | null;
}

/**
 * Fold the instances' records into one presence per member. A record with connections
 * counts as online only while its heartbeat is fresh (`staleMs`): an instance that died
 * leaves its rows behind, and they must not keep people online forever.
 */
export function summarizePresence(
	records: readonly PresenceRecord[],
	now: string,
	staleMs: number,
): Map<string, MemberPresence> {
	const nowMs = Date.parse(now);
	const out = new Map<string, MemberPresence>();
	for (const record of records) {
		const fresh = nowMs - Date.parse(record.lastSeenAt) <= staleMs;
		const current = out.get(record.memberId) ?? {
			memberId: record.memberId,
			online: false,
			lastSeenAt: null,
		};
		out.set(record.memberId, {
			memberId: record.memberId,
			online: current.online || (record.connections > 0 && fresh),
			lastSeenAt:
				current.lastSeenAt === null || record.lastSeenAt > current.lastSeenAt
					? record.lastSeenAt
					: current.lastSeenAt,
		});
	}
	return out;
}

/**
 * Since when the owner counts as away from a conversation they hold since `ownedSince`,
 * or null while they are online. The lease runs from the later of their last sighting and
 * the moment they got the conversation: a conversation assigned to someone offline gets
 * one full lease before it goes back.
 */
export function offlineSince(
	presence: MemberPresence | undefined,
	ownedSince: string,
): string | null {
	if (presence?.online) return null;
	const seen = presence?.lastSeenAt ?? null;
	return seen !== null && seen > ownedSince ? seen : ownedSince;
}

/** A conversation whose owner's lease ran out. */
export interface LeaseExpiry {
	mentionId: string;
	memberId: string;
	/** Since when the owner counts as offline (ISO). */
	offlineSince: string;
	/** When the lease ran out (ISO). */
	expiredAt: string;
}

/**
 * The open conversations to give back at `now` (ISO): owned, counting against the
 * owner's capacity, and the owner offline longer than `leaseMinutes`.
 */
export function expiredLeases(
	mentions: readonly Mention[],
	presence: ReadonlyMap<string, MemberPresence>,
	leaseMinutes: number,
	now: string,
): LeaseExpiry[] {
	const nowMs = Date.parse(now);
	const expired: LeaseExpiry[] = [];
	for (const mention of mentions) {
		const owner = mention.owner;
		if (!owner || !countsAgainstCapacity(mention.status)) continue;
		const since = offlineSince(presence.get(owner.memberId), owner.since);
		if (since === null) continue;
		const expiresMs = Date.parse(since) + leaseMinutes * MINUTE;
		if (expiresMs <= nowMs) {
			expired.push({
				mentionId: mention.id,
				memberId: owner.memberId,
				offlineSince: since,
				expiredAt: new Date(expiresMs).toISOString(),
			});
		}
	}
	return expired;
}
