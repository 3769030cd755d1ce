/**
 * For tests: `switchboard …` as a user runs it, a child process configured from the
 * environment like the server, on a data folder of the test's choosing.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_NODE_FLAGS } from "./node-flags.ts";

const CLI = fileURLToPath(new URL("./cli.js", import.meta.url));

/** Node's flags for the CLI, as `pnpm switchboard` passes them (see node-flags.ts). */
export { CLI_NODE_FLAGS };

/** Writes a file for the CLI to read (a CSV to import or invite from) into `folder`; its path. */
export async function inputFile(
	folder: string,
	name: string,
	lines: readonly string[],
): Promise<string> {
	const path = join(folder, name);
	await writeFile(path, lines.join("\n"));
	return path;
}

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

/**
 * Run the CLI on `dataDir`, with `env` added to its environment; `timeoutMs` is a backstop
 * for a machine busy with other work.
 */
export function runCli(
	args: string[],
	dataDir: string,
	options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			[...CLI_NODE_FLAGS, CLI, ...args],
			{
				env: {
					PATH: process.env.PATH,
					DATA_DIR: dataDir,
					SWITCHBOARD_SECRET: "cli-test-secret-cli-test-secret-0123456789",
					LOG_LEVEL: "warn",
					...options.env,
				},
				timeout: options.timeoutMs ?? 300_000,
				maxBuffer: 16 * 1024 * 1024,
			},
			(error, stdout, stderr) =>
				resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
		);
	});
}
