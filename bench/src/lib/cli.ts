/**
 * `pnpm switchboard <args>` as an operator runs it, in a child process on the load core,
 * timed, with its peak memory: the import and invite scenarios measure the command whole.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CLI_NODE_FLAGS } from "@switchboard/server/run-cli";
import { Cores, pinned } from "./proc.ts";

const CLI = fileURLToPath(new URL("../../../apps/server/src/cli.js", import.meta.url));

export interface CliRun {
	ms: number;
	/** Peak resident memory of the command, from /usr/bin/time; null without it. */
	peakKiB: number | null;
	stdout: string;
	stderr: string;
}

/** Run the CLI with `env` added to this process's environment; rejects when it fails. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
	const timed = ["/usr/bin/time", "-f", "peak-kib=%M"];
	const { command, args: full } = pinned(Cores.load, [...CLI_NODE_FLAGS, CLI, ...args]);
	const started = performance.now();
	return new Promise((resolve, reject) => {
		execFile(
			timed[0] as string,
			[...timed.slice(1), command, ...full],
			{ env: { ...process.env, LOG_LEVEL: "warn", ...env }, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const ms = performance.now() - started;
				if (error) reject(new Error(`switchboard ${args[0]} failed: ${stderr.slice(-2000)}`));
				const peak = /peak-kib=(\d+)/.exec(stderr)?.[1];
				resolve({ ms, peakKiB: peak ? Number(peak) : null, stdout, stderr });
			},
		);
	});
}
