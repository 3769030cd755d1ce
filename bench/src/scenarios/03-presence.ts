/**
 * Scenario 3, presence by interest: 1,000 people on one board sharing presence (what they
 * look at, whether they type) with y-protocols' keep-alives, and some of them in small
 * groups in conversations, their cursors and typing shown to each other in the draft.
 * Targets: outbound messages and server CPU per presence message at most 0.25x bare
 * Hocuspocus, which relays every awareness message to every connection at once,
 * keep-alives included; the people in a conversation see each other's cursor and typing
 * within p99 50 ms, the board's badges within p99 300 ms. Switchboard coalesces per tick,
 * a tick as long as the audience is large, and holds unchanged keep-alives back
 * (packages/sync/src/presence-relay.ts).
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
import type { PresenceParams, PresenceResult, PresenceWindow } from "./_03-presence-load.ts";

const LOAD = new URL("./_03-presence-load.ts", import.meta.url);

/** What one server did in the windows of one phase (medians over the windows). */
interface PhaseMeasured {
	messagesPerSecond: number | null;
	cpuPercent: number | null;
	kibPerSecond: number | null;
	/** Presence messages the crowd sent per second (changes + renewals, board and drafts). */
	inPerSecond: number | null;
	/** Messages out and server CPU (µs) per presence message in: like for like across runs. */
	outPerIn: number | null;
	cpuUsPerIn: number | null;
	/** Board badges (who looks, who types) at the observers. */
	p50: number | null;
	p99: number | null;
	/** Cursor and typing at the others in the same conversation. */
	draftP50: number | null;
	draftP99: number | null;
	peakRssMiB: number | null;
	/** % of the crowd's sends bunched within 1 ms (see PresenceWindow.bunched). */
	bunchedPercent: number | null;
	missed: number;
	draftMissed: number;
}

interface Measured {
	/** The crowd's board presence alone. */
	board: PhaseMeasured;
	/** The same while the people in conversations type in their drafts. */
	conversations: PhaseMeasured;
	dropped: number;
}

const scenario = defineScenario({
	id: 3,
	title: "Presence by interest",
	sizes: { quick: { clients: 500, windowSeconds: 4 }, full: { clients: 1000, windowSeconds: 10 } },
	async run(ctx, { clients, windowSeconds }) {
		// Conversations being co-edited while the board is watched: goal 8's 20 at 1,000.
		const conversations = clients / 50;
		const perConversation = 3;
		const document = boardDocumentName(BENCH_ORG, "main");
		const results: Partial<PerServer<Measured>> = {};
		for (const kind of SERVER_KINDS) {
			const server = await startServer(kind, {
				databaseUrl: ctx.databaseUrl,
				documents: conversations,
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
		return rows(clients, conversations * perConversation, results);

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
					conversations: server.documents.slice(0, conversations),
					perConversation,
					// Typing pace: y-codemirror.next publishes the cursor at every keystroke.
					cursorEveryMs: 200,
				},
				{
					log: ctx.log,
					// y-websocket may never let the whole crowd in on a busy machine: give up in time.
					timeoutMs: (ctx.full ? 300 : 120) * 1000,
					onMark: watch.onMark,
				},
			);
			const measured = summarise(load, windows);
			for (const phase of ["board", "conversations"] as const) {
				const m = measured[phase];
				ctx.log(
					`  ${kind}, ${clients} on the board, ${phase}: ${m.messagesPerSecond?.toFixed(0)} msg/s out for ${m.inPerSecond?.toFixed(0)} in (${m.outPerIn?.toFixed(0)} out and ${m.cpuUsPerIn?.toFixed(0)} µs CPU per message in), server ${m.cpuPercent?.toFixed(0)}% CPU, ${m.kibPerSecond?.toFixed(0)} KiB/s, badges p50/p99 ${m.p50?.toFixed(0)}/${m.p99?.toFixed(0)} ms, cursors p50/p99 ${m.draftP50?.toFixed(1)}/${m.draftP99?.toFixed(1)} ms, ${m.bunchedPercent?.toFixed(0)}% of sends bunched, missed ${m.missed}+${m.draftMissed}`,
				);
			}
			ctx.log(
				`  ${kind}: load ${load.windows.map((w) => Math.round(w.loadElu * 100)).join("/")}% busy, dropped ${measured.dropped}, joined in ${Math.round(load.joinMs)} ms`,
			);
			return measured;
		}
	},
});

function summarise(load: PresenceResult, windows: Window[]): Measured {
	return {
		board: summarisePhase(load, windows, "board"),
		conversations: summarisePhase(load, windows, "conversations"),
		dropped: load.dropped,
	};
}

function summarisePhase(
	load: PresenceResult,
	watched: Window[],
	phase: PresenceWindow["phase"],
): PhaseMeasured {
	// The load's windows and the server's are the same marks, in the same order.
	const pairs = load.windows.flatMap((w, i) => {
		const server = watched[i];
		return w.phase === phase && server ? [{ w, server }] : [];
	});
	const sentIn = (w: PresenceWindow) =>
		w.changesSent + w.renewalsSent + w.draftChangesSent + w.draftRenewalsSent;
	const perSecond = (value: (p: (typeof pairs)[number]) => number) =>
		median(pairs.map((p) => (p.server.seconds > 0 ? value(p) / p.server.seconds : null)));
	const perIn = (value: (p: (typeof pairs)[number]) => number) =>
		median(pairs.map((p) => (sentIn(p.w) > 0 ? value(p) / sentIn(p.w) : null)));
	return {
		outPerIn: perIn((p) => p.w.messages),
		cpuUsPerIn: perIn((p) => p.server.cpuMs * 1000),
		messagesPerSecond: perSecond((p) => p.w.messages),
		cpuPercent: perSecond((p) => p.server.cpuMs / 10),
		kibPerSecond: perSecond((p) => p.w.bytes / KiB),
		inPerSecond: perSecond((p) => sentIn(p.w)),
		p50: median(pairs.map((p) => p.w.p50Ms)),
		p99: median(pairs.map((p) => p.w.p99Ms)),
		draftP50: median(pairs.map((p) => p.w.draftP50Ms)),
		draftP99: median(pairs.map((p) => p.w.draftP99Ms)),
		peakRssMiB: median(pairs.map((p) => (p.server.maxRssKiB * 1024) / MiB)),
		bunchedPercent: median(pairs.map((p) => p.w.bunched * 100)),
		missed: pairs.reduce((sum, p) => sum + p.w.missed, 0),
		draftMissed: pairs.reduce((sum, p) => sum + p.w.draftMissed, 0),
	};
}

function pick(
	phase: "board" | "conversations",
	key: keyof PhaseMeasured,
	results: Partial<PerServer<Measured>>,
) {
	const out: Partial<PerServer<number | null>> = {};
	for (const kind of Object.keys(results) as ServerKind[]) {
		out[kind] = results[kind]?.[phase][key] ?? null;
	}
	return columns(out);
}

/** Whether Switchboard's figure is at most `factor` times bare Hocuspocus's. */
function atMost(factor: number, values: ReturnType<typeof columns>): boolean | null {
	if (values.switchboard === null || values.hocuspocus === null) return null;
	return values.switchboard <= factor * values.hocuspocus;
}

/** Whether Switchboard's figure is at most `limit`. */
function within(limit: number, values: ReturnType<typeof columns>): boolean | null {
	return values.switchboard === null ? null : values.switchboard <= limit;
}

function rows(clients: number, seated: number, results: Partial<PerServer<Measured>>): BenchRow[] {
	// The crowd acts at random, so each run sends a different number of messages in; the
	// targets compare per message in, like for like. They are judged on the board's presence
	// alone (the "per presence message on one board"): a cursor message costs both
	// servers about the same (two others to send it to), so the mixed rows below mostly
	// measure how many people type at once.
	const board = `${clients} on one board`;
	const mixed = `${clients} on one board, ${seated} of them typing in conversations of 3`;
	const messages = pick("board", "outPerIn", results);
	const cpu = pick("board", "cpuUsPerIn", results);
	const cursors = pick("conversations", "draftP99", results);
	const badges = pick("conversations", "p99", results);
	return [
		{
			metric: `presence messages in (changes + keep-alives), ${board}`,
			unit: "msg/s",
			...pick("board", "inPerSecond", results),
		},
		{
			metric: `messages out per presence message in, ${board}`,
			unit: "msg",
			...messages,
			target: "<= 0.25x bare Hocuspocus",
			met: atMost(0.25, messages),
		},
		{
			metric: `server CPU per presence message in, ${board}`,
			unit: "µs",
			...cpu,
			target: "<= 0.25x bare Hocuspocus",
			met: atMost(0.25, cpu),
		},
		{
			metric: `messages out, ${board}`,
			unit: "msg/s",
			...pick("board", "messagesPerSecond", results),
		},
		{ metric: `server CPU, ${board}`, unit: "% core", ...pick("board", "cpuPercent", results) },
		{ metric: `bytes out, ${board}`, unit: "KiB/s", ...pick("board", "kibPerSecond", results) },
		{
			metric: `p99 board badge delivery (who looks, who types), ${board}`,
			unit: "ms",
			...pick("board", "p99", results),
		},
		{
			metric: `presence messages in (board and drafts), ${mixed}`,
			unit: "msg/s",
			...pick("conversations", "inPerSecond", results),
		},
		{
			metric: `messages out per presence message in, ${mixed}`,
			unit: "msg",
			...pick("conversations", "outPerIn", results),
		},
		{
			metric: `server CPU per presence message in, ${mixed}`,
			unit: "µs",
			...pick("conversations", "cpuUsPerIn", results),
		},
		{
			metric: `p50 cursor and typing delivery to the others in the conversation, ${mixed}`,
			unit: "ms",
			...pick("conversations", "draftP50", results),
		},
		{
			metric: `p99 cursor and typing delivery to the others in the conversation, ${mixed}`,
			unit: "ms",
			...cursors,
			target: "<= 50 ms",
			met: within(50, cursors),
		},
		{
			metric: `p50 board badge delivery (who looks, who types), ${mixed}`,
			unit: "ms",
			...pick("conversations", "p50", results),
		},
		{
			metric: `p99 board badge delivery (who looks, who types), ${mixed}`,
			unit: "ms",
			...badges,
			target: "<= 300 ms",
			met: within(300, badges),
		},
		{
			metric: `peak server RSS, ${mixed}`,
			unit: "MiB",
			...pick("conversations", "peakRssMiB", results),
		},
		{
			// Independent people: a few %. More means the load process fell behind and sent in
			// bunches that a server may merge for free: the baseline's figures flatter it.
			metric: "load: crowd's sends within 1 ms of the previous one (board alone)",
			unit: "%",
			...pick("board", "bunchedPercent", results),
		},
		{
			metric: "board changes that never reached an observer (all windows)",
			unit: "",
			...sum("missed", results),
		},
		{
			metric: "cursor and typing changes that never reached the others in the conversation",
			unit: "",
			...sum("draftMissed", results),
		},
		{
			metric: "people dropped from an observer's screen while still there",
			unit: "",
			...columns(dropped(results)),
			target: "0",
			met: results.switchboard ? results.switchboard.dropped === 0 : null,
		},
	];
}

/** A count over both phases. */
function sum(key: "missed" | "draftMissed", results: Partial<PerServer<Measured>>) {
	const out: Partial<PerServer<number | null>> = {};
	for (const kind of Object.keys(results) as ServerKind[]) {
		const measured = results[kind];
		out[kind] = measured ? measured.board[key] + measured.conversations[key] : null;
	}
	return columns(out);
}

function dropped(results: Partial<PerServer<Measured>>): Partial<PerServer<number | null>> {
	const out: Partial<PerServer<number | null>> = {};
	for (const kind of Object.keys(results) as ServerKind[])
		out[kind] = results[kind]?.dropped ?? null;
	return out;
}

export default scenario;
