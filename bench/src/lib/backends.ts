/**
 * What PostgreSQL and Redis did during a window, read from their own counters with their
 * command-line clients (`psql`, `redis-cli`), so that a scenario can say what a load costs
 * the shared backends and not only the server processes: commits, rows written and WAL
 * bytes of the database, and Redis commands, publishes and bytes. Both are shared by
 * everything on this machine: the figures are the load's only under the exclusive lock.
 * Null when a client is missing or fails.
 */
import { execFile } from "node:child_process";

export interface BackendSample {
	/** Transactions committed in the benchmark's database. */
	commits: number;
	/** Rows inserted, updated and deleted in it. */
	rowsWritten: number;
	/** WAL position of the cluster, in bytes (every database's writes). */
	walBytes: number;
	/** Redis, when the run uses it. */
	redis: { commands: number; publishes: number; bytesIn: number; bytesOut: number } | null;
}

export interface BackendWindow {
	seconds: number;
	commitsPerSecond: number;
	rowsWrittenPerSecond: number;
	walBytesPerSecond: number;
	redisCommandsPerSecond: number | null;
	redisPublishesPerSecond: number | null;
	/** Bytes Redis sent to its subscribers and clients per second. */
	redisBytesOutPerSecond: number | null;
}

function run(command: string, args: string[]): Promise<string | null> {
	return new Promise((resolve) => {
		execFile(command, args, { timeout: 10_000 }, (error, stdout) =>
			resolve(error ? null : stdout.toString()),
		);
	});
}

function field(text: string, name: string): number {
	return Number(new RegExp(`^${name}:(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
}

async function sample(databaseUrl: string, redisUrl: string | null): Promise<BackendSample | null> {
	const pg = await run("psql", [
		databaseUrl,
		"-Atc",
		"select xact_commit, tup_inserted + tup_updated + tup_deleted, pg_current_wal_lsn() - '0/0' from pg_stat_database where datname = current_database()",
	]);
	if (!pg) return null;
	const [commits, rows, wal] = pg.trim().split("|").map(Number);
	let redis: BackendSample["redis"] = null;
	if (redisUrl) {
		const info = await run("redis-cli", ["-u", redisUrl, "INFO", "all"]);
		if (info) {
			redis = {
				commands: field(info, "total_commands_processed"),
				publishes: Number(/^cmdstat_publish:calls=(\d+)/m.exec(info)?.[1] ?? 0),
				bytesIn: field(info, "total_net_input_bytes"),
				bytesOut: field(info, "total_net_output_bytes"),
			};
		}
	}
	return { commits: commits ?? 0, rowsWritten: rows ?? 0, walBytes: wal ?? 0, redis };
}

/** Samples the backends at `start()` and `stop()`; PostgreSQL flushes its statistics within a second. */
export class BackendWatch {
	private readonly databaseUrl: string;
	private readonly redisUrl: string | null;
	private first: { at: number; sample: BackendSample | null } | null = null;

	constructor(databaseUrl: string, redisUrl: string | null) {
		this.databaseUrl = databaseUrl;
		this.redisUrl = redisUrl;
	}

	async start(): Promise<void> {
		this.first = { at: performance.now(), sample: await sample(this.databaseUrl, this.redisUrl) };
	}

	async stop(): Promise<BackendWindow | null> {
		const first = this.first;
		const last = await sample(this.databaseUrl, this.redisUrl);
		if (!first?.sample || !last) return null;
		const seconds = (performance.now() - first.at) / 1000;
		const rate = (a: number, b: number) => (b - a) / seconds;
		const before = first.sample.redis;
		const after = last.redis;
		const redis = before && after ? { before, after } : null;
		return {
			seconds,
			commitsPerSecond: rate(first.sample.commits, last.commits),
			rowsWrittenPerSecond: rate(first.sample.rowsWritten, last.rowsWritten),
			walBytesPerSecond: rate(first.sample.walBytes, last.walBytes),
			redisCommandsPerSecond: redis ? rate(redis.before.commands, redis.after.commands) : null,
			redisPublishesPerSecond: redis ? rate(redis.before.publishes, redis.after.publishes) : null,
			redisBytesOutPerSecond: redis ? rate(redis.before.bytesOut, redis.after.bytesOut) : null,
		};
	}
}
