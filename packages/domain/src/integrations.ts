/**
 * The vocabulary of sources, connected accounts and outgoing webhooks: closed sets the
 * server, storage and client share.
 */
import * as v from "valibot";

/** Where mentions come from: pushed to a signed webhook, or polled. */
export const SourceKinds = ["webhook", "rss", "mastodon", "bluesky"] as const;
export type SourceKind = (typeof SourceKinds)[number];
export const SourceKindSchema = v.picklist(SourceKinds);

/**
 * Why a webhook source refused a delivery, as its 4xx answer's `reason` says (the 413 and
 * the edge's 400 for text that cannot be stored have none of their own there):
 * `missing_signature` also covers a timestamp that is not unix seconds.
 */
export const WebhookRefusalReasons = [
	"missing_signature",
	"stale_timestamp",
	"bad_signature",
	"malformed_json",
	"invalid_payload",
	"too_large",
	"invalid_text",
] as const;
export type WebhookRefusalReason = (typeof WebhookRefusalReasons)[number];

/** Networks a member can connect an account of, to send replies from it. */
export const ReplyNetworks = ["mastodon", "bluesky"] as const;
export type ReplyNetwork = (typeof ReplyNetworks)[number];
export const ReplyNetworkSchema = v.picklist(ReplyNetworks);

/** Where a reply sent through a connected account stands. */
export const ReplySendStatuses = ["sending", "sent", "failed"] as const;
export type ReplySendStatus = (typeof ReplySendStatuses)[number];

/** Conversation events an organisation's webhooks can subscribe to. */
export const WebhookEvents = {
	/** A mention arrived with high priority. */
	highPriority: "mention.high_priority",
	/** Someone took a conversation (claim, claimNext, assign). */
	claimed: "mention.claimed",
	/** A reply was recorded (sent through a connector or marked by hand). */
	replied: "mention.replied",
	/** A conversation went past its claim or reply SLA. */
	slaBreached: "mention.sla_breached",
} as const;
export type WebhookEvent = (typeof WebhookEvents)[keyof typeof WebhookEvents];
export const WEBHOOK_EVENT_NAMES = Object.values(WebhookEvents) as WebhookEvent[];
export const WebhookEventSchema = v.picklist(
	WEBHOOK_EVENT_NAMES as [WebhookEvent, ...WebhookEvent[]],
);

/**
 * Where a webhook points, without the path and query that may hold a secret: how the audit
 * log names one. Empty for an address that does not parse.
 */
export function webhookHost(url: string): string {
	return URL.canParse(url) ? new URL(url).host : "";
}

/** Where an outgoing delivery stands; `failed` is final until someone retries it. */
export const DeliveryStatuses = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DeliveryStatuses)[number];
