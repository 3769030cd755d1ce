/**
 * `pnpm exec node bench/src/scenarios/_09-ab-load.ts [--rounds=N] webDir...`: load the
 * 10,000-card board in Chromium from each build in turn (A B A B..., one server each) and
 * print, per load, what scenario 9 judges of it: the longest main-thread task from the
 * board's message to 2 s after its data, the time in long tasks, the message → data and
 * data → first cards times. Many short loads alternated: on a shared two-core machine one
 * load per run (the scenario's) cannot tell two builds apart. A tool, not a figure.
 */
import type { Browser } from "playwright-core";
import { median } from "../lib/stats.ts";
import { type LoadProbe, readProbe } from "./_09-page.ts";
import {
	type ClientBenchServer,
	cardsPainted,
	launchChromium,
	probedPage,
	startToolServer,
} from "./_09-server.ts";

const SETTLE_MS = 2_000;
const log = (m: string) => console.error(m);
const args = process.argv.slice(2);
const rounds = Number(args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 5);
const dirs = args.filter((a) => !a.startsWith("--"));
if (dirs.length === 0) throw new Error("name at least one built web directory");

interface Load {
	longestMs: number;
	longTasksMs: number;
	messageToDataMs: number;
	dataToCardsMs: number;
}

async function load(browser: Browser, server: ClientBenchServer): Promise<Load> {
	const { context, page } = await probedPage(browser, server);
	try {
		await page.goto(`${server.url}/`);
		await cardsPainted(page);
		await page.waitForTimeout(SETTLE_MS);
		const probe = (await page.evaluate(readProbe)) as LoadProbe;
		const at = (name: string) => probe.marks.find((m) => m.name === `switchboard:${name}`)?.start;
		const message = at("board-message");
		const data = at("board-data");
		if (message === undefined || data === undefined || probe.cardsPaintedAt === null)
			throw new Error("the load was not fully observed");
		const tasks = probe.longTasks.filter(
			(t) => t.start + t.duration >= message && t.start <= data + SETTLE_MS,
		);
		return {
			longestMs: Math.max(0, ...tasks.map((t) => t.duration)),
			longTasksMs: tasks.reduce((sum, t) => sum + t.duration, 0),
			messageToDataMs: data - message,
			dataToCardsMs: probe.cardsPaintedAt - data,
		};
	} finally {
		await context.close();
	}
}

const servers: ClientBenchServer[] = [];
const browser = await launchChromium();
try {
	for (const webDir of dirs) {
		servers.push(await startToolServer(log, webDir));
	}
	const loads: Load[][] = dirs.map(() => []);
	// One unmeasured load each first: the server's and the browser's caches warm.
	for (const server of servers) await load(browser, server);
	for (let round = 0; round < rounds; round++) {
		for (const [i, server] of servers.entries()) {
			const figures = await load(browser, server);
			loads[i]?.push(figures);
			log(
				`round ${round + 1} ${dirs[i]}: longest ${figures.longestMs.toFixed(0)} ms, long tasks ${figures.longTasksMs.toFixed(0)} ms, message → data ${figures.messageToDataMs.toFixed(0)} ms, data → cards ${figures.dataToCardsMs.toFixed(0)} ms`,
			);
		}
	}
	for (const [i, dir] of dirs.entries()) {
		const of = (pick: (l: Load) => number) => {
			const values = (loads[i] ?? []).map(pick);
			return `${median(values)?.toFixed(0)} [${values.map((v) => v.toFixed(0)).join(" ")}]`;
		};
		console.log(
			`${dir}\n  longest task ${of((l) => l.longestMs)}\n  long tasks ${of((l) => l.longTasksMs)}\n  message → data ${of((l) => l.messageToDataMs)}\n  data → cards ${of((l) => l.dataToCardsMs)}`,
		);
	}
} finally {
	await browser.close();
	for (const server of servers) await server.stop();
}
