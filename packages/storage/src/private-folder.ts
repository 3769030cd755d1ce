/**
 * The data folder is private to the user the server runs as (issue 15, row 7). It holds the
 * embedded database (password hashes, roles, sealed credentials), the secret that signs
 * tokens and the admin channel's token: PGlite created its files 0666 and its folders 0755,
 * so any local user could read or rewrite them.
 *
 * On every start the folder is made 0700 and everything in it 0700 (folders) or 0600
 * (files), which also repairs a folder an older version left open. The 0700 folder is what
 * keeps other users out of files created later; the server's entry points also set the
 * process umask to 077 so those are private too. A folder, or an entry in it, that belongs
 * to another user is refused: the server will not keep secrets where someone else can
 * swap them.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Thrown when the data folder or something in it is not this user's to secure. */
export class ForeignFolderError extends Error {
	readonly path: string;

	constructor(path: string, detail: string) {
		super(
			`${path} ${detail}. The data folder keeps password hashes and the secret that signs ` +
				"sessions, so it must belong to the user Switchboard runs as: give it to that user " +
				"(chown -R), or set DATA_DIR to a folder of its own.",
		);
		this.name = "ForeignFolderError";
		this.path = path;
	}
}

const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/** The bits a private entry may not have: anything for the group or others. */
const SHARED_BITS = 0o077;

function owner(uid: number): string {
	return uid === 0 ? "root" : `user ${uid}`;
}

/** Secure one entry: refuse another user's, tighten its mode. True when it was changed. */
function secure(
	path: string,
	entry: { mode: number; uid: number },
	me: number | undefined,
	wanted: number,
): boolean {
	const { mode, uid } = entry;
	// Even for root: a folder another user owns is theirs to swap files in.
	if (me !== undefined && uid !== me) {
		throw new ForeignFolderError(path, `belongs to ${owner(uid)}, not to ${owner(me)}`);
	}
	if ((mode & SHARED_BITS) === 0) return false;
	try {
		chmodSync(path, wanted);
	} catch (error) {
		throw new ForeignFolderError(
			path,
			`could not be made private (${(error as NodeJS.ErrnoException).code ?? "error"})`,
		);
	}
	return true;
}

/**
 * Create `folder` if missing and make it and everything in it private to this user.
 * Symbolic links inside are left alone (their targets are not ours to judge); the folder
 * itself may be one. Answers the paths whose modes were tightened, for the log.
 *
 * The walk uses the synchronous calls: it runs while a process starts (the configuration,
 * then the storage, read the data folder) and a data folder holds about a thousand
 * entries, PGlite's files. One `lstat` at a time through the thread pool took 38 ms per
 * walk here, synchronously 10 ms, and a command line on the embedded database walks the
 * folder three times (bench/findings/06.md).
 */
export async function securePrivateFolder(
	folder: string,
	options: {
		/** Who must own everything. @default the process's user (none on Windows: not checked) */
		uid?: number;
	} = {},
): Promise<string[]> {
	const me = options.uid ?? process.getuid?.();
	mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
	const tightened: string[] = [];
	const top = statSync(folder);
	if (!top.isDirectory()) throw new ForeignFolderError(folder, "is not a folder");
	if (secure(folder, top, me, FOLDER_MODE)) tightened.push(folder);
	const pending = [folder];
	for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
		for (const name of readdirSync(current)) {
			const path = join(current, name);
			// Undefined when removed while we walked (a lock released, a socket closed).
			const entry = lstatSync(path, { throwIfNoEntry: false });
			if (!entry || entry.isSymbolicLink()) continue;
			const wanted = entry.isDirectory() ? FOLDER_MODE : FILE_MODE;
			if (secure(path, entry, me, wanted)) tightened.push(path);
			if (entry.isDirectory()) pending.push(path);
		}
	}
	return tightened;
}
