/**
 * Load of scenario 7 (runs in a load process): many idle clients spread over documents,
 * each with presence as an open editor has it; they connect, sync and then do nothing.
 */
import { bytesReceivedBy, connectClient } from "../lib/clients.ts";
import type { LoadTask } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";
import { connectAll } from "./_01-hot-draft-load.ts";

export interface IdleParams {
	target: ServerTarget;
	connections: number;
	windows: number;
	windowSeconds: number;
}

export interface IdleResult {
	connectSeconds: number;
	/** Bytes the clients read during each window. */
	windowBytes: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const run: LoadTask<IdleParams, IdleResult> = async (params, control) => {
	const { target } = params;
	const started = performance.now();
	const clients = await connectAll(
		params.connections,
		(i) =>
			connectClient({
				target,
				document: target.documents[i % target.documents.length] ?? "",
				member: i,
			}),
		100,
		120_000,
	);
	const connectSeconds = (performance.now() - started) / 1000;
	control.log(
		`${target.kind}: ${params.connections} connections in ${connectSeconds.toFixed(1)} s`,
	);
	// Let the joining presence traffic settle before measuring the idle state.
	await sleep(2_000);
	const readBytes = () => bytesReceivedBy(clients);
	const windowBytes: number[] = [];
	for (let w = 0; w < params.windows; w++) {
		const before = readBytes();
		await control.mark("start", w);
		await sleep(params.windowSeconds * 1000);
		await control.mark("stop", w);
		windowBytes.push(readBytes() - before);
	}
	const reconnects = clients.reduce((sum, client) => sum + client.stats.opened - 1, 0);
	if (reconnects > 0) control.log(`${target.kind}: ${reconnects} reconnects while idle`);
	for (const client of clients) client.destroy();
	return { connectSeconds, windowBytes };
};

export default run;
