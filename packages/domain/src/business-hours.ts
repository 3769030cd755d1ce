/**
 * Business hours: when a board works. With hours set, SLA clocks count working time only
 * (a mention arriving Friday 17:00 with a one-hour claim target is due Monday 09:30 on a
 * Monday–Friday 09:00–17:30 board). Hours are wall-clock times in the board's IANA time
 * zone, turned into instants through `Intl` on each day, so a day on which the clocks
 * change is as long as it really is. No date library: the two conversions below are all
 * that is needed, and `Intl` carries the time-zone database.
 *
 * A working interval lies within one day (`end` may be `24:00`). A night shift is two
 * intervals, 22:00–24:00 on one day and 00:00–06:00 on the next: they join up, so the
 * shift counts as one stretch. A holiday is a local date on which no interval works.
 */

/** Days of the week, Monday first (ISO order). */
export const Weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof Weekdays)[number];

/** One stretch of working time within a day, as `HH:MM` wall-clock times; `end` may be `24:00`. */
export interface WorkingInterval {
	start: string;
	end: string;
}

/** A board's working hours. */
export interface BusinessHours {
	/** IANA time zone the hours and holidays are in, e.g. `Europe/Berlin`. */
	timeZone: string;
	/** Working intervals per weekday; a day without intervals is off. */
	weekly: Record<Weekday, WorkingInterval[]>;
	/** Local dates (`YYYY-MM-DD`) on which nobody works. */
	holidays: string[];
}

/** Most intervals in one day and holidays per board: limits checked before any work. */
export const MAX_INTERVALS_PER_DAY = 8;
export const MAX_HOLIDAYS = 400;

/**
 * How far ahead a due time is searched for, in days. A target that needs more working
 * time than the hours hold in ten years (a one-minute week) falls due then.
 */
export const MAX_SEARCH_DAYS = 3653;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes after midnight of an `HH:MM` time (`24:00` is 1440); null when malformed. */
export function clockMinutes(text: string): number | null {
	const match = CLOCK.exec(text);
	if (!match) return null;
	return match[1] === undefined ? 24 * 60 : Number(match[1]) * 60 + Number(match[2]);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date; null when malformed or not a real date. */
function dayNumber(text: string): number | null {
	const match = DATE.exec(text);
	if (!match) return null;
	const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
	const back = new Date(ms).toISOString().slice(0, 10);
	return back === text ? ms / DAY_MS : null;
}

/** True when `zone` is a time zone `Intl` knows. */
export function isTimeZone(zone: string): boolean {
	if (zone.length === 0 || zone.length > 64) return false;
	try {
		new Intl.DateTimeFormat("en", { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

/** What is said of a time zone `Intl` does not know. */
export function unknownTimeZone(zone: string): string {
	return `"${zone}" is not a time zone: use an IANA name such as Europe/Berlin.`;
}

/**
 * The days' names in messages. Written out rather than asked of `Intl.DateTimeFormat` when
 * this module loads: that made every process that loads the domain read ~5 MB of Node's
 * ICU date data into memory for seven fixed words (bench/findings/06.md).
 */
const WEEKDAY_NAMES: Record<Weekday, string> = {
	mon: "Monday",
	tue: "Tuesday",
	wed: "Wednesday",
	thu: "Thursday",
	fri: "Friday",
	sat: "Saturday",
	sun: "Sunday",
};

/** The part of the hours a problem is about: a field of the form, or the whole week. */
export type BusinessHoursPart = "timeZone" | Weekday | "holidays" | "week";

/** A problem with working hours, and the part it is about (so a form shows it there). */
export interface BusinessHoursProblem {
	part: BusinessHoursPart;
	message: string;
}

/**
 * What is wrong with `hours`, each with the part it is about (empty when nothing): unknown
 * time zone, malformed or inverted intervals, overlapping intervals, malformed holidays, a
 * week without working time.
 */
export function businessHoursProblemsByPart(hours: BusinessHours): BusinessHoursProblem[] {
	const problems: BusinessHoursProblem[] = [];
	if (!isTimeZone(hours.timeZone)) {
		problems.push({ part: "timeZone", message: unknownTimeZone(hours.timeZone) });
	}
	let working = 0;
	for (const day of Weekdays) {
		const intervals = hours.weekly[day] ?? [];
		const name = WEEKDAY_NAMES[day];
		const problem = (message: string) => problems.push({ part: day, message });
		if (intervals.length > MAX_INTERVALS_PER_DAY) {
			problem(`${name} has more than ${MAX_INTERVALS_PER_DAY} intervals.`);
			continue;
		}
		const spans: [number, number, string][] = [];
		for (const interval of intervals) {
			const start = clockMinutes(interval.start);
			const end = clockMinutes(interval.end);
			const label = `${interval.start}–${interval.end}`;
			if (start === null || end === null || interval.start === "24:00") {
				problem(`${name} ${label}: times are HH:MM from 00:00 to 24:00.`);
			} else if (end <= start) {
				problem(
					`${name} ${label} ends before it starts: an interval lies within one day; for a night shift write 22:00–24:00 and 00:00–06:00 on the next day.`,
				);
			} else {
				spans.push([start, end, label]);
				working += end - start;
			}
		}
		spans.sort((a, b) => a[0] - b[0]);
		for (let i = 1; i < spans.length; i++) {
			const before = spans[i - 1] as [number, number, string];
			const next = spans[i] as [number, number, string];
			if (next[0] < before[1]) problem(`${name} ${before[2]} overlaps ${next[2]}.`);
		}
	}
	if (working === 0 && problems.length === 0) {
		problems.push({
			part: "week",
			message: "The week has no working time: give at least one day an interval.",
		});
	}
	if (hours.holidays.length > MAX_HOLIDAYS) {
		problems.push({ part: "holidays", message: `At most ${MAX_HOLIDAYS} holidays.` });
	}
	for (const holiday of hours.holidays) {
		if (dayNumber(holiday) === null)
			problems.push({
				part: "holidays",
				message: `Holiday "${holiday}" is not a YYYY-MM-DD date.`,
			});
	}
	return problems;
}

/** What is wrong with `hours`, as sentences for the person who wrote them (empty when nothing). */
export function businessHoursProblems(hours: BusinessHours): string[] {
	return businessHoursProblemsByPart(hours).map((problem) => problem.message);
}

// --- Time-zone arithmetic -----------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
	let format = formatters.get(zone);
	if (!format) {
		format = new Intl.DateTimeFormat("en-US", {
			timeZone: zone,
			hourCycle: "h23",
			year: "numeric",
			month: "numeric",
			day: "numeric",
			hour: "numeric",
			minute: "numeric",
			second: "numeric",
		});
		formatters.set(zone, format);
	}
	return format;
}

/** The zone's offset from UTC at instant `utcMs`, in milliseconds (whole seconds). */
export function zoneOffsetMs(zone: string, utcMs: number): number {
	const fields: Record<string, number> = {};
	for (const part of formatter(zone).formatToParts(utcMs)) {
		if (part.type !== "literal") fields[part.type] = Number(part.value);
	}
	const wall = Date.UTC(
		fields.year ?? 1970,
		(fields.month ?? 1) - 1,
		fields.day ?? 1,
		fields.hour ?? 0,
		fields.minute ?? 0,
		fields.second ?? 0,
	);
	return wall - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The instant a wall-clock time (`localMs`: the local date and time read as if UTC) has in
 * `zone`. A time the clocks skip (spring forward) moves on by the gap, a time they show
 * twice (fall back) is the earlier one, as `Temporal`'s "compatible" rule does.
 */
export function localToInstant(zone: string, localMs: number): number {
	const before = zoneOffsetMs(zone, localMs - DAY_MS);
	const after = zoneOffsetMs(zone, localMs + DAY_MS);
	const candidates = [before, after]
		.map((offset) => localMs - offset)
		.filter((utc) => utc + zoneOffsetMs(zone, utc) === localMs);
	if (candidates.length > 0) return Math.min(...candidates);
	// In the gap: the offset from before the change, which lands after it.
	return localMs - before;
}

/** The local day (days since 1970-01-01 in `zone`) an instant falls on. */
function localDay(zone: string, utcMs: number): number {
	return Math.floor((utcMs + zoneOffsetMs(zone, utcMs)) / DAY_MS);
}

// --- Working intervals ----------------------------------------------------------------

interface Compiled {
	zone: string;
	/** Per weekday (Monday 0), sorted minute spans. */
	week: [number, number][][];
	holidays: Set<number>;
	/** Working spans (instants) of a local day, memoised: a watcher round asks the same days. */
	days: Map<number, [number, number][]>;
}

const compiled = new WeakMap<BusinessHours, Compiled>();

function compile(hours: BusinessHours): Compiled {
	let result = compiled.get(hours);
	if (!result) {
		const week = Weekdays.map((day) =>
			(hours.weekly[day] ?? [])
				.map((interval): [number, number] => [
					clockMinutes(interval.start) ?? 0,
					clockMinutes(interval.end) ?? 0,
				])
				.filter(([start, end]) => end > start)
				.sort((a, b) => a[0] - b[0]),
		);
		const holidays = new Set(
			hours.holidays.map(dayNumber).filter((day): day is number => day !== null),
		);
		result = { zone: hours.timeZone, week, holidays, days: new Map() };
		compiled.set(hours, result);
	}
	return result;
}

/** Monday 0 … Sunday 6 of a day number (1970-01-01 was a Thursday). */
function weekdayOf(day: number): number {
	return (((day + 3) % 7) + 7) % 7;
}

function daySpans(hours: Compiled, day: number): [number, number][] {
	let spans = hours.days.get(day);
	if (!spans) {
		spans = [];
		if (!hours.holidays.has(day)) {
			for (const [start, end] of hours.week[weekdayOf(day)] ?? []) {
				const from = localToInstant(hours.zone, day * DAY_MS + start * MINUTE_MS);
				const to = localToInstant(hours.zone, day * DAY_MS + end * MINUTE_MS);
				if (to > from) spans.push([from, to]);
			}
		}
		if (hours.days.size > 4 * MAX_SEARCH_DAYS) hours.days.clear();
		hours.days.set(day, spans);
	}
	return spans;
}

/**
 * The working spans `[start, end)` (epoch ms) from `fromMs` on, in order, clipped to
 * start no earlier than `fromMs`; adjacent spans (a night shift across midnight) are joined.
 * Stops after `MAX_SEARCH_DAYS` days.
 */
export function* workingSpans(hours: BusinessHours, fromMs: number): Generator<[number, number]> {
	const compiledHours = compile(hours);
	const first = localDay(compiledHours.zone, fromMs) - 1;
	let pending: [number, number] | null = null;
	for (let day = first; day <= first + MAX_SEARCH_DAYS; day++) {
		for (const [start, end] of daySpans(compiledHours, day)) {
			if (end <= fromMs) continue;
			const span: [number, number] = [Math.max(start, fromMs), end];
			if (pending && span[0] <= pending[1]) {
				pending[1] = Math.max(pending[1], span[1]);
				continue;
			}
			if (pending) yield pending;
			pending = span;
		}
	}
	if (pending) yield pending;
}

/**
 * The instant `durationMs` of working time after `fromMs`. A duration of zero from outside
 * working hours is `fromMs` itself. Past `MAX_SEARCH_DAYS` of search, the end of the search.
 */
export function addWorkingTime(hours: BusinessHours, fromMs: number, durationMs: number): number {
	if (durationMs <= 0) return fromMs;
	let left = durationMs;
	let last = fromMs;
	for (const [start, end] of workingSpans(hours, fromMs)) {
		if (end - start >= left) return start + left;
		left -= end - start;
		last = end;
	}
	return Math.max(last, fromMs + MAX_SEARCH_DAYS * DAY_MS);
}

/** Working time between two instants in milliseconds; zero when `toMs` is not after `fromMs`. */
export function workingTimeBetween(hours: BusinessHours, fromMs: number, toMs: number): number {
	let total = 0;
	if (toMs <= fromMs) return 0;
	for (const [start, end] of workingSpans(hours, fromMs)) {
		if (start >= toMs) break;
		total += Math.min(end, toMs) - start;
	}
	return total;
}

/**
 * Working spans that overlap `[fromMs, toMs)`, clipped to it: the table the reports' SQL
 * measures working time with.
 */
export function workingSpansBetween(
	hours: BusinessHours,
	fromMs: number,
	toMs: number,
): [number, number][] {
	const spans: [number, number][] = [];
	for (const [start, end] of workingSpans(hours, fromMs)) {
		if (start >= toMs) break;
		spans.push([start, Math.min(end, toMs)]);
	}
	return spans;
}
