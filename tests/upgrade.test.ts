/**
 * An upgrade of the embedded database: the data folder the first release wrote (three
 * migrations, drafts compacted by its stop and one left in the update log as after a kill;
 * tests/fixtures/first-release/make.sh) is opened by the current code, which migrates it.
 * Everything is intact, and the folder opens again afterwards on its own.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS, openStorage } from "@switchboard/storage";
import { afterAll, expect, it } from "vitest";
import {
	expectFirstReleaseIntact,
	FIRST_RELEASE,
	readFirstRelease,
} from "./utils/first-release.ts";

const folders: string[] = [];

afterAll(async () => {
	for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

it("opens the first release's data folder with everything in it", async () => {
	const expected = await readFirstRelease("pglite");
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-upgrade-"));
	folders.push(dataDir);
	// The folder as the first release left it: its PGlite dump, unpacked into DATA_DIR/pglite.
	const folder = new Blob([await readFile(join(FIRST_RELEASE, "pglite.tar.gz"))]);
	const migrated: string[] = [];
	const logger = {
		info: (fields: Record<string, unknown>) => {
			if (typeof fields.migration === "string") migrated.push(fields.migration);
		},
		warn: () => {},
		error: () => {},
	};
	const storage = await openStorage({ dataDir, template: folder, logger });
	try {
		// Only the migrations after the first three ran.
		expect(migrated).toEqual(Object.keys(MIGRATIONS).sort().slice(3));
		const { checked } = await expectFirstReleaseIntact(storage, expected);
		console.log(`[reliability] upgrade (embedded): ${JSON.stringify({ migrated, ...checked })}`);
	} finally {
		await storage.close();
	}
	// The upgraded folder on its own, as the next start opens it.
	const again = await openStorage({ dataDir });
	try {
		expect((await again.listMentions(expected.organisation.id, "main")).length).toBe(4);
	} finally {
		await again.close();
	}
});
