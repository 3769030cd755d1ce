/**
 * Scenario 7, idle density: 10,000 connections over 1,000 documents (quick: 500 over
 * 50), each client with presence, connected and then idle. Memory per connection (growth
 * of the server's resident memory over its idle state before, divided by connections)
 * and the CPU the server spends while nobody types.
 */
import { runLoad } from "../lib/load.ts";
import { columns, type PerServer, ServerWatch } from "../lib/measure.ts";
import type { BenchRow, Scenario } from "../lib/scenario.ts";
import { SERVER_KINDS, startServer, targetOf } from "../lib/servers.ts";
import { median } from "../lib/stats.ts";
import type { IdleParams, IdleResult } from "./_07-idle-load.ts";

const LOAD = new URL("./_07-idle-load.ts", import.meta.url);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const scenario: Scenario = {
	id: 7,
	title: "Idle density",
	async run(ctx) {
		const connections = ctx.full ? 10_000 : 500;
		const documents = connections / 10;
		// Clients renew their presence 15 s after they last set it: the windows together
		// (15 s quick, 75 s full) cover at least one round of renewals.
		const windowSeconds = ctx.full ? 15 : 5;
		const perConnection: Partial<PerServer<number | null>> = {};
		const rssMiB: Partial<PerServer<number | null>> = {};
		const startRssMiB: Partial<PerServer<number | null>> = {};
		const idleCpu: Partial<PerServer<number | null>> = {};
		const idleBytes: Partial<PerServer<number | null>> = {};
		const connectSeconds: Partial<PerServer<number | null>> = {};
		for (const kind of SERVER_KINDS) {
			const server = await startServer(kind, {
				databaseUrl: ctx.databaseUrl,
				documents,
				members: 50,
				...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
			});
			try {
				await sleep(1_000);
				const before = server.sample().rssKiB;
				startRssMiB[kind] = before / 1024;
				const watch = new ServerWatch(server, 250);
				const { windows } = watch;
				const result = await runLoad<IdleParams, IdleResult>(
					LOAD,
					{ target: targetOf(server), connections, windows: ctx.repeats, windowSeconds },
					{
						log: ctx.log,
						onMark: watch.onMark,
						timeoutMs: 1_200_000,
					},
				);
				const connected = median(windows.map((w) => w.endRssKiB)) ?? before;
				perConnection[kind] = (connected - before) / connections;
				rssMiB[kind] = connected / 1024;
				// Idle work comes in rounds (presence renewals), not evenly: totals over all
				// windows, not a median of windows that may each miss a round.
				const seconds = windows.reduce((sum, w) => sum + w.seconds, 0);
				const cpuMs = windows.reduce((sum, w) => sum + w.cpuMs, 0);
				const bytes = result.windowBytes.reduce((sum, b) => sum + b, 0);
				idleCpu[kind] = (cpuMs / 1000 / seconds) * 100;
				idleBytes[kind] = (bytes / connections / seconds) * 60;
				connectSeconds[kind] = result.connectSeconds;
				ctx.log(
					`  ${kind}: ${perConnection[kind]?.toFixed(1)} KiB/connection, RSS ${rssMiB[kind]?.toFixed(0)} MiB (${(before / 1024).toFixed(0)} before), idle CPU ${idleCpu[kind]?.toFixed(2)}% of a core, ${idleBytes[kind]?.toFixed(0)} B/connection/min, connected in ${result.connectSeconds.toFixed(1)} s`,
				);
			} finally {
				await server.stop();
			}
		}
		const label = `${connections.toLocaleString("en-GB")} connections over ${documents.toLocaleString("en-GB")} documents`;
		const startRss = startRssMiB.switchboard ?? null;
		const rows: BenchRow[] = [
			{
				metric: "server RSS 1 s after start, no client",
				unit: "MiB",
				...columns(startRssMiB),
				target: "<= 120 MiB",
				met: startRss === null ? null : startRss <= 120,
			},
			{ metric: `memory per connection, ${label}`, unit: "KiB", ...columns(perConnection) },
			{ metric: `server RSS, ${label}`, unit: "MiB", ...columns(rssMiB) },
			{ metric: "idle server CPU (all windows)", unit: "% of a core", ...columns(idleCpu) },
			{ metric: "bytes sent per idle connection per minute", unit: "B", ...columns(idleBytes) },
			{ metric: "time to connect and sync every client", unit: "s", ...columns(connectSeconds) },
		];
		return rows;
	},
};

export default scenario;
