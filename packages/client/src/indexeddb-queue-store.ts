/**
 * The command queue in IndexedDB (through idb-keyval), so commands made offline survive
 * a reload. One database per member and board: two people signing in on one browser
 * never send each other's commands.
 */
import { createStore, del, set, type UseStore, values } from "idb-keyval";
import type { QueuedCommand, QueueStore } from "./command-queue.ts";

export function queueDatabaseName(orgId: string, boardId: string, memberId: string): string {
	return `switchboard-commands/${orgId}/${boardId}/${memberId}`;
}

function isQueuedCommand(value: unknown): value is QueuedCommand {
	if (typeof value !== "object" || value === null) return false;
	const record = value as Record<string, unknown>;
	const command = record.command as Record<string, unknown> | null | undefined;
	return (
		typeof record.id === "string" &&
		typeof record.seq === "number" &&
		typeof record.createdAt === "string" &&
		(record.v === undefined || typeof record.v === "number") &&
		typeof command === "object" &&
		command !== null &&
		typeof command.name === "string" &&
		typeof command.args === "object"
	);
}

export class IndexedDbQueueStore implements QueueStore {
	readonly #store: UseStore;

	constructor(databaseName: string) {
		this.#store = createStore(databaseName, "commands");
	}

	async load(): Promise<QueuedCommand[]> {
		// Written by an older version of the app, or damaged: skip what is not a command.
		return (await values<unknown>(this.#store)).filter(isQueuedCommand);
	}

	put(command: QueuedCommand): Promise<void> {
		return set(command.id, command, this.#store);
	}

	delete(id: string): Promise<void> {
		return del(id, this.#store);
	}
}
