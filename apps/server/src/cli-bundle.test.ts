/**
 * The command line's bundle (cli-bundle.ts): what it holds, when a run takes it as it is and
 * when it builds again, and that a command from it answers as from the sources.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCliBundle, freshCliBundle } from "./cli-bundle.ts";
import { runCli } from "./run-cli.ts";

let folder: string;

beforeAll(async () => {
	folder = await mkdtemp(join(tmpdir(), "switchboard-cli-bundle-"));
});

afterAll(async () => {
	await rm(folder, { recursive: true, force: true });
});

/** The import specifiers of the bundle's files. */
async function importsOf(entry: string): Promise<string[]> {
	const dir = join(entry, "..");
	const specifiers: string[] = [];
	for (const name of await readdir(dir)) {
		const code = await readFile(join(dir, name), "utf8");
		const patterns = [
			/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm,
			/^import\s*"([^"]+)"/gm,
			/\bimport\(\s*"([^"]+)"\s*\)/g,
		];
		for (const pattern of patterns) {
			for (const match of code.matchAll(pattern)) specifiers.push(match[1] as string);
		}
	}
	return specifiers;
}

describe("the command line's bundle", () => {
	it("holds the workspace's code and kysely; every other package by the path it resolves to", async () => {
		const entry = await buildCliBundle(join(folder, "built"));
		expect(freshCliBundle(join(folder, "built"))).toBe(entry);
		const specifiers = await importsOf(entry);
		const bare = specifiers.filter((s) => !/^(node:|\.{1,2}\/|\/)/.test(s));
		expect(bare, "bare package imports left in the bundle").toEqual([]);
		expect(specifiers.some((s) => s.includes("/kysely/"))).toBe(false);
		expect(specifiers.some((s) => s.includes("/@electric-sql/pglite/"))).toBe(true);
		const code = await readFile(entry, "utf8");
		expect(code).not.toContain("import.meta");

		const current = JSON.parse(await readFile(join(folder, "built", "current.json"), "utf8")) as {
			inputs: [string, number, number][];
		};
		const inputs = current.inputs.map(([path]) => path);
		for (const file of [
			"apps/server/src/cli-commands.ts",
			"packages/storage/src/index.ts",
			"apps/server/package.json",
			"pnpm-lock.yaml",
		]) {
			expect(
				inputs.some((path) => path.endsWith(file)),
				file,
			).toBe(true);
		}
		expect(inputs.some((path) => path.includes("/node_modules/kysely/"))).toBe(false);
	});

	it("is taken while every file it was built from is as it was, and not once one changed", async () => {
		const dir = join(folder, "check");
		const source = join(folder, "source.ts");
		await writeFile(source, "export {};\n");
		const entry = join(folder, "entry.js");
		await writeFile(entry, "");
		const write = async (sourceStats: { size: number; mtimeMs: number }) => {
			await rm(dir, { recursive: true, force: true });
			await mkdir(dir);
			await writeFile(
				join(dir, "current.json"),
				JSON.stringify({ entry, inputs: [[source, sourceStats.size, sourceStats.mtimeMs]] }),
			);
		};
		await write(await stat(source));
		expect(freshCliBundle(dir)).toBe(entry);

		await writeFile(source, "export const changed = 1;\n");
		expect(freshCliBundle(dir), "a source edited").toBeNull();

		await write(await stat(source));
		expect(freshCliBundle(dir)).toBe(entry);
		const later = new Date(Date.now() + 60_000);
		await utimes(source, later, later);
		expect(freshCliBundle(dir), "a source touched").toBeNull();

		await write(await stat(source));
		await rm(entry);
		expect(freshCliBundle(dir), "the bundle's entry gone").toBeNull();
		expect(freshCliBundle(join(folder, "none")), "no bundle built").toBeNull();
	});

	it("answers as the sources do", async () => {
		const data = join(folder, "data");
		const bundled = await runCli(["help"], data);
		const sources = await runCli(["help"], data, { env: { SWITCHBOARD_CLI_BUNDLE: "0" } });
		expect(bundled.code).toBe(0);
		expect(bundled.stderr).toBe("");
		expect(bundled.stdout).toContain("pnpm switchboard import");
		expect(bundled).toEqual(sources);
	});
});
