/**
 * Scenario 9's reading of a Chromium trace: the CPU time the renderer's main thread spent
 * on each frame. Wall-clock frame times (the Performance API) include the time the thread
 * waited for a core; on a shared machine that dominates them, while thread time does not.
 */
import { readFile } from "node:fs/promises";

/** A trace event, as far as the readers of a trace need. */
export interface TraceEvent {
	name: string;
	ph: string;
	pid: number;
	tid: number;
	ts: number;
	dur?: number;
	/** Thread (CPU) time of a complete event, µs. */
	tdur?: number;
	args?: { name?: string };
}

/** A trace file's events: Chromium writes either an array or `{ traceEvents }`. */
export async function readTrace(path: string): Promise<TraceEvent[]> {
	const parsed = JSON.parse(await readFile(path, "utf8")) as
		| TraceEvent[]
		| { traceEvents: TraceEvent[] };
	return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/**
 * The complete events of the renderer main thread that ran the page, by start, the outer of
 * two that start together first. Of the renderers' main threads it is the busiest: a trace
 * begun before a navigation also has the blank page's.
 */
export function pageMainThread(events: readonly TraceEvent[]): TraceEvent[] {
	const complete = new Map<string, TraceEvent[]>();
	for (const event of events) {
		if (event.ph !== "X") continue;
		const key = `${event.pid}/${event.tid}`;
		const list = complete.get(key);
		if (list) list.push(event);
		else complete.set(key, [event]);
	}
	let busiest: TraceEvent[] = [];
	for (const event of events) {
		if (event.ph !== "M" || event.name !== "thread_name" || event.args?.name !== "CrRendererMain")
			continue;
		const own = complete.get(`${event.pid}/${event.tid}`) ?? [];
		if (own.length > busiest.length) busiest = own;
	}
	return [...busiest].sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
}

/**
 * Self time per event name, ms: each event's time (`time`, µs) less that of the events
 * directly inside it. `events` are one thread's complete events as `pageMainThread` orders them.
 */
export function selfTimeByName(
	events: readonly TraceEvent[],
	time: (event: TraceEvent) => number,
): Map<string, number> {
	const self = new Map<string, number>();
	const add = (name: string, us: number) => self.set(name, (self.get(name) ?? 0) + us / 1000);
	const open: { end: number; name: string }[] = [];
	for (const event of events) {
		while (open.length && (open.at(-1)?.end ?? 0) <= event.ts) open.pop();
		const us = time(event);
		add(event.name, us);
		const parent = open.at(-1);
		if (parent) add(parent.name, -us);
		open.push({ end: event.ts + (event.dur ?? 0), name: event.name });
	}
	return self;
}

/** Trace categories `frameCpuMs` needs. */
export const FRAME_TRACE_CATEGORIES = ["devtools.timeline", "toplevel"];

/**
 * Main-thread CPU time per frame, ms: the thread time of every task from one frame's task
 * (the one that ran its requestAnimationFrame callbacks) to the next one's.
 */
export async function frameCpuMs(path: string): Promise<number[]> {
	const own = pageMainThread(await readTrace(path));
	const tasks = own
		.filter((event) => event.name === "ThreadControllerImpl::RunTask")
		.sort((a, b) => a.ts - b.ts);
	const animationFrames = own
		.filter((event) => event.name === "FireAnimationFrame")
		.map((event) => event.ts)
		.sort((a, b) => a - b);
	let next = 0;
	const frameStarts: number[] = [];
	for (const task of tasks) {
		const end = task.ts + (task.dur ?? 0);
		while ((animationFrames[next] ?? Number.POSITIVE_INFINITY) < task.ts) next += 1;
		if ((animationFrames[next] ?? Number.POSITIVE_INFINITY) <= end) frameStarts.push(task.ts);
	}
	const perFrame: number[] = new Array(Math.max(0, frameStarts.length - 1)).fill(0);
	let frame = 0;
	for (const task of tasks) {
		while (frame < frameStarts.length - 1 && (frameStarts[frame + 1] as number) <= task.ts) {
			frame += 1;
		}
		if (frame >= perFrame.length || task.ts < (frameStarts[0] as number)) continue;
		perFrame[frame] = (perFrame[frame] as number) + (task.tdur ?? task.dur ?? 0) / 1000;
	}
	return perFrame;
}
