/**
 * What a source's badge says about it: a polled source by its last poll, a webhook by what
 * it last did with a delivery. A webhook that refuses every request must not read as
 * "Receiving" (a wrong secret, a skewed clock, an oversized batch); one that never had a
 * delivery says so rather than look healthy.
 */
import type { Source } from "@switchboard/client";

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
		if (!status.lastDeliveryAt) return { label: "Waiting for the first delivery", kind: "waiting" };
		return { label: "Receiving", kind: "ok" };
	}
	if (status.lastError) return { label: "Failing", kind: "failing" };
	if (!status.lastPolledAt) return { label: "Not polled yet", kind: "waiting" };
	return { label: "Healthy", kind: "ok" };
}
