/**
 * What each webhook source last did with a delivery: when it last accepted one, and when it
 * last refused one and why, in an admin's words. The Sources screen shows it; without it a
 * webhook wired up wrong (a wrong secret, a skewed clock, an oversized batch) refused every
 * request while the screen said "Receiving".
 *
 * Refusals come from outside, unauthenticated: each would be a database write an attacker
 * could repeat at will. So each source's refusals are recorded at most once per
 * `windowMs`, decided here in memory before any database work; storage writes nothing for an
 * unknown id. Refusals at the edge (an oversized body, text that cannot be stored) come
 * before the source was read, so for them an id that names nothing costs one indexed update
 * that matches no row: those are also capped for all sources together (`edgePerSecond`).
 * Accepted deliveries are recorded at most once per window too (each would otherwise add a
 * write to the webhook's hot path), except the first after a refusal recorded here, so
 * that the screen does not go on saying "Refusing" once deliveries work. With several
 * instances each keeps its own windows: what the screen shows may lag by one window.
 */
import { SIGNATURE_TOLERANCE_SECONDS, type SignatureCheck } from "@switchboard/connectors";
import type { WebhookRefusal } from "@switchboard/domain";
import type { SourceStore } from "@switchboard/storage";
import type { Logger } from "pino";

export interface WebhookDeliveryLogConfiguration {
	/**
	 * Shortest time between two records of one source's refusals, and of its accepted
	 * deliveries. @default 10 s: the screen refreshes every 15 s, an attacker gets six
	 * writes a minute per source id that exists
	 */
	windowMs: number;
	/** Most sources whose windows are remembered; the least recently seen go first. @default 10,000 */
	maxSources: number;
	/** Most refusals at the edge recorded per second, all sources together. @default 20 */
	edgePerSecond: number;
}

export const defaultWebhookDeliveryLogConfiguration: WebhookDeliveryLogConfiguration = {
	windowMs: 10_000,
	maxSources: 10_000,
	edgePerSecond: 20,
};

/** A refusal as the route knows it, before it has a time. */
export type Refusal = Omit<WebhookRefusal, "at">;

/** When this instance last recorded each outcome of one source, in ms. */
interface Recorded {
	accepted: number | null;
	refused: number | null;
}

export class WebhookDeliveryLog {
	readonly #store: Pick<SourceStore, "recordWebhookDelivery" | "recordWebhookRefusal">;
	readonly #logger: Logger;
	readonly #config: WebhookDeliveryLogConfiguration;
	readonly #now: () => Date;
	/** Per `orgId sourceId`, in order of last use (a Map keeps insertion order). */
	readonly #recorded = new Map<string, Recorded>();
	#edgeSecond = 0;
	#edgeCount = 0;

	constructor(options: {
		store: Pick<SourceStore, "recordWebhookDelivery" | "recordWebhookRefusal">;
		logger: Logger;
		config?: Partial<WebhookDeliveryLogConfiguration>;
		/** The clock of refusals at the edge; tests pass their own. */
		now?: () => Date;
	}) {
		this.#store = options.store;
		this.#logger = options.logger;
		this.#config = { ...defaultWebhookDeliveryLogConfiguration, ...options.config };
		this.#now = options.now ?? (() => new Date());
	}

	/** A delivery to this source was accepted at `at`. */
	async accepted(orgId: string, sourceId: string, at: Date): Promise<void> {
		const recorded = this.#entry(orgId, sourceId);
		const time = at.getTime();
		const refusedSince = recorded.refused !== null && recorded.refused >= (recorded.accepted ?? 0);
		if (!refusedSince && this.#within(recorded.accepted, time)) return;
		recorded.accepted = time;
		await this.#write(() => this.#store.recordWebhookDelivery(orgId, sourceId, at.toISOString()));
	}

	/** A delivery to this source (read and found) was refused at `at`. */
	async refused(orgId: string, sourceId: string, refusal: Refusal, at: Date): Promise<void> {
		const recorded = this.#entry(orgId, sourceId);
		const time = at.getTime();
		if (this.#within(recorded.refused, time)) return;
		recorded.refused = time;
		await this.#write(() =>
			this.#store.recordWebhookRefusal(orgId, sourceId, { ...refusal, at: at.toISOString() }),
		);
	}

	/** A delivery to this source id was refused at the edge, before anything was read. */
	async refusedAtEdge(orgId: string, sourceId: string, refusal: Refusal): Promise<void> {
		const at = this.#now();
		const second = Math.floor(at.getTime() / 1000);
		if (second !== this.#edgeSecond) {
			this.#edgeSecond = second;
			this.#edgeCount = 0;
		}
		const known = this.#recorded.get(key(orgId, sourceId));
		if (known && this.#within(known.refused, at.getTime())) return;
		if (this.#edgeCount >= this.#config.edgePerSecond) return;
		this.#edgeCount++;
		await this.refused(orgId, sourceId, refusal, at);
	}

	#within(last: number | null, time: number): boolean {
		return last !== null && time - last < this.#config.windowMs && time >= last;
	}

	#entry(orgId: string, sourceId: string): Recorded {
		const id = key(orgId, sourceId);
		const entry = this.#recorded.get(id) ?? { accepted: null, refused: null };
		this.#recorded.delete(id);
		this.#recorded.set(id, entry);
		if (this.#recorded.size > this.#config.maxSources) {
			const oldest = this.#recorded.keys().next();
			if (!oldest.done) this.#recorded.delete(oldest.value);
		}
		return entry;
	}

	/** A record that fails is logged: the delivery's own answer does not depend on it. */
	async #write(write: () => Promise<boolean>): Promise<void> {
		try {
			await write();
		} catch (error) {
			this.#logger.warn({ err: error }, "could not record a webhook delivery's outcome");
		}
	}
}

function key(orgId: string, sourceId: string): string {
	return `${orgId}\n${sourceId}`;
}

/** Most characters of a payload problem kept in a refusal's words. */
const MAX_DETAIL_CHARS = 300;

/** The refusal of a request whose signature did not check out, in an admin's words. */
export function signatureRefusal(
	check: Extract<SignatureCheck, { ok: false }>,
	headers: { signature: string | undefined; timestamp: string | undefined },
	now: Date,
): Refusal {
	switch (check.reason) {
		case "missing":
			return {
				reason: "missing_signature",
				message:
					headers.signature && headers.timestamp
						? "The timestamp (X-Switchboard-Timestamp) was not a time in unix seconds."
						: "The request was not signed: X-Switchboard-Signature and X-Switchboard-Timestamp are required.",
			};
		case "stale": {
			const skew = Math.floor(now.getTime() / 1000) - Number(headers.timestamp);
			const limit = duration(SIGNATURE_TOLERANCE_SECONDS);
			return {
				reason: "stale_timestamp",
				message:
					skew >= 0
						? `The timestamp was ${duration(skew)} old; the limit is ${limit}.`
						: `The timestamp was ${duration(-skew)} ahead of the server's clock; the limit is ${limit}.`,
			};
		}
		case "mismatch":
			return {
				reason: "bad_signature",
				message: "The signature did not match the source's secret.",
			};
	}
}

/** The refusal of a body that is not a mention: which field, as the sender was told. */
export function payloadRefusal(problem: string): Refusal {
	const detail =
		problem.length > MAX_DETAIL_CHARS ? `${problem.slice(0, MAX_DETAIL_CHARS - 1)}…` : problem;
	return { reason: "invalid_payload", message: `The body was not a mention: ${detail}` };
}

export const MALFORMED_JSON: Refusal = {
	reason: "malformed_json",
	message: "The body was not JSON.",
};

export const INVALID_TEXT: Refusal = {
	reason: "invalid_text",
	message: "The body was not UTF-8 text, or held a NUL character or a lone surrogate.",
};

/** The refusal of a body over the route's limit. */
export function tooLargeRefusal(maxBytes: number): Refusal {
	return { reason: "too_large", message: `The body was over the ${bytes(maxBytes)} limit.` };
}

/**
 * "301 seconds" is hard to read and "5 minutes" hides that it is past a 5-minute limit:
 * "5 minutes 1 second", "9 minutes", "3 hours", "2 days". Rounded down, as a clock's
 * difference is read; the seconds are said under 10 minutes only.
 */
export function duration(seconds: number): string {
	const unit = (n: number, name: string) =>
		`${n.toLocaleString("en")} ${name}${n === 1 ? "" : "s"}`;
	const whole = Math.floor(seconds);
	if (whole < 60) return unit(whole, "second");
	if (whole < 600) {
		const rest = whole % 60;
		return `${unit(Math.floor(whole / 60), "minute")}${rest ? ` ${unit(rest, "second")}` : ""}`;
	}
	if (seconds < 2 * 3600) return unit(Math.floor(seconds / 60), "minute");
	if (seconds < 2 * 86_400) return unit(Math.floor(seconds / 3600), "hour");
	return unit(Math.floor(seconds / 86_400), "day");
}

/** "1 MiB", "256 KiB", "1,000 bytes": as the limits are set, and as docs/SOURCES.md says them. */
function bytes(count: number): string {
	if (count % (1024 * 1024) === 0) return `${(count / (1024 * 1024)).toLocaleString("en")} MiB`;
	if (count % 1024 === 0) return `${(count / 1024).toLocaleString("en")} KiB`;
	return `${count.toLocaleString("en")} bytes`;
}
