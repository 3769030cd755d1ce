/**
 * Scenario 4's initial syncs, in a load process: one client holds the board open (for the
 * baselines it first pushes the naive board's state into the server), then new clients
 * connect one after the other and each waits for its first sync. The parent samples the
 * server's CPU time around each new client (marks "before" and "after").
 */
import { readFileSync } from "node:fs";
import * as Y from "yjs";
import { connectClient } from "../lib/clients.ts";
import type { LoadTask } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";

export interface SyncParams {
	target: ServerTarget;
	document: string;
	/** A file with the board's state to push first (baselines); Switchboard loads its own. */
	stateFile?: string;
	clients: number;
}

export interface SyncResult {
	/** Wall time from connecting to the first sync, per new client, in ms. */
	wallMs: number[];
	/** Bytes each new client received. */
	bytes: number[];
	/** Time until the holder had the board (Switchboard: loading it from PostgreSQL). */
	holderMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const task: LoadTask<SyncParams, SyncResult> = async (params, control) => {
	const started = performance.now();
	const holder = connectClient({
		target: params.target,
		document: params.document,
		presence: false,
	});
	await holder.synced;
	if (params.stateFile) {
		Y.applyUpdate(holder.doc, readFileSync(params.stateFile));
		// Wait until the server holds it: a fresh client must see the same state.
		for (let probe = 0; ; probe++) {
			if (probe === 60) throw new Error("the server did not take the board's state");
			await sleep(1000);
			const client = connectClient({
				target: params.target,
				document: params.document,
				presence: false,
			});
			await client.synced;
			const complete = Buffer.from(Y.encodeStateVector(client.doc)).equals(
				Buffer.from(Y.encodeStateVector(holder.doc)),
			);
			client.destroy();
			client.doc.destroy();
			if (complete) break;
		}
	}
	const holderMs = performance.now() - started;
	const wallMs: number[] = [];
	const bytes: number[] = [];
	for (let i = 0; i < params.clients; i++) {
		await control.mark("before", i);
		const begun = performance.now();
		const client = connectClient({
			target: params.target,
			document: params.document,
			member: i + 1,
			presence: false,
		});
		await client.synced;
		wallMs.push(performance.now() - begun);
		client.flushStats();
		bytes.push(client.stats.bytesReceived);
		await control.mark("after", i);
		client.destroy();
		await sleep(200);
	}
	holder.destroy();
	return { wallMs, bytes, holderMs };
};

export default task;
