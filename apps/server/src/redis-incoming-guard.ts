/**
 * Hocuspocus' Redis extension (4.7.0) answers a sync step from another instance by
 * publishing a reply, and neither `MessageReceiver` (which calls the reply function without
 * awaiting it) nor the async `messageBuffer` listener holds the promise. When the reply
 * cannot be published (Redis unreachable, or its deadline passed: redis-tuning.ts) that
 * promise rejects with nobody listening: an unhandled rejection, which ends a Node process.
 * tests/partition.redis.test.ts saw four to six of them each time the network came back.
 * The replies are not needed for correctness (the next sync step, or the resync after an
 * outage, asks again), so failures are logged (once until a publish succeeds again) and the
 * process goes on. Callers that await a publish still see its error.
 *
 * Relies on the extension's public `pub` and `sub` connections and its `handleIncomingMessage`
 * field, checked at start.
 */
import type { Redis } from "@hocuspocus/extension-redis";
import type { Logger } from "pino";

type IncomingHandler = (channel: Buffer, data: Buffer) => Promise<void>;

export function guardRedisPromises(extension: Redis, logger: Pick<Logger, "warn">): void {
	const handle = (extension as unknown as { handleIncomingMessage?: IncomingHandler })
		.handleIncomingMessage;
	if (typeof handle !== "function" || !extension.sub.listeners("messageBuffer").includes(handle)) {
		throw new Error("@hocuspocus/extension-redis changed: handleIncomingMessage is gone");
	}
	let failing = false;
	const failed = (error: unknown) => {
		if (failing) return;
		failing = true;
		logger.warn({ err: error }, "could not publish to the other instances through Redis");
	};
	extension.sub.off("messageBuffer", handle);
	extension.sub.on("messageBuffer", (channel: Buffer, data: Buffer) => {
		handle(channel, data).catch(failed);
	});
	const pub = extension.pub;
	const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<number>;
	pub.publish = ((...args: unknown[]) => {
		const published = publish(...args);
		published.then(() => {
			failing = false;
		}, failed);
		return published;
	}) as typeof pub.publish;
}
