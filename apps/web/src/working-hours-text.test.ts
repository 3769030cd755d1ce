import {
	businessHoursProblems,
	type Weekday,
	Weekdays,
	type WorkingInterval,
} from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { intervalsText, parseIntervals } from "./working-hours-text.ts";

/** A week with no working day, for one day's intervals to be checked alone. */
const week = Object.fromEntries(Weekdays.map((day) => [day, []])) as unknown as Record<
	Weekday,
	WorkingInterval[]
>;

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

	it("drops no hours of a part with more than two times: it comes through for the check to refuse", () => {
		expect(parseIntervals("9-12-13-17")).toEqual([{ start: "09:00", end: "12-13-17" }]);
		expect(parseIntervals("9 to 12 to 17, 18-19")).toEqual([
			{ start: "09:00", end: "12 to 17" },
			{ start: "18:00", end: "19:00" },
		]);
		const problems = businessHoursProblems({
			timeZone: "Europe/Berlin",
			weekly: { ...week, mon: parseIntervals("9-12-13-17") },
			holidays: [],
		});
		expect(problems).toEqual(["Monday 09:00–12-13-17: times are HH:MM from 00:00 to 24:00."]);
	});
});
