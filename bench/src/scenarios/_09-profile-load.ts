/**
 * `pnpm exec node bench/src/scenarios/_09-profile-load.ts [webDir]`: load the 10,000-card board once in
 * Chromium with a V8 CPU profile running and print where the main thread spent its time
 * (self time per function, and the long tasks). A tool for scenario 9, not a figure.
 */
import { type LoadProbe, readProbe, scrollColumn } from "./_09-page.ts";
import {
	cardsPainted,
	ensureWebBuild,
	launchChromium,
	probedPage,
	startToolServer,
} from "./_09-server.ts";

interface Node {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
const log = (m: string) => console.error(m);
/** `--fling`: profile the fling over the "new" column instead of the load. */
const fling = process.argv.includes("--fling");
const webDir = process.argv.slice(2).find((arg) => !arg.startsWith("--"));
ensureWebBuild(log);
const server = await startToolServer(log, webDir);
const browser = await launchChromium();
try {
	const { context, page } = await probedPage(browser, server);
	const cdp = await context.newCDPSession(page);
	await cdp.send("Profiler.enable");
	await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
	if (!fling) await cdp.send("Profiler.start");
	await page.goto(`${server.url}/`);
	// A marker the profile can be aligned on: the page's clock when it ran.
	const markerAt = await page.evaluate(function syncMarker() {
		const at = performance.now();
		while (performance.now() - at < 5) {
			// Busy, so that samples land in this function.
		}
		return at;
	});
	await cardsPainted(page);
	await page.waitForTimeout(2_000);
	if (fling) {
		await cdp.send("Profiler.start");
		const result = await page.evaluate(scrollColumn, { status: "new", frames: 600 });
		const work = result.frameWork.slice(2).sort((a, b) => a - b);
		const at = (p: number) => work[Math.min(work.length - 1, Math.floor((p / 100) * work.length))];
		console.log(
			`fling frames ${work.length}: p50 ${at(50)?.toFixed(1)} p99 ${at(99)?.toFixed(1)} ms`,
		);
	}
	const { profile } = (await cdp.send("Profiler.stop")) as unknown as {
		profile: { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
	};
	const probe = (await page.evaluate(readProbe)) as LoadProbe;
	console.log(
		"long tasks",
		probe.longTasks.map((t) => `${Math.round(t.start)} +${Math.round(t.duration)}`).join(", "),
	);
	console.log("marks", probe.marks.map((m) => `${m.name}@${Math.round(m.start)}`).join(", "));
	console.log("board message at", Math.round(probe.boardMessageAt ?? -1), probe.boardMessageBytes);
	// Sample times on the page's clock, aligned on the marker's first sample.
	const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
	const times: number[] = [];
	let t = profile.startTime;
	for (const delta of profile.timeDeltas) {
		t += delta;
		times.push(t / 1000);
	}
	const markerSample = profile.samples.findIndex(
		(id) => nodeById.get(id)?.callFrame.functionName === "syncMarker",
	);
	const offset = markerAt - (times[markerSample] ?? 0);
	// Only the samples inside the longest task after the board message (all when none).
	const after = probe.marks.find((m) => m.name === "switchboard:board-message")?.start ?? 0;
	// `--task=N`: the Nth long task after the board message (from 1) instead of the longest.
	const nth = Number(process.argv.find((arg) => arg.startsWith("--task="))?.slice(7) ?? 0);
	const afterMessage = probe.longTasks.filter((task) => task.start + task.duration >= after);
	const longest = fling
		? undefined
		: nth > 0
			? afterMessage[nth - 1]
			: [...afterMessage].sort((a, b) => b.duration - a.duration)[0];
	const inWindow = (i: number) =>
		!longest ||
		((times[i] ?? 0) + offset >= longest.start &&
			(times[i] ?? 0) + offset <= longest.start + longest.duration);
	console.log(
		"window",
		longest ? `${Math.round(longest.start)} +${Math.round(longest.duration)} ms` : "all",
	);
	const self = new Map<number, number>();
	for (const [i, id] of profile.samples.entries()) {
		if (!inWindow(i)) continue;
		self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
	}
	const byName = new Map<string, number>();
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
	const label = (n: Node) =>
		`${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`;
	const inclusive = new Map<string, number>();
	for (const [id, us] of self) {
		const n = nodes.get(id) as Node;
		byName.set(label(n), (byName.get(label(n)) ?? 0) + us);
		const seen = new Set<string>();
		for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
			const l = label(nodes.get(cur) as Node);
			if (seen.has(l)) continue;
			seen.add(l);
			inclusive.set(l, (inclusive.get(l) ?? 0) + us);
		}
	}
	const top = (m: Map<string, number>, k: number) =>
		[...m]
			.sort((a, b) => b[1] - a[1])
			.slice(0, k)
			.map(([l, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms  ${l}`)
			.join("\n");
	console.log(`--- self\n${top(byName, 40)}`);
	console.log(`--- inclusive\n${top(inclusive, 60)}`);
} finally {
	await browser.close();
	await server.stop();
}
