import { describe, expect, it } from "vitest";
import { withDefaults } from "./defaults.ts";

describe("withDefaults", () => {
	const defaults = { timeoutMs: 10_000, maxBatch: 500 };

	it("takes each override and keeps the default of the rest", () => {
		expect(withDefaults(defaults, { maxBatch: 20 })).toEqual({ timeoutMs: 10_000, maxBatch: 20 });
	});

	it("keeps the default where an override is undefined, and ignores keys it does not know", () => {
		const overrides = { timeoutMs: undefined, storage: "not a tuning value" };
		expect(withDefaults(defaults, overrides as Partial<typeof defaults>)).toEqual(defaults);
	});

	it("does not change the defaults it was given", () => {
		withDefaults(defaults, { timeoutMs: 1 });
		expect(defaults.timeoutMs).toBe(10_000);
	});
});
