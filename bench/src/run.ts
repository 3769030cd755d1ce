/**
 * `pnpm bench [--full] [--only 1,3] [--repeats N] [--out FILE] [--cpu-prof]`: run the
 * scenarios in bench/src/scenarios (each module's default export is a Scenario), in
 * order of id, and write their tables to docs/BENCHMARKS.md.
 * `pnpm bench --findings` runs nothing: it copies bench/findings/NN.md into the report.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Cores, canPin } from "./lib/proc.ts";
import {
	header,
	machineInfo,
	mergeReport,
	readIfExists,
	type ScenarioResult,
} from "./lib/report.ts";
import type { BenchContext, Scenario } from "./lib/scenario.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const benchDir = fileURLToPath(new URL("..", import.meta.url));

const { values } = parseArgs({
	options: {
		full: { type: "boolean", default: false },
		only: { type: "string" },
		repeats: { type: "string" },
		out: { type: "string" },
		"cpu-prof": { type: "boolean", default: false },
		findings: { type: "boolean", default: false },
	},
	allowPositionals: false,
});

const full = values.full ?? false;
const only = values.only ? new Set(values.only.split(",").map((id) => Number(id.trim()))) : null;
const repeats = values.repeats ? Number(values.repeats) : full ? 5 : 3;
const out = values.out ?? join(root, "docs/BENCHMARKS.md");
const command = ["pnpm bench", ...process.argv.slice(2)].join(" ");

function log(message: string): void {
	const time = new Date().toISOString().slice(11, 19);
	process.stderr.write(`[${time}] ${message}\n`);
}

async function loadScenarios(): Promise<Scenario<unknown>[]> {
	const folder = join(benchDir, "src/scenarios");
	const files = readdirSync(folder).filter((file) => /^\d\d-.*\.ts$/.test(file));
	const scenarios: Scenario<unknown>[] = [];
	for (const file of files) {
		const module = (await import(pathToFileURL(join(folder, file)).href)) as {
			default?: Scenario<unknown>;
		};
		if (module.default && typeof module.default.run === "function") scenarios.push(module.default);
	}
	return scenarios.sort((a, b) => a.id - b.id);
}

function versions(): Record<string, string> {
	// Read the installed package.json files directly: not every package exports its own.
	const version = (name: string) => {
		const path = join(benchDir, "node_modules", name, "package.json");
		return (JSON.parse(readIfExists(path) ?? "{}") as { version?: string }).version ?? "?";
	};
	return Object.fromEntries(
		["@hocuspocus/server", "@hocuspocus/provider", "@y/websocket-server", "y-websocket", "yjs"].map(
			(name) => [name, version(name)],
		),
	);
}

/** A scenario's findings: `findings/NN.md`, then each `findings/NN-*.md` (one per change) in name order. */
function findingsOf(id: number): string | null {
	const prefix = String(id).padStart(2, "0");
	const folder = join(benchDir, "findings");
	const files = [
		`${prefix}.md`,
		...readdirSync(folder)
			.filter((file) => file.startsWith(`${prefix}-`) && file.endsWith(".md"))
			.sort(),
	];
	const parts = files.map((file) => readIfExists(join(folder, file))).filter((text) => text);
	return parts.length > 0 ? parts.map((text) => text?.trimEnd()).join("\n\n") : null;
}

if (values.findings) {
	const previous = readIfExists(out);
	if (!previous) {
		log(`${out} does not exist yet: run the benchmarks first`);
		process.exit(1);
	}
	const head = previous.slice(0, previous.search(/<!-- scenario \d+ -->/));
	writeFileSync(out, mergeReport(previous, `${head.trimEnd()}\n`, [], findingsOf));
	log(`copied the findings into ${out}`);
	process.exit(0);
}

const scenarios = (await loadScenarios()).filter((s) => !only || only.has(s.id));
if (scenarios.length === 0) {
	log("no scenario to run");
	process.exit(1);
}
const context: BenchContext = {
	full,
	repeats,
	databaseUrl:
		process.env.BENCH_DATABASE_URL ??
		process.env.TEST_DATABASE_URL ??
		"postgres://root@127.0.0.1:5432/test",
	redisUrl: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
	...(values["cpu-prof"] ? { cpuProfileDir: join(benchDir, "profiles") } : {}),
	log,
};
const pinning = canPin()
	? `servers pinned to core ${Cores.server}, load generators to core ${Cores.load} (taskset)`
	: "not pinned (taskset or a second core is missing)";
log(`${full ? "full" : "quick"} run of ${scenarios.map((s) => s.id).join(", ")}; ${pinning}`);

const machine = machineInfo(pinning, out);
const results: ScenarioResult[] = [];
const started = performance.now();
for (const scenario of scenarios) {
	const size = scenario.sizes?.[full ? "full" : "quick"];
	log(`scenario ${scenario.id}: ${scenario.title}${size ? ` (${JSON.stringify(size)})` : ""}`);
	const t0 = performance.now();
	const result: ScenarioResult = {
		id: scenario.id,
		title: scenario.title,
		rows: [],
		command,
		at: new Date().toISOString(),
		commit: machine.commit,
		load: loadavg()[0],
		repeats: scenario.repeats?.(context) ?? repeats,
		full,
		seconds: 0,
	};
	const description = scenario.describe?.(context);
	if (description) result.description = description;
	try {
		result.rows = await scenario.run(context, size);
	} catch (error) {
		result.error = error instanceof Error ? error.message.split("\n")[0] : String(error);
		log(`scenario ${scenario.id} failed: ${error instanceof Error ? error.stack : String(error)}`);
	}
	result.seconds = (performance.now() - t0) / 1000;
	const findings = findingsOf(scenario.id);
	if (findings) result.findings = findings;
	results.push(result);
	log(`scenario ${scenario.id} took ${Math.round(result.seconds)} s`);
	// Write after every scenario: a long run that breaks later keeps what it measured.
	writeFileSync(
		out,
		mergeReport(readIfExists(out), header(machine, versions()), [result], findingsOf),
	);
}
log(`done in ${Math.round((performance.now() - started) / 1000)} s; wrote ${out}`);
process.exit(results.some((r) => r.error) ? 1 : 0);
