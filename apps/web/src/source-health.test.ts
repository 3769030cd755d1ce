import type { Source } from "@switchboard/client";
import { describe, expect, it } from "vitest";
import { currentRefusal, sourceHealth } from "./source-health.ts";

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
	it("waits for its first delivery, then is receiving", () => {
		expect(sourceHealth(webhook({}))).toEqual({
			label: "Waiting for the first delivery",
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
