import { defaultRateLimits, RATE_LIMIT_VARIABLES, type RateWindow } from "@switchboard/server";

/**
 * The benchmark drives thousands of sockets and requests from loopback with a handful of
 * members, far past the edge's rate limits (apps/server/src/rate-limits.ts), which are sized
 * for people on the internet. The server exempts no address, so every Switchboard the
 * benchmark starts raises them here, explicitly, through the same variables an operator
 * sets. Sign-in limits are left as they are: the benchmark signs in with the right password.
 */
export const BENCH_RATE_LIMITS: Readonly<Record<string, string>> = {
	SWITCHBOARD_RATE_REQUESTS_PER_MEMBER: "100000000/1",
	SWITCHBOARD_RATE_REQUESTS_PER_IP: "100000000/1",
	SWITCHBOARD_RATE_SOCKETS_PER_IP: "100000000/1",
	SWITCHBOARD_RATE_SOCKETS_PER_MEMBER: "100000000",
};

/**
 * The limits as shipped (`defaultRateLimits`), with the server behind one trusted proxy that
 * names each person's address in `X-Forwarded-For`: how a company's members reach an
 * instance through its load balancer. A load that gives every member an address of their own
 * (clients.ts, `headers`) then meets exactly the limits a real crowd meets; the raised
 * BENCH_RATE_LIMITS are for loads that come from one address by nature.
 */
export function shippedRateLimitsBehindProxy(): Record<string, string> {
	const window = ({ points, seconds }: RateWindow) => `${points}/${seconds}`;
	const limits = defaultRateLimits;
	return {
		[RATE_LIMIT_VARIABLES.requestsPerMember]: window(limits.requestsPerMember),
		[RATE_LIMIT_VARIABLES.requestsPerIp]: window(limits.requestsPerIp),
		[RATE_LIMIT_VARIABLES.socketsPerIp]: window(limits.socketsPerIp),
		[RATE_LIMIT_VARIABLES.socketsPerMember]: String(limits.socketsPerMember),
		[RATE_LIMIT_VARIABLES.trustedProxies]: "1",
	};
}

/** A private address of its own for person `i` (10.0.0.0/8 holds 16 million). */
export function personAddress(i: number): string {
	return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}
