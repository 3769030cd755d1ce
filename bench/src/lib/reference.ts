/**
 * How fast the machine is right now: the fixed workload of _reference-workload.ts, pinned to
 * the load core, in milliseconds. A figure measured on this shared machine moves with it (the
 * workload and the import on its own rose together by 40–50 % within minutes, nothing else
 * running here); the report puts this next to such a figure so that runs can be compared.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Cores, pinned } from "./proc.ts";

const WORKLOAD = fileURLToPath(new URL("./_reference-workload.ts", import.meta.url));

export function referenceWorkloadMs(): Promise<number> {
	const { command, args } = pinned(Cores.load, [WORKLOAD]);
	return new Promise((resolve, reject) => {
		execFile(command, args, (error, stdout, stderr) => {
			if (error) return reject(new Error(`the reference workload failed: ${stderr}`));
			const ms = Number(stdout.trim());
			if (!Number.isFinite(ms)) return reject(new Error(`the reference workload said ${stdout}`));
			resolve(ms);
		});
	});
}
