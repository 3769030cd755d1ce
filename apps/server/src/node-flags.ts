/**
 * Node's flags for Switchboard's processes, as the package scripts pass them: the server
 * (`pnpm start`, apps/server/package.json) and the command line (`pnpm switchboard`, the
 * root package.json). Tests and the benchmark start the processes with these, so they
 * measure what users run; `node-flags.test.ts` fails when a script drifts from them.
 *
 * `--liftoff-only` keeps V8's WebAssembly in its baseline tier. Without it V8 recompiles
 * hot functions with TurboFan on background threads: PGlite's (an import CLI peaked at
 * 1 GB instead of 550 MiB, bench/findings/11.md) and those of Node's own type stripper,
 * which runs only while the server's modules load (idle server on PostgreSQL: 123 → 113 MB
 * RSS; on PGlite the peak in bench scenario 2 fell from 419 to 340 MiB with the same CPU per
 * acknowledged update, bench/findings/07-lazy-modules.md).
 *
 * `--v8-pool-size=0`: V8's worker threads (concurrent marking, parallel scavenges, sweeping,
 * compilation) as many as the cores the process may run on less one, at least one, instead of
 * Node's fixed four. With fewer cores the four take turns with the event loop: under webhook
 * load on the one core the benchmark pins the server to, a quarter of the loop's stalls over
 * 20 ms went to them (20 ms with 4 ms of the loop's own work around a mark-compact), and the
 * p95 webhook -> visible on an open board at 2,000 mentions/s on a schedule was 145 ms
 * (median of nine runs) against 80 ms with one worker (bench/findings/06.md, "ingestgc").
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--liftoff-only", "--v8-pool-size=0"];

/**
 * The command line also keeps V8's young generation small (`--max-semi-space-size=1`, in MiB):
 * a command lives for seconds, so a large nursery only raises its peak. On its own on the
 * embedded database, an import of 2,000 mentions peaked at 244 MB instead of 293 MB, in the
 * same time (bench/findings/06.md).
 *
 * `--single-threaded`: V8 collects and compiles on the command's own thread, without the
 * helper threads whose stacks and memory arenas a command of a few seconds gained nothing
 * from; `--expose-gc`: the import collects between its chunks (cli-commands.ts). Together
 * with the import's peak ~205 → ~188 MB (bench/findings/06.md).
 */
export const CLI_NODE_FLAGS: readonly string[] = [
	"--liftoff-only",
	"--max-semi-space-size=1",
	"--single-threaded",
	"--expose-gc",
];
