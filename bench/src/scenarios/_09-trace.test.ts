import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { frameCpuMs } from "./_09-trace.ts";

const dirs: string[] = [];
afterAll(async () => {
	for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function trace(events: object[]): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), "bench-09-trace-"));
	dirs.push(dir);
	const path = join(dir, "trace.json");
	await writeFile(path, JSON.stringify({ traceEvents: events }));
	return path;
}

const MAIN = { pid: 1, tid: 7 };
const task = (ts: number, dur: number, tdur: number, thread = MAIN) => ({
	name: "ThreadControllerImpl::RunTask",
	ph: "X",
	...thread,
	ts,
	dur,
	tdur,
});
const raf = (ts: number) => ({ name: "FireAnimationFrame", ph: "X", ...MAIN, ts, dur: 100 });

describe("frame CPU from a Chromium trace", () => {
	it("adds up the main thread's CPU from one frame's task to the next", async () => {
		const path = await trace([
			{ name: "thread_name", ph: "M", ...MAIN, ts: 0, args: { name: "CrRendererMain" } },
			{ name: "thread_name", ph: "M", pid: 1, tid: 9, ts: 0, args: { name: "Compositor" } },
			task(500, 1_000, 900), // before the first frame: not counted
			task(10_000, 12_000, 8_000),
			raf(15_000),
			task(23_000, 2_000, 1_500), // a task between frames belongs to the frame before it
			task(30_000, 2_000, 1_000, { pid: 1, tid: 9 }), // another thread
			task(30_000, 3_000, 2_500),
			raf(31_000),
			task(47_000, 20_000, 20_000),
			raf(48_000),
		]);
		// Two complete frames; the last one has no end yet.
		expect(await frameCpuMs(path)).toEqual([9.5, 2.5]);
	});

	it("finds no frames without the renderer's main thread", async () => {
		expect(await frameCpuMs(await trace([task(0, 10, 10), raf(5)]))).toEqual([]);
	});
});
