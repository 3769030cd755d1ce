/**
 * One process per embedded database: a second opener is refused with the holder named, and
 * a lock left by a process that died is taken over at once.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FolderLockedError, lockFolder } from "./folder-lock.ts";
import { openStorage } from "./open.ts";
import { testTemplate } from "./test-template.ts";

let dataDir: string;
beforeEach(async () => {
	dataDir = await mkdtemp(join(tmpdir(), "switchboard-lock-"));
});
afterEach(async () => {
	await rm(dataDir, { recursive: true, force: true });
});

/** The id of a process that ran and exited. */
function deadPid(): Promise<number> {
	return new Promise((resolve, reject) => {
		const child = execFile(process.execPath, ["-e", ""], (error) => {
			if (error) reject(error);
			else resolve(child.pid ?? 0);
		});
	});
}

describe("the embedded database's folder lock", () => {
	it("refuses a second opener, naming the holder, until the first closes", async () => {
		const first = await openStorage({ dataDir, template: await testTemplate() });
		const second = openStorage({ dataDir });
		await expect(second).rejects.toThrow(FolderLockedError);
		await expect(second).rejects.toThrow(
			new RegExp(`data folder ${dataDir} is in use by process ${process.pid} \\(since `),
		);
		// The refused opener touched nothing: the first still works.
		const org = await first.createOrganisation({ name: "Still here" });
		await first.close();

		const third = await openStorage({ dataDir });
		try {
			expect(await third.getOrganisation(org.id)).toEqual(org);
		} finally {
			await third.close();
		}
		// Opening a database on disk takes PGlite tens of seconds on a machine busy with other work.
	}, 300_000);

	it("takes over a lock whose process is gone", async () => {
		const pid = await deadPid();
		const path = join(dataDir, "pglite.lock");
		await writeFile(path, JSON.stringify({ pid, host: hostname(), startedAt: "earlier" }));
		const lock = await lockFolder(path);
		expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ pid: process.pid });
		await lock.release();
		await expect(readFile(path, "utf8")).rejects.toThrow(/ENOENT/);
	});

	it("respects a lock held from another host (a shared folder)", async () => {
		const path = join(dataDir, "pglite.lock");
		await writeFile(
			path,
			JSON.stringify({ pid: 1, host: "elsewhere.example", startedAt: "2026-12-01T00:00:00Z" }),
		);
		await expect(lockFolder(path, dataDir)).rejects.toThrow(
			/in use by process 1 on host elsewhere\.example \(since 2026-12-01T00:00:00Z\)/,
		);
	});

	it("lets exactly one of many simultaneous takers win a stale lock", async () => {
		const path = join(dataDir, "pglite.lock");
		await writeFile(
			path,
			JSON.stringify({ pid: await deadPid(), host: hostname(), startedAt: "earlier" }),
		);
		const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => lockFolder(path)));
		const won = attempts.filter((attempt) => attempt.status === "fulfilled");
		expect(won).toHaveLength(1);
		for (const attempt of attempts) {
			if (attempt.status === "rejected") expect(attempt.reason).toBeInstanceOf(FolderLockedError);
		}
	});
});
