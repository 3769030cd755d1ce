/**
 * `pnpm exec node bench/src/scenarios/_09-profile-fling.ts [--rounds=N] [--frames=N] [--wheel] [webDir...]`: load the 10,000-card
 * board in Chromium, fling the "new" column with a trace running, and print where the main
 * thread's CPU went per frame, by trace event (self thread time: script, style, layout,
 * paint...). Several builds are measured in turn, A B A B, on one server each. A tool for
 * scenario 9, not a figure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { percentile } from "../lib/stats.ts";
import { scrollColumn } from "./_09-page.ts";
import {
	type ClientBenchServer,
	cardsPainted,
	ensureWebBuild,
	launchChromium,
	probedPage,
	startToolServer,
} from "./_09-server.ts";
import {
	FRAME_TRACE_CATEGORIES,
	frameCpuMs,
	pageMainThread,
	readTrace,
	selfTimeByName,
} from "./_09-trace.ts";

const log = (m: string) => console.error(m);
const args = process.argv.slice(2);
const rounds = Number(args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 1);
const frames = Number(args.find((a) => a.startsWith("--frames="))?.slice(9) ?? 600);
/** `--wheel`: 24 px a frame for `frames` frames instead of the whole column. */
const wheel = args.includes("--wheel");
const dirs = args.filter((a) => !a.startsWith("--"));
if (dirs.length === 0) ensureWebBuild(log);

/** Self thread time per event name on the renderer's main thread, ms. */
async function selfTimes(path: string): Promise<Map<string, number>> {
	return selfTimeByName(pageMainThread(await readTrace(path)), (e) => e.tdur ?? e.dur ?? 0);
}

async function once(browser: Browser, server: ClientBenchServer) {
	const { context, page } = await probedPage(browser, server);
	const dir = await mkdtemp(join(tmpdir(), "switchboard-fling-"));
	try {
		await page.goto(`${server.url}/`);
		await cardsPainted(page);
		await page.waitForTimeout(2_000);
		const path = join(dir, "trace.json");
		await browser.startTracing(page, { path, categories: FRAME_TRACE_CATEGORIES });
		const result = await page.evaluate(scrollColumn, {
			status: "new",
			frames,
			...(wheel ? { distancePx: frames * 24 } : {}),
		});
		await browser.stopTracing();
		const cpu = (await frameCpuMs(path)).slice(2);
		const work = result.frameWork.slice(2);
		return { cpu, work, self: await selfTimes(path), cards: result.cardsInDomMax };
	} finally {
		await context.close();
		await rm(dir, { recursive: true, force: true });
	}
}

const builds = dirs.length ? dirs : [undefined];
const servers: ClientBenchServer[] = [];
for (const webDir of builds) {
	servers.push(await startToolServer(log, webDir));
}
const browser = await launchChromium();
const f = (n: number) => n.toFixed(1).padStart(6);
try {
	for (let r = 0; r < rounds; r++) {
		for (const [i, server] of servers.entries()) {
			const { cpu, work, self, cards } = await once(browser, server);
			const n = cpu.length;
			const top = [...self]
				.sort((a, b) => b[1] - a[1])
				.slice(0, 14)
				.map(([name, ms]) => `${name} ${(ms / n).toFixed(2)}`)
				.join(", ");
			console.log(
				`${new Date().toISOString().slice(11, 19)} ${builds[i] ?? "dist"}: frames ${n} cards ${cards} ` +
					`CPU p50 ${f(percentile(cpu, 50))} p99 ${f(percentile(cpu, 99))} mean ` +
					`${f(cpu.reduce((s, x) => s + x, 0) / n)} | wall p50 ${f(percentile(work, 50))} p99 ` +
					`${f(percentile(work, 99))}\n    per frame ms: ${top}`,
			);
		}
	}
} finally {
	await browser.close();
	for (const server of servers) await server.stop();
}
