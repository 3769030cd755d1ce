/**
 * The CLI's session without a running server: this process opens the database and runs the
 * operations itself. Loaded only on this way, so a command that goes through a running
 * server loads neither the database nor the ingest path.
 */
import { AppError } from "@switchboard/domain";
import { openStorage } from "@switchboard/storage";
import type { Logger } from "pino";
import * as v from "valibot";
import { describeAdminIssues } from "./admin-channel.ts";
import { AdminInputs, type AdminOutputs, createAdminOperations } from "./admin-operations.ts";
import type { AdminSession } from "./admin-session.ts";
import { type Config, DEFAULT_MAIL_FROM } from "./config.ts";
import { Ingestor } from "./ingest.ts";
import { createInvitationService } from "./invitations.ts";
import { createMailer } from "./mailer.ts";

/** PGlite's page cache for a command on its own (see `embeddedCacheMiB`). */
const COMMAND_CACHE_MIB = 4;
/** PostgreSQL's connection slots for a command on its own (see `embeddedMaxConnections`). */
const COMMAND_MAX_CONNECTIONS = 10;

export async function openDirectSession(config: Config, logger: Logger): Promise<AdminSession> {
	const storage = await openStorage({
		...(config.databaseUrl
			? { databaseUrl: config.databaseUrl }
			: {
					dataDir: config.dataDir,
					...(config.dataDirTightened ? { dataDirTightened: config.dataDirTightened } : {}),
				}),
		logger,
		// One command's work, not a server's: a small page cache keeps the command light.
		embeddedCacheMiB: COMMAND_CACHE_MIB,
		embeddedMaxConnections: COMMAND_MAX_CONNECTIONS,
	});
	// No board is live in this process: boards pick the new mentions up when they next load.
	const ingestor = new Ingestor({ storage, publisher: null, logger });
	const mailer = config.smtpUrl
		? createMailer({
				smtpUrl: config.smtpUrl,
				from: config.mailFrom ?? DEFAULT_MAIL_FROM,
				logger,
				...(config.smtpTimeouts ? { timeouts: config.smtpTimeouts } : {}),
			})
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
				throw new AppError("invalid", describeAdminIssues(parsed.issues));
			}
			return (await operation.run(parsed.output as never)) as AdminOutputs[typeof name];
		},
		async close() {
			mailer?.close();
			await storage.close();
		},
	};
}
