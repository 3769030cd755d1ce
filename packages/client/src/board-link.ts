/**
 * How a client reaches its board's replica: beside it (Node, tests, the bench's clients),
 * or in a dedicated worker (browsers), where decoding the board never blocks the page.
 */
import type { HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import type { BoardCall, BoardEvent, BoardReplicaConfig, BoardWorkerInit } from "./board-feed.ts";
import { BoardReplica } from "./board-replica.ts";

export interface BoardLink {
	call(call: BoardCall): void;
}

/**
 * Mentions per message from a worker. Each message is one task on the page (structured
 * clone of the slice, then the client's bookkeeping): 1,000 cards are ~10 ms of it.
 */
export const WORKER_SLICE_SIZE = 1_000;

/** The replica in this thread, on the client's own socket. */
export function localBoardLink(
	config: BoardReplicaConfig,
	socket: HocuspocusProviderWebsocket,
	emit: (event: BoardEvent) => void,
): BoardLink {
	const replica = new BoardReplica({ ...config, socket, emit });
	return { call: (call) => replica.call(call) };
}

/** The replica in a dedicated worker with a socket of its own. */
export function workerBoardLink(
	config: BoardReplicaConfig,
	emit: (event: BoardEvent) => void,
): BoardLink {
	const worker = new Worker(new URL("./board-worker.ts", import.meta.url), {
		type: "module",
		name: "switchboard-board",
	});
	worker.onmessage = ({ data }: MessageEvent<BoardEvent>) => emit(data);
	const init: BoardWorkerInit = {
		type: "init",
		config: { sliceSize: WORKER_SLICE_SIZE, ...config },
	};
	worker.postMessage(init);
	return {
		call(call) {
			worker.postMessage(call);
		},
	};
}
