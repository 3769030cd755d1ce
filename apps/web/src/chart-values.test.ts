import { describe, expect, it } from "vitest";
import { chartValues } from "./chart-values.ts";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** The ticks of an axis from 0 to `top` at every `step`, as uPlot places them from 0. */
function ticksUpTo(top: number, step: number): number[] {
	return Array.from({ length: Math.floor(top / step) + 1 }, (_, index) => index * step);
}

describe("chart values", () => {
	const { count, duration } = chartValues;

	it("steps a duration axis at round times, every tick in one unit", () => {
		// These ticks read "0 min", "50 min", "1 h 40 min" and "0 min", "17 h", "34 h" before.
		expect(duration.ticks(ticksUpTo(2 * HOUR, 30 * MINUTE))).toEqual([
			"0 min",
			"30 min",
			"60 min",
			"90 min",
			"120 min",
		]);
		expect(duration.ticks(ticksUpTo(36 * HOUR, 12 * HOUR))).toEqual([
			"0 h",
			"12 h",
			"24 h",
			"36 h",
		]);
		expect(duration.ticks(ticksUpTo(4 * HOUR, HOUR))).toEqual(["0 h", "1 h", "2 h", "3 h", "4 h"]);
		expect(duration.ticks(ticksUpTo(3 * DAY, DAY))).toEqual(["0 d", "1 d", "2 d", "3 d"]);
		expect(duration.ticks(ticksUpTo(45, 15))).toEqual(["0 s", "15 s", "30 s", "45 s"]);
		expect(duration.ticks([0])).toEqual(["0 s"]);
	});

	it("names every tick of any axis it may step in one unit, as a whole number of it", () => {
		for (const step of duration.increments)
			for (const count of [1, 2, 3, 5, 8]) {
				const labels = duration.ticks(ticksUpTo(step * count, step));
				const units = new Set(labels.map((label) => label.split(" ")[1]));
				expect(units.size, labels.join(", ")).toBe(1);
				for (const label of labels) expect(label, labels.join(", ")).toMatch(/^\d+ (s|min|h|d)$/);
			}
	});

	it("steps a count axis by whole numbers only, so no tick stands for half a conversation", () => {
		expect(count.increments.every((step) => Number.isInteger(step) && step >= 1)).toBe(true);
		expect(count.ticks(ticksUpTo(4, 1))).toEqual(["0", "1", "2", "3", "4"]);
	});

	it("reads a legend's value in seconds under a minute, minutes under two hours, then hours", () => {
		expect(duration.value(95 * MINUTE)).toBe("95 min");
		expect(duration.value(2.6 * HOUR)).toBe("3 h");
		expect(duration.value(15)).toBe("15 s");
		expect(duration.value(80)).toBe("1 min");
		expect(count.value(2.4)).toBe("2");
	});
});
