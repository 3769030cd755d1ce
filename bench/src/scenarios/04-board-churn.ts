/**
 * Scenario 4, board churn: 1,000,000 status and owner changes over 10,000 open mentions
 * (quick: 50,000). The changes are written with the projector's own writer (`writeWork`,
 * one transaction each), the board is stored as the server's snapshot, and Switchboard
 * loads it; then new clients connect one by one and the server's CPU time for each initial
 * sync is measured. The baselines get the same churn applied to a naive board (a Y.Map of
 * mention JSON), pushed into bare Hocuspocus and @y/websocket-server by one client.
 */
import { rmSync } from "node:fs";
import { boardDocumentName } from "@switchboard/domain";
import { runLoad } from "../lib/load.ts";
import { columns, type PerServer, ServerWatch, type Window } from "../lib/measure.ts";
import { type BenchRow, defineScenario } from "../lib/scenario.ts";
import { BENCH_ORG } from "../lib/seed.ts";
import { SERVER_KINDS, startServer, targetOf } from "../lib/servers.ts";
import { KiB, median } from "../lib/stats.ts";
import type { ChurnParams, ChurnResult } from "./_04-churn-task.ts";
import type { SyncParams, SyncResult } from "./_04-sync-load.ts";

const CHURN = new URL("./_04-churn-task.ts", import.meta.url);
const SYNC = new URL("./_04-sync-load.ts", import.meta.url);
const MENTIONS = 10_000;

const scenario = defineScenario({
	id: 4,
	title: "Board churn",
	// One run; its rows take medians within it where they say so.
	repeats: () => 1,
	// Nine new clients: a window's CPU depends on whether a major GC that earlier syncs brought
	// on lands in it, and three windows swung with one of them.
	sizes: { quick: { changes: 50_000, newClients: 9 }, full: { changes: 1_000_000, newClients: 9 } },
	async run(ctx, { changes, newClients }) {
		const size = `${changes.toLocaleString("en-GB")} changes over ${MENTIONS.toLocaleString("en-GB")} mentions`;
		const syncCpu: Partial<PerServer<number | null>> = {};
		const syncWall: Partial<PerServer<number | null>> = {};
		let churn: ChurnResult | null = null;
		// Switchboard first: its database holds the mentions the churn starts from.
		for (const kind of SERVER_KINDS.includes("switchboard")
			? SERVER_KINDS
			: (["switchboard", ...SERVER_KINDS] as const)) {
			const server = await startServer(kind, {
				databaseUrl: ctx.databaseUrl,
				documents: kind === "switchboard" ? MENTIONS : 1,
				members: newClients + 10,
				...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
			});
			try {
				if (kind === "switchboard") {
					ctx.log(`board churn: ${size}`);
					churn = await runLoad<ChurnParams, ChurnResult>(
						CHURN,
						{ databaseUrl: server.databaseUrl as string, changes },
						{ log: ctx.log, timeoutMs: 1_800_000 },
					);
					ctx.log(`churn: ${JSON.stringify({ ...churn, naiveStateFile: undefined })}`);
				}
				if (!churn) throw new Error("the churn runs on Switchboard first");
				if (!SERVER_KINDS.includes(kind)) continue;
				// Each new client's window on the threads' scheduler clocks (ns), not the process's
				// 10 ms ticks: at 20-70 ms a sync is 2-7 ticks, and a tick more or less moved the
				// row by 10 ms (bench/findings/04.md, 2026-12-04).
				const watch = new ServerWatch(server);
				const windows: Window[] = [];
				// A baseline that cannot take the board is reported as missing, not as a failed scenario.
				const result = await runLoad<SyncParams, SyncResult>(
					SYNC,
					{
						target: targetOf(server),
						document:
							kind === "switchboard"
								? boardDocumentName(BENCH_ORG, "main")
								: (server.documents[0] as string),
						...(kind === "switchboard" ? {} : { stateFile: churn.naiveStateFile }),
						clients: newClients,
					},
					{
						log: ctx.log,
						onMark(name) {
							if (name === "before") watch.start();
							else windows.push(watch.stop());
						},
						timeoutMs: 900_000,
					},
				).catch((error: unknown) => {
					if (kind === "switchboard") throw error;
					ctx.log(`${kind}: no initial sync figure: ${String(error).slice(0, 300)}`);
					return null;
				});
				if (!result) continue;
				// The mean, not the median: a sync's allocations bring on major GCs that land in
				// some later client's window (bench/findings/04.md, 2026-12-04), and those are part
				// of what a sync costs; a median of the windows leaves them out or, of three, lets
				// two of them set the figure.
				syncCpu[kind] =
					windows.length > 0
						? windows.reduce((sum, window) => sum + window.cpuMs, 0) / windows.length
						: null;
				syncWall[kind] = median(result.wallMs);
				ctx.log(
					`${kind}: each client's sync, server CPU ms (main thread) / wall ms: ${windows
						.map(
							(window, i) =>
								`${window.cpuMs.toFixed(1)} (${window.mainThreadMs?.toFixed(1) ?? "?"}) / ${result.wallMs[i]?.toFixed(0)}`,
						)
						.join(", ")}`,
				);
				ctx.log(
					`${kind}: initial sync cpu ${syncCpu[kind]?.toFixed(1)} ms (mean; median ${median(windows.map((window) => window.cpuMs))?.toFixed(1)}), wall ${syncWall[kind]?.toFixed(1)} ms, ${median(result.bytes)} bytes; holder ready in ${result.holderMs.toFixed(0)} ms`,
				);
			} finally {
				await server.stop();
			}
		}
		if (!churn) return [];
		rmSync(churn.naiveStateFile, { force: true });
		const { switchboard: sb, naive } = churn;
		const encodedRatio = sb.encodedBytes / sb.jsonBytes;
		const syncMs = syncCpu.switchboard ?? null;
		return [
			{
				metric: `µs per status/owner change, ${size} (baselines: naive Y.Map-of-JSON board)`,
				unit: "µs",
				switchboard: sb.usPerChange,
				hocuspocus: naive.usPerChange,
				yWebsocket: null,
				// Both churns run in the same load process, taking turns 500 changes at a time.
				target: "<= 2x the naive board",
				met: sb.usPerChange <= 2 * naive.usPerChange,
			},
			{
				metric: `encoded board after ${size}`,
				unit: "KiB",
				switchboard: sb.encodedBytes / KiB,
				hocuspocus: naive.encodedBytes / KiB,
				yWebsocket: naive.encodedBytes / KiB,
			},
			{
				metric: "encoded board / its JSON",
				unit: "x",
				switchboard: encodedRatio,
				hocuspocus: naive.encodedBytes / naive.jsonBytes,
				yWebsocket: naive.encodedBytes / naive.jsonBytes,
				target: "<= 2x",
				met: encodedRatio <= 2,
			},
			{
				metric: "encode the whole board once (in process)",
				unit: "ms",
				switchboard: sb.encodeMs,
				hocuspocus: naive.encodeMs,
				yWebsocket: naive.encodeMs,
			},
			{
				metric: `new client's initial board sync, server CPU (mean of ${newClients})`,
				unit: "ms",
				...columns(syncCpu),
				target: "<= 50 ms",
				met: syncMs === null ? null : syncMs <= 50,
			},
			{
				metric: "new client's initial board sync, wall time at the client",
				unit: "ms",
				...columns(syncWall),
			},
		] satisfies BenchRow[];
	},
});

export default scenario;
