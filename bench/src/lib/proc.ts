/**
 * What the kernel knows about a process: CPU time from /proc/<pid>/stat, resident memory
 * from /proc/<pid>/status. Linux only; elsewhere the figures are null.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

export interface ProcSample {
	/** performance.now() of the sample, in ms. */
	at: number;
	/** User plus system CPU time since the process started, in ms (10 ms resolution). */
	cpuMs: number;
	/** The user-space part of cpuMs (the rest is the kernel's: system calls, TCP on loopback). */
	userMs: number;
	/** Resident memory now (VmRSS), in KiB. */
	rssKiB: number;
	/** Highest resident memory so far (VmHWM), in KiB. */
	peakRssKiB: number;
}

let clockTicks: number | null = null;

function ticksPerSecond(): number {
	if (clockTicks === null) {
		try {
			clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
		} catch {
			clockTicks = 100;
		}
	}
	return clockTicks;
}

function statusKiB(status: string, field: string): number {
	const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
	return match?.[1] ? Number(match[1]) : 0;
}

/** Sample a process; throws when it is gone. */
export function sampleProcess(pid: number): ProcSample {
	const at = performance.now();
	const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
	// The command name may hold spaces and parentheses: fields start after the last ")".
	const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
	// After the name: state is field 3, utime field 14, stime field 15 (1-based, man 5 proc).
	const utime = Number(fields[11]);
	const stime = Number(fields[12]);
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	return {
		at,
		cpuMs: ((utime + stime) * 1000) / ticksPerSecond(),
		userMs: (utime * 1000) / ticksPerSecond(),
		rssKiB: statusKiB(status, "VmRSS"),
		peakRssKiB: statusKiB(status, "VmHWM"),
	};
}

/**
 * CPU time of each thread of a process, in ns, by thread id: the scheduler's own clock
 * (`/proc/<pid>/task/<tid>/schedstat`, its first field), where /proc/<pid>/stat counts in
 * clock ticks of 10 ms. A 1.5 s window of a server at 10 % CPU is 15 ticks, so the ticks
 * alone moved CPU per delivered update by steps of 7 % (bench/findings/01.md). Null where
 * the kernel does not offer it.
 */
export function threadCpuNs(pid: number): Map<number, number> | null {
	try {
		const threads = new Map<number, number>();
		for (const tid of readdirSync(`/proc/${pid}/task`)) {
			try {
				const runtime = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0];
				threads.set(Number(tid), Number(runtime));
			} catch {
				// The thread ended meanwhile.
			}
		}
		return threads.size > 0 ? threads : null;
	} catch {
		return null;
	}
}

/**
 * CPU time between two `threadCpuNs` readings, in ms: what each thread alive at the end
 * spent since the first (all of it for a thread started since). A thread that ended in
 * between is missed, which the servers measured here (Node's long-lived threads) do not do.
 */
export function threadCpuMsBetween(first: Map<number, number>, last: Map<number, number>): number {
	let ns = 0;
	for (const [tid, runtime] of last) ns += runtime - (first.get(tid) ?? 0);
	return ns / 1e6;
}

/** Whether processes can be pinned to the server core and the load core. */
export function canPin(): boolean {
	return (
		process.platform === "linux" &&
		availableParallelism() >= 2 &&
		(existsSync("/usr/bin/taskset") || existsSync("/bin/taskset"))
	);
}

/** Cores: servers on 0, load generators on 1 (the issue: pin them apart where possible). */
export const Cores = { server: "0", load: "1" } as const;

/** The command that starts `node args` pinned to `core` when pinning is possible. */
export function pinned(core: string, nodeArgs: string[]): { command: string; args: string[] } {
	if (!canPin()) return { command: process.execPath, args: nodeArgs };
	return { command: "taskset", args: ["-c", core, process.execPath, ...nodeArgs] };
}

/** The machine's busy and total jiffies so far, summed over its cores (/proc/stat); null off Linux. */
function machineJiffies(): { busy: number; total: number } | null {
	if (!existsSync("/proc/stat")) return null;
	const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
	const fields = line.trim().split(/\s+/).slice(1).map(Number);
	// user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
	const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
	const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
	return { busy: total - idle, total };
}

/**
 * Waits until the machine's cores were less than `busyShare` busy over one `stepMs`, or
 * `maxMs` passed; how long it waited, and the last step's busy share (null off Linux). For a
 * measurement that must not run beside the tail of the one before it: a server's work after
 * its last answer, PostgreSQL's writes and checkpoint after a database is dropped.
 */
export async function untilMachineIdle(
	options: { busyShare?: number; stepMs?: number; maxMs?: number } = {},
): Promise<{ waitedMs: number; busyShare: number | null }> {
	const { busyShare = 0.15, stepMs = 500, maxMs = 20_000 } = options;
	const started = performance.now();
	let last: number | null = null;
	for (let before = machineJiffies(); before; ) {
		await new Promise((resolve) => setTimeout(resolve, stepMs));
		const after = machineJiffies();
		if (!after) break;
		last = (after.busy - before.busy) / Math.max(1, after.total - before.total);
		if (last < busyShare || performance.now() - started >= maxMs) break;
		before = after;
	}
	return { waitedMs: performance.now() - started, busyShare: last };
}
