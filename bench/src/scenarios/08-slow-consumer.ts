/**
 * Scenario 8, slow consumer: 5% of the readers of a busy draft read at 10 KB/s. The
 * server's memory must stay bounded and the other readers' p99 delivery unchanged. Each
 * server runs the same load twice: every reader normal, then 5% of them slow.
 */
import { runLoad } from "../lib/load.ts";
import { columns, type PerServer, ServerWatch } from "../lib/measure.ts";
import type { BenchRow, Scenario } from "../lib/scenario.ts";
import { SERVER_KINDS, startServer, targetOf } from "../lib/servers.ts";
import { MiB, median } from "../lib/stats.ts";
import type { SlowParams, SlowResult } from "./_08-slow-load.ts";

const LOAD = new URL("./_08-slow-load.ts", import.meta.url);
/** Switchboard closes a socket with more than this waiting to be read (defaultSyncLimits). */
const MAX_BUFFERED_MIB = 8;

interface Run {
	p99: number | null;
	growthMiB: number;
	peakMiB: number;
	disconnects: number;
}

/** How many times Switchboard's log says it closed a socket that does not read. */
function slowCloses(output: string): number {
	return output.split("closing a socket that does not read").length - 1;
}

const scenario: Scenario = {
	id: 8,
	title: "Slow consumer",
	// Quick: one run of each kind; memory growth needs time, medians would triple it.
	repeats: (ctx) => (ctx.full ? ctx.repeats : 1),
	async run(ctx) {
		// 1 MB/s to every reader: the kernel's socket buffers (a few MiB per socket on
		// loopback) fill within seconds, and then the server's own buffers grow.
		// (More readers than 40 saturate the load core at 1 MB/s each.)
		const readers = ctx.full ? 40 : 20;
		const slowReaders = Math.max(1, Math.round(readers * 0.05));
		const repeats = scenario.repeats?.(ctx) ?? 1;
		const seconds = ctx.full ? 60 : 12;
		const base = {
			readers,
			slowBytesPerSecond: 10_000,
			updateChars: 32_768,
			rate: 30,
			seconds,
		};
		const without: Partial<PerServer<Run>> = {};
		const withSlow: Partial<PerServer<Run>> = {};
		for (const kind of SERVER_KINDS) {
			const server = await startServer(kind, {
				databaseUrl: ctx.databaseUrl,
				documents: repeats * 2,
				members: 8,
				// Switchboard says at level info when it closes a socket that does not read: the
				// close frame waits behind megabytes the reader has not read, so the reader
				// itself does not learn of it during the run.
				...(kind === "switchboard" ? { env: { LOG_LEVEL: "info" } } : {}),
				...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
			});
			try {
				const runs: { normal: Run[]; slow: Run[] } = { normal: [], slow: [] };
				for (let r = 0; r < repeats; r++) {
					for (const variant of ["normal", "slow"] as const) {
						const watch = new ServerWatch(server);
						const { windows } = watch;
						const closesBefore = slowCloses(server.output());
						const result = await runLoad<SlowParams, SlowResult>(
							LOAD,
							{
								...base,
								target: targetOf(server),
								document: server.documents[r * 2 + (variant === "slow" ? 1 : 0)] ?? "",
								slowReaders: variant === "slow" ? slowReaders : 0,
							},
							{
								log: ctx.log,
								onMark: watch.onMark,
							},
						);
						const window = windows[0];
						const run: Run = {
							p99: Number.isFinite(result.p99Ms) ? result.p99Ms : null,
							growthMiB: window ? ((window.maxRssKiB - window.startRssKiB) * 1024) / MiB : 0,
							peakMiB: window ? (window.maxRssKiB * 1024) / MiB : 0,
							disconnects:
								kind === "switchboard" ? slowCloses(server.output()) - closesBefore : Number.NaN,
						};
						runs[variant].push(run);
						ctx.log(
							`  ${kind}, ${variant === "slow" ? `${slowReaders} slow reader${slowReaders === 1 ? "" : "s"}` : "no slow reader"}: normal readers p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms (${result.delivered}/${result.sent * (readers - (variant === "slow" ? slowReaders : 0))} delivered), RSS +${run.growthMiB.toFixed(0)} MiB (peak ${run.peakMiB.toFixed(0)}), slow readers read ${(result.slowBytes / 1024).toFixed(0)} KiB, server closed ${run.disconnects} slow sockets, load ${Math.round(result.loadElu * 100)}% busy`,
						);
					}
				}
				const summary = (list: Run[]): Run => ({
					p99: median(list.map((run) => run.p99)),
					growthMiB: median(list.map((run) => run.growthMiB)) ?? 0,
					peakMiB: median(list.map((run) => run.peakMiB)) ?? 0,
					disconnects: median(list.map((run) => run.disconnects)) ?? Number.NaN,
				});
				without[kind] = summary(runs.normal);
				withSlow[kind] = summary(runs.slow);
			} finally {
				await server.stop();
			}
		}
		const pick = (runs: Partial<PerServer<Run>>, key: keyof Run) =>
			columns(
				Object.fromEntries(
					Object.entries(runs).map(([kind, run]) => [
						kind,
						run && Number.isFinite(run[key]) ? run[key] : null,
					]),
				) as Partial<PerServer<number | null>>,
			);
		const p99Without = without.switchboard?.p99 ?? null;
		const p99With = withSlow.switchboard?.p99 ?? null;
		const growth = withSlow.switchboard?.growthMiB ?? null;
		const bound = slowReaders * MAX_BUFFERED_MIB + 64;
		const label = `${readers} readers, 1 MB/s each`;
		const rows: BenchRow[] = [
			{ metric: `p99 delivery, ${label}, no slow reader`, unit: "ms", ...pick(without, "p99") },
			{
				metric: `p99 delivery to the others, ${label}, ${slowReaders} read at 10 KB/s`,
				unit: "ms",
				...pick(withSlow, "p99"),
				target: "unchanged (<= 1.2x or +5 ms of the run without)",
				met:
					p99Without === null || p99With === null
						? null
						: p99With <= Math.max(p99Without * 1.2, p99Without + 5),
			},
			{
				metric: `server RSS growth during the run, ${slowReaders} slow reader${slowReaders === 1 ? "" : "s"}, ${seconds} s${repeats === 1 ? ", one run" : ""}`,
				unit: "MiB",
				...pick(withSlow, "growthMiB"),
				target: `bounded (<= ${bound} MiB: ${MAX_BUFFERED_MIB} MiB per slow socket + 64)`,
				met: growth === null ? null : growth <= bound,
			},
			{
				metric: "server RSS growth during the run, no slow reader",
				unit: "MiB",
				...pick(without, "growthMiB"),
			},
			{ metric: "peak server RSS with slow readers", unit: "MiB", ...pick(withSlow, "peakMiB") },
			{
				metric: "slow readers' sockets the server closed (4433; baselines never close)",
				unit: "",
				...pick(withSlow, "disconnects"),
			},
		];
		return rows;
	},
};

export default scenario;
