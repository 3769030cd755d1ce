/**
 * Load generators in child processes pinned to the load core, apart from the server's.
 * A task is a module whose default export is a `LoadTask`; it runs in the child with its
 * parameters (plain data) and reports phases through `control.mark`, which waits for the
 * parent's answer, so the parent can sample the server exactly between phases.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Cores, pinned } from "./proc.ts";

export interface LoadControl {
	/**
	 * Tell the parent that a phase was reached (e.g. "connected", "measuring", "done") and
	 * wait for its answer: whatever its `onMark` returns.
	 */
	mark(name: string, data?: unknown): Promise<unknown>;
	/** Progress, passed on to the runner's log. */
	log(message: string): void;
}

/** The default export of a load task module. */
export type LoadTask<Params, Result> = (params: Params, control: LoadControl) => Promise<Result>;

/** Messages from the parent to the child. */
export type ToChild =
	| { type: "start"; task: string; params: unknown }
	| { type: "answer"; id: number; value: unknown };

/** Messages from the child to the parent. */
export type ToParent =
	| { type: "mark"; id: number; name: string; data: unknown }
	| { type: "log"; message: string }
	| { type: "result"; value: unknown }
	| { type: "error"; message: string };

export interface RunLoadOptions {
	/** Answer a phase mark; the child waits for it. */
	onMark?(name: string, data: unknown): unknown;
	log?(message: string): void;
	/** Extra Node flags of the load process. */
	nodeArgs?: string[];
	/** Kill the load process after this long. @default 600000 */
	timeoutMs?: number;
}

const CHILD = fileURLToPath(new URL("./load-child.ts", import.meta.url));

/** Run a load task in a child process pinned to the load core; resolves with its result. */
export function runLoad<Params, Result>(
	task: URL,
	params: Params,
	options: RunLoadOptions = {},
): Promise<Result> {
	const { command, args } = pinned(Cores.load, [
		// Thousands of sockets: room for their buffers.
		"--max-old-space-size=4096",
		...(options.nodeArgs ?? []),
		// BENCH_LOAD_CPU_PROF=folder profiles the load processes, to tell whether they limit a figure.
		...(process.env.BENCH_LOAD_CPU_PROF
			? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_LOAD_CPU_PROF}`]
			: []),
		CHILD,
	]);
	const child = spawn(command, args, {
		stdio: ["ignore", "inherit", "inherit", "ipc"],
		serialization: "advanced",
	});
	return new Promise<Result>((resolve, reject) => {
		let settled = false;
		const finish = (error: Error | null, value?: Result) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			// A child that delivered its result leaves by itself (writing its profile, if any).
			const alive = () => child.exitCode === null && child.signalCode === null;
			if (error && alive()) child.kill("SIGKILL");
			else setTimeout(() => alive() && child.kill("SIGKILL"), 5_000).unref();
			if (error) reject(error);
			else resolve(value as Result);
		};
		const timer = setTimeout(
			() => finish(new Error(`load task ${task.pathname} timed out`)),
			options.timeoutMs ?? 600_000,
		);
		child.on("message", (raw) => {
			const message = raw as ToParent;
			switch (message.type) {
				case "mark":
					Promise.resolve()
						.then(() => options.onMark?.(message.name, message.data))
						.then(
							(value) => child.send({ type: "answer", id: message.id, value } satisfies ToChild),
							(error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
						);
					break;
				case "log":
					options.log?.(message.message);
					break;
				case "result":
					finish(null, message.value as Result);
					break;
				case "error":
					finish(new Error(`load task ${task.pathname} failed: ${message.message}`));
					break;
			}
		});
		child.once("exit", (code, signal) =>
			finish(new Error(`load process exited early (${code ?? signal})`)),
		);
		child.send({ type: "start", task: task.href, params } satisfies ToChild);
	});
}

/**
 * A phase mark shared by several load processes: each process's mark waits until all
 * `parties` reached it; then `whenAll` runs once with every process's data, and every process
 * gets its value as the mark's answer (e.g. "all connected: start now, until T").
 */
export class MarkBarrier<Data, Value> {
	private readonly data: Data[] = [];
	private readonly waiting: {
		resolve: (value: Value) => void;
		reject: (error: unknown) => void;
	}[] = [];
	private readonly parties: number;
	private readonly whenAll: (all: Data[]) => Value | Promise<Value>;

	constructor(parties: number, whenAll: (all: Data[]) => Value | Promise<Value>) {
		this.parties = parties;
		this.whenAll = whenAll;
	}

	arrive(data: Data): Promise<Value> {
		this.data.push(data);
		const answer = new Promise<Value>((resolve, reject) => this.waiting.push({ resolve, reject }));
		if (this.data.length === this.parties) {
			const waiting = this.waiting;
			Promise.resolve()
				.then(() => this.whenAll(this.data))
				.then(
					(value) => {
						for (const { resolve } of waiting) resolve(value);
					},
					(error: unknown) => {
						for (const { reject } of waiting) reject(error);
					},
				);
		}
		return answer;
	}
}
