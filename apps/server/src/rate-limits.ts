/**
 * Rate limits at the edge (issue 15, rows 5, 9 and 17), with rate-limiter-flexible's fixed
 * windows: failed sign-ins per account and per address, API requests per member and per
 * address, sockets opened per address. A request over a limit is answered 429 with
 * `Retry-After` before any work is done for it.
 *
 * Where the counters live decides whether instances share them:
 * - `REDIS_URL` set: in Redis, shared by every instance using it;
 * - else `DATABASE_URL` set: in PostgreSQL's `rate_limits` table, shared likewise;
 * - else in this process's memory. That is only the embedded database's case, and there it
 *   is exact: an embedded data folder has one writer (its lock), so one instance.
 * A store that fails (Redis or PostgreSQL down) falls back to an in-memory limiter of the
 * same numbers in each instance, so an outage neither blocks nor unlimits sign-ins.
 *
 * Every number is configurable (`Config.rateLimits`, `SWITCHBOARD_RATE_*`); the benchmark
 * and load tests raise them explicitly. No address is exempt, loopback included: behind a
 * reverse proxy every request comes from loopback, and an exemption would be a hole.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { AppError, plural } from "@switchboard/domain";
import type { RateLimitTable } from "@switchboard/storage";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import {
	type RateLimiterAbstract,
	RateLimiterMemory,
	RateLimiterPostgres,
	RateLimiterRedis,
	RateLimiterRes,
} from "rate-limiter-flexible";
import { GroupedCounts } from "./grouped-counts.ts";
import { BUCKETS, type RateBucket, type RateLimits } from "./rate-limit-config.ts";
import { redisDeadlines } from "./redis-tuning.ts";

export {
	defaultRateLimits,
	RATE_LIMIT_VARIABLES,
	type RateBucket,
	type RateLimits,
	type RateWindow,
	rateLimitsFromEnv,
	rateLimitsWith,
} from "./rate-limit-config.ts";

const require = createRequire(import.meta.url);

/**
 * The address a request counts against. With `trustedProxies` > 0, the entry of
 * `X-Forwarded-For` that the nearest trusted proxy appended. IPv6 addresses count by
 * their /64: one host is given a whole /64 and could otherwise rotate through it.
 */
export function clientAddress(
	socketAddress: string | undefined,
	forwardedFor: string | undefined,
	trustedProxies: number,
): string {
	let address = socketAddress ?? "unknown";
	if (trustedProxies > 0 && forwardedFor) {
		const hops = forwardedFor
			.split(",")
			.map((hop) => hop.trim())
			.filter((hop) => hop.length > 0);
		address = hops[Math.max(0, hops.length - trustedProxies)] ?? address;
	}
	if (address.startsWith("::ffff:") && isIP(address.slice(7)) === 4) return address.slice(7);
	if (isIP(address) !== 6) return address;
	return `${ipv6Prefix64(address)}::/64`;
}

/** The first four groups of an IPv6 address, `::` expanded. */
function ipv6Prefix64(address: string): string {
	const [head = "", tail = ""] = address.split("::");
	const left = head ? head.split(":") : [];
	const right = address.includes("::") && tail ? tail.split(":") : [];
	const groups = address.includes("::")
		? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
		: left;
	return groups
		.slice(0, 4)
		.map((group) => group.toLowerCase().replace(/^0+(?=.)/, ""))
		.join(":");
}

/** Where the counters are kept (see the file's comment). */
export type RateLimitStore = "redis" | "postgres" | "memory";

/** The refusal of a request over a limit: 429, and when to come back. */
export class RateLimitedError extends AppError {
	readonly retryAfterSeconds: number;

	constructor(message: string, retryAfterSeconds: number) {
		super("rate_limited", message, { retryAfterSeconds });
		this.retryAfterSeconds = retryAfterSeconds;
	}
}

/** When a refused attempt may be made again, in words: "in 15 minutes", "in 40 seconds". */
function again(seconds: number): string {
	return seconds < 60
		? `in ${plural(seconds, "second")}`
		: `in ${plural(Math.ceil(seconds / 60), "minute")}`;
}

/**
 * What each bucket's refusal says, given the seconds until the window lets the next one
 * through (also in `Retry-After`): a person locked out of sign-in is told for how long.
 */
const REFUSALS: Record<RateBucket, (seconds: number) => string> = {
	loginPerAccount: (s) => `Too many failed sign-ins for this account; try again ${again(s)}.`,
	loginPerIp: (s) => `Too many failed sign-ins from this address; try again ${again(s)}.`,
	requestsPerMember: () => "Too many requests from this member; slow down.",
	requestsPerIp: () => "Too many requests from this address; slow down.",
	socketsPerIp: (s) => `Too many connections opened from this address; try again ${again(s)}.`,
	resetPerAccount: (s) => `Too many reset links were asked for this email; try again ${again(s)}.`,
	resetPerIp: (s) => `Too many reset links were asked from this address; try again ${again(s)}.`,
};

export interface RateLimiters {
	readonly store: RateLimitStore;
	readonly limits: RateLimits;
	/**
	 * Resolves once the store answers (Redis connected). Until then each instance counts in
	 * its own memory, so the server waits for it before it listens.
	 */
	readonly ready: Promise<void>;
	/**
	 * Count one for `key` in `bucket`; throws {@link RateLimitedError} when that passes the
	 * window's points (the refused attempt does not lengthen the window).
	 */
	take(bucket: RateBucket, key: string): Promise<void>;
	/** Give one back (an attempt that turned out not to count, like a sign-in that worked). */
	giveBack(bucket: RateBucket, key: string): Promise<void>;
	/** Forget `key`'s count in `bucket`. */
	forget(bucket: RateBucket, key: string): Promise<void>;
	close(): Promise<void>;
}

export interface RateLimitersOptions {
	limits: RateLimits;
	/** Counters in Redis when set. */
	redisUrl?: string | undefined;
	/** Counters in PostgreSQL when it is one (and no Redis). */
	storage?: RateLimitTable & { readonly dialect: "pglite" | "postgres" };
	logger: Logger;
	/** Prefix of every key, so several deployments can share one Redis. @default "switchboard" */
	prefix?: string;
}

/**
 * An account's key: a digest of the normalised email, so the counters hold no addresses
 * and any length fits the table's key.
 */
export function accountKey(email: string): string {
	return createHash("sha256").update(email.trim().toLowerCase()).digest("base64url");
}

export function createRateLimiters(options: RateLimitersOptions): RateLimiters {
	const { limits, logger } = options;
	const prefix = options.prefix ?? "switchboard";
	let redis: Redis | null = null;
	let store: RateLimitStore = "memory";
	if (options.redisUrl) {
		store = "redis";
		// No offline queue: while Redis is away a count fails at once and the in-memory
		// insurance answers, instead of requests waiting for a reconnect.
		// Required here, not imported at start: without REDIS_URL ioredis is never loaded.
		const { Redis: RedisClient } = require("ioredis") as typeof import("ioredis");
		redis = new RedisClient(options.redisUrl, {
			...redisDeadlines(),
			enableOfflineQueue: false,
			maxRetriesPerRequest: 1,
		});
		redis.on("error", (error) => logger.warn({ err: error }, "rate limits: Redis error"));
	} else if (options.storage?.dialect === "postgres") {
		store = "postgres";
	}
	const table = options.storage;
	const limiters = new Map<RateBucket, RateLimiterAbstract>();
	const counts = new Map<RateBucket, GroupedCounts>();
	for (const bucket of BUCKETS) {
		const { points, seconds } = limits[bucket];
		const keyPrefix = `${prefix}:rate:${bucket}`;
		const base = { points, duration: seconds, keyPrefix };
		const insuranceLimiter = new RateLimiterMemory(base);
		let limiter: RateLimiterAbstract;
		if (redis) {
			limiter = new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter });
		} else if (store === "postgres" && table) {
			limiter = new RateLimiterPostgres({
				...base,
				storeClient: {
					query: (query: { text: string; values?: unknown[] }) => table.queryRateLimits(query),
				},
				storeType: "client",
				tableName: "rate_limits",
				// The migration made it (2026-12-02T03-00-00-rate-limits).
				tableCreated: true,
				insuranceLimiter,
			});
		} else {
			limiter = insuranceLimiter;
		}
		limiters.set(bucket, limiter);
		// The takes of a key that arrive while its count is on its way go together, as one
		// statement (grouped-counts.ts).
		const consume = (key: string, taken: number) =>
			limiter.consume(key, taken).then(
				(res) => ({
					refused: false,
					consumedPoints: res.consumedPoints,
					msBeforeNext: res.msBeforeNext,
				}),
				(rejection: unknown) => {
					if (!(rejection instanceof RateLimiterRes)) throw rejection;
					return {
						refused: true,
						consumedPoints: rejection.consumedPoints,
						msBeforeNext: rejection.msBeforeNext,
					};
				},
			);
		counts.set(bucket, new GroupedCounts(consume, points));
	}
	const limiterOf = (bucket: RateBucket): RateLimiterAbstract => {
		const limiter = limiters.get(bucket);
		if (!limiter) throw new Error(`No rate limiter ${bucket}`);
		return limiter;
	};
	const ready = redis
		? new Promise<void>((resolve) => redis?.once("ready", () => resolve()))
		: Promise.resolve();
	return {
		store,
		limits,
		ready,
		async take(bucket, key) {
			const verdict = await (counts.get(bucket) as GroupedCounts).take(key);
			if (verdict.kind === "refused") {
				const seconds = Math.max(1, Math.ceil(verdict.msBeforeNext / 1000));
				throw new RateLimitedError(REFUSALS[bucket](seconds), seconds);
			}
			if (verdict.kind === "uncounted") {
				// Neither the store nor the insurance answered: let the request through rather
				// than refuse everyone; the failure is logged.
				logger.warn({ err: verdict.error, bucket }, "rate limit could not be counted");
			}
		},
		async giveBack(bucket, key) {
			await limiterOf(bucket)
				.reward(key)
				.catch((error: unknown) =>
					logger.warn({ err: error, bucket }, "rate limit: reward failed"),
				);
		},
		async forget(bucket, key) {
			await limiterOf(bucket)
				.delete(key)
				.catch((error: unknown) =>
					logger.warn({ err: error, bucket }, "rate limit: delete failed"),
				);
		},
		async close() {
			redis?.disconnect();
		},
	};
}
