/**
 * Switchboard in a child process, as `pnpm start` runs it, so tests can kill it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../apps/server/src/main.ts", import.meta.url));

export interface ChildServer {
	url: string;
	wsUrl: string;
	process: ChildProcess;
	/** Everything the process printed, for failure messages. */
	output(): string;
	kill(signal: NodeJS.Signals): Promise<number | null>;
}

export function startChildServer(env: Record<string, string>): Promise<ChildServer> {
	const child = spawn(process.execPath, [MAIN], {
		env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	const exited = new Promise<number | null>((resolve) =>
		child.once("exit", (code) => resolve(code)),
	);
	return new Promise((resolve, reject) => {
		// Generous: on a machine busy with other work a start takes minutes, and a hang shows its output.
		const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 300_000);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /Switchboard is running at (http:\/\/\S+)/.exec(output);
			if (match?.[1]) {
				clearTimeout(timer);
				const url = match[1];
				resolve({
					url,
					wsUrl: `${url.replace("http", "ws")}/sync`,
					process: child,
					output: () => output,
					kill: async (signal) => {
						child.kill(signal);
						return exited;
					},
				});
			}
		};
		child.stdout.on("data", onData);
		child.stderr.on("data", (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.once("exit", (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code} before it started:\n${output}`));
		});
	});
}

export async function login(
	url: string,
	email: string,
	password: string,
): Promise<{ token: string; member: { id: string; orgId: string } }> {
	const response = await fetch(`${url}/api/auth/login`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ email, password }),
	});
	if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
	return (await response.json()) as { token: string; member: { id: string; orgId: string } };
}
