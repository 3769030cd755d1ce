/**
 * The command line runs from one bundle of its code, built on its first run and again
 * whenever a file it was built from changes. From its sources a command loaded ~520 modules:
 * the workspace's own (each type-stripped, then read back from the compile cache) and kysely's
 * 257 files, each resolved through pnpm's links and linked one by one. That was a third of an
 * import of 2,000 mentions on its own (bench/findings/06.md). The bundle holds the workspace's
 * modules and kysely, which only the storage package imports; every other package stays
 * outside it, imported by the path it resolves to from where it was imported, so each is
 * loaded once, as from the sources (Yjs, for one, must not have two copies).
 *
 * The bundle lives beside the compile cache, `node_modules/.cache/switchboard-cli`, owned by
 * whoever installed the checkout (see cli.js). `current.json` names the bundle in use and the
 * files it was built from, with their sizes and modification times: the workspace's sources,
 * their packages' package.json, and the install's lockfile and manifest for everything under
 * node_modules. A run checks those (~150 `stat`s, a few ms) and builds again when one differs.
 * Builds never overwrite each other: each writes a folder of its own, and `current.json` is
 * replaced by a rename. `SWITCHBOARD_CLI_BUNDLE=0` runs from the sources.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = resolve(import.meta.dirname, "../../..");
const ENTRY = join(import.meta.dirname, "cli-commands.ts");
/** Packages put into the bundle: imported only by the workspace, and many files each. */
const INLINED = new Set(["kysely"]);
/** A folder of an earlier build is removed once it is this old (a run may still load from it). */
const STALE_FOLDER_MS = 10 * 60_000;

/** One file the bundle was built from: its path, size and modification time. */
type Input = [path: string, size: number, mtimeMs: number];

interface Current {
	/** The bundle's entry, an absolute path. */
	entry: string;
	inputs: Input[];
}

export const cliBundleFolder = (): string => join(REPO, "node_modules/.cache/switchboard-cli");

/** The bundle's entry when it was built from the files as they are now; null otherwise. */
export function freshCliBundle(folder = cliBundleFolder()): string | null {
	let current: Current;
	try {
		current = JSON.parse(readFileSync(join(folder, "current.json"), "utf8")) as Current;
	} catch {
		return null;
	}
	for (const [path, size, mtimeMs] of current.inputs) {
		const stats = statSync(path, { throwIfNoEntry: false });
		if (stats?.size !== size || stats.mtimeMs !== mtimeMs) return null;
	}
	return statSync(current.entry, { throwIfNoEntry: false }) ? current.entry : null;
}

/** Builds the bundle into a new folder of `folder` and makes it current; returns its entry. */
export async function buildCliBundle(folder = cliBundleFolder()): Promise<string> {
	const { build } = await import("rolldown");
	mkdirSync(folder, { recursive: true, mode: 0o700 });
	const out = join(folder, `${Date.now().toString(36)}-${process.pid}`);
	// Taken before the build: a file changed while it runs makes the next run build again.
	const lockfiles = [join(REPO, "pnpm-lock.yaml"), join(REPO, "node_modules/.modules.yaml")];
	const before = new Map(lockfiles.map((path) => [path, inputOf(path)]));
	const result = await build({
		input: ENTRY,
		platform: "node",
		logLevel: "silent",
		plugins: [
			{
				name: "switchboard-packages-outside",
				async resolveId(source, importer, options) {
					if (isBuiltin(source)) return { id: source, external: true };
					if (/^[./]/.test(source) || source.startsWith("@switchboard/")) return null;
					if (INLINED.has(packageName(source))) return null;
					const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
					return resolved ? { id: resolved.id, external: "absolute" } : null;
				},
			},
			{
				// A module of the workspace finds its files from where its source is, not the bundle.
				name: "switchboard-import-meta",
				transform(code, id) {
					if (id.includes(`${sep}node_modules${sep}`) || !code.includes("import.meta")) return null;
					return code
						.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(id).href))
						.replaceAll("import.meta.dirname", JSON.stringify(dirname(id)))
						.replaceAll("import.meta.filename", JSON.stringify(id));
				},
			},
		],
		output: { dir: out, format: "esm", entryFileNames: "cli.js" },
	});
	const sources = new Set<string>();
	for (const chunk of result.output) {
		if (chunk.type !== "chunk") continue;
		for (const id of chunk.moduleIds) {
			if (id.startsWith(REPO + sep) && !id.includes(`${sep}node_modules${sep}`)) sources.add(id);
		}
	}
	const packages = new Set([...sources].map((path) => packageJsonOf(path)));
	packages.add(join(REPO, "package.json"));
	const inputs = [...sources, ...packages, fileURLToPath(import.meta.url)]
		.map(inputOf)
		.concat(lockfiles.map((path) => before.get(path) ?? inputOf(path)))
		.filter((input): input is Input => input !== null);
	const current: Current = { entry: join(out, "cli.js"), inputs };
	const staging = join(folder, `current.json.${process.pid}`);
	await writeFile(staging, JSON.stringify(current), { mode: 0o600 });
	await rename(staging, join(folder, "current.json"));
	removeOldBuilds(folder, out);
	return current.entry;
}

function inputOf(path: string): Input | null {
	const stats = statSync(path, { throwIfNoEntry: false });
	return stats ? [path, stats.size, stats.mtimeMs] : null;
}

/** `@scope/name` or `name` of a bare specifier. */
function packageName(specifier: string): string {
	const parts = specifier.split("/");
	return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/** The package.json of the workspace package `path` is in (packages/x, apps/x). */
function packageJsonOf(path: string): string {
	const [area, name] = relative(REPO, path).split(sep);
	return join(REPO, area ?? "", name ?? "", "package.json");
}

function removeOldBuilds(folder: string, keep: string): void {
	const now = Date.now();
	for (const entry of readdirSync(folder, { withFileTypes: true })) {
		const path = join(folder, entry.name);
		if (!entry.isDirectory() || path === keep) continue;
		const stats = statSync(path, { throwIfNoEntry: false });
		if (stats && now - stats.mtimeMs > STALE_FOLDER_MS)
			rmSync(path, { recursive: true, force: true });
	}
}
