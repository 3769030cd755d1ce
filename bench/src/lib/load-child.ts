/**
 * Entry of a load process (see load.ts): imports the task module, runs it, reports.
 */
import type { LoadControl, LoadTask, ToChild, ToParent } from "./load.ts";

const send = (message: ToParent) => process.send?.(message);
const answers = new Map<number, (value: unknown) => void>();
let nextId = 1;

const control: LoadControl = {
	mark(name, data) {
		const id = nextId++;
		return new Promise((resolve) => {
			answers.set(id, resolve);
			send({ type: "mark", id, name, data });
		});
	},
	log(message) {
		send({ type: "log", message });
	},
};

async function start(task: string, params: unknown): Promise<void> {
	try {
		const module = (await import(task)) as { default: LoadTask<unknown, unknown> };
		const value = await module.default(params, control);
		send({ type: "result", value });
	} catch (error) {
		send({
			type: "error",
			message: error instanceof Error ? (error.stack ?? error.message) : String(error),
		});
	}
	// Providers keep timers and sockets: the result is out, so leave.
	setTimeout(() => process.exit(0), 100);
}

process.on("message", (raw) => {
	const message = raw as ToChild;
	if (message.type === "start") void start(message.task, message.params);
	else answers.get(message.id)?.(message.value);
});
process.on("disconnect", () => process.exit(0));
