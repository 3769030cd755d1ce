/**
 * `pnpm start`: run Switchboard with the configuration from the environment.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isLoopbackHost, loadConfig } from "./config.ts";
import { startSwitchboard } from "./server.ts";
import { releaseStartupMemory } from "./startup-memory.ts";

// Every file the process creates is its user's alone (the database's new files too).
process.umask(0o077);

const config = await loadConfig().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
const switchboard = await startSwitchboard(config).catch((error: Error) => {
	console.error(`Switchboard could not start: ${error.message}`);
	process.exit(1);
});
const { logger, demo } = switchboard;

const lines = [
	"",
	`  Switchboard is running at ${switchboard.url}${config.publicUrl ? ` (public address ${config.publicUrl})` : ""}`,
	isLoopbackHost(config.host)
		? "  Listening on this machine only; HOST=0.0.0.0 opens it to the network."
		: `  Listening on ${config.host}.`,
	`  Storage: ${config.databaseUrl ? "PostgreSQL" : `PGlite in ${config.dataDir}`}${config.redisUrl ? ", Redis" : ""}`,
	config.webDir && existsSync(join(config.webDir, "index.html"))
		? `  Web client: ${config.webDir}`
		: "  Web client: not built (`pnpm start` from the repository root builds it)",
];
if (demo) {
	lines.push(
		"",
		`  Demo sign-in (demo only, password "${demo.password}" for every account):`,
		...demo.members.map((m) => `    ${m.email.padEnd(26)} ${m.role.padEnd(11)} ${m.organisation}`),
		`  ${demo.mentions} real conversations wait on Acme's board.`,
	);
}
if (!demo && (await switchboard.storage.listOrganisations()).length === 0) {
	lines.push(
		"",
		"  No organisation yet. Create yours and its first admin, who gets a one-time sign-in link:",
		'    pnpm switchboard setup --org <id> --name "<Name>" --admin <email>',
	);
}
lines.push("");
releaseStartupMemory();
process.stdout.write(`${lines.join("\n")}\n`);

/** Longest a stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 20_000;

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		logger.info({ signal }, "stopping: storing every document");
		// Every acknowledged edit is in the update log already; a stop that hangs (a database
		// that does not answer) must not keep an orchestrator waiting forever.
		setTimeout(() => {
			logger.error({ afterMs: STOP_DEADLINE_MS }, "stop took too long; exiting");
			process.exit(1);
		}, STOP_DEADLINE_MS).unref();
		switchboard.close().then(
			() => process.exit(0),
			(error: unknown) => {
				logger.error({ err: error }, "stop failed");
				process.exit(1);
			},
		);
	});
}
