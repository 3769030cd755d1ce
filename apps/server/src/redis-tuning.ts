/**
 * Deadlines for every Redis connection the server opens (rate limits, the buses, the
 * document exchange between instances). ioredis waits for a reply as long as its socket
 * stays open, and across a network that silently drops packets it stays open until TCP
 * gives up, hours later: every HTTP request and every WebSocket upgrade counts against a
 * rate limit first, so all of them waited (tests/partition.redis.test.ts). With a deadline
 * the count fails, the in-memory limiter answers instead, and the request goes on.
 */
import type { RedisOptions } from "ioredis";

export interface RedisTuning {
	/**
	 * How long a command waits for its reply before it fails. A command that timed out was
	 * still sent: if the network comes back its reply is read and matched to it as usual,
	 * so the connection stays in step.
	 * @default 5000
	 */
	commandTimeoutMs: number;
	/**
	 * How long opening a connection may take before ioredis retries.
	 * @default 5000
	 */
	connectTimeoutMs: number;
}

export const defaultRedisTuning: RedisTuning = { commandTimeoutMs: 5_000, connectTimeoutMs: 5_000 };

/** ioredis options carrying the tuning. */
export function redisDeadlines(tuning: RedisTuning = defaultRedisTuning): RedisOptions {
	return { commandTimeout: tuning.commandTimeoutMs, connectTimeout: tuning.connectTimeoutMs };
}
