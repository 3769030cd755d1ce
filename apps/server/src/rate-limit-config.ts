/**
 * The numbers of the rate limits (rate-limits.ts) and how they are read from the
 * environment: what the configuration needs, apart from the limiters themselves, so that
 * reading the configuration (every `pnpm switchboard` command does) loads neither
 * rate-limiter-flexible nor the sync package.
 */
import { withDefaults } from "@switchboard/domain";
import { DEFAULT_MAX_SOCKETS_PER_MEMBER } from "@switchboard/sync/member-sockets";
import { defaultHashingLimits, type HashingLimits } from "./passwords.ts";

/** `points` per fixed window of `seconds`. Written `points/seconds` in the environment. */
export interface RateWindow {
	points: number;
	seconds: number;
}

/** Every limit of the edge; `defaultRateLimits` has the numbers and why. */
export interface RateLimits {
	/**
	 * Failed sign-ins for one email, from anywhere. A success forgets the failures. Counted
	 * before the password is checked, so concurrent guesses cannot slip past.
	 * @default 10 per 15 minutes (40 guesses an hour at most)
	 */
	loginPerAccount: RateWindow;
	/**
	 * Failed sign-ins from one address, whatever the email (guessing many accounts).
	 * @default 50 per 15 minutes
	 */
	loginPerIp: RateWindow;
	/**
	 * API requests of one member (after the session check): the reads of tools and the web
	 * client, which works through the socket. 1,000 parallel mention lists from one
	 * ambassador held the health check at 11.7 s for 50 s.
	 * @default 120 per 10 s
	 */
	requestsPerMember: RateWindow;
	/**
	 * API requests (`/api/*`) from one address, before the session is checked (a bad token
	 * costs a database lookup). The health checks, `/healthz` and `/readyz`, are not counted.
	 * @default 600 per 10 s
	 */
	requestsPerIp: RateWindow;
	/** WebSocket upgrades from one address. @default 120 per 60 s */
	socketsPerIp: RateWindow;
	/**
	 * "Forgot password" requests for one email, every request counted (each may send a
	 * message): a stranger cannot fill someone's mailbox with reset links.
	 * @default 3 per hour
	 */
	resetPerAccount: RateWindow;
	/** "Forgot password" requests from one address, whatever the email. @default 20 per hour */
	resetPerIp: RateWindow;
	/**
	 * Sockets one member holds open on one instance (see @switchboard/sync member-sockets).
	 * @default 20
	 */
	socketsPerMember: number;
	/** Password hashes computed at once and waiting (see passwords.ts). @default 2 and 8 */
	hashing: HashingLimits;
	/**
	 * Reverse proxies in front of the server whose `X-Forwarded-For` entry is trusted: with
	 * 1, the address the nearest proxy saw. Without it every user behind a proxy shares the
	 * proxy's address and its limits. @default 0 (the socket's own address)
	 */
	trustedProxies: number;
}

export const defaultRateLimits: RateLimits = {
	loginPerAccount: { points: 10, seconds: 15 * 60 },
	loginPerIp: { points: 50, seconds: 15 * 60 },
	requestsPerMember: { points: 120, seconds: 10 },
	requestsPerIp: { points: 600, seconds: 10 },
	socketsPerIp: { points: 120, seconds: 60 },
	resetPerAccount: { points: 3, seconds: 60 * 60 },
	resetPerIp: { points: 20, seconds: 60 * 60 },
	socketsPerMember: DEFAULT_MAX_SOCKETS_PER_MEMBER,
	hashing: defaultHashingLimits,
	trustedProxies: 0,
};

/** The limits with `overrides` over the defaults (an override left undefined keeps it). */
export function rateLimitsWith(overrides: Partial<RateLimits> = {}): RateLimits {
	return withDefaults(defaultRateLimits, overrides);
}

/** The environment variable of each limit, for the configuration and docs/SECURITY.md. */
export const RATE_LIMIT_VARIABLES = {
	loginPerAccount: "SWITCHBOARD_RATE_LOGIN_PER_ACCOUNT",
	loginPerIp: "SWITCHBOARD_RATE_LOGIN_PER_IP",
	requestsPerMember: "SWITCHBOARD_RATE_REQUESTS_PER_MEMBER",
	requestsPerIp: "SWITCHBOARD_RATE_REQUESTS_PER_IP",
	socketsPerIp: "SWITCHBOARD_RATE_SOCKETS_PER_IP",
	resetPerAccount: "SWITCHBOARD_RATE_RESET_PER_ACCOUNT",
	resetPerIp: "SWITCHBOARD_RATE_RESET_PER_IP",
	socketsPerMember: "SWITCHBOARD_RATE_SOCKETS_PER_MEMBER",
	hashingConcurrency: "SWITCHBOARD_RATE_HASHING_CONCURRENCY",
	hashingQueue: "SWITCHBOARD_RATE_HASHING_QUEUE",
	trustedProxies: "SWITCHBOARD_RATE_TRUSTED_PROXIES",
} as const;

/** The limited things; each has its window in {@link RateLimits} and its variable. */
export const BUCKETS = [
	"loginPerAccount",
	"loginPerIp",
	"requestsPerMember",
	"requestsPerIp",
	"socketsPerIp",
	"resetPerAccount",
	"resetPerIp",
] as const;

/** One of the limited things ({@link BUCKETS}). */
export type RateBucket = (typeof BUCKETS)[number];

/** Parse `points/seconds` (e.g. `10/900`); throws a message naming the variable. */
function parseWindow(variable: string, text: string): RateWindow {
	const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
	const points = Number(match?.[1]);
	const seconds = Number(match?.[2]);
	if (!match || points < 1 || seconds < 1) {
		throw new Error(`${variable}: must be points/seconds with both at least 1, e.g. 10/900`);
	}
	return { points, seconds };
}

function parseCount(variable: string, text: string, min: number): number {
	if (!/^\s*\d{1,9}\s*$/.test(text) || Number(text) < min) {
		throw new Error(`${variable}: must be a whole number of at least ${min}`);
	}
	return Number(text);
}

/**
 * The limits set in the environment (`SWITCHBOARD_RATE_*`), over the defaults. Throws one
 * error listing every bad value.
 */
export function rateLimitsFromEnv(env: Record<string, string | undefined>): RateLimits {
	const overrides: Partial<RateLimits> = {};
	const problems: string[] = [];
	const read = (variable: string, apply: (text: string) => void) => {
		const text = env[variable];
		if (text === undefined || text === "") return;
		try {
			apply(text);
		} catch (error) {
			problems.push((error as Error).message);
		}
	};
	for (const name of BUCKETS) {
		const variable = RATE_LIMIT_VARIABLES[name];
		read(variable, (text) => {
			overrides[name] = parseWindow(variable, text);
		});
	}
	const V = RATE_LIMIT_VARIABLES;
	read(V.socketsPerMember, (text) => {
		overrides.socketsPerMember = parseCount(V.socketsPerMember, text, 1);
	});
	read(V.trustedProxies, (text) => {
		overrides.trustedProxies = parseCount(V.trustedProxies, text, 0);
	});
	const hashing = { ...defaultHashingLimits };
	read(V.hashingConcurrency, (text) => {
		hashing.concurrency = parseCount(V.hashingConcurrency, text, 1);
	});
	read(V.hashingQueue, (text) => {
		hashing.queue = parseCount(V.hashingQueue, text, 0);
	});
	if (problems.length > 0) throw new Error(problems.join("\n  "));
	return rateLimitsWith({ ...overrides, hashing });
}
