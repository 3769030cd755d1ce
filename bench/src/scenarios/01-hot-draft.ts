/**
 * Scenario 1, hot draft: one typist at 30 updates/s, 50/200/1,000 readers of the draft.
 * Targets: p99 delivery < 50 ms at 200 readers; server CPU per delivered message at most
 * 1.1x bare Hocuspocus, although Switchboard authenticates and stores every update in
 * PostgreSQL before acknowledging it. Beside them runs the floor of that: bare Hocuspocus
 * storing each update in PostgreSQL before its ack, the least any durable server can do.
 */
import { MarkBarrier, runLoad } from "../lib/load.ts";
import { columns, type PerServer, ServerWatch, type Window } from "../lib/measure.ts";
import type { BenchRow, Scenario } from "../lib/scenario.ts";
import {
	type BenchServer,
	SERVER_KINDS,
	type ServerKind,
	startServer,
	targetOf,
} from "../lib/servers.ts";
import { MiB, median } from "../lib/stats.ts";
import { WindowTurns } from "../lib/turns.ts";
import type { HotDraftParams, HotDraftWindow } from "./_01-hot-draft-load.ts";

const LOAD = new URL("./_01-hot-draft-load.ts", import.meta.url);

/**
 * The servers measured: those of the run and, next to bare Hocuspocus, the same Hocuspocus
 * storing each update in PostgreSQL before acknowledging it, the least a durable
 * acknowledgement costs (servers/hocuspocus.ts).
 */
const KINDS: readonly ServerKind[] = SERVER_KINDS.flatMap((kind) =>
	kind === "hocuspocus" ? ["hocuspocus", "hocuspocus-durable"] : [kind],
);
const RATE = 30;
/**
 * Typing before the first measured window of each size, in seconds, with the readers
 * connected, unmeasured: the broadcast to them is compiled by then (each reader runs it once
 * per update). `BENCH_WARMUP_SECONDS` overrides it, for every server alike.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

/**
 * Updates the typist sends to each server, as fast as `BURST_RATE` allows, before the first
 * size's readers connect, unmeasured; every server gets the same. V8 optimises a function
 * after 400 calls (Maglev) and 3,000 (TurboFan): at 30 updates a second the code that runs
 * once per update (receiving, the Yjs apply, and in Switchboard the guard, the hooks and
 * the PostgreSQL append) was still in its baseline tiers in the measured windows, as in a
 * server just started, while a server in service has run it millions of times. With it,
 * CPU per delivered update at 50 readers fell from 48–62 to 35–50 µs for Switchboard and
 * from 36–48 to 26–33 µs for Hocuspocus (four runs each, alternated; bench/findings/01.md).
 * `BENCH_BURST_UPDATES=0` leaves it out.
 */
const BURST_UPDATES = Number(process.env.BENCH_BURST_UPDATES ?? 4000);
const BURST_RATE = 250;

interface Measured {
	p50: number | null;
	p99: number | null;
	cpuUsPerMessage: number | null;
	peakRssMiB: number | null;
	bytesPerMessage: number | null;
	lost: number;
}

const scenario: Scenario = {
	id: 1,
	title: "Hot draft",
	/**
	 * Windows per size and server, at least five: the ratios this scenario judges are a tenth
	 * apart, and single windows on this machine spread wider than that (bench/findings/01.md).
	 */
	repeats: (ctx) => Math.max(ctx.repeats, 5),
	describe(ctx) {
		const windowSeconds = ctx.full ? 5 : 1.5;
		const warmup = Math.ceil(WARMUP_SECONDS / windowSeconds) * windowSeconds;
		const burst =
			BURST_UPDATES > 0
				? `the typist first sends ${BURST_UPDATES.toLocaleString("en-GB")} updates unmeasured (at ${BURST_RATE}/s, before the first size's readers connect), and `
				: "";
		return `Measured warm, as a server in service is, every server alike: ${burst}at each size the typist types ${warmup} s unmeasured with the readers connected before the measured windows. The servers run side by side and take turns, one measured window at a time (the first window in the columns' order, the next reversed, and so on), so that a change in the machine's speed during the run falls on every server alike. "The floor" is bare Hocuspocus with one extension that stores each update in PostgreSQL before Hocuspocus acknowledges it (one connection, one prepared INSERT per update): what a durable acknowledgement costs at the least.`;
	},
	async run(ctx) {
		const sizes = ctx.full ? [50, 200, 1000] : [50, 200];
		const windowSeconds = ctx.full ? 5 : 1.5;
		const results = new Map<number, Partial<PerServer<Measured>>>();
		const servers: BenchServer[] = [];
		try {
			for (const kind of KINDS) {
				const server = await startServer(kind, {
					databaseUrl: ctx.databaseUrl,
					documents: sizes.length,
					members: 8,
					...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
				});
				servers.push(server);
				if (ctx.cpuProfileDir) ctx.log(`  ${kind} is process ${server.pid} (CPU profile)`);
			}
			for (const [i, readers] of sizes.entries()) {
				// Every server's load runs at once; their measured windows take turns.
				const turns = new WindowTurns(KINDS, scenario.repeats?.(ctx) ?? ctx.repeats);
				const finished = new MarkBarrier<null, null>(servers.length, () => null);
				const measured = await Promise.all(
					servers.map(async (server) => {
						const watch = new ServerWatch(server);
						const load = await runLoad<HotDraftParams, HotDraftWindow[]>(
							LOAD,
							{
								target: targetOf(server),
								document: server.documents[i] ?? "",
								readers,
								rate: RATE,
								windows: scenario.repeats?.(ctx) ?? ctx.repeats,
								windowSeconds,
								warmupWindows: Math.ceil(WARMUP_SECONDS / windowSeconds),
								...(i === 0 && BURST_UPDATES > 0
									? { burst: { updates: BURST_UPDATES, rate: BURST_RATE } }
									: {}),
							},
							{
								log: ctx.log,
								async onMark(name, data) {
									if (name === "start") {
										await turns.take(server.kind, data as number);
										watch.start();
									} else if (name === "stop") {
										watch.windows.push(watch.stop());
										turns.release(server.kind, data as number);
									} else if (name === "finished") {
										await finished.arrive(null);
									}
								},
							},
						);
						return { kind: server.kind, load, windows: watch.windows };
					}),
				);
				for (const { kind, load, windows } of measured) {
					const summary = summarise(load, windows);
					ctx.log(
						`  ${kind}, ${readers} readers: p50 ${summary.p50?.toFixed(1)} ms, p99 ${summary.p99?.toFixed(1)} ms, ${summary.cpuUsPerMessage?.toFixed(1)} µs/msg (windows ${perWindow(load, windows)}), server ${windows.map((w) => `${Math.round(w.cpuMs / w.seconds / 10)}(${Math.round(w.userMs / w.seconds / 10)})`).join("/")}% CPU (user), of it other threads than the main one ${otherThreads(load, windows)} µs/msg, load ${load.map((w) => Math.round(w.loadElu * 100)).join("/")}% busy, typist ack p50/p99 ${load.map((w) => `${w.ackP50Ms.toFixed(1)}/${w.ackP99Ms.toFixed(1)}`).join(" ")} ms, lost ${summary.lost}`,
					);
					const row = results.get(readers) ?? {};
					row[kind] = summary;
					results.set(readers, row);
				}
			}
		} finally {
			await Promise.all(servers.map((server) => server.stop()));
		}
		return rows(sizes, results);
	},
};

/** Server CPU per delivered update of each window, µs, in the order measured. */
function perWindow(load: HotDraftWindow[], windows: Window[]): string {
	return windows
		.map((w, i) => {
			const delivered = load[i]?.delivered ?? 0;
			return delivered > 0 ? ((w.cpuMs * 1000) / delivered).toFixed(1) : "?";
		})
		.join("/");
}

/**
 * CPU of the threads other than the main one (V8's compilers and GC helpers, libuv's pool)
 * per delivered update, per window: what a warm-up cannot hide shows here.
 */
function otherThreads(load: HotDraftWindow[], windows: Window[]): string {
	return windows
		.map((w, i) => {
			const delivered = load[i]?.delivered ?? 0;
			if (w.mainThreadMs === null || delivered === 0) return "?";
			return (((w.cpuMs - w.mainThreadMs) * 1000) / delivered).toFixed(1);
		})
		.join("/");
}

function summarise(load: HotDraftWindow[], windows: Window[]): Measured {
	return {
		p50: median(load.map((w) => w.p50Ms)),
		p99: median(load.map((w) => w.p99Ms)),
		cpuUsPerMessage: median(
			load.map((w, i) =>
				w.delivered > 0 ? ((windows[i]?.cpuMs ?? 0) * 1000) / w.delivered : null,
			),
		),
		peakRssMiB: median(windows.map((w) => (w.maxRssKiB * 1024) / MiB)),
		bytesPerMessage: median(load.map((w) => (w.delivered > 0 ? w.bytes / w.delivered : null))),
		lost: load.reduce((sum, w) => sum + (w.expected - w.delivered), 0),
	};
}

function pick(
	row: Partial<PerServer<Measured>>,
	key: keyof Measured,
): Partial<PerServer<number | null>> {
	const out: Partial<PerServer<number | null>> = {};
	for (const kind of Object.keys(row) as ServerKind[]) out[kind] = row[kind]?.[key] ?? null;
	return out;
}

/**
 * What a durable acknowledgement costs at the least, and Switchboard against that: bare
 * Hocuspocus storing each update in PostgreSQL before its ack (one prepared INSERT per
 * update, as goal 2's 10 ms leaves no room to gather a typist's updates 33 ms apart) against
 * bare Hocuspocus; then Switchboard against it. When the first ratio is over 1.1, no server
 * that stores each update before acknowledging it can be within 1.1x of bare Hocuspocus on
 * this machine, and the second says how much Switchboard adds to that floor.
 */
function durableRows(readers: number, row: Partial<PerServer<Measured>>): BenchRow[] {
	const bare = row.hocuspocus?.cpuUsPerMessage ?? null;
	const durable = row["hocuspocus-durable"]?.cpuUsPerMessage ?? null;
	if (durable === null) return [];
	const switchboard = row.switchboard?.cpuUsPerMessage ?? null;
	return [
		{
			metric: `the floor: bare Hocuspocus storing each update in PostgreSQL before its ack, / bare Hocuspocus, CPU per delivered update, ${readers} readers`,
			unit: "x",
			switchboard: null,
			hocuspocus: bare === null ? null : durable / bare,
			yWebsocket: null,
		},
		{
			metric: `server CPU per delivered update, ${readers} readers, against that floor (Hocuspocus column: Hocuspocus storing each update before its ack)`,
			unit: "µs",
			switchboard,
			hocuspocus: durable,
			yWebsocket: null,
			target: "<= 1.1x the floor",
			met: switchboard === null ? null : switchboard <= 1.1 * durable,
		},
	];
}

function rows(sizes: number[], results: Map<number, Partial<PerServer<Measured>>>): BenchRow[] {
	const out: BenchRow[] = [];
	for (const readers of sizes) {
		const row = results.get(readers) ?? {};
		const p99 = columns(pick(row, "p99"));
		const cpu = columns(pick(row, "cpuUsPerMessage"));
		out.push(
			{ metric: `p50 delivery, ${readers} readers`, unit: "ms", ...columns(pick(row, "p50")) },
			{
				metric: `p99 delivery, ${readers} readers`,
				unit: "ms",
				...p99,
				...(readers === 200
					? { target: "< 50 ms", met: p99.switchboard === null ? null : p99.switchboard < 50 }
					: {}),
			},
			{
				metric: `server CPU per delivered update, ${readers} readers`,
				unit: "µs",
				...cpu,
				target: "<= 1.1x bare Hocuspocus",
				met:
					cpu.switchboard === null || cpu.hocuspocus === null
						? null
						: cpu.switchboard <= 1.1 * cpu.hocuspocus,
			},
			...durableRows(readers, row),
			{
				metric: `peak server RSS, ${readers} readers`,
				unit: "MiB",
				...columns(pick(row, "peakRssMiB")),
			},
			{
				metric: `bytes sent per delivered update, ${readers} readers`,
				unit: "B",
				...columns(pick(row, "bytesPerMessage")),
			},
		);
		const lost = Object.entries(row)
			.filter(([, m]) => m && m.lost > 0)
			.map(([kind, m]) => `${kind} ${m?.lost}`);
		if (lost.length > 0) {
			out.push({
				metric: `updates not delivered within 5 s, ${readers} readers (${lost.join(", ")})`,
				unit: "",
				...columns(pick(row, "lost")),
			});
		}
	}
	return out;
}

export default scenario;
