/**
 * A time series chart on uPlot: one x axis of times, a line per series. The chart follows
 * its container's width and its data as they change; the same numbers are in a table
 * next to it for screen readers and for reading exact values.
 */
import { createEffect, on, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
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
	/** How values read on the y axis and in the legend. */
	format?: (value: number) => string;
	height?: number;
	testId?: string;
}) {
	let host: HTMLDivElement | undefined;
	let plot: uPlot | undefined;
	const format = (value: number | null | undefined) =>
		value === null || value === undefined ? "–" : (props.format?.(value) ?? String(value));

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
			scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max, min)] } },
			axes: [
				{ stroke: "#55606f", grid: { stroke: "#e3e7ee" } },
				{
					stroke: "#55606f",
					grid: { stroke: "#e3e7ee" },
					values: (_u, ticks) => ticks.map((tick) => format(tick)),
					size: 64,
				},
			],
			series: [
				{},
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
		/>
	);
}
