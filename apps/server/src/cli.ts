/**
 * `pnpm switchboard <command>` (the commands are in cli-commands.ts). This entry only turns
 * on Node's module compile cache before anything else is loaded: a command's start was
 * mostly Node stripping the types of the workspace modules it loads and compiling them,
 * again on every run (`switchboard help` 0.5 s of CPU). With the cache, a run whose modules
 * have not changed since the last one reads the stripped and compiled code back from
 * `os.tmpdir()/node-compile-cache` (or `NODE_COMPILE_CACHE`; `NODE_DISABLE_COMPILE_CACHE=1`
 * turns it off), and never loads Node's TypeScript stripper. A cache that cannot be written
 * is skipped quietly. Figures in bench/findings/06.md.
 */
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./cli-commands.ts");
