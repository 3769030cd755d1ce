/**
 * Backups of the embedded database: a gzipped tar of the PGlite folder, taken from the open
 * database between two statements (PGlite runs one at a time), so it is what the folder
 * would hold after a crash at that instant. Restoring it replays the write-ahead log like
 * any restart after a crash: every committed transaction, hence every acknowledged edit,
 * is there.
 */
import { access, mkdir, readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { lockFolder } from "./folder-lock.ts";
import { embeddedDatabase } from "./open.ts";
import { securePrivateFolder } from "./private-folder.ts";
import type { Storage } from "./storage.ts";

/**
 * The backup of an open embedded database (gzipped tar). Throws when the storage runs on
 * PostgreSQL, whose backups are `pg_dump`'s job.
 */
export async function dumpEmbeddedDatabase(storage: Storage): Promise<Uint8Array> {
	const embedded = embeddedDatabase(storage);
	if (!embedded) {
		throw new Error("This server runs on PostgreSQL: back it up with pg_dump.");
	}
	const blob = await embedded.pglite.dumpDataDir("gzip");
	return new Uint8Array(await blob.arrayBuffer());
}

export interface RestoreResult {
	/** Where the folder that was there before went, when `replace` moved one aside. */
	previous: string | null;
}

/**
 * Restore a backup into `<dataDir>/pglite`. The data folder is locked meanwhile, so this
 * fails with `FolderLockedError` while a server runs on it. A folder that already holds a
 * database is refused unless `replace` is set, and then moved aside, never deleted.
 */
export async function restoreEmbeddedDatabase(
	dataDir: string,
	backup: Uint8Array,
	options: { replace?: boolean; now?: Date } = {},
): Promise<RestoreResult> {
	const folder = join(dataDir, "pglite");
	await securePrivateFolder(dataDir);
	const lock = await lockFolder(join(dataDir, "pglite.lock"), dataDir);
	try {
		let previous: string | null = null;
		if (await holdsDatabase(folder)) {
			if (!options.replace) {
				throw new Error(
					`${folder} already holds a database. Restore into an empty DATA_DIR, or pass --replace to move it aside first.`,
				);
			}
			const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
			previous = join(dataDir, `pglite.before-restore-${stamp}`);
			await rename(folder, previous);
		} else if (await exists(folder)) {
			// An empty folder left by a failed start: PGlite would refuse to load into it.
			if ((await readdir(folder)).length > 0) {
				throw new Error(`${folder} is not empty and holds no database; move it away first.`);
			}
		}
		await mkdir(folder, { recursive: true });
		const { PGlite } = await import("@electric-sql/pglite");
		// Copy into a Blob: PGlite reads the tar through the Blob interface.
		const pglite = new PGlite(folder, { loadDataDir: new Blob([new Uint8Array(backup)]) });
		await pglite.waitReady;
		await pglite.close();
		await securePrivateFolder(folder);
		return { previous };
	} finally {
		await lock.release();
	}
}

async function holdsDatabase(folder: string): Promise<boolean> {
	return exists(join(folder, "PG_VERSION"));
}

async function exists(path: string): Promise<boolean> {
	try {
		await access(path);
		return true;
	} catch {
		return false;
	}
}
