/**
 * Scenario 2, durable acknowledgement: 50 writers, each typing into a draft of its own;
 * the time from sending an update to the server's acknowledgement. Switchboard answers
 * once the update is in PostgreSQL; bare Hocuspocus once it is applied in memory;
 * y-websocket's protocol has no acknowledgement. Target: p99 <= 10 ms on loopback.
 */
import { runLoad } from "../lib/load.ts";
import { columns, type PerServer, ServerWatch } from "../lib/measure.ts";
import type { BenchRow, Scenario } from "../lib/scenario.ts";
import { type ServerKind, startServer, targetOf } from "../lib/servers.ts";
import { MiB, median } from "../lib/stats.ts";
import type { WritersParams, WritersWindow } from "./_02-writers-load.ts";

const LOAD = new URL("./_02-writers-load.ts", import.meta.url);
const WRITERS = 50;
const RATE = 30;
/** Only servers that acknowledge updates take part. */
const KINDS: ServerKind[] = ["switchboard", "hocuspocus"];

const scenario: Scenario = {
	id: 2,
	title: "Durable ack",
	async run(ctx) {
		const windowSeconds = ctx.full ? 10 : 2;
		const p50: Partial<PerServer<number | null>> = {};
		const p99: Partial<PerServer<number | null>> = {};
		const cpu: Partial<PerServer<number | null>> = {};
		const rss: Partial<PerServer<number | null>> = {};
		const unacked: Partial<PerServer<number | null>> = {};
		for (const kind of KINDS) {
			const server = await startServer(kind, {
				databaseUrl: ctx.databaseUrl,
				documents: WRITERS,
				members: WRITERS,
				...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
			});
			try {
				const watch = new ServerWatch(server);
				const { windows } = watch;
				const load = await runLoad<WritersParams, WritersWindow[]>(
					LOAD,
					{
						target: targetOf(server),
						writers: WRITERS,
						rate: RATE,
						windows: ctx.repeats,
						windowSeconds,
					},
					{
						log: ctx.log,
						onMark: watch.onMark,
					},
				);
				p50[kind] = median(load.map((w) => w.p50Ms));
				p99[kind] = median(load.map((w) => w.p99Ms));
				cpu[kind] = median(
					load.map((w, i) => (w.acked > 0 ? ((windows[i]?.cpuMs ?? 0) * 1000) / w.acked : null)),
				);
				rss[kind] = median(windows.map((w) => (w.maxRssKiB * 1024) / MiB));
				unacked[kind] = load.reduce((sum, w) => sum + (w.sent - w.acked), 0);
				ctx.log(
					`  ${kind}: ack p50 ${p50[kind]?.toFixed(2)} ms, p99 ${p99[kind]?.toFixed(2)} ms (${load.map((w) => w.p99Ms.toFixed(1)).join("/")}), max ${Math.max(...load.map((w) => w.maxMs)).toFixed(1)} ms, ${cpu[kind]?.toFixed(1)} µs/update, load ${load.map((w) => Math.round(w.loadElu * 100)).join("/")}% busy, unacknowledged ${unacked[kind]}`,
				);
			} finally {
				await server.stop();
			}
		}
		const sb99 = p99.switchboard ?? null;
		const rows: BenchRow[] = [
			{ metric: `p50 send to ack, ${WRITERS} writers at ${RATE}/s`, unit: "ms", ...columns(p50) },
			{
				metric: `p99 send to ack, ${WRITERS} writers at ${RATE}/s`,
				unit: "ms",
				...columns(p99),
				target: "<= 10 ms (Switchboard: in PostgreSQL)",
				met: sb99 === null ? null : sb99 <= 10,
			},
			{ metric: "server CPU per acknowledged update", unit: "µs", ...columns(cpu) },
			{ metric: "peak server RSS", unit: "MiB", ...columns(rss) },
		];
		if (Object.values(unacked).some((n) => (n ?? 0) > 0)) {
			rows.push({ metric: "updates not acknowledged within 5 s", unit: "", ...columns(unacked) });
		}
		return rows;
	},
};

export default scenario;
