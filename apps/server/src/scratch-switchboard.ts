/**
 * For the server's own tests: a Switchboard on port 0 in a fresh temporary folder, on the
 * PGlite test template, logging nothing. `web` files are written under `<folder>/dist`,
 * which becomes the web client's folder. Passwords are hashed with the older, cheaper scrypt
 * parameters (`hashPassword(…, OLDER_SCRYPT_PARAMETERS)` makes members' hashes that no sign-in
 * rehashes). `close()` stops it and removes the folder.
 * `scratchSwitchboardForTests` does the same around the tests of a file or `describe`.
 * (End-to-end tests use `tests/utils/test-server.ts`, which also seeds people.)
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { testTemplate } from "@switchboard/storage/test-template";
import { pino } from "pino";
import { afterAll, beforeAll } from "vitest";
import type { Config } from "./config.ts";
import { OLDER_SCRYPT_PARAMETERS } from "./passwords.ts";
import { type Switchboard, startSwitchboard } from "./server.ts";

export interface ScratchSwitchboard {
	switchboard: Switchboard;
	url: string;
	close(): Promise<void>;
}

export async function startScratchSwitchboard(
	secret: string,
	options: { web?: Record<string, string | Uint8Array>; config?: Partial<Config> } = {},
): Promise<ScratchSwitchboard> {
	const folder = await mkdtemp(join(tmpdir(), "switchboard-scratch-"));
	let webDir: string | undefined;
	if (options.web) {
		webDir = join(folder, "dist");
		for (const [path, content] of Object.entries(options.web)) {
			await mkdir(dirname(join(webDir, path)), { recursive: true });
			await writeFile(join(webDir, path), content);
		}
	}
	const config: Config = {
		port: 0,
		host: "127.0.0.1",
		dataDir: join(folder, "data"),
		databaseUrl: undefined,
		redisUrl: undefined,
		secret,
		demo: false,
		demoDataDir: folder,
		webDir,
		logLevel: "silent",
		...options.config,
	};
	const switchboard = await startSwitchboard(config, {
		logger: pino({ level: "silent" }),
		storageTemplate: await testTemplate(),
		passwordHashing: OLDER_SCRYPT_PARAMETERS,
	});
	return {
		switchboard,
		url: switchboard.url,
		async close() {
			await switchboard.close();
			await rm(folder, { recursive: true, force: true });
		},
	};
}

/**
 * A scratch Switchboard started before the tests of the enclosing file or `describe` and
 * closed after them. Read it inside tests and hooks only: it exists once they run.
 */
export function scratchSwitchboardForTests(
	secret: string,
	options: Parameters<typeof startScratchSwitchboard>[1] = {},
): Switchboard {
	let scratch: ScratchSwitchboard | undefined;
	beforeAll(async () => {
		scratch = await startScratchSwitchboard(secret, options);
	});
	afterAll(async () => {
		await scratch?.close();
	});
	return new Proxy({} as Switchboard, {
		get(_, key) {
			if (!scratch) throw new Error("the scratch Switchboard has not started");
			return Reflect.get(scratch.switchboard, key);
		},
	});
}
