/**
 * What the kernel knows about a process: CPU time from /proc/<pid>/stat, resident memory
 * from /proc/<pid>/status. Linux only; elsewhere the figures are null.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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
