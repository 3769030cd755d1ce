/**
 * Scenario 3, presence at scale: 1,000 people on one board sharing presence (what they
 * look at, whether they type) with y-protocols' keep-alives. Targets: outbound messages and
 * server CPU at most 0.25x bare Hocuspocus, which relays every awareness message to every
 * connection at once, keep-alives included. Switchboard coalesces changes per tick and
 * holds unchanged keep-alives back (packages/sync/src/presence-relay.ts).
 */
import { boardDocumentName } from "@switchboard/domain";
import { runLoad } from "../lib/load.ts";
import { columns, type PerServer, ServerWatch, type Window } from "../lib/measure.ts";
import { type BenchRow, defineScenario } from "../lib/scenario.ts";
import { BENCH_ORG } from "../lib/seed.ts";
import {
	type BenchServer,
	SERVER_KINDS,
	type ServerKind,
	startServer,
	targetOf,
} from "../lib/servers.ts";
import { KiB, MiB, median } from "../lib/stats.ts";
import type { PresenceParams, PresenceResult } from "./_03-presence-load.ts";

const LOAD = new URL("./_03-presence-load.ts", import.meta.url);

interface Measured {
	messagesPerSecond: number | null;
	cpuPercent: number | null;
	kibPerSecond: number | null;
	p50: number | null;
	p99: number | null;
	peakRssMiB: number | null;
	/** Presence messages the crowd sent per second (changes + renewals). */
	inPerSecond: number | null;
	/** Messages out and server CPU (µs) per presence message in: like for like across runs. */
	outPerIn: number | null;
	cpuUsPerIn: number | null;
	missed: number;
	dropped: number;
	/** % of the crowd's sends bunched within 1 ms (see PresenceWindow.bunched). */
	bunchedPercent: number | null;
}

const scenario = defineScenario({
	id: 3,
	title: "Presence at scale",
	sizes: { quick: { clients: 500, windowSeconds: 4 }, full: { clients: 1000, windowSeconds: 10 } },
	async run(ctx, { clients, windowSeconds }) {
		const document = boardDocumentName(BENCH_ORG, "main");
		const results: Partial<PerServer<Measured>> = {};
		for (const kind of SERVER_KINDS) {
			const server = await startServer(kind, {
				databaseUrl: ctx.databaseUrl,
				documents: 1,
				members: clients,
				...(kind === "switchboard" && ctx.cpuProfileDir
					? { cpuProfileDir: ctx.cpuProfileDir }
					: {}),
			});
			try {
				results[kind] = await measure(kind, server);
			} catch (error) {
				// A baseline that cannot hold the crowd leaves its column empty; Switchboard must.
				if (kind === "switchboard") throw error;
				ctx.log(`  ${kind}, ${clients} on the board: failed: ${String(error).split("\n")[0]}`);
			} finally {
				await server.stop();
			}
		}
		return rows(clients, results);

		async function measure(kind: ServerKind, server: BenchServer): Promise<Measured> {
			const watch = new ServerWatch(server);
			const { windows } = watch;
			const load = await runLoad<PresenceParams, PresenceResult>(
				LOAD,
				{
					target: targetOf(server),
					document,
					clients,
					observers: 3,
					windows: ctx.repeats,
					windowSeconds,
					actionEveryMs: 20_000,
					typingMs: 3_000,
				},
				{
					log: ctx.log,
					// y-websocket may never let the whole crowd in on a busy machine: give up in time.
					timeoutMs: (ctx.full ? 300 : 120) * 1000,
					onMark: watch.onMark,
				},
			);
			const measured = summarise(load, windows);
			ctx.log(
				`  ${kind}, ${clients} on the board: ${measured.messagesPerSecond?.toFixed(0)} msg/s out for ${measured.inPerSecond?.toFixed(0)} in (${measured.outPerIn?.toFixed(0)} out and ${measured.cpuUsPerIn?.toFixed(0)} µs CPU per message in), server ${windows.map((w) => Math.round(w.cpuMs / w.seconds / 10)).join("/")}% CPU, ${measured.kibPerSecond?.toFixed(0)} KiB/s, delivery p50/p99 ${measured.p50?.toFixed(0)}/${measured.p99?.toFixed(0)} ms, load ${load.windows.map((w) => Math.round(w.loadElu * 100)).join("/")}% busy, ${measured.bunchedPercent?.toFixed(0)}% of sends bunched, missed ${measured.missed}, dropped ${measured.dropped}, joined in ${Math.round(load.joinMs)} ms`,
			);
			return measured;
		}
	},
});

function summarise(load: PresenceResult, windows: Window[]): Measured {
	const perSecond = (value: (i: number) => number) =>
		median(windows.map((w, i) => (w.seconds > 0 ? value(i) / w.seconds : null)));
	const sentIn = (i: number) =>
		(load.windows[i]?.changesSent ?? 0) + (load.windows[i]?.renewalsSent ?? 0);
	const perIn = (value: (i: number) => number) =>
		median(windows.map((_, i) => (sentIn(i) > 0 ? value(i) / sentIn(i) : null)));
	return {
		outPerIn: perIn((i) => load.windows[i]?.messages ?? 0),
		cpuUsPerIn: perIn((i) => (windows[i]?.cpuMs ?? 0) * 1000),
		messagesPerSecond: perSecond((i) => load.windows[i]?.messages ?? 0),
		cpuPercent: perSecond((i) => (windows[i]?.cpuMs ?? 0) / 10),
		kibPerSecond: perSecond((i) => (load.windows[i]?.bytes ?? 0) / KiB),
		inPerSecond: perSecond(sentIn),
		p50: median(load.windows.map((w) => w.p50Ms)),
		p99: median(load.windows.map((w) => w.p99Ms)),
		peakRssMiB: median(windows.map((w) => (w.maxRssKiB * 1024) / MiB)),
		missed: load.windows.reduce((sum, w) => sum + w.missed, 0),
		bunchedPercent: median(load.windows.map((w) => w.bunched * 100)),
		dropped: load.dropped,
	};
}

function pick(key: keyof Measured, results: Partial<PerServer<Measured>>) {
	const out: Partial<PerServer<number | null>> = {};
	for (const kind of Object.keys(results) as ServerKind[]) out[kind] = results[kind]?.[key] ?? null;
	return columns(out);
}

/** Whether Switchboard's figure is at most `factor` times bare Hocuspocus's. */
function atMost(factor: number, values: ReturnType<typeof columns>): boolean | null {
	if (values.switchboard === null || values.hocuspocus === null) return null;
	return values.switchboard <= factor * values.hocuspocus;
}

function rows(clients: number, results: Partial<PerServer<Measured>>): BenchRow[] {
	// The crowd acts at random, so each run sends a different number of messages in; the
	// targets compare per message in, like for like.
	const messages = pick("outPerIn", results);
	const cpu = pick("cpuUsPerIn", results);
	return [
		{
			metric: `presence messages in (changes + keep-alives), ${clients} on one board`,
			unit: "msg/s",
			...pick("inPerSecond", results),
		},
		{
			metric: `messages out per presence message in, ${clients} on one board`,
			unit: "msg",
			...messages,
			target: "<= 0.25x bare Hocuspocus",
			met: atMost(0.25, messages),
		},
		{
			metric: `server CPU per presence message in, ${clients} on one board`,
			unit: "µs",
			...cpu,
			target: "<= 0.25x bare Hocuspocus",
			met: atMost(0.25, cpu),
		},
		{
			metric: `messages out, ${clients} on one board`,
			unit: "msg/s",
			...pick("messagesPerSecond", results),
		},
		{
			metric: `server CPU, ${clients} on one board`,
			unit: "% core",
			...pick("cpuPercent", results),
		},
		{
			metric: `bytes out, ${clients} on one board`,
			unit: "KiB/s",
			...pick("kibPerSecond", results),
		},
		{
			metric: `p50 presence delivery, ${clients} on one board`,
			unit: "ms",
			...pick("p50", results),
		},
		{
			metric: `p99 presence delivery, ${clients} on one board`,
			unit: "ms",
			...pick("p99", results),
		},
		{
			metric: `peak server RSS, ${clients} on one board`,
			unit: "MiB",
			...pick("peakRssMiB", results),
		},
		{
			// Independent people: a few %. More means the load process fell behind and sent in
			// bunches that a server may merge for free: the baseline's figures flatter it.
			metric: "load: crowd's sends within 1 ms of the previous one",
			unit: "%",
			...pick("bunchedPercent", results),
		},
		{
			metric: "presence changes that never reached an observer (all windows)",
			unit: "",
			...pick("missed", results),
		},
		{
			metric: "people dropped from an observer's screen while still there",
			unit: "",
			...pick("dropped", results),
			target: "0",
			met: results.switchboard ? results.switchboard.dropped === 0 : null,
		},
	];
}

export default scenario;
