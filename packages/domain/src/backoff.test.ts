import { describe, expect, it } from "vitest";
import { exponentialBackoff } from "./backoff.ts";

describe("exponentialBackoff", () => {
	const backoff = { baseMs: 500, maxMs: 30_000 };

	it("waits the base after the first failure and doubles after each one after", () => {
		expect([1, 2, 3, 4].map((attempt) => exponentialBackoff(attempt, backoff))).toEqual([
			500, 1_000, 2_000, 4_000,
		]);
	});

	it("never waits longer than the cap, however many failures", () => {
		expect(exponentialBackoff(7, backoff)).toBe(30_000);
		expect(exponentialBackoff(5_000, backoff)).toBe(30_000);
	});

	it("treats a count of zero as the first failure", () => {
		expect(exponentialBackoff(0, backoff)).toBe(500);
	});
});
