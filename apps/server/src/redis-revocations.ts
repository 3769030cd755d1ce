/**
 * The revocation bus across instances: Redis pub/sub on one channel. A revocation published
 * by any instance reaches every instance (the publisher too, through its own subscription),
 * which closes the sockets it holds for the ended sessions (see @switchboard/sync
 * revocations.ts). Delivery is at most once; a subscriber that was disconnected meanwhile
 * still refuses the session at the next authentication and membership check, because the
 * revocation is in the database first.
 */
import type { Revocation, RevocationBus } from "@switchboard/sync";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import * as v from "valibot";

/** The pub/sub channel. */
export const REVOCATION_CHANNEL = "switchboard:revocations";

const RevocationSchema = v.object({
	memberId: v.string(),
	sessionId: v.optional(v.string()),
	reason: v.string(),
});

export async function createRedisRevocationBus(
	url: string,
	logger: Logger,
): Promise<RevocationBus> {
	const publisher = new Redis(url, { lazyConnect: true });
	const subscriber = new Redis(url, { lazyConnect: true });
	for (const client of [publisher, subscriber]) {
		client.on("error", (error) => logger.warn({ err: error }, "revocation bus: Redis error"));
	}
	await Promise.all([publisher.connect(), subscriber.connect()]);
	const listeners = new Set<(revocation: Revocation) => void>();
	subscriber.on("message", (channel: string, message: string) => {
		if (channel !== REVOCATION_CHANNEL) return;
		let parsed: v.SafeParseResult<typeof RevocationSchema>;
		try {
			parsed = v.safeParse(RevocationSchema, JSON.parse(message));
		} catch {
			return;
		}
		if (!parsed.success) return;
		const { memberId, sessionId, reason } = parsed.output;
		const revocation: Revocation = { memberId, reason, ...(sessionId ? { sessionId } : {}) };
		for (const listener of listeners) listener(revocation);
	});
	await subscriber.subscribe(REVOCATION_CHANNEL);
	return {
		async publish(revocation) {
			await publisher.publish(REVOCATION_CHANNEL, JSON.stringify(revocation));
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		async close() {
			listeners.clear();
			subscriber.disconnect();
			publisher.disconnect();
		},
	};
}
