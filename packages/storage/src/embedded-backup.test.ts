/**
 * A backup of the embedded database taken while it is open restores into a fresh folder
 * with everything committed before it; restoring never overwrites a database silently.
 */
import { chmod, lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpEmbeddedDatabase, restoreEmbeddedDatabase } from "./embedded-backup.ts";
import { FolderLockedError } from "./folder-lock.ts";
import { silentLogger } from "./logger.ts";
import { openStorage } from "./open.ts";
import { securePrivateFolder } from "./private-folder.ts";
import type { Storage } from "./storage.ts";
import { testTemplate } from "./test-template.ts";

let root: string;
let source: Storage;
let backup: Uint8Array;
let orgId: string;

beforeAll(async () => {
	root = await mkdtemp(join(tmpdir(), "switchboard-backup-"));
	source = await openStorage({ dataDir: join(root, "source"), template: await testTemplate() });
	orgId = (await source.createOrganisation({ name: "Backed up" })).id;
	await source.appendUpdates([{ name: "draft/x/1", update: new Uint8Array([1, 2, 3]) }]);
	backup = await dumpEmbeddedDatabase(source);
	// After the backup: not in it.
	await source.appendUpdates([{ name: "draft/x/1", update: new Uint8Array([4]) }]);
}, 300_000);
afterAll(async () => {
	await source?.close();
	await rm(root, { recursive: true, force: true });
});

/** Every entry under `folder` whose mode lets anyone but its owner in (links excepted). */
async function openToOthers(folder: string): Promise<string[]> {
	const open: string[] = [];
	const entry = await lstat(folder);
	if (entry.isSymbolicLink()) return open;
	if ((entry.mode & 0o077) !== 0) open.push(`${folder} ${(entry.mode & 0o777).toString(8)}`);
	if (entry.isDirectory()) {
		for (const name of await readdir(folder))
			open.push(...(await openToOthers(join(folder, name))));
	}
	return open;
}

describe("the embedded database's folder", () => {
	it("is private to its user: folders 0700, files 0600, an open one repaired on start", async () => {
		expect(await openToOthers(join(root, "source"))).toEqual([]);
		const target = join(root, "private");
		await restoreEmbeddedDatabase(target, backup);
		expect(await openToOthers(target)).toEqual([]);
		// As an older version left it: readable and writable by everyone.
		await chmod(target, 0o755);
		await chmod(join(target, "pglite"), 0o777);
		await chmod(join(target, "pglite", "PG_VERSION"), 0o666);
		const warnings: Record<string, unknown>[] = [];
		const logger = {
			...silentLogger,
			warn: (fields: Record<string, unknown>) => warnings.push(fields),
		};
		const reopened = await openStorage({ dataDir: target, logger });
		try {
			expect(await openToOthers(target)).toEqual([]);
		} finally {
			await reopened.close();
		}
		// The operator is told, whether the storage made the folder private or the configuration
		// did just before (it does, to read the secret, and passes on what it tightened).
		await chmod(join(target, "pglite", "PG_VERSION"), 0o644);
		const tightened = await securePrivateFolder(target);
		const afterConfig = await openStorage({ dataDir: target, dataDirTightened: tightened, logger });
		await afterConfig.close();
		expect(warnings).toEqual([
			expect.objectContaining({ dataDir: target, entries: 3 }),
			expect.objectContaining({
				dataDir: target,
				entries: 1,
				first: join(target, "pglite", "PG_VERSION"),
			}),
		]);
	}, 300_000);
});

describe("embedded database backups", () => {
	it("restore into a fresh folder what was committed when taken", async () => {
		const target = join(root, "restored");
		expect(await restoreEmbeddedDatabase(target, backup)).toEqual({ previous: null });
		const restored = await openStorage({ dataDir: target });
		try {
			expect(await restored.getOrganisation(orgId)).toMatchObject({ name: "Backed up" });
			expect((await restored.loadDocument("draft/x/1")).updates).toEqual([
				new Uint8Array([1, 2, 3]),
			]);
		} finally {
			await restored.close();
		}
	}, 300_000);

	it("refuse a folder a process has open, and one holding a database unless told to replace it", async () => {
		await expect(restoreEmbeddedDatabase(join(root, "source"), backup)).rejects.toThrow(
			FolderLockedError,
		);
		const target = join(root, "restored");
		await expect(restoreEmbeddedDatabase(target, backup)).rejects.toThrow(
			/already holds a database.*--replace/,
		);
		const { previous } = await restoreEmbeddedDatabase(target, backup, { replace: true });
		expect(previous).toMatch(/pglite\.before-restore-/);
		// Moved aside, not deleted.
		expect(await readdir(previous ?? "")).toContain("PG_VERSION");
	}, 300_000);

	it("can be taken of a database in memory too", async () => {
		const memory = await openStorage({ template: await testTemplate() });
		try {
			expect((await dumpEmbeddedDatabase(memory)).byteLength).toBeGreaterThan(0);
		} finally {
			await memory.close();
		}
	}, 300_000);
});
