/**
 * How a chart's values read, by what they measure: the steps of its y axis, the labels of
 * its ticks and a value in its legend.
 *
 * uPlot picks a y axis's step from plain decimal increments (…0.2, 0.25, 0.5, 1, 2, 2.5, 5,
 * 10…) and has each tick formatted on its own. A chart of median durations read "0 min",
 * "8 h", "17 h", "25 h" (steps of 500 minutes, no round time, in mixed units), and a chart of
 * counts with one conversation an hour at most "0", "0", "0", "1", "1", "1" (steps of 0.2,
 * rounded). So each kind brings the increments uPlot may choose from, and a duration axis
 * names all its ticks in one unit.
 */

/** What a chart's values measure: a count, or a duration in seconds. */
export type ChartKind = "count" | "duration";

export interface ChartValues {
	/** The tick steps the y axis may take, smallest first. */
	increments: number[];
	/** The least top of the y axis, so that a chart of nothing (or zeros) still has a scale. */
	least: number;
	/** The labels of the y axis's ticks, in order. */
	ticks(ticks: number[]): string[];
	/** A value in the legend. */
	value(value: number): string;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 1, 2, 5, 10, 20, 50… times `unit`, up to a billion. */
function decades(unit: number): number[] {
	const steps: number[] = [];
	for (let power = 1; power <= 1e9; power *= 10)
		for (const times of [1, 2, 5]) steps.push(times * power * unit);
	return steps;
}

const SECOND = { seconds: 1, name: "s" } as const;

/** Largest first: a duration axis uses the largest its ticks are whole numbers of. */
const UNITS = [
	{ seconds: DAY, name: "d" },
	{ seconds: HOUR, name: "h" },
	{ seconds: MINUTE, name: "min" },
	SECOND,
] as const;

const count: ChartValues = {
	// Whole numbers only: no tick at half a conversation.
	increments: decades(1),
	least: 1,
	ticks: (ticks) => ticks.map((tick) => String(tick)),
	value: (value) => String(Math.round(value)),
};

const duration: ChartValues = {
	// Steps that are round on a clock, each a whole number of its own unit.
	increments: [
		...[1, 2, 5, 10, 15, 30],
		...[1, 2, 5, 10, 15, 30].map((minutes) => minutes * MINUTE),
		...[1, 2, 3, 6, 12].map((hours) => hours * HOUR),
		...decades(DAY),
	],
	least: MINUTE,
	ticks: (ticks) => {
		const top = Math.max(0, ...ticks);
		// The largest unit not above the top tick in which every tick is whole: 0, 30 min,
		// 60 min, 90 min rather than 0 h, 0.5 h…; 0 h, 6 h, 12 h rather than 0 d, 0.25 d….
		const unit =
			UNITS.find(
				(unit) => unit.seconds <= top && ticks.every((tick) => tick % unit.seconds === 0),
			) ?? SECOND;
		return ticks.map((tick) => `${tick / unit.seconds} ${unit.name}`);
	},
	// The legend reads a point's value on its own: seconds under a minute (a median of 15 s
	// read "0 min"), minutes under two hours, then hours.
	value: (seconds) =>
		seconds < MINUTE
			? `${Math.round(seconds)} s`
			: seconds < 2 * HOUR
				? `${Math.round(seconds / MINUTE)} min`
				: `${Math.round(seconds / HOUR)} h`,
};

/** How the values of each kind of chart read. */
export const chartValues: Record<ChartKind, ChartValues> = { count, duration };
