/**
 * One writer per embedded database. PGlite has no lock of its own: two processes that open
 * one data folder both write to it and corrupt it (an import run beside a live server left
 * rows the board's index could not reach). The lock is a file created atomically next to
 * the folder, naming its holder, so a second opener refuses with a message that says who.
 *
 * Hand-written rather than `proper-lockfile`: that library judges a lock stale by its age
 * and refreshes it on a timer, so a server whose event loop stalls past the stale period
 * (a busy machine) has its lock declared compromised, and a crashed holder keeps others out
 * until the period passes. The holder's process id answers both at once on one host.
 */

import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";

/** Who holds a data folder, as written into its lock file. */
export interface LockHolder {
	pid: number;
	host: string;
	/** ISO 8601 time the holder took the lock. */
	startedAt: string;
}

/** An exclusive lock on a data folder; `release` is idempotent. */
export interface FolderLock {
	readonly path: string;
	readonly holder: LockHolder;
	release(): Promise<void>;
}

/** Thrown when another live process holds the lock. */
export class FolderLockedError extends Error {
	readonly holder: LockHolder;
	readonly path: string;

	constructor(path: string, holder: LockHolder, folder: string) {
		const who =
			holder.host === hostname()
				? `process ${holder.pid}`
				: `process ${holder.pid} on host ${holder.host}`;
		super(
			`The data folder ${folder} is in use by ${who} (since ${holder.startedAt}). ` +
				"Only one process may open an embedded database: stop it, or use another DATA_DIR. " +
				`If no such process runs any more, delete ${path}.`,
		);
		this.name = "FolderLockedError";
		this.holder = holder;
		this.path = path;
	}
}

/**
 * Tries before giving up on a lock file that keeps changing under us; a taker that finds
 * another mid-takeover waits 5 ms and tries again, so this bounds about a second.
 */
const ATTEMPTS = 200;

/**
 * Take the lock at `path` (a file, typically `<dataDir>/pglite.lock`) for this process.
 * A lock left by a process of this host that no longer runs is taken over; a live holder,
 * or one on another host (a shared network folder), makes this throw `FolderLockedError`.
 */
export async function lockFolder(path: string, folder = path): Promise<FolderLock> {
	const holder: LockHolder = {
		pid: process.pid,
		host: hostname(),
		startedAt: new Date().toISOString(),
	};
	const content = `${JSON.stringify(holder)}\n`;
	// Written whole under a private name and linked into place: `link` fails if the lock
	// exists, and whoever reads the lock never sees a half-written holder.
	const pending = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
	await writeFile(pending, content, { mode: 0o600 });
	try {
		for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
			try {
				await link(pending, path);
				return createLock(path, holder, content);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
			}
			const current = await readHolder(path);
			if (current === undefined) continue; // released meanwhile
			if (current.holder === null || isLive(current.holder)) {
				throw new FolderLockedError(
					path,
					current.holder ?? { pid: 0, host: "unknown", startedAt: "unknown" },
					folder,
				);
			}
			await takeOver(path, current.text, pending);
		}
		throw new Error(`Could not take the lock ${path}: it kept changing.`);
	} finally {
		await unlink(pending).catch(() => undefined);
	}
}

function createLock(path: string, holder: LockHolder, content: string): FolderLock {
	let released = false;
	return {
		path,
		holder,
		async release() {
			if (released) return;
			released = true;
			// Only our own lock: never remove one another process took after a stale takeover.
			const current = await readFile(path, "utf8").catch(() => undefined);
			if (current === content) await unlink(path).catch(() => undefined);
		},
	};
}

async function readHolder(
	path: string,
): Promise<{ text: string; holder: LockHolder | null } | undefined> {
	let text: string;
	try {
		text = await readFile(path, "utf8");
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
		throw error;
	}
	try {
		const parsed = JSON.parse(text) as Partial<LockHolder>;
		if (typeof parsed.pid === "number" && typeof parsed.host === "string") {
			return {
				text,
				holder: { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt) },
			};
		}
	} catch {
		// Not ours to judge: a file we cannot read is treated as held.
	}
	return { text, holder: null };
}

/** A holder is live unless it is on this host and its process is gone. */
function isLive(holder: LockHolder): boolean {
	if (holder.host !== hostname()) return true;
	try {
		process.kill(holder.pid, 0);
		return true;
	} catch (error) {
		// EPERM: the process exists under another user.
		return (error as NodeJS.ErrnoException).code !== "ESRCH";
	}
}

/**
 * Remove a stale lock, once. Two processes may judge the same lock stale at once: only the
 * one holding the takeover guard (`<path>.takeover`, taken like the lock itself) may delete
 * it, and only while it still holds the stale text, so a fresh lock taken meanwhile is never
 * removed. (Moving the lock aside and linking back a fresh one, as before, left the path
 * empty for a moment, and a third taker could take it then: two holders.) The caller then
 * tries to take the lock again; whoever links first wins.
 */
async function takeOver(path: string, staleText: string, pending: string): Promise<void> {
	const guard = `${path}.takeover`;
	try {
		await link(pending, guard);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
		const current = await readHolder(guard);
		// A guard left by a process that died mid-takeover would block every later start.
		if (current?.holder && !isLive(current.holder)) await unlink(guard).catch(() => undefined);
		else await new Promise((resolve) => setTimeout(resolve, 5));
		return;
	}
	try {
		const now = await readFile(path, "utf8").catch(() => undefined);
		if (now === staleText) await unlink(path).catch(() => undefined);
	} finally {
		await unlink(guard).catch(() => undefined);
	}
}
