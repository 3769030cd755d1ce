/**
 * The CLI's way to the database: through the server running on the data folder when there
 * is one (its admin channel), otherwise by opening the database itself. Either way the same
 * operations run (admin-operations.ts); the session says which way it went.
 */
import { AppError } from "@switchboard/domain";
import type { Logger } from "pino";
import {
	type AdminEndpoint,
	callEndpoint,
	readEndpoint,
	STREAMED_OPERATIONS,
	streamEndpoint,
} from "./admin-channel.ts";
import type { AdminInput, AdminOperationName, AdminOutputs } from "./admin-operations.ts";
import type { Config } from "./config.ts";

export interface AdminSession {
	/** `server`: a running server ran the operations; `direct`: this process opened the database. */
	readonly via: "server" | "direct";
	/** One line for the user saying which. */
	readonly description: string;
	call<K extends AdminOperationName>(name: K, input: AdminInput<K>): Promise<AdminOutputs[K]>;
	close(): Promise<void>;
}

/** The running server's admin endpoint, or null when none answers on `dataDir`. */
export async function findRunningServer(dataDir: string): Promise<AdminEndpoint | null> {
	const endpoint = await readEndpoint(dataDir);
	if (!endpoint) return null;
	try {
		const response = await callEndpoint(endpoint, "status", {});
		if (!response.ok && response.status === 401) {
			throw new AppError(
				"unauthorized",
				`The server on ${dataDir} (process ${endpoint.pid}) refused the admin token in ${dataDir}/admin.json.`,
			);
		}
		return endpoint;
	} catch (error) {
		if (error instanceof AppError) throw error;
		// Nothing listens: the file was left by a server that is gone.
		return null;
	}
}

/**
 * Open a session on the configured data folder. Throws `FolderLockedError` when another
 * process holds the embedded database without answering on its admin channel.
 */
export async function openAdminSession(config: Config, logger: Logger): Promise<AdminSession> {
	const endpoint = await findRunningServer(config.dataDir);
	if (endpoint) {
		return {
			via: "server",
			description: `Through the running server (process ${endpoint.pid}).`,
			async call(name, input) {
				if (STREAMED_OPERATIONS.has(name)) {
					const streamed = await streamEndpoint(endpoint, name, input);
					if (!streamed.ok) throw new AppError(streamed.kind, streamed.message);
					return streamed.stream as AdminOutputs[typeof name];
				}
				const response = await callEndpoint(endpoint, name, input);
				if (!response.ok) throw new AppError(response.kind, response.message);
				if (response.binary) return new Uint8Array(response.body) as AdminOutputs[typeof name];
				return (JSON.parse(response.body.toString("utf8")) as { result: AdminOutputs[typeof name] })
					.result;
			},
			async close() {},
		};
	}
	// Only here are the database, the ingest path and the mailer needed: loaded on this way alone.
	const { openDirectSession } = await import("./admin-direct-session.ts");
	return openDirectSession(config, logger);
}
