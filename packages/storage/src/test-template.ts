/**
 * The migrated embedded-database template of a test run. `setupStorageTemplate` (a vitest
 * global setup, see vitest.config.ts) builds it once; every test file that opens an
 * embedded database starts from it with `openStorage({ template: await testTemplate() })`
 * instead of paying initdb and every migration again (about 7.5 s of CPU each on a 2-core
 * machine, against 2.1 s from the dump: the suite opens dozens of them).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import type { TestProject } from "vitest/node";
import { openStorage, pgliteTemplate } from "./open.ts";
import type { Storage } from "./storage.ts";

declare module "vitest" {
	export interface ProvidedContext {
		/** Path of the migrated PGlite dump this run's embedded databases start from. */
		pgliteTemplate: string;
	}
}

/** Global setup: dump a migrated database into a private folder for the run. */
export async function setupStorageTemplate(project: TestProject): Promise<() => Promise<void>> {
	const folder = await mkdtemp(join(tmpdir(), "switchboard-template-"));
	const path = join(folder, "pglite.tar");
	const dump = await pgliteTemplate();
	await writeFile(path, new Uint8Array(await dump.arrayBuffer()), { mode: 0o600 });
	project.provide("pgliteTemplate", path);
	return () => rm(folder, { recursive: true, force: true });
}

let template: Promise<Blob> | undefined;

/**
 * This run's template, read once per test file. A script outside a vitest run that starts
 * the test servers (tests/e2e/screenshots.ts) has none provided, and builds one of its own.
 */
export function testTemplate(): Promise<Blob> {
	template ??= process.env.VITEST
		? readFile(inject("pgliteTemplate")).then((bytes) => new Blob([bytes]))
		: pgliteTemplate();
	return template;
}

/**
 * An embedded database from the template for the tests around the call (a file or a
 * `describe`): opened before them, closed after. Returns its reader, for use inside tests.
 */
export function embeddedStorageForTests(): () => Storage {
	let storage: Storage | undefined;
	beforeAll(async () => {
		storage = await openStorage({ template: await testTemplate() });
	});
	afterAll(async () => {
		await storage?.close();
	});
	return () => {
		if (!storage) throw new Error("embeddedStorageForTests: read it inside a test");
		return storage;
	};
}
