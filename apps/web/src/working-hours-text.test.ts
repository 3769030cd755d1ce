import { describe, expect, it } from "vitest";
import { intervalsText, parseIntervals } from "./working-hours-text.ts";

describe("working hours as typed", () => {
	it("reads times as people write them, not only as HH:MM", () => {
		expect(parseIntervals("9-17")).toEqual([{ start: "09:00", end: "17:00" }]);
		expect(parseIntervals("9:30 to 12, 13h–17.30")).toEqual([
			{ start: "09:30", end: "12:00" },
			{ start: "13:00", end: "17:30" },
		]);
		expect(intervalsText(parseIntervals("08:00—12:00; 13:00-16:45"))).toBe(
			"08:00–12:00, 13:00–16:45",
		);
	});

	it("leaves what is not a time as typed, for the settings' check to name it", () => {
		expect(parseIntervals("9am-5pm")).toEqual([{ start: "9am", end: "5pm" }]);
		expect(parseIntervals("morning")).toEqual([{ start: "morning", end: "" }]);
		expect(parseIntervals(" , ")).toEqual([]);
	});
});
