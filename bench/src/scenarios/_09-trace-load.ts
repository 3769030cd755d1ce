/**
 * `pnpm exec node bench/src/scenarios/_09-trace-load.ts [webDir]`: load the 10,000-card board
 * once in Chromium with a trace running and print, for each task of the page's main thread
 * that took 50 ms or more (as a long task does), its wall and thread time and the wall time
 * per trace event inside it (self time: an event's own duration less its children's). A tool
 * for scenario 9, not a figure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadProbe, readProbe } from "./_09-page.ts";
import {
	cardsPainted,
	ensureWebBuild,
	launchChromium,
	probedPage,
	startToolServer,
} from "./_09-server.ts";
import { pageMainThread, readTrace, selfTimeByName } from "./_09-trace.ts";

const log = (m: string) => console.error(m);
const webDir = process.argv.slice(2).find((arg) => !arg.startsWith("--"));
ensureWebBuild(log);
const server = await startToolServer(log, webDir);
const browser = await launchChromium();
const dir = await mkdtemp(join(tmpdir(), "trace-load-"));
try {
	const { page } = await probedPage(browser, server);
	const path = join(dir, "trace.json");
	await browser.startTracing(page, {
		path,
		categories: ["devtools.timeline", "toplevel", "disabled-by-default-devtools.timeline"],
	});
	await page.goto(`${server.url}/`);
	await cardsPainted(page);
	await page.waitForTimeout(2_000);
	await browser.stopTracing();
	const probe = (await page.evaluate(readProbe)) as LoadProbe;
	const after = probe.marks.find((m) => m.name === "switchboard:board-message")?.start ?? 0;
	console.log(
		"long tasks",
		probe.longTasks.map((t) => `${Math.round(t.start)} +${Math.round(t.duration)}`).join(", "),
	);
	console.log("marks", probe.marks.map((m) => `${m.name}@${Math.round(m.start)}`).join(", "));
	const own = pageMainThread(await readTrace(path)).filter((e) => e.dur);
	if (own.length === 0) throw new Error("no renderer main thread in the trace");
	// The main thread's tasks of 50 ms or more of wall time, as the page's long tasks are.
	const tasks = own.filter((e) => e.name === "RunTask" && (e.dur ?? 0) >= 50_000);
	for (const task of tasks) {
		const end = task.ts + (task.dur ?? 0);
		const inside = own.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end);
		const top = [...selfTimeByName(inside, (e) => e.dur ?? 0)]
			.sort((a, b) => b[1] - a[1])
			.slice(0, 12)
			.map(([name, ms]) => `  ${ms.toFixed(1).padStart(7)} ms  ${name}`)
			.join("\n");
		console.log(
			`task at ${((task.ts - tasks[0]!.ts) / 1000).toFixed(0)} ms (trace), ${((task.dur ?? 0) / 1000).toFixed(1)} ms wall, ${((task.tdur ?? 0) / 1000).toFixed(1)} ms thread\n${top}`,
		);
	}
	console.log("board message at (page clock)", Math.round(after));
} finally {
	await browser.close();
	await server.stop();
	if (!process.env.KEEP_TRACE) await rm(dir, { recursive: true, force: true });
	else console.error(dir);
}
