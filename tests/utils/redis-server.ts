/**
 * A redis-server of the test's own on a free port, for tests that stop Redis or cut it
 * off: the shared one other test files use is never touched.
 */
import { type ChildProcess, spawn } from "node:child_process";

export async function startRedis(port: number): Promise<ChildProcess> {
	const child = spawn(
		"redis-server",
		["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
		{ stdio: ["ignore", "pipe", "pipe"] },
	);
	let output = "";
	await new Promise<void>((resolve, reject) => {
		child.stdout?.on("data", (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes("Ready to accept connections")) resolve();
		});
		child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
	});
	return child;
}

export async function stopRedis(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once("exit", resolve));
	child.kill("SIGKILL");
	await exited;
}
