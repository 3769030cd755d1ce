import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
	addWorkingTime,
	type BusinessHours,
	businessHoursProblems,
	businessHoursProblemsByPart,
	localToInstant,
	Weekdays,
	type WorkingInterval,
	workingSpans,
	workingTimeBetween,
} from "./business-hours.ts";
import { BoardSettingsPatchSchema } from "./http/wire.ts";
import { problemsByField } from "./issues.ts";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

function week(
	days: Partial<Record<(typeof Weekdays)[number], WorkingInterval[]>>,
): BusinessHours["weekly"] {
	return Object.fromEntries(
		Weekdays.map((day) => [day, days[day] ?? []]),
	) as BusinessHours["weekly"];
}

const office = { start: "09:00", end: "17:30" };
/** Monday to Friday 09:00–17:30 in Berlin. */
const berlin: BusinessHours = {
	timeZone: "Europe/Berlin",
	weekly: week({ mon: [office], tue: [office], wed: [office], thu: [office], fri: [office] }),
	holidays: [],
};

describe("adding working time", () => {
	it("carries a Friday 17:00 mention with a one-hour target over the weekend to Monday 09:30", () => {
		// 2026-12-04 is a Friday; Berlin is UTC+1 in December.
		const due = addWorkingTime(berlin, t("2026-12-04T16:00:00Z"), HOUR);
		expect(iso(due)).toBe("2026-12-07T08:30:00.000Z");
	});

	it("starts counting at opening time for a mention that arrives at night", () => {
		expect(iso(addWorkingTime(berlin, t("2026-12-08T02:00:00Z"), 15 * MINUTE))).toBe(
			"2026-12-08T08:15:00.000Z",
		);
	});

	it("skips a holiday", () => {
		const hours = { ...berlin, holidays: ["2026-12-25"] };
		// Thursday 24 Dec 17:00 local, one hour: 30 min Thursday, Friday off, 30 min Monday.
		expect(iso(addWorkingTime(hours, t("2026-12-24T16:00:00Z"), HOUR))).toBe(
			"2026-12-28T08:30:00.000Z",
		);
		expect(workingTimeBetween(hours, t("2026-12-24T00:00:00Z"), t("2026-12-28T00:00:00Z"))).toBe(
			8.5 * HOUR,
		);
	});

	it("runs a night shift across midnight as one stretch", () => {
		const night: BusinessHours = {
			timeZone: "UTC",
			weekly: week({
				fri: [{ start: "22:00", end: "24:00" }],
				sat: [{ start: "00:00", end: "06:00" }],
			}),
			holidays: [],
		};
		// 2026-12-04 is a Friday.
		expect(iso(addWorkingTime(night, t("2026-12-04T23:00:00Z"), 2 * HOUR))).toBe(
			"2026-12-05T01:00:00.000Z",
		);
		const [first] = workingSpans(night, t("2026-12-04T12:00:00Z"));
		expect(first?.map(iso)).toEqual(["2026-12-04T22:00:00.000Z", "2026-12-05T06:00:00.000Z"]);
	});

	it("counts the real length of the days the clocks change", () => {
		const allDay: BusinessHours = {
			timeZone: "Europe/Berlin",
			weekly: week({ sun: [{ start: "00:00", end: "24:00" }] }),
			holidays: [],
		};
		// Sunday 29 March 2026: 02:00 becomes 03:00, the day has 23 hours.
		expect(workingTimeBetween(allDay, t("2026-03-28T00:00:00Z"), t("2026-03-30T00:00:00Z"))).toBe(
			23 * HOUR,
		);
		// Sunday 25 October 2026: 03:00 becomes 02:00 again, 25 hours.
		expect(workingTimeBetween(allDay, t("2026-10-24T00:00:00Z"), t("2026-10-27T00:00:00Z"))).toBe(
			25 * HOUR,
		);
		// New York changes on 8 March 2026: Friday 17:00 EST plus an hour is Monday 09:30 EDT
		// (13:30Z), while a week before it was 09:30 EST (14:30Z).
		const ny = { ...berlin, timeZone: "America/New_York" };
		expect(iso(addWorkingTime(ny, t("2026-03-06T22:00:00Z"), HOUR))).toBe(
			"2026-03-09T13:30:00.000Z",
		);
		expect(iso(addWorkingTime(ny, t("2026-03-02T22:00:00Z"), HOUR))).toBe(
			"2026-03-03T14:30:00.000Z",
		);
	});

	it("reads a wall time the clocks skip or show twice as Temporal's compatible rule does", () => {
		const local = (text: string) => Date.parse(`${text}Z`);
		// Skipped: 02:30 on 29 March in Berlin moves on by the gap, to 03:30 CEST.
		expect(iso(localToInstant("Europe/Berlin", local("2026-03-29T02:30:00")))).toBe(
			"2026-03-29T01:30:00.000Z",
		);
		// Twice: 02:30 on 25 October is the earlier one, still CEST.
		expect(iso(localToInstant("Europe/Berlin", local("2026-10-25T02:30:00")))).toBe(
			"2026-10-25T00:30:00.000Z",
		);
		// Lord Howe moves by half an hour.
		expect(iso(localToInstant("Australia/Lord_Howe", local("2026-07-01T09:00:00")))).toBe(
			"2026-06-30T22:30:00.000Z",
		);
	});
});

describe("checking hours", () => {
	it("names an unknown time zone, inverted and overlapping intervals, bad holidays", () => {
		expect(businessHoursProblems(berlin)).toEqual([]);
		const bad: BusinessHours = {
			timeZone: "Mars/Olympus",
			weekly: week({
				mon: [
					{ start: "09:00", end: "12:00" },
					{ start: "11:00", end: "13:00" },
				],
				tue: [{ start: "17:00", end: "09:00" }],
				wed: [{ start: "9:00", end: "25:00" }],
			}),
			holidays: ["2026-02-30"],
		};
		expect(businessHoursProblems(bad)).toEqual([
			'"Mars/Olympus" is not a time zone: use an IANA name such as Europe/Berlin.',
			"Monday 09:00–12:00 overlaps 11:00–13:00.",
			"Tuesday 17:00–09:00 ends before it starts: an interval lies within one day; for a night shift write 22:00–24:00 and 00:00–06:00 on the next day.",
			"Wednesday 9:00–25:00: times are HH:MM from 00:00 to 24:00.",
			'Holiday "2026-02-30" is not a YYYY-MM-DD date.',
		]);
		expect(businessHoursProblems({ ...berlin, weekly: week({}) })).toEqual([
			"The week has no working time: give at least one day an interval.",
		]);
	});

	it("says which field each problem is at, so a form shows it there", () => {
		const bad: BusinessHours = {
			...berlin,
			weekly: week({
				mon: [{ start: "09:00", end: "17:00" }],
				tue: [{ start: "17:00", end: "09:00" }],
			}),
			holidays: ["2026-02-30"],
		};
		expect(businessHoursProblemsByPart(bad).map((problem) => problem.part)).toEqual([
			"tue",
			"holidays",
		]);
		// The settings' schema names the same fields by their paths.
		expect(problemsByField(BoardSettingsPatchSchema, { businessHours: bad })).toEqual({
			"businessHours.weekly.tue": expect.stringContaining("Tuesday 17:00–09:00 ends before"),
			"businessHours.holidays": 'Holiday "2026-02-30" is not a YYYY-MM-DD date.',
		});
		// A week without working time is a problem of the whole, not of one day.
		expect(
			problemsByField(BoardSettingsPatchSchema, { businessHours: { ...berlin, weekly: week({}) } }),
		).toEqual({ businessHours: expect.stringContaining("no working time") });
	});
});

// --- Properties -------------------------------------------------------------------------

const zones = [
	"UTC",
	"Europe/Berlin",
	"America/New_York",
	"Australia/Lord_Howe",
	"Asia/Kolkata",
	"America/Santiago",
];

const clock = (minutes: number) =>
	minutes === 1440
		? "24:00"
		: `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** A day's intervals: sorted distinct quarter-hour marks paired up (never overlapping). */
const dayIntervals = fc
	.uniqueArray(fc.integer({ min: 0, max: 96 }), { maxLength: 6 })
	.map((marks) => {
		const sorted = [...marks].sort((a, b) => a - b);
		const intervals: WorkingInterval[] = [];
		for (let i = 0; i + 1 < sorted.length; i += 2) {
			intervals.push({
				start: clock((sorted[i] ?? 0) * 15),
				end: clock((sorted[i + 1] ?? 0) * 15),
			});
		}
		return intervals;
	});

const hoursArb: fc.Arbitrary<BusinessHours> = fc
	.record({
		timeZone: fc.constantFrom(...zones),
		days: fc.array(dayIntervals, { minLength: 7, maxLength: 7 }),
		holidays: fc.uniqueArray(
			fc.date({ min: new Date("2026-01-01"), max: new Date("2026-12-31"), noInvalidDate: true }),
			{ maxLength: 10 },
		),
	})
	.map(({ timeZone, days, holidays }) => ({
		timeZone,
		weekly: Object.fromEntries(
			Weekdays.map((day, i) => [day, days[i] ?? []]),
		) as BusinessHours["weekly"],
		holidays: holidays.map((date) => date.toISOString().slice(0, 10)),
	}))
	.filter((hours) => businessHoursProblems(hours).length === 0);

const instant = fc.integer({ min: t("2026-01-01T00:00:00Z"), max: t("2026-12-31T00:00:00Z") });
const duration = fc.integer({ min: 1, max: 40 * HOUR });

describe("working time, properties", () => {
	it("the working time up to a due time is exactly the duration added", () => {
		fc.assert(
			fc.property(hoursArb, instant, duration, (hours, from, ms) => {
				const due = addWorkingTime(hours, from, ms);
				expect(due).toBeGreaterThanOrEqual(from + ms);
				expect(workingTimeBetween(hours, from, due)).toBe(ms);
				// Due at the first moment that much work is done: a moment earlier falls short.
				expect(workingTimeBetween(hours, from, due - 1)).toBe(ms - 1);
			}),
			{ numRuns: 150 },
		);
	});

	it("adds up over consecutive periods and never exceeds the wall time", () => {
		const within = (base: number) =>
			fc.integer({ min: 0, max: 45 * 24 * HOUR }).map((ms) => base + ms);
		fc.assert(
			fc.property(
				hoursArb,
				instant.chain((base) => fc.tuple(within(base), within(base), within(base))),
				(hours, [x, y, z]) => {
					const [a, b, c] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
					const ab = workingTimeBetween(hours, a, b);
					expect(ab + workingTimeBetween(hours, b, c)).toBe(workingTimeBetween(hours, a, c));
					expect(ab).toBeLessThanOrEqual(b - a);
				},
			),
			{ numRuns: 100 },
		);
	});

	it("a longer target never falls due earlier", () => {
		fc.assert(
			fc.property(hoursArb, instant, duration, duration, (hours, from, d1, d2) => {
				const [short, long] = d1 <= d2 ? [d1, d2] : [d2, d1];
				expect(addWorkingTime(hours, from, short)).toBeLessThanOrEqual(
					addWorkingTime(hours, from, long),
				);
			}),
			{ numRuns: 100 },
		);
	});

	it("round the clock in UTC is plain wall time", () => {
		const always: BusinessHours = {
			timeZone: "UTC",
			weekly: week(
				Object.fromEntries(Weekdays.map((d) => [d, [{ start: "00:00", end: "24:00" }]])),
			),
			holidays: [],
		};
		fc.assert(
			fc.property(instant, duration, (from, ms) => {
				expect(addWorkingTime(always, from, ms)).toBe(from + ms);
			}),
		);
	});
});
