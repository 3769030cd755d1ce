import type { Source } from "@switchboard/client";
import { WebhookRefusalReasons } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { currentRefusal, pollErrorAdvice, REFUSAL_ADVICE, sourceHealth } from "./source-health.ts";

const idle: Source["status"] = {
	lastError: null,
	lastPolledAt: null,
	nextPollAt: null,
	failures: 0,
	lastDeliveryAt: null,
	lastRefusal: null,
};
const refusal = {
	at: "2026-12-07T10:00:00.000Z",
	reason: "bad_signature",
	message: "The signature did not match the source's secret.",
} as const;

function webhook(status: Partial<Source["status"]>, enabled = true) {
	return { kind: "webhook", enabled, status: { ...idle, ...status } } as const;
}

describe("a webhook source's health", () => {
	it("has no delivery recorded yet (none since deliveries were recorded), then is receiving", () => {
		expect(sourceHealth(webhook({}))).toEqual({
			label: "No delivery recorded yet",
			kind: "waiting",
		});
		expect(sourceHealth(webhook({ lastDeliveryAt: "2026-12-07T09:00:00.000Z" }))).toEqual({
			label: "Receiving",
			kind: "ok",
		});
	});

	it("is refusing deliveries while its last refusal is newer than its last delivery", () => {
		const refused = webhook({ lastRefusal: refusal });
		expect(sourceHealth(refused)).toEqual({ label: "Refusing deliveries", kind: "failing" });
		expect(currentRefusal(refused.status)).toEqual(refusal);
		const before = webhook({ lastRefusal: refusal, lastDeliveryAt: "2026-12-07T09:59:59.000Z" });
		expect(sourceHealth(before).kind).toBe("failing");
		// A delivery accepted since: the refusal is history.
		const since = webhook({ lastRefusal: refusal, lastDeliveryAt: "2026-12-07T10:00:01.000Z" });
		expect(sourceHealth(since)).toEqual({ label: "Receiving", kind: "ok" });
		expect(currentRefusal(since.status)).toBeNull();
	});

	it("is paused when disabled, whatever it last did", () => {
		expect(sourceHealth(webhook({ lastRefusal: refusal }, false))).toEqual({
			label: "Paused",
			kind: "paused",
		});
	});
});

describe("a polled source's health", () => {
	const feed = (status: Partial<Source["status"]>) =>
		({ kind: "rss", enabled: true, status: { ...idle, ...status } }) as const;

	it("is not polled yet, healthy, or failing by its last poll", () => {
		expect(sourceHealth(feed({})).label).toBe("Not polled yet");
		expect(sourceHealth(feed({ lastPolledAt: refusal.at })).label).toBe("Healthy");
		expect(sourceHealth(feed({ lastPolledAt: refusal.at, lastError: "HTTP 500" }))).toEqual({
			label: "Failing",
			kind: "failing",
		});
	});
});

describe("what to check when a source fails", () => {
	it("a feed that could not be reached: its URL, and that it is public", () => {
		expect(pollErrorAdvice("rss", "The feed could not be reached.")).toBe(
			"Check the feed's URL, and that the feed is public: it opens in a browser without signing in.",
		);
		expect(pollErrorAdvice("rss", "The feed answered HTTP 403 Forbidden.")).toMatch(/public feed/);
		expect(pollErrorAdvice("rss", "The feed answered HTTP 503 Service Unavailable.")).toMatch(
			/^The feed's site failed on its side: nothing to change here/,
		);
		expect(pollErrorAdvice("rss", "The feed answered HTTP 404 Not Found.")).toBe(
			"Check the feed's URL.",
		);
		expect(
			pollErrorAdvice("rss", "The document is not an RSS or Atom feed (its root is <html>)."),
		).toMatch(/^Check that the URL is the feed's own/);
	});

	it("a network account: its address, or its credential when refused", () => {
		expect(
			pollErrorAdvice("mastodon", "Reading mentions: the instance could not be reached."),
		).toMatch(/^Check the instance's URL/);
		expect(
			pollErrorAdvice(
				"mastodon",
				"Reading mentions: the instance answered HTTP 401 (The access token is invalid).",
			),
		).toMatch(/access token/);
		expect(
			pollErrorAdvice(
				"bluesky",
				"Reading notifications: Bluesky answered HTTP 401 (AuthenticationRequired).",
			),
		).toMatch(/app password/);
	});

	it("nothing to add to a message that says it all", () => {
		expect(pollErrorAdvice("rss", "The feed is larger than 5000000 bytes.")).toBeNull();
	});

	it("every refusal of a delivery says what to check; a wrong signature, the secret or rotating it", () => {
		for (const reason of WebhookRefusalReasons)
			expect(REFUSAL_ADVICE[reason], reason).toMatch(/\S/);
		expect(REFUSAL_ADVICE.bad_signature).toMatch(/current secret.*rotate it/);
	});
});
