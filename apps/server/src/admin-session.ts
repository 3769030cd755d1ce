/**
 * The CLI's way to the database: through the server running on the data folder when there
 * is one (its admin channel), otherwise by opening the database itself. Either way the same
 * operations run (admin-operations.ts); the session says which way it went.
 */
import { AppError } from "@switchboard/domain";
import { openStorage } from "@switchboard/storage";
import type { Logger } from "pino";
import * as v from "valibot";
import { type AdminEndpoint, callEndpoint, readEndpoint, streamEndpoint } from "./admin-channel.ts";
import {
	type AdminInput,
	AdminInputs,
	type AdminOperationName,
	type AdminOutputs,
	createAdminOperations,
	STREAMED_OPERATIONS,
} from "./admin-operations.ts";
import { type Config, DEFAULT_MAIL_FROM } from "./config.ts";
import { Ingestor } from "./ingest.ts";
import { createInvitationService } from "./invitations.ts";
import { createMailer } from "./mailer.ts";

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
	const storage = await openStorage({
		...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
		logger,
	});
	// No board is live in this process: boards pick the new mentions up when they next load.
	const ingestor = new Ingestor({ storage, publisher: null, logger });
	const mailer = config.smtpUrl
		? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom ?? DEFAULT_MAIL_FROM, logger })
		: null;
	const operations = createAdminOperations({
		storage,
		ingestor,
		invitations: createInvitationService({ storage, logger, mailer, waitForMail: true }),
		baseUrl: config.publicUrl ?? `http://localhost:${config.port || 8080}`,
		startedAt: new Date(),
	});
	return {
		via: "direct",
		description: config.databaseUrl
			? "No server runs on this data folder: opened the PostgreSQL database directly (boards already open show the changes when they next load)."
			: `No server runs on ${config.dataDir}: opened the database directly.`,
		async call(name, input) {
			const operation = operations[name];
			const parsed = v.safeParse(AdminInputs[name], input);
			if (!parsed.success) {
				throw new AppError("invalid", parsed.issues.map((issue) => issue.message).join("; "));
			}
			return (await operation.run(parsed.output as never)) as AdminOutputs[typeof name];
		},
		async close() {
			mailer?.close();
			await storage.close();
		},
	};
}
