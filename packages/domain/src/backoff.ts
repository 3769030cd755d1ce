/** How long to wait before the next try: the base, doubling with each failure, capped. */
export interface Backoff {
	/** The wait after the first failure, in milliseconds. */
	baseMs: number;
	/** The longest wait, in milliseconds. */
	maxMs: number;
}

/**
 * The wait after `attempt` failures in a row (1-based: the first failure waits `baseMs`).
 * Every retry loop of Switchboard (source polls, outgoing webhooks, the client's command
 * queue and its reconnect after a refusal) waits by this one formula.
 */
export function exponentialBackoff(attempt: number, { baseMs, maxMs }: Backoff): number {
	return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
