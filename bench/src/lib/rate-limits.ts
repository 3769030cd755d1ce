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
