/**
 * The revocation bus across instances: Redis pub/sub on one channel. A revocation published
 * by any instance reaches every instance (the publisher too, through its own subscription),
 * which closes the sockets it holds for the ended sessions (see @switchboard/sync
 * revocations.ts). Delivery is at most once; a subscriber that was disconnected meanwhile
 * still refuses the session at the next authentication and membership check, because the
 * revocation is in the database first.
 */
import { RoleSchema } from "@switchboard/domain";
import type { Revocation, RevocationBus } from "@switchboard/sync";
import type { Logger } from "pino";
import * as v from "valibot";
import { createRedisBus } from "./redis-bus.ts";

/** The pub/sub channel. */
export const REVOCATION_CHANNEL = "switchboard:revocations";

const RevocationSchema = v.pipe(
	v.object({
		memberId: v.string(),
		sessionId: v.optional(v.string()),
		sessionIds: v.optional(v.array(v.string())),
		boardId: v.optional(v.string()),
		role: v.optional(RoleSchema),
		reason: v.string(),
	}),
	v.transform(
		({ memberId, sessionId, sessionIds, boardId, role, reason }): Revocation => ({
			memberId,
			reason,
			...(sessionId ? { sessionId } : {}),
			...(sessionIds ? { sessionIds } : {}),
			...(boardId ? { boardId } : {}),
			...(role ? { role } : {}),
		}),
	),
);

/** @param channel the channel in the deployment's namespace (redis-names.ts). */
export function createRedisRevocationBus(
	url: string,
	logger: Logger,
	channel = REVOCATION_CHANNEL,
): Promise<RevocationBus> {
	return createRedisBus({ url, channel, schema: RevocationSchema, logger });
}
