/**
 * Open the storage Switchboard runs on: PostgreSQL when a connection string is given,
 * otherwise embedded PGlite (in a data folder, or in memory for tests). Either way the
 * schema is migrated before the storage is handed out.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { withDefaults } from "@switchboard/domain";
import {
	type Dialect,
	type Driver,
	Kysely,
	PGliteDialect,
	type PGliteDialectConfig,
	PGliteDriver,
	PostgresDialect,
} from "kysely";
import type pg from "pg";
import { type FolderLock, lockFolder } from "./folder-lock.ts";
import { KyselyStorage, type StorageDialect } from "./kysely-storage.ts";
import { type StorageLogger, silentLogger } from "./logger.ts";
import { migrateToLatest } from "./migrate.ts";
import { securePrivateFolder } from "./private-folder.ts";
import type { Database } from "./schema.ts";
import type { Storage } from "./storage.ts";
import {
	type DatabaseTuning,
	defaultDatabaseTuning,
	type TimedPool,
	timedPool,
} from "./timed-pool.ts";

export interface OpenStorageOptions {
	/**
	 * PostgreSQL connection string (`DATABASE_URL`). Several server instances share one
	 * PostgreSQL; without it the embedded PGlite serves a single instance.
	 * @default undefined (PGlite)
	 */
	databaseUrl?: string;
	/**
	 * Folder PGlite keeps its files in, under `<dataDir>/pglite`; created if missing.
	 * Ignored with `databaseUrl`. Without either, PGlite runs in memory (tests).
	 * The folder is locked for this process (`<dataDir>/pglite.lock`) until `close`: a second
	 * opener gets a `FolderLockedError` naming the holder.
	 * @default undefined (in memory)
	 */
	dataDir?: string;
	/**
	 * Most PostgreSQL connections this instance opens. Each command holds one for its
	 * transaction, so this bounds how many commands run at once.
	 * @default 10
	 */
	maxConnections?: number;
	/** Where migrations and database trouble are reported (a pino logger fits). */
	logger?: StorageLogger;
	/**
	 * A PGlite dump (`dumpDataDir()`, see `pgliteTemplate`) that a NEW embedded database
	 * starts from instead of running initdb and the migrations the dump already has; newer
	 * migrations still run. initdb alone costs seconds of CPU, which test suites opening
	 * dozens of databases pay again and again. Ignored for a folder that already holds a
	 * database, and for PostgreSQL.
	 * @default undefined (initdb)
	 */
	template?: Blob;
	/** PostgreSQL deadlines (see timed-pool.ts); the rest keep `defaultDatabaseTuning`. */
	tuning?: Partial<DatabaseTuning>;
	/**
	 * PGlite's page cache (`shared_buffers`) in MiB, which lives in its WebAssembly memory.
	 * A command that opens the data folder for one import or one invitation needs a few
	 * pages, not a server's cache: with 16 MiB instead of the default, opening the embedded
	 * database and one query peaked at 147 MB of RSS instead of 262 MB, with 4 MiB at 127 MB.
	 * Ignored for PostgreSQL.
	 * @default undefined (PGlite's own, 128 MiB)
	 */
	embeddedCacheMiB?: number;
	/**
	 * PostgreSQL's `max_connections` for the embedded database. PGlite serves one session
	 * whatever it says, but PostgreSQL sizes its process slots and lock table by it and zeroes
	 * that shared memory as it starts, in WebAssembly: a command that opens the data folder for
	 * one job needs few. With 10 instead of 100 the start is 4 MB smaller (bench/findings/06.md).
	 * Set on this start's command line only, like the cache. Ignored for PostgreSQL.
	 * @default undefined (PostgreSQL's own, 100)
	 */
	embeddedMaxConnections?: number;
	/**
	 * What the caller's own `securePrivateFolder(dataDir)` tightened, when it has just made
	 * the folder private (the configuration does, before it reads the secret): reported here,
	 * where the logger is, and the folder is not walked a second time. Ignored for PostgreSQL.
	 * @default undefined (the folder is made private here)
	 */
	dataDirTightened?: readonly string[];
}

/** How every PostgreSQL connection is opened: the pool's and the document log's own. */
function connectionConfig(databaseUrl: string, tuning: DatabaseTuning): pg.ClientConfig {
	return {
		connectionString: databaseUrl,
		// Opening a connection only: callers wait for one in timedPool's gate, never in the pool.
		connectionTimeoutMillis: tuning.connectTimeoutMs,
		idle_in_transaction_session_timeout: tuning.idleInTransactionTimeoutMs,
		keepAlive: true,
	};
}

/**
 * Connect, migrate to the latest schema and return the storage. Throws an Error naming
 * the failing migration (with the database error as `cause`) when migration fails,
 * which includes an unreachable database.
 */
export async function openStorage(options: OpenStorageOptions = {}): Promise<Storage> {
	const { databaseUrl, dataDir } = options;
	// `??` rather than a spread of defaults: an option passed as undefined keeps its default.
	const maxConnections = options.maxConnections ?? 10;
	const logger = options.logger ?? silentLogger;
	let dialect: Dialect;
	let dialectName: StorageDialect;
	let embedded: EmbeddedDatabase | undefined;
	let lock: FolderLock | undefined;
	let pool: pg.Pool | undefined;
	let timed: TimedPool | undefined;
	const tuning = withDefaults(defaultDatabaseTuning, options.tuning);
	// No deadline while migrating: a migration on a large table may take minutes.
	let queryTimeoutMs = 0;
	if (databaseUrl) {
		// Loaded here, like PGlite below: node-postgres and its ~30 modules are no part of an
		// embedded database's start (the import on its own, bench/findings/06.md).
		const { default: pg } = await import("pg");
		pool = new pg.Pool({
			...connectionConfig(databaseUrl, tuning),
			max: maxConnections,
			idleTimeoutMillis: tuning.idleConnectionTimeoutMs,
			// Idle connections do not keep a process alive: a command that has finished its
			// work exits even before it closes the storage.
			allowExitOnIdle: true,
		});
		// node-postgres emits `error` when an idle connection drops (database restart); an
		// unhandled `error` event would end the process, while the pool recovers by itself.
		pool.on("error", (error) => {
			logger.error({ err: error }, "idle PostgreSQL connection failed");
		});
		// A connection that drops while checked out also emits `error`, and the pool listens
		// only to idle ones. The query running on it fails on its own, and the pool drops the
		// connection when it comes back; the event itself must not end the process.
		pool.on("connect", (client) => {
			client.on("error", (error) => {
				logger.warn({ err: error }, "PostgreSQL connection failed while in use");
			});
		});
		timed = timedPool(pool, {
			max: maxConnections,
			poolWaitTimeoutMs: tuning.poolWaitTimeoutMs,
			statementTimeoutMs: () => queryTimeoutMs,
		});
		dialect = new PostgresDialect({ pool: timed });
		dialectName = "postgres";
	} else {
		// Loaded here, not at the top: a server on PostgreSQL never needs it.
		const { PGlite } = await import("@electric-sql/pglite");
		let pglite: PGlite;
		const template = options.template;
		// The cache size and connection slots go on the command line of this start only.
		// PGlite's `postgresqlconf` option writes the data folder's postgresql.conf instead,
		// replacing initdb's whole file, so every later server on the folder kept a one-off
		// command's 4 MiB cache.
		const settings = [
			...(options.embeddedCacheMiB === undefined
				? []
				: [`shared_buffers=${options.embeddedCacheMiB}MB`]),
			...(options.embeddedMaxConnections === undefined
				? []
				: [`max_connections=${options.embeddedMaxConnections}`]),
		];
		const pgliteConf =
			settings.length === 0
				? {}
				: {
						startParams: [
							...PGlite.defaultStartParams,
							...settings.flatMap((setting) => ["-c", setting]),
						],
					};
		if (dataDir === undefined) {
			pglite = new PGlite({ ...(template ? { loadDataDir: template } : {}), ...pgliteConf });
			embedded = { pglite };
			// kysely's own PGlite dialect declares a single connection, so kysely holds a mutex
			// from acquiring the connection to releasing it: a transaction has it to itself.
			dialect = new PGliteDialect({ pglite });
		} else {
			const folder = join(dataDir, "pglite");
			// Private before anything is read or written (see private-folder.ts).
			const tightened = options.dataDirTightened ?? (await securePrivateFolder(dataDir));
			if (tightened.length > 0) {
				logger.warn(
					{ dataDir, entries: tightened.length, first: tightened[0] },
					"the data folder was readable by other users; made it private (0700/0600)",
				);
			}
			await mkdir(folder, { recursive: true, mode: 0o700 });
			lock = await lockFolder(join(dataDir, "pglite.lock"), dataDir);
			try {
				await repairCommandConf(folder);
				const fresh = template && (await readdir(folder)).length === 0;
				pglite = new PGlite(folder, { ...(fresh ? { loadDataDir: template } : {}), ...pgliteConf });
			} catch (error) {
				await lock.release();
				throw error;
			}
			embedded = { pglite, folder };
			dialect = new LockedPGliteDialect({ pglite }, lock);
		}
		dialectName = "pglite";
	}
	const db = new Kysely<Database>({ dialect });

	const { error, results } = await migrateToLatest(db);
	for (const result of results ?? []) {
		if (result.status === "Success") {
			logger.info({ migration: result.migrationName }, "database migrated");
		}
	}
	if (error !== undefined) {
		await db.destroy().catch(() => undefined);
		// destroy skips a driver that never started; the lock must go either way.
		await lock?.release();
		const failed = results?.find((result) => result.status === "Error")?.migrationName;
		const reason = error instanceof Error ? error.message : String(error);
		throw new Error(
			failed
				? `Database migration ${failed} failed: ${reason}`
				: `Could not migrate the database: ${reason}`,
			{ cause: error },
		);
	}
	queryTimeoutMs = tuning.queryTimeoutMs;
	// PGlite writes with the process's umask: initdb (or the template) and the start itself
	// (pg_internal.init) just wrote files that are private only under a umask of 077, which
	// the server's and the command line's entries set. Under any other umask they are made
	// private now (10-25 ms for a thousand files, bench/findings/06.md).
	if (embedded?.folder && !umaskKeepsFilesPrivate()) await securePrivateFolder(embedded.folder);
	const storage = new KyselyStorage(db, dialectName, logger, {
		...(databaseUrl
			? {
					documentAppends: new (await import("./held-connection.ts")).HeldConnection({
						config: connectionConfig(databaseUrl, tuning),
						statementTimeoutMs: () => queryTimeoutMs,
						logger,
					}),
				}
			: {}),
		...(embedded
			? {
					// Loaded here, like PGlite itself: a server on PostgreSQL never needs it.
					embeddedAppends: new (await import("./embedded-appends.ts")).EmbeddedAppends(
						embedded.pglite,
					),
				}
			: {}),
	});
	if (embedded) embeddedDatabases.set(storage, embedded);
	if (pool && timed) pools.set(storage, { pool, timed, max: maxConnections });
	return storage;
}

/** How a PostgreSQL storage's connection pool is used at this moment. */
export interface PoolUse {
	/** Most connections the pool opens (`maxConnections`). */
	max: number;
	/** Connections open, idle or checked out. */
	open: number;
	/** Open connections nobody holds. */
	idle: number;
	/** Queries waiting for a connection because every one is held. */
	waiting: number;
}

const pools = new WeakMap<Storage, { pool: pg.Pool; timed: TimedPool; max: number }>();

/**
 * The pool use of a storage on PostgreSQL, for the operator's metrics; undefined on
 * PGlite, which has one connection that kysely lends to one transaction at a time.
 */
export function databasePoolUse(storage: Storage): PoolUse | undefined {
	const entry = pools.get(storage);
	if (!entry) return undefined;
	const { pool, timed, max } = entry;
	return { max, open: pool.totalCount, idle: pool.idleCount, waiting: timed.waitingCount };
}

/** The PGlite behind a storage opened by `openStorage`, for backups. */
export interface EmbeddedDatabase {
	pglite: PGlite;
	/** Its folder on disk; undefined in memory. */
	folder?: string;
}

const embeddedDatabases = new WeakMap<Storage, EmbeddedDatabase>();

/** The embedded database of a storage, or undefined when it runs on PostgreSQL. */
export function embeddedDatabase(storage: Storage): EmbeddedDatabase | undefined {
	return embeddedDatabases.get(storage);
}

/** kysely's PGlite dialect, releasing the folder lock once the database is closed. */
class LockedPGliteDialect extends PGliteDialect {
	readonly #config: PGliteDialectConfig;
	readonly #lock: FolderLock;

	constructor(config: PGliteDialectConfig, lock: FolderLock) {
		super(config);
		this.#config = config;
		this.#lock = lock;
	}

	override createDriver(): Driver {
		const lock = this.#lock;
		return new (class extends PGliteDriver {
			override async destroy(): Promise<void> {
				try {
					await super.destroy();
				} finally {
					await lock.release();
				}
			}
		})(this.#config);
	}
}

/**
 * A dump of a new, fully migrated embedded database, for `openStorage({ template })`.
 * Measured on this project's 2-core machine: initdb and the migrations cost 7.5 s of CPU,
 * starting from the dump 2.1 s.
 */
export async function pgliteTemplate(): Promise<Blob> {
	const { PGlite } = await import("@electric-sql/pglite");
	const pglite = new PGlite();
	const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
	try {
		const { error } = await migrateToLatest(db);
		if (error !== undefined) throw error;
		return await pglite.dumpDataDir("none");
	} finally {
		await db.destroy();
	}
}

/**
 * Undo what a one-off command of an earlier version left in the data folder: its
 * postgresql.conf replaced by the single line `shared_buffers=4MB` (PGlite's
 * `postgresqlconf` writes the whole file), which every later start then read. Without the
 * line PostgreSQL's defaults apply again (a 128 MiB cache); initdb's other lines set what
 * the defaults already are here or what Switchboard names in its queries (the text search
 * configuration). A file with anything else in it is the operator's and is left alone.
 */
async function repairCommandConf(folder: string): Promise<void> {
	const path = join(folder, "postgresql.conf");
	const text = await readFile(path, "utf8").catch(() => undefined);
	if (text === undefined || !/^shared_buffers=\d+MB\s*$/.test(text)) return;
	await writeFile(
		path,
		"# Emptied by Switchboard: a one-off command of an earlier version had left its page cache\n" +
			"# size here (shared_buffers), which every later start read. PostgreSQL's defaults apply.\n",
		{ mode: 0o600 },
	);
}

/** Whether files this process creates get no permission for the group or others. */
function umaskKeepsFilesPrivate(): boolean {
	// Reading the umask without setting it (DEP0139 is documentation-only): setting it to read
	// it back would open a window in which another thread's files got the wrong mode.
	return (process.umask() & 0o077) === 0o077;
}
