/**
 * Language detection's CPU per mention text, in process, as scenario 6's server spends it:
 * `languageOf` (packages/connectors/src/triage.ts, tinyld as patched) over the scenario's texts
 * (bench/src/lib/customer-texts.ts), each new. To compare commits, run it from one checkout
 * against each (`--root` names the other checkout's top), alternated, a fresh process per run.
 *
 *   node bench/src/detect-cost.ts [--root DIR] [--warm 20000] [--texts 2000] [--rounds 10]
 *
 * - `stream`: the server's steady state. `--warm` texts first (each word of the demo data is
 *   then one tinyld keeps, as after a few seconds of the benchmark), then `--rounds` rounds of
 *   `--texts` texts never detected before; CPU µs per text of each round, and the best.
 * - `first`: the 686 demo messages once each in a process that has detected nothing: every
 *   chunk and word new (a vocabulary tinyld has not kept, as real traffic's rarer words are),
 *   with the JIT's warm-up (noisy).
 * - `digest`: a hash of every result, equal between commits when the results are.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { customerText } from "./lib/customer-texts.ts";

const { values } = parseArgs({
	options: {
		root: { type: "string", default: new URL("../..", import.meta.url).pathname },
		warm: { type: "string", default: "20000" },
		texts: { type: "string", default: "2000" },
		rounds: { type: "string", default: "10" },
	},
});
const root = resolve(values.root);
const warm = Number(values.warm);
const texts = Number(values.texts);
const rounds = Number(values.rounds);

const { languageOf } = (await import(
	pathToFileURL(`${root}/packages/connectors/src/triage.ts`).href
)) as typeof import("@switchboard/connectors");
// The same tinyld as the checkout's languageOf, for the full results of the first pass.
const tinyld = createRequire(`${root}/packages/connectors/package.json`)("tinyld") as {
	detectAll(text: string): { lang: string; accuracy: number }[];
};

const demo = (
	JSON.parse(
		readFileSync(new URL("../../demo/twitter-care-conversations.json", import.meta.url), "utf8"),
	) as { dialogContent: { message: string }[] }[]
).flatMap((conversation) => conversation.dialogContent.map((message) => message.message));

const digest = createHash("sha256");
function cpuUs(run: () => void): number {
	const before = process.cpuUsage();
	run();
	const used = process.cpuUsage(before);
	return used.user + used.system;
}

// First: every demo message once, nothing kept yet (full results, not only the best).
const first =
	cpuUs(() => {
		for (const text of demo) digest.update(JSON.stringify(tinyld.detectAll(text)));
	}) / demo.length;

// Stream: the steady state of a server taking new texts.
let next = 0;
cpuUs(() => {
	for (; next < warm; next++) languageOf(customerText(next));
});
const perRound: number[] = [];
for (let round = 0; round < rounds; round++) {
	const batch = Array.from({ length: texts }, () => customerText(next++));
	const results: (string | null)[] = [];
	perRound.push(
		cpuUs(() => {
			for (const text of batch) results.push(languageOf(text));
		}) / texts,
	);
	digest.update(results.join(","));
}
console.log(
	JSON.stringify({
		root,
		stream: +Math.min(...perRound).toFixed(1),
		rounds: perRound.map((us) => +us.toFixed(1)),
		first: +first.toFixed(1),
		digest: digest.digest("hex").slice(0, 16),
	}),
);
