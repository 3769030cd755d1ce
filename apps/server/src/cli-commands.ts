/**
 * `pnpm switchboard <command>`: the operator's tools (see USAGE below), loaded by cli.js.
 *
 * Every command that needs the database goes through the server running on the data folder
 * when there is one (its local admin channel, see admin-channel.ts), so the embedded
 * database keeps one writer and imported mentions reach the live board; without a server
 * it opens the database itself. It says which it did.
 *
 * Exit codes: 0 done (rejected rows of an import are reported, not fatal), 1 the file, the
 * arguments or the database are unusable, or an invitation file has bad rows, 2 the
 * organisation or board does not exist, 3 `setup` found the organisation already there.
 */
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import {
	guessImportFormat,
	type ImportFormat,
	ImportFormats,
	parseImportFile,
} from "@switchboard/connectors";
import { ExportParts, isAppError, type RejectedInvite } from "@switchboard/domain";
import { FolderLockedError, openStorage, restoreEmbeddedDatabase } from "@switchboard/storage";
import { SingleBar } from "cli-progress";
import { type Logger, pino } from "pino";
import { type AdminSession, findRunningServer, openAdminSession } from "./admin-session.ts";
import { type Config, loadConfig } from "./config.ts";
import type { SetupMail } from "./invitations.ts";
import {
	dryRunSummary,
	invitedSummary,
	parseMembersCsv,
	refusedFileSummary,
} from "./members-csv.ts";

const USAGE = `Usage:
  pnpm switchboard setup --org <orgId> --name "<Name>" --admin <email> [--admin-name "<Name>"]
  pnpm switchboard invite <members.csv> --org <orgId> [--good-rows-only] [--dry-run]
  pnpm switchboard import <file> --org <orgId> [--board main] [--format json|csv|twitter-care] [--dry-run]
  pnpm switchboard backup <file>
  pnpm switchboard export <file> --org <orgId> [--format json|csv]
  pnpm switchboard restore <file> [--replace]

setup       Create an organisation, its first board (main) and a one-time sign-in link for
            its first admin (valid 7 days), printed, and with SMTP_URL set mailed to them
            too (a mail that fails is reported; the printed link works all the same).
            An organisation that exists is left as it is (exit code 3).

invite      Invite the people of a CSV file: a header row with email (required), name,
            role (ambassador, moderator or admin; default ambassador), capacity, skills,
            languages and team (the board, by name or id; several separated by ;). Every
            bad row is reported with its line and nothing is invited, unless
            --good-rows-only. Someone invited again gets a fresh link, and keeps what
            their open invitation says for each column the row leaves empty.
            The links are written to stdout as CSV (email,url,expires_at); with SMTP_URL
            set they are mailed too.
  --good-rows-only  invite the good rows, report the bad ones
  --dry-run         check every row, invite nobody (exit code 1 for a bad row, as without it)

import      Store mentions from a file on a board, through the same triage as every source.
  --org       the organisation to import into (required)
  --board     the board (default: main)
  --format    json (an array of mentions, or {"mentions": [...]}), csv (a header row with
              external_id, author_handle, text, posted_at and optional network, url,
              author_name, author_reach, language, tags), or twitter-care (the shared
              customer-care dataset). Default: from the file name.
  --dry-run   parse and triage, report what would be imported, store nothing

backup      Write a backup of the embedded database (PGlite) to <file> (a gzipped tar).
            Safe while the server runs: it is taken by the server. For PostgreSQL
            (DATABASE_URL), use pg_dump instead (see docs/OPERATIONS.md).

export      Write everything an organisation holds to take away, as GET /api/orgs/:orgId/export
            answers it (no password hashes, credentials or secrets): with --format json (the
            default) one document in <file>; with --format csv one file per table beside it,
            <file> without .csv plus -conversations.csv, -messages.csv, -notes.csv,
            -members.csv, -boards.csv, -sources.csv. Written as read, never whole in memory;
            private to this user (0600); recorded in the organisation's audit log.
  --org       the organisation (required)
  --format    json or csv

restore     Put a backup into DATA_DIR. The server must be stopped. A DATA_DIR that already
            holds a database is refused unless --replace, which moves it aside (never
            deletes it).

The database is the server's: DATABASE_URL, or PGlite in DATA_DIR (default ./data).
With a server running on DATA_DIR, commands go through it (its admin channel in
DATA_DIR/admin.json, usable only by the folder's owner): imported mentions appear on open
boards at once, and the embedded database is never opened by two processes. Without one,
the command opens the database itself. Each command says which it did.`;

/**
 * Mentions stored per call (and progress bar step): each call is one ingest pass on the
 * server, so fewer, larger calls spend less on round trips and per-pass reads.
 */
const CHUNK = 1_000;

/**
 * A full garbage collection, where Node exposes one (`--expose-gc`, one of the command's
 * flags, node-flags.ts). An import collects between its chunks: what a chunk left behind is
 * garbage once its call returns, and V8 would otherwise carry it into the next chunk (an
 * import of 2,000 mentions on its own held ~20 MB of it at its peak, bench/findings/06.md).
 */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

class UsageError extends Error {}

function fail(message: string, code: number): never {
	process.stderr.write(`${message}\n`);
	process.exit(code);
}

// Backups, restored databases and the admin channel's files are this user's alone.
process.umask(0o077);

/** Where the user typed the command: `pnpm switchboard` runs in the repository root. */
const cwd = process.env.INIT_CWD ?? process.cwd();

async function configAndLogger(): Promise<{ config: Config; logger: Logger }> {
	const config = await loadConfig().catch((error: Error) => fail(error.message, 1));
	const logger: Logger = pino(
		{ level: config.logLevel === "info" ? "warn" : config.logLevel },
		process.stderr,
	);
	return { config, logger };
}

/** Open a session, reporting a folder held by a process that does not answer as a failure. */
async function session(config: Config, logger: Logger): Promise<AdminSession> {
	try {
		const opened = await openAdminSession(config, logger);
		process.stderr.write(`${opened.description}\n`);
		return opened;
	} catch (error) {
		if (error instanceof FolderLockedError || isAppError(error)) fail(error.message, 1);
		throw error;
	}
}

async function importCommand(args: string[]): Promise<void> {
	let parsed: ReturnType<typeof parseImportArgs>;
	try {
		parsed = parseImportArgs(args);
	} catch (error) {
		fail(`${(error as Error).message}\n\n${USAGE}`, 1);
	}
	const { file, org, board, format, dryRun } = parsed;
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

	const { config, logger } = await configAndLogger();
	const admin = await session(config, logger);
	try {
		const total = rows.rows.length;
		const bar = new SingleBar({
			format: `${dryRun ? "checking" : "importing"} [{bar}] {value}/{total} mentions`,
			stream: process.stderr,
			hideCursor: true,
		});
		let accepted = 0;
		let duplicates = 0;
		let followUps = 0;
		// Sent in chunks: in posted order, a follow-up comes in the chunk of its parent or a
		// later one, so it finds the conversation it continues. The times are ISO strings of
		// one form (toISOString), so their code units sort them; `localeCompare` gave the same
		// order but read ~2 MB of Node's ICU collation data into the command's memory.
		const ordered = [...rows.rows].sort(({ mention: a }, { mention: b }) =>
			a.postedAt < b.postedAt ? -1 : a.postedAt > b.postedAt ? 1 : 0,
		);
		const priorities = { high: 0, normal: 0, low: 0 };
		// The first chunk also finds out whether the organisation and board exist.
		for (let start = 0; start === 0 || start < total; start += CHUNK) {
			const chunk = ordered.slice(start, start + CHUNK).map((row) => row.mention);
			let result: Awaited<ReturnType<typeof admin.call<"import">>>;
			try {
				result = await admin.call("import", {
					orgId: org,
					boardId: board,
					mentions: chunk,
					dryRun,
				});
			} catch (error) {
				bar.stop();
				if (isAppError(error)) fail(error.message, error.kind === "not_found" ? 2 : 1);
				throw error;
			}
			if (start === 0) bar.start(total, 0);
			accepted += result.accepted;
			duplicates += result.duplicates;
			followUps += result.followUps;
			for (const level of ["high", "normal", "low"] as const) {
				priorities[level] += result.priorities[level];
			}
			bar.increment(chunk.length);
			if (start + CHUNK < total) collectGarbage?.();
		}
		bar.stop();
		const summary = dryRun
			? `Dry run: ${total} mentions would be imported into ${org}/${board} (nothing stored), ${rows.rejected.length} rejected.`
			: `Imported ${accepted} mentions into ${org}/${board}, ${duplicates} already there, ${rows.rejected.length} rejected.${followUps > 0 ? ` ${followUps} joined conversations already there.` : ""}`;
		process.stdout.write(
			`${summary}\nPriority: ${priorities.high} high, ${priorities.normal} normal, ${priorities.low} low.\n`,
		);
	} finally {
		await admin.close();
	}
}

function singleFile(
	args: string[],
	command: string,
	flags: Record<string, { type: "boolean" }> = {},
) {
	try {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			strict: true,
			options: flags,
		});
		const [file, ...extra] = positionals;
		if (!file) throw new UsageError(`Name the ${command} file.`);
		if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(" ")}`);
		return { path: resolve(cwd, file), values: values as Record<string, boolean | undefined> };
	} catch (error) {
		fail(`${(error as Error).message}\n\n${USAGE}`, 1);
	}
}

async function backupCommand(args: string[]): Promise<void> {
	const { path } = singleFile(args, "backup");
	const { config, logger } = await configAndLogger();
	if (config.databaseUrl) {
		fail(
			"The database is PostgreSQL (DATABASE_URL): back it up with pg_dump, see docs/OPERATIONS.md.",
			1,
		);
	}
	const admin = await session(config, logger);
	try {
		const started = performance.now();
		const backup = await admin.call("backup", {}).catch((error: unknown) => {
			if (isAppError(error)) fail(error.message, 1);
			throw error;
		});
		// Private: the backup holds every conversation and the sealed credentials.
		await writeFile(path, backup, { mode: 0o600 });
		process.stdout.write(
			`Backed up ${config.dataDir} to ${path} (${formatBytes(backup.byteLength)}, ${Math.round(performance.now() - started)} ms).\n`,
		);
	} finally {
		await admin.close();
	}
}

async function exportCommand(args: string[]): Promise<void> {
	let parsed: { file: string; org: string; format: "json" | "csv" };
	try {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			strict: true,
			options: { org: { type: "string" }, format: { type: "string", default: "json" } },
		});
		const [file, ...extra] = positionals;
		if (!file) throw new UsageError("Name the file to export to.");
		if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(" ")}`);
		if (!values.org) throw new UsageError("--org is required.");
		if (values.format !== "json" && values.format !== "csv") {
			throw new UsageError("--format must be json or csv.");
		}
		parsed = { file, org: values.org, format: values.format };
	} catch (error) {
		fail(`${(error as Error).message}\n\n${USAGE}`, 1);
	}
	const { org, format } = parsed;
	const path = resolve(cwd, parsed.file);
	// One file per table with CSV, named after the one given.
	const targets =
		format === "json"
			? [{ part: undefined, path }]
			: ExportParts.map((part) => ({ part, path: `${path.replace(/\.csv$/i, "")}-${part}.csv` }));
	const { config, logger } = await configAndLogger();
	const admin = await session(config, logger);
	try {
		const started = performance.now();
		for (const target of targets) {
			const stream = await admin
				.call("export", { orgId: org, format, ...(target.part ? { part: target.part } : {}) })
				.catch((error: unknown) => {
					if (isAppError(error)) fail(error.message, error.kind === "not_found" ? 2 : 1);
					throw error;
				});
			// Private: it holds every conversation, draft and note of the organisation.
			await pipeline(Readable.from(stream), createWriteStream(target.path, { mode: 0o600 })).catch(
				(error: Error) => fail(`The export to ${target.path} failed: ${error.message}`, 1),
			);
		}
		process.stdout.write(
			`Exported ${org} as ${format.toUpperCase()} to ${targets.map((t) => t.path).join(", ")} (${Math.round(performance.now() - started)} ms).\n`,
		);
	} finally {
		await admin.close();
	}
}

async function restoreCommand(args: string[]): Promise<void> {
	const { path, values } = singleFile(args, "backup", { replace: { type: "boolean" } });
	const { config, logger } = await configAndLogger();
	if (config.databaseUrl) {
		fail(
			"The database is PostgreSQL (DATABASE_URL): restore it with pg_restore, see docs/OPERATIONS.md.",
			1,
		);
	}
	const running = await findRunningServer(config.dataDir).catch(() => null);
	if (running) {
		fail(
			`A server (process ${running.pid}) runs on ${config.dataDir}: stop it before restoring a backup into it.`,
			1,
		);
	}
	const backup = await readFile(path).catch((error: NodeJS.ErrnoException) =>
		fail(`Cannot read ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`, 1),
	);
	let previous: string | null;
	try {
		({ previous } = await restoreEmbeddedDatabase(config.dataDir, backup, {
			replace: values.replace === true,
		}));
	} catch (error) {
		fail((error as Error).message, 1);
	}
	// Open it once: a backup from an older release is migrated now, and a broken one says so here.
	try {
		const storage = await openStorage({ dataDir: config.dataDir, logger });
		await storage.close();
	} catch (error) {
		fail(`The restored database does not open: ${(error as Error).message}`, 1);
	}
	process.stdout.write(
		`Restored ${path} into ${config.dataDir}.${previous ? ` The database that was there is now in ${previous}.` : ""}\n`,
	);
}

/** Whether the first admin has the link in their mail too, and if not, why. */
function setupMailSentence(email: string, mail: SetupMail): string {
	switch (mail.status) {
		case "sent":
			return `Also sent to ${email}.`;
		case "not_configured":
			return "Not mailed: SMTP is not configured (SMTP_URL). Hand the link over yourself.";
		case "failed":
			return `Not mailed: sending it to ${email} failed (${mail.reason}). The link works all the same: hand it over yourself.`;
	}
}

async function setupCommand(args: string[]): Promise<void> {
	let values: { org?: string; name?: string; admin?: string; "admin-name"?: string };
	try {
		({ values } = parseArgs({
			args,
			strict: true,
			options: {
				org: { type: "string" },
				name: { type: "string" },
				admin: { type: "string" },
				"admin-name": { type: "string" },
			},
		}));
		for (const flag of ["org", "name", "admin"] as const) {
			if (!values[flag]) throw new UsageError(`--${flag} is required.`);
		}
	} catch (error) {
		fail(`${(error as Error).message}\n\n${USAGE}`, 1);
	}
	const { config, logger } = await configAndLogger();
	const admin = await session(config, logger);
	try {
		const link = await admin
			.call("setup", {
				orgId: values.org ?? "",
				name: values.name ?? "",
				adminEmail: values.admin ?? "",
				...(values["admin-name"] ? { adminName: values["admin-name"] } : {}),
			})
			.catch((error: unknown) => {
				if (isAppError(error)) fail(error.message, error.kind === "conflict" ? 3 : 1);
				throw error;
			});
		process.stdout.write(
			[
				`Created the organisation ${link.orgId} (${values.name}) with its board ${link.boardId}.`,
				`Sign-in link for its first admin, ${link.email} (works once, until ${link.expiresAt}):`,
				"",
				`  ${link.url}`,
				"",
				setupMailSentence(link.email, link.mail),
				"",
				"Open it to choose a password, then invite your team from Admin → Members,",
				`or with: pnpm switchboard invite members.csv --org ${link.orgId}`,
				"",
			].join("\n"),
		);
	} finally {
		await admin.close();
	}
}

/** Rows checked, then stored, per admin-channel call (and progress bar step). */
const INVITE_CHUNK = 500;

function csvCell(text: string): string {
	return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function inviteCommand(args: string[]): Promise<void> {
	let parsedArgs: {
		path: string;
		org: string;
		goodRowsOnly: boolean;
		dryRun: boolean;
		file: string;
	};
	try {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			strict: true,
			options: {
				org: { type: "string" },
				"good-rows-only": { type: "boolean", default: false },
				"dry-run": { type: "boolean", default: false },
			},
		});
		const [file, ...extra] = positionals;
		if (!file) throw new UsageError("Name the CSV file of the people to invite.");
		if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(" ")}`);
		if (!values.org) throw new UsageError("--org is required.");
		parsedArgs = {
			file,
			path: resolve(cwd, file),
			org: values.org,
			goodRowsOnly: values["good-rows-only"] ?? false,
			dryRun: values["dry-run"] ?? false,
		};
	} catch (error) {
		fail(`${(error as Error).message}\n\n${USAGE}`, 1);
	}
	const { file, path, org, goodRowsOnly, dryRun } = parsedArgs;
	const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) =>
		fail(`Cannot read ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`, 1),
	);
	let csv: ReturnType<typeof parseMembersCsv>;
	try {
		csv = parseMembersCsv(text);
	} catch (error) {
		if (isAppError(error)) fail(`${file}: ${error.message}`, 1);
		throw error;
	}
	const rows = csv.rows.map((row) => ({ value: row.invite, line: row.line }));
	const { config, logger } = await configAndLogger();
	const admin = await session(config, logger);
	const callFailed = (error: unknown): never => {
		if (isAppError(error)) fail(error.message, error.kind === "not_found" ? 2 : 1);
		throw error;
	};
	try {
		// Every row is checked first, in one call (a duplicate may be thousands of lines apart),
		// so a file with a bad row invites nobody unless the admin asked for the good rows.
		const checked = await admin
			.call("invite", { orgId: org, rows, dryRun: true })
			.catch(callFailed);
		const rejected: { line: number; email: string; message: string }[] = [
			...checked.rejected.map((row: RejectedInvite) => ({
				line: row.line ?? 0,
				email: row.email,
				message: row.message,
			})),
			...csv.problems.map((problem) => ({
				line: problem.line,
				email: problem.email,
				message: problem.reason,
			})),
		].sort((a, b) => a.line - b.line);
		for (const row of rejected) {
			process.stderr.write(`${file}:${row.line}: ${row.email || "(no email)"}: ${row.message}\n`);
		}
		const refusedLines = new Set(rejected.map((row) => row.line));
		const good = rows.filter((row) => !refusedLines.has(row.line));
		if (dryRun) {
			process.stdout.write(`${dryRunSummary(good.length, org, rejected.length)}\n`);
			// As the run itself would end: a script checking a file first learns it is refused.
			if (rejected.length > 0 && !goodRowsOnly) process.exitCode = 1;
			return;
		}
		if (rejected.length > 0 && !goodRowsOnly) {
			fail(refusedFileSummary(rejected.length, rows.length + csv.problems.length, good.length), 1);
		}
		const bar = new SingleBar({
			format: "inviting [{bar}] {value}/{total} people",
			stream: process.stderr,
			hideCursor: true,
		});
		bar.start(good.length, 0);
		// Each chunk's links are written as they are made, not kept for the end: a file of
		// 10,000 people holds no 10,000 links, and a failure halfway loses none made before it.
		process.stdout.write("email,url,expires_at\n");
		let mailed = false;
		let late = 0;
		for (let start = 0; start < good.length; start += INVITE_CHUNK) {
			const chunk = good.slice(start, start + INVITE_CHUNK);
			// Good rows only: a row that became a member's since the check is reported, not fatal.
			const result = await admin
				.call("invite", { orgId: org, rows: chunk, goodRowsOnly: true })
				.catch((error: unknown) => {
					bar.stop();
					return callFailed(error);
				});
			process.stdout.write(
				result.invites
					.map((link) => `${[link.email, link.url, link.expiresAt].map(csvCell).join(",")}\n`)
					.join(""),
			);
			for (const row of result.rejected) {
				late++;
				process.stderr.write(`${file}:${row.line ?? "?"}: ${row.email}: ${row.message}\n`);
			}
			mailed ||= result.mailed;
			bar.increment(chunk.length);
		}
		bar.stop();
		process.stderr.write(
			`${invitedSummary(good.length - late, org, rejected.length + late, mailed)}\n`,
		);
	} finally {
		await admin.close();
	}
}

function formatBytes(bytes: number): string {
	if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
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
	case "setup":
		await setupCommand(rest);
		break;
	case "invite":
		await inviteCommand(rest);
		break;
	case "import":
		await importCommand(rest);
		break;
	case "backup":
		await backupCommand(rest);
		break;
	case "restore":
		await restoreCommand(rest);
		break;
	case "export":
		await exportCommand(rest);
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
