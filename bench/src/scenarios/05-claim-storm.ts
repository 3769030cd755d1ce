/**
 * Scenario 5, claim storm: 500 ambassadors run claimNext at once against 1,000 new
 * mentions (quick: 200 against 400), on one instance and on two instances sharing
 * PostgreSQL and Redis. Checked from the acknowledgements and the database: no
 * conversation with two owners, nobody over capacity; the boards agree with the acks.
 * There is no baseline: bare servers have no commands. Measured warm: a warm-up storm on
 * another board of the organisation runs first (`WARMUP_STORM`), reported in rows of its own.
 */
import { boardDocumentName, DONE_STATUSES } from "@switchboard/domain";
import { openStorage } from "@switchboard/storage";
import { runLoad } from "../lib/load.ts";
import { histogram, histogramGrowth, percentileBound, ServerWatch } from "../lib/measure.ts";
import { Cores } from "../lib/proc.ts";
import {
	type BenchContext,
	type BenchRow,
	defineScenario,
	switchboardOnly,
} from "../lib/scenario.ts";
import { BENCH_CAPACITY, BENCH_ORG } from "../lib/seed.ts";
import { type BenchServer, startServer } from "../lib/servers.ts";
import { percentile } from "../lib/stats.ts";
import type { ClaimParams, ClaimResult, ClaimRun, StormName } from "./_05-claim-load.ts";

const LOAD = new URL("./_05-claim-load.ts", import.meta.url);
/** Ambassadors who run claimNext at once, and the new mentions they race for. */
const SIZES = {
	quick: { ambassadors: 200, mentions: 400 },
	full: { ambassadors: 500, mentions: 1_000 },
};
/**
 * Of the ambassadors, how many run alone on a thread of their own (`_05-claim-observer.ts`):
 * their latency is what an ambassador on their own device sees, without waiting for the
 * load process to decode every other ambassador's board first. Each claims its share of
 * the mentions (two at the quick size), so the ten send about twenty commands and their
 * p99 is their slowest. They share the load core: twenty, each decoding every board
 * update on a cold isolate and claiming to capacity, made the storm twice as long and
 * their own p99 570 ms (2026-12-03).
 */
const OBSERVERS = 10;
/**
 * A warm-up storm before the measured one, on a second board of the organisation with as
 * many new mentions, its claims then released: the measured storm meets a server that has
 * run claimNext before, as one in service has, and finds the same pool and capacity. On a
 * fresh server the first wave's reading took 46–101 ms, `parseClientMessage` about 0.3 ms
 * a command against 15 µs warm (bench/findings/05.md). `BENCH_WARMUP_STORM=0` leaves it out.
 */
const WARMUP_STORM = process.env.BENCH_WARMUP_STORM !== "0";
/**
 * The load process's ambassadors skim the board after their first sync, all but the one per
 * instance whose board is checked (`_05-claim-load.ts`); `BENCH_05_DECODE_ALL=1` has every
 * one decode it, as before 2026-12-06: the load core then measured its own queue (busy
 * 93–100 % of every storm, the p99 for all 200 several times the observers';
 * bench/findings/05.md).
 */
const DECODE_ALL = process.env.BENCH_05_DECODE_ALL === "1";
const WARMUP_BOARD = "warmup";

interface StormFigures {
	p50: number;
	p99: number;
	/** The same for the observers alone. */
	observerP50: number;
	observerP99: number;
	claimsPerSecond: number;
	doubleOwners: number;
	overCapacity: number;
	boardMismatches: number;
	serverCpuMs: number;
	/** claimNext's p99 from its arrival to its answer inside the servers (a bucket bound). */
	serverP99: number;
	/** Event-loop utilisation of the ambassadors' load process during the storm, in %. */
	loadBusyPercent: number;
	/** Board update bytes an ambassador applied per acknowledged claim. */
	boardBytesPerClaim: number;
	/** Board updates an ambassador applied during the storm. */
	boardUpdates: number;
	rejects: Record<string, number>;
}

/** The servers' claimNext latency histogram (`switchboard_command_seconds`), added up. */
const claimNextSeconds = (server: BenchServer) =>
	histogram(server, "switchboard_command_seconds", { command: "claimNext" });

/** What the servers and the database said about one storm, read at its marks. */
interface StormReadings {
	cpuMs: number;
	before: Map<number, number>[];
	after: Map<number, number>[];
	/** Open conversations on both boards at the storm's end: mention id → owner. */
	owners: Map<string, string | undefined>;
	/** Open conversations each member owned then, on both boards. */
	held: Map<string, number>;
}

/** Both storms of one server start: the first (warm-up) and the measured one. */
interface StormsFigures {
	first?: StormFigures;
	measured: StormFigures;
}

function figuresOf(result: ClaimResult, readings: StormReadings): StormFigures {
	const claimed = Object.values(result.claims);
	return {
		p50: percentile(result.latencyMs, 50),
		p99: percentile(result.latencyMs, 99),
		observerP50: percentile(result.observerLatencyMs, 50),
		observerP99: percentile(result.observerLatencyMs, 99),
		claimsPerSecond: claimed.length / (result.stormMs / 1000),
		// Told to two members, or the database names someone else than the ack did.
		doubleOwners: Object.entries(result.claims).filter(
			([id, members]) => new Set(members).size > 1 || readings.owners.get(id) !== members[0],
		).length,
		overCapacity: [...readings.held.values()].filter((count) => count > BENCH_CAPACITY).length,
		boardMismatches: Math.max(...result.boardMismatches),
		serverCpuMs: readings.cpuMs,
		serverP99:
			percentileBound(
				histogramGrowth(
					readings.before.map((counts, i) => ({
						before: counts,
						after: readings.after[i] ?? counts,
					})),
				),
				99,
			) * 1000,
		loadBusyPercent: result.loadBusy * 100,
		boardBytesPerClaim: result.boardUpdateBytes / Math.max(1, claimed.length),
		boardUpdates: result.boardUpdates,
		rejects: result.rejects,
	};
}

async function storm(
	ctx: BenchContext,
	instances: 1 | 2,
	ambassadors: number,
	mentions: number,
): Promise<StormsFigures> {
	const servers: BenchServer[] = [];
	try {
		const first = await startServer("switchboard", {
			databaseUrl: ctx.databaseUrl,
			documents: mentions,
			members: ambassadors,
			...(WARMUP_STORM ? { warmupBoard: WARMUP_BOARD } : {}),
			...(instances === 2 ? { redisUrl: ctx.redisUrl } : {}),
			...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
		});
		servers.push(first);
		if (instances === 2) {
			servers.push(
				await startServer("switchboard", {
					databaseUrl: ctx.databaseUrl,
					shareDatabaseWith: first,
					redisUrl: ctx.redisUrl,
					...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
				}),
			);
		}
		const storage = await openStorage({ databaseUrl: first.databaseUrl as string });
		try {
			const byEmail = new Map(
				(await storage.listMembers(BENCH_ORG)).map((member) => [member.email, member.id]),
			);
			const memberIds = first.tokens.map(
				(_, i) => byEmail.get(`ambassador${i}@${BENCH_ORG}.test`) as string,
			);
			/** Open conversations with an owner on `boards`. */
			const ownedOpen = async (boards: string[]) =>
				(await Promise.all(boards.map((board) => storage.listMentions(BENCH_ORG, board))))
					.flat()
					.filter(({ mention }) => mention.owner && !DONE_STATUSES.includes(mention.status));
			const boards = WARMUP_STORM ? ["main", WARMUP_BOARD] : ["main"];
			const watches = servers.map((server) => new ServerWatch(server));
			const readings = new Map<StormName, StormReadings>();
			let before: Map<number, number>[] = [];
			const result = await runLoad<ClaimParams, ClaimRun>(
				LOAD,
				{
					wsUrls: servers.map((server) => server.wsUrl),
					document: boardDocumentName(BENCH_ORG, "main"),
					...(WARMUP_STORM ? { warmupDocument: boardDocumentName(BENCH_ORG, WARMUP_BOARD) } : {}),
					tokens: first.tokens,
					memberIds,
					observers: Math.min(OBSERVERS, first.tokens.length),
					observerClaims: Math.ceil(mentions / ambassadors),
					decodeAll: DECODE_ALL,
				},
				{
					log: ctx.log,
					async onMark(name, data) {
						if (name === "start") {
							before = await Promise.all(servers.map(claimNextSeconds));
							for (const watch of watches) watch.start();
						}
						if (name === "stop") {
							let cpuMs = 0;
							for (const watch of watches) cpuMs += watch.stop().cpuMs;
							const after = await Promise.all(servers.map(claimNextSeconds));
							// Read before the warm-up's claims are released.
							const open = await ownedOpen(boards);
							const held = new Map<string, number>();
							for (const { mention } of open) {
								const owner = mention.owner?.memberId as string;
								held.set(owner, (held.get(owner) ?? 0) + 1);
							}
							const owners = new Map(
								open.map(({ mention }) => [mention.id, mention.owner?.memberId]),
							);
							readings.set(data as StormName, { cpuMs, before, after, owners, held });
						}
						if (name === "released") {
							// The measured storm must find what a server without warm-up would.
							const left = (await ownedOpen(boards)).length;
							if (left > 0) {
								throw new Error(`${left} conversations still owned after the warm-up storm`);
							}
						}
					},
					timeoutMs: 900_000,
				},
			);
			const figures: StormsFigures = {
				measured: figuresOf(result.measured, readings.get("measured") as StormReadings),
			};
			if (result.first) {
				figures.first = figuresOf(result.first, readings.get("first") as StormReadings);
			}
			for (const [name, f, claimed] of [
				["first storm after start (warm-up)", figures.first, result.first],
				["claim storm", figures.measured, result.measured],
			] as const) {
				if (!f || !claimed) continue;
				ctx.log(
					`${name}, ${instances} instance(s): ${Object.keys(claimed.claims).length} claims of ${mentions} in ${(claimed.stormMs / 1000).toFixed(1)} s, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (${OBSERVERS} ambassadors on threads of their own: p50 ${f.observerP50.toFixed(1)}, p99 ${f.observerP99.toFixed(1)} ms; inside the server at most ${f.serverP99} ms; load process busy ${f.loadBusyPercent.toFixed(0)} %; ${f.boardBytesPerClaim.toFixed(0)} board update bytes per claim in ${f.boardUpdates} updates), rejects ${JSON.stringify(f.rejects)}, server CPU ${f.serverCpuMs} ms`,
				);
			}
			return figures;
		} finally {
			await storage.close();
		}
	} finally {
		for (const server of servers) {
			const errors = server
				.output()
				.split("\n")
				.filter((line) => /"level":(40|50|60)/.test(line));
			if (errors.length > 0) {
				ctx.log(`${errors.length} server warnings/errors, first: ${errors[0]?.slice(0, 1500)}`);
			}
		}
		for (const server of servers.reverse()) await server.stop();
	}
}

/** The rows every storm reports that must stay 0, judged on both storms. */
function correctnessRows(
	f: StormFigures,
	row: (metric: string, unit: string, value: number, judged?: object) => BenchRow,
): BenchRow[] {
	const none = (value: number): Pick<BenchRow, "target" | "met"> => ({
		target: "0",
		met: value === 0,
	});
	const unavailable = f.rejects.unavailable ?? 0;
	return [
		row("conversations with two owners", "count", f.doubleOwners, none(f.doubleOwners)),
		row("members over capacity", "count", f.overCapacity, none(f.overCapacity)),
		row("boards disagreeing with the acks", "count", f.boardMismatches, none(f.boardMismatches)),
		row(
			"commands never answered",
			"count",
			f.rejects.no_answer ?? 0,
			none(f.rejects.no_answer ?? 0),
		),
		// Ordinary load, not an outage: every command waits for its answer.
		row("commands answered unavailable", "count", unavailable, none(unavailable)),
	];
}

const scenario = defineScenario({
	id: 5,
	title: "Claim storm",
	// One run; its rows take medians within it where they say so.
	repeats: () => 1,
	sizes: SIZES,
	describe() {
		const clients = DECODE_ALL
			? `Every ambassador decodes every board update (BENCH_05_DECODE_ALL=1): the ${OBSERVERS} observers each on a thread of their own, the rest in one load process on one core.`
			: `The ${OBSERVERS} observers, each on a thread of their own, and one ambassador per instance in the load process decode every board update, as a browser does; the other ambassadors of the load process sync the board, then skim its updates (the server sends them every frame all the same): one core cannot do the board work of 190 devices, and when it tried, the rows for all ambassadors measured its queue (BENCH_05_DECODE_ALL=1 runs it that way).`;
		if (!WARMUP_STORM) {
			return `${clients} Measured on freshly started servers, without a warm-up storm (BENCH_WARMUP_STORM=0).`;
		}
		return `${clients} Measured warm, as a server in service is: on one instance and on two, after the servers start, the same ambassadors (the same members and observers, split over the instances the same way) first storm a second board of the organisation seeded with as many new mentions (the warm-up; its figures are the "first storm after start" rows, not judged against the latency targets); each then releases every conversation it claimed there (checked in the database: nobody owns an open one) and leaves that board. Then they connect to the measured board, on which nothing was ever claimed, and storm it: the same pool, the same capacity. The "first storm after start" rows are what a freshly started server gives; their correctness rows are judged as the measured storm's.`;
	},
	async run(ctx, { ambassadors, mentions }) {
		const size = `${ambassadors} ambassadors, ${mentions.toLocaleString("en-GB")} mentions`;
		const rows: BenchRow[] = [];
		const perSecond: number[] = [];
		/** The servers' CPU during the measured storm, summed over the instances: one, then two. */
		const serverCpu: number[] = [];
		for (const instances of [1, 2] as const) {
			const { first: cold, measured: f } = await storm(ctx, instances, ambassadors, mentions);
			const where = instances === 1 ? "one instance" : "two instances (PostgreSQL + Redis)";
			const row = (metric: string, unit: string, value: number, judged = {}) =>
				switchboardOnly(`${metric}, ${where}`, unit, value, judged);
			perSecond.push(f.claimsPerSecond);
			serverCpu.push(f.serverCpuMs);
			// The latency target is for 200 ambassadors on one instance (the quick size).
			const latencyTarget = (p99: number) =>
				instances === 1 && ambassadors === 200 ? { target: "<= 100 ms", met: p99 <= 100 } : {};
			rows.push(
				row(`claimNext p50 latency, ${size}`, "ms", f.p50),
				row("claimNext p99 latency", "ms", f.p99, latencyTarget(f.p99)),
				// What an ambassador on their own device sees, decoding their board as a browser
				// does, with no other ambassador's board decoded before their answer is read.
				row(
					`claimNext p50 latency, ${OBSERVERS} of the ambassadors each on a thread of their own`,
					"ms",
					f.observerP50,
				),
				row(
					`claimNext p99 latency, ${OBSERVERS} of the ambassadors each on a thread of their own`,
					"ms",
					f.observerP99,
					latencyTarget(f.observerP99),
				),
				// The server's share of it: from arrival to answer, before the load process reads it.
				row("claimNext p99 inside the server (at most; histogram bucket)", "ms", f.serverP99),
				// Near 100 %, the latencies above include waiting for the load process itself.
				row("load process (the ambassadors) busy during the storm", "%", f.loadBusyPercent),
				// What each ambassador's device decodes per claim (the server sends it to every one).
				row(
					"board update bytes per claim, as each ambassador applies it",
					"B",
					f.boardBytesPerClaim,
				),
				row("claims per second", "claims/s", f.claimsPerSecond),
				row("server CPU during the storm", "ms", f.serverCpuMs),
				...correctnessRows(f, row),
			);
			if (cold) {
				// What a freshly started server gives: reported, never judged on latency.
				const first = (metric: string, unit: string, value: number, judged = {}) =>
					row(`first storm after start (warm-up): ${metric}`, unit, value, judged);
				rows.push(
					first(`claimNext p99 latency, all ${ambassadors}`, "ms", cold.p99),
					first(
						`claimNext p99 latency, ${OBSERVERS} of the ambassadors each on a thread of their own`,
						"ms",
						cold.observerP99,
					),
					first(
						"claimNext p99 inside the server (at most; histogram bucket)",
						"ms",
						cold.serverP99,
					),
					...correctnessRows(cold, first),
				);
			}
		}
		const [one = 0, two = 0] = perSecond;
		const [cpuOne = 0, cpuTwo = 0] = serverCpu;
		rows.push(
			// The same storm's work, on two instances and on one. Both instances run on the one
			// server core (Cores.server): where two need more CPU than one for the same claims
			// (each also publishes its board changes to Redis and applies the other's), two
			// cannot settle more claims a second than one on this machine.
			switchboardOnly(
				`server CPU for the same storm, two instances (summed; both on core ${Cores.server}) / one`,
				"x",
				cpuOne > 0 ? cpuTwo / cpuOne : 0,
			),
			switchboardOnly("claims per second, two instances / one", "x", two / one, {
				target: "> 1x",
				met: two > one,
			}),
		);
		return rows;
	},
});

export default scenario;
