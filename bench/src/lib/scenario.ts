/**
 * The contract between the runner and each scenario module (bench/src/scenarios/NN-name.ts).
 * A scenario starts its own servers and load generators, measures, stops them, and returns
 * rows; the runner writes them, with ratios against the baselines, to docs/BENCHMARKS.md.
 */

export interface BenchContext {
	/** `pnpm bench --full`: the sizes the issue names; otherwise a quick version. */
	full: boolean;
	/** How many times to repeat each measurement (quick 3, full 5); report the median. */
	repeats: number;
	/**
	 * Admin URL of PostgreSQL. Each Switchboard start gets a fresh database of its own
	 * (servers.ts does it with createTestDatabase from @switchboard/storage/test-database).
	 */
	databaseUrl: string;
	/** Redis, for scenarios with two Switchboard instances. */
	redisUrl: string;
	/**
	 * `pnpm bench --cpu-prof`: the folder where servers write V8 CPU profiles (pass it to
	 * startServer as `cpuProfileDir` for Switchboard); undefined otherwise.
	 */
	cpuProfileDir?: string;
	/** Progress for the person watching the run (stderr); not part of the report. */
	log(message: string): void;
}

/** One line of the table: a metric as measured on Switchboard and on each baseline. */
export interface BenchRow {
	/** What was measured, with its size, e.g. "p99 delivery, 200 readers". */
	metric: string;
	/** "ms", "µs/msg", "MiB", "KiB", "msg/s", "x", … */
	unit: string;
	switchboard: number | null;
	/** Bare @hocuspocus/server with its defaults; null when not applicable. */
	hocuspocus: number | null;
	/** @y/websocket-server; null when not applicable. */
	yWebsocket: number | null;
	/** The target in words, e.g. "< 50 ms" or "<= 1.1x bare Hocuspocus". */
	target?: string;
	/** Whether Switchboard met the target in this run; null when it could not be judged. */
	met?: boolean | null;
}

/** A row measured on Switchboard alone: no baseline does the same thing. */
export function switchboardOnly(
	metric: string,
	unit: string,
	value: number | null,
	judged: Pick<BenchRow, "target" | "met"> = {},
): BenchRow {
	return { metric, unit, switchboard: value, hocuspocus: null, yWebsocket: null, ...judged };
}

/** A scenario's size for a quick run and for `pnpm bench --full` (the sizes the issue names). */
export interface Sizes<Size> {
	quick: Size;
	full: Size;
}

export interface Scenario<Size = undefined> {
	/** 1..11, the number in the issue. */
	id: number;
	/** Short title, e.g. "Hot draft". */
	title: string;
	/**
	 * The numbers that set how big the run is, quick and full side by side in one place. The
	 * runner logs the one it picks and hands it to `run`; without `sizes`, `run` reads
	 * `ctx.full` itself.
	 */
	sizes?: Sizes<Size>;
	/**
	 * How the scenario measures, in a sentence or two for the report, below the line that
	 * says when it was measured (e.g. the unmeasured warm-up it runs first, and how).
	 */
	describe?(ctx: BenchContext): string;
	/** How many runs `run` takes the median of, when not `ctx.repeats`: the report says so. */
	repeats?(ctx: BenchContext): number;
	run(ctx: BenchContext, size: Size): Promise<BenchRow[]>;
}

/** Declares a scenario, inferring its size type from `sizes`. */
export function defineScenario<Size = undefined>(scenario: Scenario<Size>): Scenario<Size> {
	return scenario;
}
