/**
 * The servers under test, each in a child process pinned to the server core: Switchboard
 * (apps/server/src/main.ts on a fresh PostgreSQL database), bare Hocuspocus with its
 * defaults, and @y/websocket-server. All serve the same document names.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@switchboard/connectors/testing";
import { SERVER_NODE_FLAGS } from "@switchboard/server/node-flags";
import { createTestDatabase, type TestDatabase } from "@switchboard/storage/test-database";
import { Cores, type ProcSample, pinned, sampleProcess } from "./proc.ts";
import { BENCH_RATE_LIMITS } from "./rate-limits.ts";
import { BENCH_METRICS_TOKEN, BENCH_SECRET, baselineDocuments, seedBench } from "./seed.ts";

/**
 * "hocuspocus-durable" is bare Hocuspocus storing each update in PostgreSQL before it
 * acknowledges it (servers/hocuspocus.ts): the floor of a durable acknowledgement. Scenario 1
 * measures it beside the others; it is not one of the report's columns.
 */
export type ServerKind = "switchboard" | "hocuspocus" | "hocuspocus-durable" | "y-websocket";

const ALL_KINDS: readonly ServerKind[] = ["switchboard", "hocuspocus", "y-websocket"];

/**
 * The kinds to measure, Switchboard first, in the order of the table's columns: all of
 * them, or those listed in BENCH_SERVERS (e.g. `BENCH_SERVERS=switchboard` while profiling).
 */
export const SERVER_KINDS: readonly ServerKind[] = process.env.BENCH_SERVERS
	? ALL_KINDS.filter((kind) => process.env.BENCH_SERVERS?.split(",").includes(kind))
	: ALL_KINDS;

/** What a load generator needs to reach a server; plain data, so it crosses IPC. */
export interface ServerTarget {
	kind: ServerKind;
	/** WebSocket URL: Switchboard's `/sync`, Hocuspocus's root, y-websocket's base (room appended). */
	wsUrl: string;
	/** Draft documents the server serves (seeded conversations on Switchboard). */
	documents: string[];
	/** Tokens of members (Switchboard); baselines accept any token. */
	tokens: string[];
}

export interface BenchServer extends ServerTarget {
	url: string;
	pid: number;
	/** Where the server writes its V8 CPU profile when it stops, if it was started with one. */
	cpuProfileDir?: string;
	/**
	 * The server's database (a fresh one per start unless shared): Switchboard's, or where the
	 * durable baseline stores its updates; undefined for the other baselines.
	 */
	databaseUrl?: string;
	/**
	 * Switchboard's data folder, its own per start (removed at stop): the CLI finds the
	 * running server's admin channel there, and must not find another run's server.
	 */
	dataDir?: string;
	/** CPU time and memory of the server process now. */
	sample(): ProcSample;
	/** Everything the process printed (for failure messages). */
	output(): string;
	/** Stop the process (SIGTERM, then SIGKILL) and drop its database. */
	stop(): Promise<void>;
}

export interface StartServerOptions {
	/** Draft documents to seed (Switchboard) or name (baselines). @default 1 */
	documents?: number;
	/** Members with tokens (Switchboard). @default 4 */
	members?: number;
	/**
	 * Seed a second board of this id with as many new mentions as the main board
	 * (Switchboard), for a warm-up on the same organisation apart from the measured board.
	 */
	warmupBoard?: string;
	/** Admin URL of PostgreSQL: a fresh database is created from it (Switchboard). */
	databaseUrl: string;
	/** Redis for Switchboard instances that share documents. */
	redisUrl?: string;
	/** Extra environment of the server process. */
	env?: Record<string, string>;
	/**
	 * Write a V8 CPU profile of the server to this folder (`node --cpu-prof`), e.g. when
	 * BENCH_CPU_PROF is set. The profile is written when the process stops.
	 */
	cpuProfileDir?: string;
	/** Several Switchboard instances on one database: pass the first one's. */
	shareDatabaseWith?: BenchServer;
	/**
	 * Switchboard on its embedded PGlite (a fresh data folder) instead of PostgreSQL.
	 * @default false
	 */
	embedded?: boolean;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SWITCHBOARD_MAIN = here("../../../apps/server/src/main.ts");

/**
 * What every Switchboard the benchmark starts runs with: any free port on loopback, its own
 * data folder (the admin channel and a generated secret live there, and the data too on
 * PGlite), no demo data, no background loops, quiet logs, and rate limits sized for the load.
 */
function switchboardEnv(dataDir: string): Record<string, string> {
	return {
		PORT: "0",
		HOST: "127.0.0.1",
		DATA_DIR: dataDir,
		SWITCHBOARD_SECRET: BENCH_SECRET,
		SWITCHBOARD_METRICS_TOKEN: BENCH_METRICS_TOKEN,
		SWITCHBOARD_DEMO: "0",
		SWITCHBOARD_BACKGROUND: "0",
		LOG_LEVEL: "warn",
		...BENCH_RATE_LIMITS,
	};
}
const HOCUSPOCUS_MAIN = here("../servers/hocuspocus.ts");

function yWebsocketMain(): string {
	// The package exports no `./bin`; its server entry sits next to utils.js.
	return fileURLToPath(import.meta.resolve("@y/websocket-server/utils")).replace(
		/utils\.js$/,
		"server.js",
	);
}

interface Spawned {
	child: ChildProcess;
	output(): string;
	/** Resolves with the first match of `ready` in the output. */
	ready: Promise<RegExpExecArray>;
	exited: Promise<number | null>;
}

function spawnServer(
	args: string[],
	env: Record<string, string>,
	ready: RegExp,
	cpuProfileDir: string | undefined,
): Spawned {
	// BENCH_CPU_PROF_INTERVAL: sampling interval in µs (V8's default 1000 gives few samples
	// per update in short windows).
	const interval = process.env.BENCH_CPU_PROF_INTERVAL;
	const nodeArgs = cpuProfileDir
		? [
				"--cpu-prof",
				`--cpu-prof-dir=${cpuProfileDir}`,
				...(interval ? [`--cpu-prof-interval=${interval}`] : []),
			]
		: [];
	if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
	// BENCH_SERVER_NODE_ARGS: more Node flags for the servers (e.g. --trace-deopt while profiling).
	const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
	const { command, args: full } = pinned(Cores.server, [...nodeArgs, ...extra, ...args]);
	const child = spawn(command, full, {
		env: { ...process.env, ...env },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	const exited = new Promise<number | null>((resolve) =>
		child.once("exit", (code) => resolve(code)),
	);
	const readyPromise = new Promise<RegExpExecArray>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`server did not start in 60 s:\n${output}`)),
			60_000,
		);
		let started = false;
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			if (started) return;
			const match = ready.exec(output);
			if (match) {
				started = true;
				clearTimeout(timer);
				resolve(match);
			}
		};
		child.stdout?.on("data", onData);
		child.stderr?.on("data", onData);
		void exited.then((code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code} before it started:\n${output}`));
		});
	});
	// Keep reading so a chatty server never blocks on a full pipe.
	return { child, output: () => output, ready: readyPromise, exited };
}

async function stopChild(spawned: Spawned): Promise<void> {
	if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) return;
	spawned.child.kill("SIGTERM");
	const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 25_000));
	if ((await Promise.race([spawned.exited, timeout])) === "timeout") {
		spawned.child.kill("SIGKILL");
		await spawned.exited;
	}
}

/** Start a server of `kind` pinned to the server core and wait until it listens. */
export async function startServer(
	kind: ServerKind,
	options: StartServerOptions,
): Promise<BenchServer> {
	const documents = options.documents ?? 1;
	const members = options.members ?? 4;
	let database: TestDatabase | null = null;
	let spawned: Spawned;
	let url: string;
	let wsUrl: string;
	let names: string[];
	let tokens: string[];
	if (kind === "switchboard" && options.embedded) return startEmbedded(options, documents, members);
	if (kind === "switchboard") {
		let databaseUrl: string;
		if (options.shareDatabaseWith) {
			if (!options.shareDatabaseWith.databaseUrl) throw new Error("nothing to share");
			databaseUrl = options.shareDatabaseWith.databaseUrl;
			names = options.shareDatabaseWith.documents;
			tokens = options.shareDatabaseWith.tokens;
		} else {
			database = await createTestDatabase(options.databaseUrl);
			databaseUrl = database.url;
			const seeded = await seedBench(databaseUrl, {
				members,
				documents,
				...(options.warmupBoard ? { warmupBoard: options.warmupBoard } : {}),
			});
			names = seeded.documents;
			tokens = seeded.tokens;
		}
		const dataDir = await mkdtemp(join(tmpdir(), "switchboard-bench-"));
		spawned = spawnServer(
			[...SERVER_NODE_FLAGS, SWITCHBOARD_MAIN],
			{
				...switchboardEnv(dataDir),
				DATABASE_URL: databaseUrl,
				// Instances on one database are one deployment: their own names in Redis, so
				// runs at the same time (or one's leftovers) never meet there.
				...(options.redisUrl
					? { REDIS_URL: options.redisUrl, REDIS_PREFIX: new URL(databaseUrl).pathname.slice(1) }
					: {}),
				...options.env,
			},
			/Switchboard is running at (http:\/\/\S+)/,
			options.cpuProfileDir,
		);
		const match = await spawned.ready.catch(async (error: unknown) => {
			await database?.drop();
			await rm(dataDir, { recursive: true, force: true });
			throw error;
		});
		url = match[1] ?? "";
		wsUrl = `${url.replace("http", "ws")}/sync`;
		const started = finish(kind, spawned, url, wsUrl, names, tokens, database);
		return {
			...started,
			async stop() {
				await started.stop();
				await rm(dataDir, { recursive: true, force: true });
			},
			databaseUrl,
			dataDir,
			...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
		};
	}
	names = baselineDocuments(documents);
	tokens = Array.from({ length: members }, (_, i) => `baseline-token-${i}`);
	if (kind === "hocuspocus" || kind === "hocuspocus-durable") {
		if (kind === "hocuspocus-durable") database = await createTestDatabase(options.databaseUrl);
		spawned = spawnServer(
			[HOCUSPOCUS_MAIN],
			{
				PORT: "0",
				HOST: "127.0.0.1",
				...(database ? { DURABLE_DATABASE_URL: database.url } : {}),
				...options.env,
			},
			/listening on port (\d+)/,
			options.cpuProfileDir,
		);
		const match = await spawned.ready;
		url = `http://127.0.0.1:${match[1]}`;
		wsUrl = url.replace("http", "ws");
	} else {
		// y-websocket's server prints the port it was given, so it gets a free one.
		const port = await freePort();
		spawned = spawnServer(
			[yWebsocketMain()],
			{ PORT: String(port), HOST: "127.0.0.1", ...options.env },
			/running at/,
			options.cpuProfileDir,
		);
		await spawned.ready;
		url = `http://127.0.0.1:${port}`;
		wsUrl = url.replace("http", "ws");
	}
	return {
		...finish(kind, spawned, url, wsUrl, names, tokens, database),
		...(database ? { databaseUrl: database.url } : {}),
		...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
	};
}

/** Switchboard on PGlite in a fresh data folder, seeded before the server opens it. */
async function startEmbedded(
	options: StartServerOptions,
	documents: number,
	members: number,
): Promise<BenchServer> {
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-bench-pglite-"));
	const removeFolder = () => rm(dataDir, { recursive: true, force: true });
	try {
		const seeded = await seedBench(
			{ dataDir },
			{
				members,
				documents,
				...(options.warmupBoard ? { warmupBoard: options.warmupBoard } : {}),
			},
		);
		const spawned = spawnServer(
			[...SERVER_NODE_FLAGS, SWITCHBOARD_MAIN],
			{
				...switchboardEnv(dataDir),
				...options.env,
			},
			/Switchboard is running at (http:\/\/\S+)/,
			options.cpuProfileDir,
		);
		const url = (await spawned.ready)[1] ?? "";
		const wsUrl = `${url.replace("http", "ws")}/sync`;
		const server = finish(
			"switchboard",
			spawned,
			url,
			wsUrl,
			seeded.documents,
			seeded.tokens,
			null,
		);
		return {
			...server,
			async stop() {
				await server.stop();
				await removeFolder();
			},
			...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
		};
	} catch (error) {
		await removeFolder();
		throw error;
	}
}

function finish(
	kind: ServerKind,
	spawned: Spawned,
	url: string,
	wsUrl: string,
	documents: string[],
	tokens: string[],
	database: TestDatabase | null,
): BenchServer {
	const pid = spawned.child.pid ?? 0;
	return {
		kind,
		url,
		wsUrl,
		documents,
		tokens,
		pid,
		sample: () => sampleProcess(pid),
		output: spawned.output,
		async stop() {
			await stopChild(spawned);
			await database?.drop().catch(() => undefined);
		},
	};
}

/** The plain-data part of a server, for a load generator. */
export function targetOf(server: ServerTarget): ServerTarget {
	return {
		kind: server.kind,
		wsUrl: server.wsUrl,
		documents: server.documents,
		tokens: server.tokens,
	};
}
