/**
 * Entry of a load process (see load.ts): imports the task module, runs it, reports.
 */
import type { LoadControl, LoadTask, ToChild, ToParent } from "./load.ts";

/** Resolves once the message is written to the channel (or the channel is gone). */
const send = (message: ToParent) =>
	new Promise<void>((resolve) => {
		if (!process.send) resolve();
		else process.send(message, () => resolve());
	});
const answers = new Map<number, (value: unknown) => void>();
let nextId = 1;

const control: LoadControl = {
	mark(name, data) {
		const id = nextId++;
		return new Promise((resolve) => {
			answers.set(id, resolve);
			void send({ type: "mark", id, name, data });
		});
	},
	log(message) {
		void send({ type: "log", message });
	},
};

async function start(task: string, params: unknown): Promise<void> {
	let sent: Promise<void>;
	try {
		const module = (await import(task)) as { default: LoadTask<unknown, unknown> };
		const value = await module.default(params, control);
		sent = send({ type: "result", value });
	} catch (error) {
		sent = send({
			type: "error",
			message: error instanceof Error ? (error.stack ?? error.message) : String(error),
		});
	}
	// Providers keep timers and sockets: leave once the result is out. Not a fixed 100 ms
	// after sending it: a result of a few hundred KB (scenario 6's per-mention latencies)
	// is still being written when the parent reads slowly, and exit drops the rest, which
	// the parent saw as "load process exited early (0)" (2 of 14 runs, bench/findings/06.md).
	await sent;
	setTimeout(() => process.exit(0), 100);
}

process.on("message", (raw) => {
	const message = raw as ToChild;
	if (message.type === "start") void start(message.task, message.params);
	else answers.get(message.id)?.(message.value);
});
process.on("disconnect", () => process.exit(0));
