/**
 * `pnpm switchboard <command>` (the commands are in cli-commands.ts). This entry only turns
 * on Node's module compile cache before anything else is loaded: a command's start was
 * mostly Node stripping the types of the workspace modules it loads and compiling them,
 * again on every run (`switchboard help` 0.5 s of CPU). With the cache, a run whose modules
 * have not changed since the last one reads the stripped and compiled code back and never
 * loads Node's TypeScript stripper. A cache that cannot be written is skipped quietly.
 * Figures in bench/findings/06.md.
 *
 * The one JavaScript file among the server's sources, because it is the entry: Node strips
 * the types of a `.ts` entry before any of its code runs, so the cache could not be on yet,
 * and every run loaded the stripper (a WebAssembly build of swc) for this one file. Its
 * module and memory stayed for the whole command: an import on its own peaked 15 MB
 * higher, `switchboard help` 13 MB (bench/findings/06.md).
 *
 * The cache lives in the checkout, `node_modules/.cache/switchboard-compile`, owned by whoever
 * installed it, and not in Node's default `os.tmpdir()/node-compile-cache`: a directory in a
 * shared /tmp can be created first by another user of the machine, and Node runs the
 * stripped JavaScript it finds there. `NODE_COMPILE_CACHE` still names another directory;
 * `NODE_DISABLE_COMPILE_CACHE=1` turns the cache off.
 */
import { enableCompileCache } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

enableCompileCache(
	process.env.NODE_COMPILE_CACHE ||
		fileURLToPath(new URL("../../../node_modules/.cache/switchboard-compile", import.meta.url)),
);
// The commands run from their bundle (cli-bundle.ts), built here when missing or stale; from
// the sources when it cannot be built (said on stderr) or with SWITCHBOARD_CLI_BUNDLE=0.
const { buildCliBundle, freshCliBundle } = await import("./cli-bundle.ts");
let bundle = null;
if (process.env.SWITCHBOARD_CLI_BUNDLE !== "0") {
	try {
		bundle = freshCliBundle() ?? (await buildCliBundle());
	} catch (error) {
		process.stderr.write(
			`Running from the sources: the command line's bundle could not be built (${error instanceof Error ? error.message : error}).\n`,
		);
	}
}
await import(bundle ? pathToFileURL(bundle).href : "./cli-commands.ts");
