/**
 * Scenario 11, an organisation comes in (issue 12): invitations imported from a CSV of
 * employees, in rows per second, through the admin's HTTP route and through
 * `pnpm switchboard invite` (by the running server's admin channel, and on its own on an
 * embedded database, with the command's peak memory), then a burst of members signing in
 * at once. Quick: 1,000 rows and 100 members; `--full`: 10,000 rows and 1,000 members.
 *
 * Sign-in is bounded by its password hashing, by design: scrypt with N=2^17 (about a third
 * of a second of a core per hash) and at most two hashes at a time (`defaultHashingLimits`).
 * The bound printed next to each figure is that work (the hashes' CPU time) divided by the
 * hashes the server can run at once here: its two-hash limit, or its cores when fewer (one
 * when pinned).
 * No baseline: bare servers have no members.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { defaultHashingLimits, hashPassword, SCRYPT_PARAMETERS } from "@switchboard/server";
import { openStorage } from "@switchboard/storage";
import { runCli } from "../lib/cli.ts";
import { runLoad } from "../lib/load.ts";
import { ServerWatch } from "../lib/measure.ts";
import { Cores, canPin, pinned } from "../lib/proc.ts";
import { type BenchRow, defineScenario, switchboardOnly } from "../lib/scenario.ts";
import { BENCH_ORG, BENCH_SECRET, createBenchAdmin } from "../lib/seed.ts";
import { startServer } from "../lib/servers.ts";
import { median, percentile } from "../lib/stats.ts";
import type { SignInParams, SignInResult } from "./_11-sign-in-load.ts";

const LOAD = new URL("./_11-sign-in-load.ts", import.meta.url);
const PASSWORD = "a benchmark passphrase of one's own";
/** The "10,000 rows in well under a minute". */
const ROWS_TARGET_SECONDS = 60;
/** Rows in each imported CSV, and members who then sign in at once. */
const SIZES = {
	quick: { rowsPerImport: 1_000, members: 100 },
	full: { rowsPerImport: 10_000, members: 1_000 },
};

/** A CSV of `rows` employees whose emails start with `prefix`. */
function employees(prefix: string, rows: number): string {
	const lines = ["email,name,role,capacity,skills,languages"];
	for (let i = 0; i < rows; i++) {
		lines.push(
			`${prefix}${i}@${BENCH_ORG}.test,Person ${prefix}${i},ambassador,5,billing;shipping,en;fr`,
		);
	}
	return `${lines.join("\n")}\n`;
}

/**
 * Wall time of one password hash on the server's core (median of three), as the server
 * computes it, measured while the server is idle: the unit of the sign-in bound.
 */
function hashMsOnServerCore(): Promise<{ wallMs: number; cpuMs: number }> {
	const { N, r, p } = SCRYPT_PARAMETERS;
	const code = `import { scryptSync, randomBytes } from "node:crypto";
const times = [];
const cpu = process.cpuUsage();
for (let i = 0; i < 3; i++) {
	const t = performance.now();
	scryptSync("password", randomBytes(16), 64, { N: ${N}, r: ${r}, p: ${p}, maxmem: ${256 * 1024 * 1024} });
	times.push(performance.now() - t);
}
const used = process.cpuUsage(cpu);
console.log(times.sort((a, b) => a - b)[1], (used.user + used.system) / 3000);`;
	const { command, args } = pinned(Cores.server, ["--input-type=module", "-e", code]);
	return new Promise((resolve, reject) => {
		execFile(command, args, (error, stdout) => {
			if (error) reject(error);
			else {
				const [wallMs, cpuMs] = stdout.trim().split(" ").map(Number);
				resolve({ wallMs: wallMs ?? Number.NaN, cpuMs: cpuMs ?? Number.NaN });
			}
		});
	});
}

const scenario = defineScenario({
	id: 11,
	title: "An organisation comes in",
	sizes: SIZES,
	async run(ctx, { rowsPerImport, members }) {
		const rows: BenchRow[] = [];
		const server = await startServer("switchboard", {
			databaseUrl: ctx.databaseUrl,
			documents: 0,
			members: 0,
			// Members sign in from addresses of their own, named by the proxy in front.
			env: { SWITCHBOARD_RATE_TRUSTED_PROXIES: "1" },
			...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
		});
		const folder = await mkdtemp(join(tmpdir(), "switchboard-bench-people-"));
		try {
			const databaseUrl = server.databaseUrl as string;
			const token = await createBenchAdmin(databaseUrl);
			const rate = (count: number, ms: number) => count / (ms / 1000);
			const importRow = (how: string, perSecond: number[]) => {
				const value = median(perSecond);
				return switchboardOnly(
					`invitations imported, ${rowsPerImport.toLocaleString("en-GB")} rows, ${how}`,
					"rows/s",
					value,
					{
						target: `>= ${Math.round(10_000 / ROWS_TARGET_SECONDS)}/s (10,000 in a minute)`,
						met: value === null ? null : value >= 10_000 / ROWS_TARGET_SECONDS,
					},
				);
			};

			// The admin screen's route: one request, the CSV checked whole and stored.
			const http: number[] = [];
			const httpCpu: number[] = [];
			for (let repeat = 0; repeat < ctx.repeats; repeat++) {
				const watch = new ServerWatch(server);
				watch.start();
				const started = performance.now();
				const answer = await fetch(`${server.url}/api/orgs/${BENCH_ORG}/invites/csv`, {
					method: "POST",
					headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
					body: JSON.stringify({ csv: employees(`http${repeat}-`, rowsPerImport) }),
				});
				const made = ((await answer.json()) as { invites?: unknown[] }).invites?.length ?? 0;
				const ms = performance.now() - started;
				const { cpuMs } = watch.stop();
				if (answer.status !== 201 || made !== rowsPerImport) {
					throw new Error(`the CSV route answered ${answer.status} with ${made} invitations`);
				}
				http.push(rate(rowsPerImport, ms));
				httpCpu.push(cpuMs / rowsPerImport);
			}
			ctx.log(`CSV route: ${median(http)?.toFixed(0)} rows/s`);
			rows.push(
				importRow("HTTP CSV route (PostgreSQL)", http),
				switchboardOnly("server CPU per imported row, HTTP CSV route", "ms", median(httpCpu)),
			);

			// The command line through the running server's admin channel, after a first run that
			// builds and compiles its bundle as an installed command line has (scenario 6 too).
			await runCli(["help"], {});
			const serverDir = server.dataDir as string;
			const viaServer: number[] = [];
			for (let repeat = 0; repeat < ctx.repeats; repeat++) {
				const file = join(folder, `channel-${repeat}.csv`);
				await writeFile(file, employees(`cli${repeat}-`, rowsPerImport));
				const run = await runCli(["invite", file, "--org", BENCH_ORG], {
					DATA_DIR: serverDir,
					DATABASE_URL: databaseUrl,
					SWITCHBOARD_SECRET: BENCH_SECRET,
				});
				if (!run.stderr.includes("Through the running server")) {
					throw new Error(`the command did not go through the server: ${run.stderr.slice(0, 500)}`);
				}
				viaServer.push(rate(rowsPerImport, run.ms));
			}
			ctx.log(`CLI through the server: ${median(viaServer)?.toFixed(0)} rows/s`);
			rows.push(importRow("pnpm switchboard invite through the running server", viaServer));

			// The command line on its own, on an embedded database (a fresh install's default).
			const embedded = join(folder, "embedded");
			const embeddedEnv = { DATA_DIR: embedded, SWITCHBOARD_DEMO: "0" };
			await runCli(
				["setup", "--org", BENCH_ORG, "--name", "Acme", "--admin", `first@${BENCH_ORG}.test`],
				embeddedEnv,
			);
			const direct: number[] = [];
			const peaks: number[] = [];
			for (let repeat = 0; repeat < ctx.repeats; repeat++) {
				const file = join(folder, `direct-${repeat}.csv`);
				await writeFile(file, employees(`direct${repeat}-`, rowsPerImport));
				const run = await runCli(["invite", file, "--org", BENCH_ORG], embeddedEnv);
				direct.push(rate(rowsPerImport, run.ms));
				if (run.peakKiB !== null) peaks.push(run.peakKiB / 1024);
			}
			ctx.log(`CLI on PGlite: ${median(direct)?.toFixed(0)} rows/s, peak ${median(peaks)} MiB`);
			rows.push(
				importRow("pnpm switchboard invite on its own (PGlite, with its start)", direct),
				switchboardOnly(
					"peak memory of that command (RSS, PGlite open included)",
					"MiB",
					median(peaks),
				),
			);

			// Sign-in burst: members with their own password (hashed once: the same work to check).
			const passwordHash = await hashPassword(PASSWORD);
			// The unit of the bound is a hash's CPU time: its wall time on a core that others
			// share too (this machine's case) measures them as much as the hash.
			const hash = await hashMsOnServerCore();
			const perHash = hash.cpuMs;
			const storage = await openStorage({ databaseUrl });
			try {
				for (let i = 0; i < members; i++) {
					await storage.createMember({
						orgId: BENCH_ORG,
						email: `member${i}@${BENCH_ORG}.test`,
						name: `Member ${i}`,
						role: "ambassador",
						capacity: 5,
						passwordHash,
					});
				}
			} finally {
				await storage.close();
			}
			const watch = new ServerWatch(server);
			let cpuMs = 0;
			const burst = await runLoad<SignInParams, SignInResult>(
				LOAD,
				{
					url: server.url,
					emailPrefix: "member",
					domain: `${BENCH_ORG}.test`,
					password: PASSWORD,
					members,
					deadlineMs: 15 * 60_000,
				},
				{
					log: ctx.log,
					onMark(name) {
						if (name === "start") watch.start();
						if (name === "stop") cpuMs = watch.stop().cpuMs;
					},
				},
			);
			if (Object.keys(burst.other).length > 0) {
				ctx.log(`sign-in refusals: ${JSON.stringify(burst.other)}`);
			}
			// The physical bound: every check is one scrypt hash, at most `parallel` at once.
			const serverCores = canPin() ? 1 : availableParallelism();
			const parallel = Math.min(defaultHashingLimits.concurrency, serverCores);
			const boundSeconds = (share: number) =>
				(Math.ceil(members * share) * perHash) / parallel / 1000;
			const at = `${members.toLocaleString("en-GB")} members at once`;
			const signIn = (metric: string, unit: string, value: number | null) =>
				switchboardOnly(`${metric}, ${at}`, unit, value);
			/** A time, and next to it the least it can be: that many hashes, `parallel` at a time. */
			const timed = (metric: string, seconds: number, share: number) => [
				signIn(metric, "s", seconds),
				switchboardOnly(
					`${metric}: bound (${Math.ceil(members * share)} hashes × ${perHash.toFixed(0)} ms of CPU / ${parallel} at once)`,
					"s",
					boundSeconds(share),
				),
			];
			ctx.log(
				`sign-in: ${burst.signedIn}/${members} in ${(burst.allMs / 1000).toFixed(1)} s; 503 ×${burst.answered503}, 429 ×${burst.answered429}; one hash ${perHash.toFixed(0)} ms (N=2^${Math.log2(SCRYPT_PARAMETERS.N)}), ${parallel} at once`,
			);
			rows.push(
				...timed("p50 time to signed in", percentile(burst.latencyMs, 50) / 1000, 0.5),
				...timed("p99 time to signed in", percentile(burst.latencyMs, 99) / 1000, 0.99),
				...timed("all signed in after", burst.allMs / 1000, 1),
				switchboardOnly(`signed in, ${at}`, "count", burst.signedIn, {
					target: String(members),
					met: burst.signedIn === members,
				}),
				signIn("answered 503 (hasher busy, retried after Retry-After)", "count", burst.answered503),
				signIn("answered 429", "count", burst.answered429),
				signIn(
					"requests without an answer (connection failed), made again",
					"count",
					burst.networkErrors,
				),
				signIn("server CPU per sign-in", "ms", cpuMs / Math.max(1, burst.signedIn)),
				switchboardOnly(
					"one scrypt hash (N=2^17, r=8, p=1) on the server's core, idle server: wall time",
					"ms",
					hash.wallMs,
				),
				switchboardOnly("one scrypt hash: CPU time", "ms", hash.cpuMs),
			);
		} finally {
			await server.stop();
			await rm(folder, { recursive: true, force: true });
		}
		return rows;
	},
});

export default scenario;
