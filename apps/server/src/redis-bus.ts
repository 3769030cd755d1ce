/**
 * A bus across instances (see @switchboard/sync bus.ts) on one Redis pub/sub channel: what
 * any instance publishes reaches every instance, the publisher too through its own
 * subscription. Messages are parsed with a schema on the way in; one that does not fit is
 * dropped. Delivery is at most once.
 */
import type { Bus } from "@switchboard/sync";
import type { Logger } from "pino";
import * as v from "valibot";
import { redisDeadlines } from "./redis-tuning.ts";

export async function createRedisBus<S extends v.GenericSchema>(options: {
	url: string;
	channel: string;
	schema: S;
	logger: Pick<Logger, "warn">;
}): Promise<Bus<v.InferOutput<S>>> {
	const { channel, schema, logger } = options;
	// Loaded here, not at start: a single instance without REDIS_URL never needs ioredis.
	const { Redis } = await import("ioredis");
	const publisher = new Redis(options.url, { ...redisDeadlines(), lazyConnect: true });
	const subscriber = new Redis(options.url, { ...redisDeadlines(), lazyConnect: true });
	for (const client of [publisher, subscriber]) {
		client.on("error", (error) => logger.warn({ err: error, channel }, "bus: Redis error"));
	}
	await Promise.all([publisher.connect(), subscriber.connect()]);
	const listeners = new Set<(message: v.InferOutput<S>) => void>();
	subscriber.on("message", (from: string, text: string) => {
		if (from !== channel) return;
		let parsed: v.SafeParseResult<S>;
		try {
			parsed = v.safeParse(schema, JSON.parse(text));
		} catch {
			return;
		}
		if (!parsed.success) return;
		for (const listener of listeners) listener(parsed.output);
	});
	await subscriber.subscribe(channel);
	return {
		async publish(message) {
			await publisher.publish(channel, JSON.stringify(message));
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
