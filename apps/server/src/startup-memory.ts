/**
 * Give back the memory that starting the server took. Loading the server (Node strips the
 * types of some 200 TypeScript modules, kysely loads 257 more, the migrations run) keeps
 * nearly everything it allocates alive for a while, and V8 answers by growing the young
 * generation to its largest size: 64 MiB of the 95 MiB of anonymous memory an idle
 * server held (`v8.getHeapSpaceStatistics()`, bench/findings/07-lazy-modules.md). Nothing
 * shrinks it while the server idles, since shrinking happens only in a collection and an
 * idle server allocates too little to start one. One memory-reducing collection after the
 * start does (bare Hocuspocus never grows it, starting small).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The options of V8's `gc()` (its gc extension): "last-resort" reduces memory. */
type CollectGarbage = (options: {
	type: "major";
	execution: "sync";
	flavor: "last-resort";
}) => void;

/**
 * Run one full, memory-reducing garbage collection (tens of milliseconds, once). V8 offers
 * it only through its `gc` extension, which a fresh context gets once the flag is set; the
 * server's own context never sees `gc`.
 */
export function releaseStartupMemory(): void {
	setFlagsFromString("--expose-gc");
	const collect = runInNewContext("gc") as CollectGarbage | undefined;
	collect?.({ type: "major", execution: "sync", flavor: "last-resort" });
}
