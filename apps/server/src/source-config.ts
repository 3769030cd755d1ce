/**
 * What an admin configures per source kind, as valibot schemas. Secrets (a Mastodon
 * token, a Bluesky app password) travel apart from the config and are stored sealed.
 */
import type { SourceKind } from "@switchboard/domain";
import * as v from "valibot";

const HttpUrl = v.pipe(
	v.string(),
	v.trim(),
	v.url("must be a URL"),
	v.check((url) => /^https?:\/\//i.test(url), "must be an http(s) URL"),
	v.maxLength(2000),
);
const Keywords = v.optional(
	v.pipe(
		v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
		v.maxLength(50, "at most 50 keywords"),
	),
	[],
);
/** Seconds between polls. */
const Interval = (fallback: number) =>
	v.optional(v.pipe(v.number(), v.integer(), v.minValue(30), v.maxValue(86_400)), fallback);

export const WebhookConfigSchema = v.strictObject({});

export const RssConfigSchema = v.strictObject({
	url: HttpUrl,
	/** Only items that contain one of these; every item when empty. */
	keywords: Keywords,
	intervalSeconds: Interval(300),
});
export type RssConfig = v.InferOutput<typeof RssConfigSchema>;

export const MastodonConfigSchema = v.strictObject({
	instanceUrl: HttpUrl,
	/** Read mention notifications of the account the token belongs to. */
	mentions: v.optional(v.boolean(), true),
	keywords: Keywords,
	intervalSeconds: Interval(120),
});
export type MastodonConfig = v.InferOutput<typeof MastodonConfigSchema>;

export const BlueskyConfigSchema = v.strictObject({
	service: v.optional(HttpUrl, "https://bsky.social"),
	/** The account's handle or DID. */
	identifier: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(300)),
	mentions: v.optional(v.boolean(), true),
	keywords: Keywords,
	intervalSeconds: Interval(120),
});
export type BlueskyConfig = v.InferOutput<typeof BlueskyConfigSchema>;

export const SOURCE_CONFIG_SCHEMAS = {
	webhook: WebhookConfigSchema,
	rss: RssConfigSchema,
	mastodon: MastodonConfigSchema,
	bluesky: BlueskyConfigSchema,
} as const satisfies Record<SourceKind, v.GenericSchema>;

/** Kinds that need a credential (sealed): the Mastodon token, the Bluesky app password. */
export const CREDENTIAL_KINDS: readonly SourceKind[] = ["mastodon", "bluesky"];

/** Seconds between polls of a source's config, or null for webhooks. */
export function intervalOf(config: Record<string, unknown>): number | null {
	const seconds = config.intervalSeconds;
	return typeof seconds === "number" ? seconds : null;
}
