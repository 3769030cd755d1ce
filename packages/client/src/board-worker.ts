/**
 * A dedicated worker that holds the board's replica (`BoardReplica`): the page sends it
 * `BoardCall`s after one `BoardWorkerInit`, and hears `BoardEvent`s back.
 */
import type { BoardCall, BoardEvent, BoardWorkerInit } from "./board-feed.ts";
import { BoardReplica } from "./board-replica.ts";

/** The part of `DedicatedWorkerGlobalScope` used here (the DOM lib does not declare it). */
interface WorkerScope {
	onmessage: ((event: MessageEvent<BoardWorkerInit | BoardCall>) => void) | null;
	postMessage(message: BoardEvent): void;
	close(): void;
}

const scope = globalThis as unknown as WorkerScope;
let replica: BoardReplica | null = null;

scope.onmessage = ({ data }) => {
	if (data.type === "init") {
		replica ??= new BoardReplica({ ...data.config, emit: (event) => scope.postMessage(event) });
		return;
	}
	replica?.call(data);
	if (data.type === "destroy") scope.close();
};
