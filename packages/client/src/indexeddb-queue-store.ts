/**
 * The command queue in IndexedDB (through idb-keyval), so commands made offline survive
 * a reload. One database per member and board: two people signing in on one browser
 * never send each other's commands.
 */
import { del, promisifyRequest, set, type UseStore, values } from "idb-keyval";
import type { QueuedCommand, QueueStore } from "./command-queue.ts";

export function queueDatabaseName(orgId: string, boardId: string, memberId: string): string {
	return `${queueDatabasePrefix(orgId)}${boardId}/${memberId}`;
}

/** What the names of an organisation's queue databases start with. */
export function queueDatabasePrefix(orgId: string): string {
	return `switchboard-commands/${orgId}/`;
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

/**
 * idb-keyval's `createStore`, except that the connection closes when another page (or
 * sign-out) deletes or upgrades the database, instead of blocking it for as long as this
 * page lives; the next use opens it again.
 */
function closableStore(databaseName: string, storeName: string): UseStore {
	let database: Promise<IDBDatabase> | null = null;
	const open = () => {
		const request = indexedDB.open(databaseName);
		request.onupgradeneeded = () => request.result.createObjectStore(storeName);
		const opened = promisifyRequest(request).then((db) => {
			db.onversionchange = () => {
				db.close();
				if (database === opened) database = null;
			};
			return db;
		});
		database = opened;
		return opened;
	};
	return async (mode, callback) => {
		const db = await (database ?? open());
		return callback(db.transaction(storeName, mode).objectStore(storeName));
	};
}

export class IndexedDbQueueStore implements QueueStore {
	readonly #store: UseStore;

	constructor(databaseName: string) {
		this.#store = closableStore(databaseName, "commands");
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
