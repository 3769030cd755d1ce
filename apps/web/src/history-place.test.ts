import { describe, expect, it } from "vitest";
import { type HistoryPlace, PLACE_KEPT_MS, placeKey, placeToResume } from "./history-place.ts";

const left = (key: string, leftAt: number): HistoryPlace => ({
	key,
	results: [],
	cursor: "c1",
	scrollTop: 900,
	leftAt,
});

describe("where History was left", () => {
	it("is the same search whatever the order of its filters", () => {
		expect(placeKey({ q: "refund", author: "dana" })).toBe(
			placeKey({ author: "dana", q: "refund" }),
		);
		expect(placeKey({ q: "refund" })).not.toBe(placeKey({ q: "refunds" }));
		expect(placeKey({})).not.toBe(placeKey({ q: "" }));
	});

	it("is shown again for the same search, for a while only", () => {
		const key = placeKey({ q: "refund" });
		const places = { left: left(key, 1_000) };
		expect(placeToResume(places, key, 1_000 + PLACE_KEPT_MS)).toBe(places.left);
		expect(placeToResume(places, key, 1_001 + PLACE_KEPT_MS)).toBeUndefined();
		expect(placeToResume(places, placeKey({ q: "parcel" }), 2_000)).toBeUndefined();
		expect(placeToResume({ left: null }, key, 2_000)).toBeUndefined();
	});
});
