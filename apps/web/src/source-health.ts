/**
 * What a source's badge says about it: a polled source by its last poll, a webhook by what
 * it last did with a delivery. A webhook that refuses every request must not read as
 * "Receiving" (a wrong secret, a skewed clock, an oversized batch); one without a delivery
 * recorded says so rather than look healthy. "Recorded", not "none came": deliveries are
 * recorded since the release that added them (migration 2026-12-07T01-00-00-webhook-
 * deliveries), and a source that received some before reads the same until its next one.
 */
import type { Source } from "@switchboard/client";
import type { SourceKind, WebhookRefusalReason } from "@switchboard/domain";

/** The badge's style: the health-* classes. */
export type SourceHealthKind = "ok" | "failing" | "waiting" | "paused";

export interface SourceHealth {
	label: string;
	kind: SourceHealthKind;
}

/** The last refusal when it is newer than the last accepted delivery; null otherwise. */
export function currentRefusal(
	status: Source["status"],
): NonNullable<Source["status"]["lastRefusal"]> | null {
	const refusal = status.lastRefusal;
	if (!refusal) return null;
	const accepted = status.lastDeliveryAt ? Date.parse(status.lastDeliveryAt) : null;
	return accepted === null || Date.parse(refusal.at) > accepted ? refusal : null;
}

export function sourceHealth(source: Pick<Source, "kind" | "enabled" | "status">): SourceHealth {
	const { status } = source;
	if (!source.enabled) return { label: "Paused", kind: "paused" };
	if (source.kind === "webhook") {
		if (currentRefusal(status)) return { label: "Refusing deliveries", kind: "failing" };
		if (!status.lastDeliveryAt) return { label: "No delivery recorded yet", kind: "waiting" };
		return { label: "Receiving", kind: "ok" };
	}
	if (status.lastError) return { label: "Failing", kind: "failing" };
	if (!status.lastPolledAt) return { label: "Not polled yet", kind: "waiting" };
	return { label: "Healthy", kind: "ok" };
}

/**
 * What to check when a webhook refused a delivery, by its reason: the refusal says what
 * was wrong with the request, this says what the admin can do about it.
 */
export const REFUSAL_ADVICE: Record<WebhookRefusalReason, string> = {
	missing_signature:
		"Check that the sender signs every request with this source's secret, in both headers.",
	stale_timestamp:
		"Check the sender's clock, and that it signs each request as it sends it, not ahead of time.",
	bad_signature:
		"Check that the sender signs with this source's current secret, over the body exactly as sent. If nobody has the secret any more, rotate it and give the sender the new one.",
	malformed_json: "Check what the sender sends: a mention, or a list of them, as JSON.",
	invalid_payload: "Check that field in what the sender sends.",
	too_large: "Have the sender send fewer mentions, or shorter ones, per request.",
	invalid_text: "Check that the sender sends its body as UTF-8 text.",
};

/**
 * What to check when a polled source's last poll failed, from the connector's message
 * (packages/connectors: "The feed could not be reached.", "… answered HTTP 401 …"); null when
 * the message says all there is to say.
 */
export function pollErrorAdvice(kind: SourceKind, message: string): string | null {
	const place =
		kind === "rss" ? "the feed's URL" : kind === "mastodon" ? "the instance's URL" : null;
	if (/could not be reached|did not answer/.test(message)) {
		if (kind === "rss") {
			return "Check the feed's URL, and that the feed is public: it opens in a browser without signing in.";
		}
		return place
			? `Check ${place}, and that the instance is up. Polling goes on, less often, until it answers.`
			: "Polling goes on, less often, until it answers.";
	}
	if (/HTTP 40[13]\b/.test(message)) {
		if (kind === "rss") return "The feed asks to sign in: give the URL of a public feed.";
		if (kind === "mastodon") return "Check the access token: edit the source and give a new one.";
		return "Check the handle and the app password: edit the source and give a new app password.";
	}
	if (/HTTP 404\b|HTTP 410\b/.test(message) && place) return `Check ${place}.`;
	if (/HTTP 5\d\d\b/.test(message)) {
		const who =
			kind === "rss" ? "The feed's site" : kind === "mastodon" ? "The instance" : "Bluesky";
		return `${who} failed on its side: nothing to change here. Polling goes on, less often, until it answers.`;
	}
	if (/not well-formed XML|not an RSS or Atom feed/.test(message)) {
		return "Check that the URL is the feed's own (it often ends in /feed, .rss or .xml), not its web page's.";
	}
	return null;
}
