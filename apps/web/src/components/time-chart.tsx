/**
 * A time series chart on uPlot: one x axis of times, a line per series. The chart follows
 * its container's width and its data as they change; the same numbers are in a table
 * next to it for screen readers and for reading exact values.
 *
 * Every chart says what its values count, per what ("Conversations per hour"), above its y
 * axis, and its legend names the time a value is for ("Hour", "Day"): without them a reader
 * saw "New: 12" beside "Time" and could only guess.
 */
import { createEffect, on, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import { type ChartKind, chartValues } from "../chart-values.ts";
import { formatDateTime } from "../format.ts";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
	label: string;
	/** A colour with enough contrast against white. */
	color: string;
	values: (number | null)[];
}

export function TimeChart(props: {
	/** Times of the points, ms since the epoch. */
	times: number[];
	series: ChartSeries[];
	/** What the chart shows, for assistive technology. */
	label: string;
	/** What a value counts, per what, shown above the y axis: "Conversations per hour". */
	unit: string;
	/** The time each point stands for, named in the legend. */
	per: "hour" | "day";
	/** What the values measure (a duration in seconds), for the steps and labels of the y axis
	 * and the values in the legend. */
	kind: ChartKind;
	height?: number;
	testId?: string;
}) {
	let host: HTMLDivElement | undefined;
	let plot: uPlot | undefined;
	const values = () => chartValues[props.kind];
	const format = (value: number | null | undefined) =>
		value === null || value === undefined ? "–" : values().value(value);

	const formatTime = (ms: number) => (props.per === "hour" ? formatDateTime(ms) : formatDate(ms));

	const data = (): uPlot.AlignedData => [
		props.times.map((time) => time / 1000),
		...props.series.map((series) => series.values),
	];

	const build = () => {
		plot?.destroy();
		if (!host) return;
		const options: uPlot.Options = {
			width: Math.max(280, host.clientWidth),
			height: props.height ?? 220,
			scales: {
				x: { time: true },
				y: { range: (_u, min, max) => [0, Math.max(values().least, max, min)] },
			},
			axes: [
				{ stroke: "#55606f", grid: { stroke: "#e3e7ee" } },
				{
					stroke: "#55606f",
					grid: { stroke: "#e3e7ee" },
					incrs: values().increments,
					values: (_u, ticks) => values().ticks(ticks),
					size: 64,
				},
			],
			series: [
				{
					label: props.per === "hour" ? "Hour" : "Day",
					value: (_u: uPlot, seconds: number | null) =>
						seconds === null ? "–" : formatTime(seconds * 1000),
				},
				...props.series.map((series) => ({
					label: series.label,
					stroke: series.color,
					width: 2,
					points: { show: props.times.length < 60 },
					value: (_u: uPlot, value: number | null) => format(value),
				})),
			],
			legend: { live: true },
		};
		plot = new uPlot(options, data(), host);
	};

	onMount(() => {
		build();
		if (!host) return;
		const observer = new ResizeObserver(() => {
			if (host && plot)
				plot.setSize({ width: Math.max(280, host.clientWidth), height: plot.height });
		});
		observer.observe(host);
		onCleanup(() => observer.disconnect());
	});
	// New data redraws; a different set of series rebuilds the chart.
	createEffect(
		on(
			() => props.series.map((series) => series.label).join("\n"),
			() => build(),
			{ defer: true },
		),
	);
	createEffect(
		on(
			() => [props.times, props.series],
			() => plot?.setData(data()),
			{ defer: true },
		),
	);
	onCleanup(() => plot?.destroy());

	return (
		<div
			class="time-chart"
			ref={host}
			role="img"
			aria-label={props.label}
			data-testid={props.testId}
			data-points={props.times.length}
		>
			{/* Screen readers read the image's label instead; uPlot draws the chart after it. */}
			<span class="time-chart-unit" data-testid="chart-unit">
				{props.unit}
			</span>
		</div>
	);
}

let dateFormat: Intl.DateTimeFormat | undefined;

/** A local date, for a day's point. */
function formatDate(ms: number): string {
	dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
	return dateFormat.format(ms);
}
