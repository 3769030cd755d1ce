/**
 * Scenario 2, durable acknowledgement: 50 writers, each typing into a draft of its own;
 * the time from sending an update to the server's acknowledgement. Switchboard answers
 * once the update is in PostgreSQL; bare Hocuspocus once it is applied in memory;
 * y-websocket's protocol has no acknowledgement. Target: p99 <= 10 ms on loopback. The same
 * load also runs against Switchboard on its embedded PGlite (a data folder on disk), reported
 * in rows of its own next to bare Hocuspocus.
 *
 * Every server is measured warm, as a server in service is: the writers first type
 * `WARMUP_SECONDS` unmeasured, the same way, on the freshly started server. The first window
 * of that warm-up (what a server gives in the seconds after a start) keeps a row of its own,
 * with no target.
 */
import { runLoad } from "../lib/load.ts";
import { columns, ServerWatch } from "../lib/measure.ts";
import type { BenchContext, BenchRow, Scenario } from "../lib/scenario.ts";
import { SERVER_KINDS, type ServerKind, startServer, targetOf } from "../lib/servers.ts";
import { MiB, median } from "../lib/stats.ts";
import type { WritersParams, WritersWindow } from "./_02-writers-load.ts";

const LOAD = new URL("./_02-writers-load.ts", import.meta.url);
const WRITERS = 50;
const RATE = 30;
/**
 * Unmeasured typing after the writers connect and before the measured windows, in seconds
 * (rounded up to whole windows), for every server alike. On a fresh server the acks sent in
 * the first 250 ms had a p99 of 35–40 ms, later slices 8–15 ms (bench/findings/02.md):
 * V8 had not compiled the update path yet, the append's PostgreSQL connection and
 * statements were new. 50 writers at 30/s send 1,500 updates a second, so 4 s run that path
 * thousands of times, yet not past every tier: TurboFan still optimises the whole update path
 * at about 8 s after the writers connect, in the second measured window, on the server's one
 * core (bench/findings/02.md, 2026-12-03); the median of the windows leaves it out, the max
 * shows it. `BENCH_WARMUP_SECONDS=0` measures a fresh server.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 4);

/** The measured windows' length and how many windows of it the warm-up types. */
function windowsOf(ctx: BenchContext): { windowSeconds: number; warmupWindows: number } {
	const windowSeconds = ctx.full ? 10 : 2;
	return { windowSeconds, warmupWindows: Math.ceil(WARMUP_SECONDS / windowSeconds) };
}

interface Measured {
	p50: number | null;
	p99: number | null;
	cpu: number | null;
	rss: number | null;
	/** p99 of the first (unmeasured) window after the server started; null without warm-up. */
	coldP99: number | null;
	unacked: number;
}

/** The servers measured: Switchboard on PostgreSQL and on PGlite, and bare Hocuspocus. */
const RUNS: { label: string; kind: ServerKind; embedded: boolean }[] = [
	{ label: "switchboard", kind: "switchboard", embedded: false },
	{ label: "switchboard on PGlite", kind: "switchboard", embedded: true },
	{ label: "hocuspocus", kind: "hocuspocus", embedded: false },
];

const scenario: Scenario = {
	id: 2,
	title: "Durable ack",
	describe(ctx) {
		const { windowSeconds, warmupWindows } = windowsOf(ctx);
		if (warmupWindows === 0) {
			return "Measured from the server's start, without warm-up (BENCH_WARMUP_SECONDS=0): the first window includes V8 compiling the update path.";
		}
		return `Measured warm, as a server in service is: after each server (Switchboard on PostgreSQL, on PGlite, bare Hocuspocus alike) starts and the ${WRITERS} writers connect, they type ${warmupWindows * windowSeconds} s of warm-up (${warmupWindows} window${warmupWindows === 1 ? "" : "s"} of ${windowSeconds} s, the same load, not judged against the target), then the measured windows follow. The row "first ${windowSeconds} s after the server started" is the warm-up's first window: what a freshly started server gives; it has no target.`;
	},
	async run(ctx) {
		const { windowSeconds, warmupWindows } = windowsOf(ctx);
		const measured = new Map<string, Measured>();
		for (const { label, kind, embedded } of RUNS) {
			if (!SERVER_KINDS.includes(kind)) continue;
			const server = await startServer(kind, {
				databaseUrl: ctx.databaseUrl,
				documents: WRITERS,
				members: WRITERS,
				embedded,
				...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
			});
			try {
				const watch = new ServerWatch(server);
				const { windows } = watch;
				const typed = await runLoad<WritersParams, WritersWindow[]>(
					LOAD,
					{
						target: targetOf(server),
						writers: WRITERS,
						rate: RATE,
						windows: ctx.repeats,
						windowSeconds,
						warmupWindows,
					},
					{
						log: ctx.log,
						onMark: watch.onMark,
					},
				);
				const warmup = typed.slice(0, warmupWindows);
				const load = typed.slice(warmupWindows);
				const result: Measured = {
					p50: median(load.map((w) => w.p50Ms)),
					p99: median(load.map((w) => w.p99Ms)),
					cpu: median(
						load.map((w, i) => (w.acked > 0 ? ((windows[i]?.cpuMs ?? 0) * 1000) / w.acked : null)),
					),
					rss: median(windows.map((w) => (w.maxRssKiB * 1024) / MiB)),
					coldP99: warmup[0]?.p99Ms ?? null,
					// The warm-up's updates too: none may go unacknowledged.
					unacked: typed.reduce((sum, w) => sum + (w.sent - w.acked), 0),
				};
				measured.set(label, result);
				ctx.log(
					`  ${label}: warm-up ${warmup.map((w) => `p99 ${w.p99Ms.toFixed(1)}`).join(", ") || "none"}; ack p50 ${result.p50?.toFixed(2)} ms, p99 ${result.p99?.toFixed(2)} ms (${load.map((w) => w.p99Ms.toFixed(1)).join("/")}), max ${Math.max(...load.map((w) => w.maxMs)).toFixed(1)} ms, ${result.cpu?.toFixed(1)} µs/update, load ${load.map((w) => Math.round(w.loadElu * 100)).join("/")}% busy, unacknowledged ${result.unacked}`,
				);
			} finally {
				await server.stop();
			}
		}
		/** One metric of Switchboard on `storage` against bare Hocuspocus. */
		const pair = (storage: string, key: keyof Measured) =>
			columns({
				switchboard: measured.get(storage)?.[key] ?? null,
				hocuspocus: measured.get("hocuspocus")?.[key] ?? null,
			});
		const rows: BenchRow[] = [];
		for (const [storage, where] of [
			["switchboard", ""],
			["switchboard on PGlite", ", Switchboard on PGlite"],
		] as const) {
			if (!measured.has(storage)) continue;
			const p99 = pair(storage, "p99");
			rows.push(
				{
					metric: `p50 send to ack, ${WRITERS} writers at ${RATE}/s${where}`,
					unit: "ms",
					...pair(storage, "p50"),
				},
				{
					metric: `p99 send to ack, ${WRITERS} writers at ${RATE}/s${where}`,
					unit: "ms",
					...p99,
					target: `<= 10 ms (Switchboard: in ${where ? "PGlite" : "PostgreSQL"})`,
					met: p99.switchboard === null ? null : p99.switchboard <= 10,
				},
				// What a server gives in its first seconds: reported, never judged.
				...(warmupWindows > 0
					? [
							{
								metric: `p99 send to ack, first ${windowSeconds} s after the server started (cold: the warm-up's first window)${where}`,
								unit: "ms",
								...pair(storage, "coldP99"),
							},
						]
					: []),
				{
					metric: `server CPU per acknowledged update${where}`,
					unit: "µs",
					...pair(storage, "cpu"),
				},
				{ metric: `peak server RSS${where}`, unit: "MiB", ...pair(storage, "rss") },
			);
		}
		const unacked = [...measured].filter(([, m]) => m.unacked > 0);
		if (unacked.length > 0) {
			rows.push({
				metric: `updates not acknowledged within 5 s (${unacked.map(([label, m]) => `${label} ${m.unacked}`).join(", ")})`,
				unit: "",
				...columns({
					switchboard: measured.get("switchboard")?.unacked ?? null,
					hocuspocus: measured.get("hocuspocus")?.unacked ?? null,
				}),
			});
		}
		return rows;
	},
};

export default scenario;
