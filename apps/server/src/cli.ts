/**
 * `pnpm switchboard import <file> --org <orgId> [--board main] [--format json|csv|twitter-care] [--dry-run]`
 *
 * Imports mentions from a file into an organisation's board, through the same triage as
 * every other source, into the database the server uses (DATABASE_URL, or PGlite in
 * DATA_DIR). Rejected rows are reported with their line and reason; the others import.
 * A dry run parses and triages everything and stores nothing.
 *
 * Exit codes: 0 done (rejected rows are reported, not fatal), 1 the file or arguments
 * are unusable, 2 the organisation or board does not exist.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
	guessImportFormat,
	type ImportFormat,
	ImportFormats,
	parseImportFile,
	triageMention,
} from "@switchboard/connectors";
import { isAppError } from "@switchboard/domain";
import { openStorage } from "@switchboard/storage";
import { SingleBar } from "cli-progress";
import { pino } from "pino";
import { loadConfig } from "./config.ts";
import { Ingestor } from "./ingest.ts";

const USAGE = `Usage:
  pnpm switchboard import <file> --org <orgId> [--board main] [--format json|csv|twitter-care] [--dry-run]

  --org       the organisation to import into (required)
  --board     the board (default: main)
  --format    json (an array of mentions, or {"mentions": [...]}), csv (a header row with
              external_id, author_handle, text, posted_at and optional network, url,
              author_name, author_reach, language, tags), or twitter-care (the shared
              customer-care dataset). Default: from the file name.
  --dry-run   parse and triage, report what would be imported, store nothing

The database is the server's: DATABASE_URL, or PGlite in DATA_DIR (default ./data).
A running server shows imported mentions on boards loaded after the import.`;

/** Mentions stored per database round trip (and progress bar step). */
const CHUNK = 100;

class UsageError extends Error {}

function fail(message: string, code: number): never {
	process.stderr.write(`${message}\n`);
	process.exit(code);
}

async function importCommand(args: string[]): Promise<void> {
	let parsed: ReturnType<typeof parseImportArgs>;
	try {
		parsed = parseImportArgs(args);
	} catch (error) {
		fail(`${(error as Error).message}\n\n${USAGE}`, 1);
	}
	const { file, org, board, format, dryRun } = parsed;
	const cwd = process.env.INIT_CWD ?? process.cwd();
	const path = resolve(cwd, file);
	const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) =>
		fail(`Cannot read ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`, 1),
	);
	const now = new Date();
	let rows: ReturnType<typeof parseImportFile>;
	try {
		rows = parseImportFile(text, format, now);
	} catch (error) {
		if (isAppError(error)) fail(`${file}: ${error.message}`, 1);
		throw error;
	}
	for (const rejected of rows.rejected) {
		process.stderr.write(`${file}:${rejected.line}: rejected: ${rejected.reason}\n`);
	}

	const config = await loadConfig();
	const logger = pino(
		{ level: config.logLevel === "info" ? "warn" : config.logLevel },
		process.stderr,
	);
	const storage = await openStorage({
		...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
		logger,
	});
	try {
		if (!(await storage.getOrganisation(org))) fail(`No organisation ${org}.`, 2);
		if (!(await storage.getBoard(org, board)))
			fail(`Organisation ${org} has no board ${board}.`, 2);
		const total = rows.rows.length;
		const bar = new SingleBar({
			format: `${dryRun ? "checking" : "importing"} [{bar}] {value}/{total} mentions`,
			stream: process.stderr,
			hideCursor: true,
		});
		bar.start(total, 0);
		let accepted = 0;
		let duplicates = 0;
		const priorities = { high: 0, normal: 0, low: 0 };
		const rules = await storage.getTriageRules(org);
		// No board is live in this process: loaded boards catch up when they next load.
		const ingestor = new Ingestor({ storage, publisher: null, logger });
		for (let start = 0; start < total; start += CHUNK) {
			const chunk = rows.rows.slice(start, start + CHUNK).map((row) => row.mention);
			if (dryRun) {
				for (const mention of chunk) priorities[triageMention(mention, rules).priority]++;
			} else {
				const result = await ingestor.ingest(org, board, chunk, now);
				accepted += result.accepted;
				duplicates += result.duplicates;
				for (const { mention } of result.stored) priorities[mention.priority]++;
			}
			bar.increment(chunk.length);
		}
		bar.stop();
		const summary = dryRun
			? `Dry run: ${total} mentions would be imported into ${org}/${board} (nothing stored), ${rows.rejected.length} rejected.`
			: `Imported ${accepted} mentions into ${org}/${board}, ${duplicates} already there, ${rows.rejected.length} rejected.`;
		process.stdout.write(
			`${summary}\nPriority: ${priorities.high} high, ${priorities.normal} normal, ${priorities.low} low.\n`,
		);
	} finally {
		await storage.close();
	}
}

function parseImportArgs(args: string[]) {
	let values: { org?: string; board?: string; format?: string; "dry-run"?: boolean };
	let positionals: string[];
	try {
		({ values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			strict: true,
			options: {
				org: { type: "string" },
				board: { type: "string", default: "main" },
				format: { type: "string" },
				"dry-run": { type: "boolean", default: false },
			},
		}));
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	const [file, ...extra] = positionals;
	if (!file) throw new UsageError("Name the file to import.");
	if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(" ")}`);
	if (!values.org) throw new UsageError("--org is required.");
	const format = values.format ?? guessImportFormat(file);
	if (!(ImportFormats as readonly string[]).includes(format)) {
		throw new UsageError(`--format must be one of ${ImportFormats.join(", ")}.`);
	}
	return {
		file,
		org: values.org,
		board: values.board ?? "main",
		format: format as ImportFormat,
		dryRun: values["dry-run"] ?? false,
	};
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
	case "import":
		await importCommand(rest);
		break;
	case undefined:
	case "help":
	case "--help":
	case "-h":
		process.stdout.write(`${USAGE}\n`);
		break;
	default:
		fail(`Unknown command ${command}.\n\n${USAGE}`, 1);
}
