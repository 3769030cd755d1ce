/**
 * A token bucket: `burst` messages at once, refilled at `perSecond`. One per socket and
 * kind of message; cheap enough to consult on every frame.
 */

export interface RateLimit {
	/** Messages allowed in one go, e.g. the queue a provider flushes after a reconnect. */
	burst: number;
	/** Sustained messages per second. */
	perSecond: number;
}

export class TokenBucket {
	private readonly limit: RateLimit;
	private readonly now: () => number;
	private tokens: number;
	private updatedAt: number;

	constructor(limit: RateLimit, now: () => number = performance.now.bind(performance)) {
		this.limit = limit;
		this.now = now;
		this.tokens = limit.burst;
		this.updatedAt = now();
	}

	/** Takes one token; false when the bucket is empty (the caller is over the limit). */
	take(): boolean {
		const now = this.now();
		const elapsed = Math.max(0, now - this.updatedAt) / 1000;
		this.updatedAt = now;
		this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond);
		if (this.tokens < 1) return false;
		this.tokens -= 1;
		return true;
	}
}
