/**
 * A fixed piece of CPU work, timed: JSON, a regular expression, maps and SHA-256, the kinds of
 * work a command's JavaScript does. Run pinned to the load core next to a measurement
 * (reference.ts): this machine's cores are shared with others, and the same work took 1.75 s
 * in one minute and 2.7 s a few minutes later with nothing else running here
 * (bench/findings/06.md). Prints the milliseconds it took.
 */
import { createHash } from "node:crypto";

const started = performance.now();
let digits = 0;
for (let round = 0; round < 30; round++) {
	const byId = new Map<string, unknown>();
	for (let i = 0; i < 20_000; i++) {
		const row = { id: `row-${round}-${i}`, text: `Is the service down ${i}? Order ${i * 7}`, n: i };
		const text = JSON.stringify(row);
		byId.set(row.id, JSON.parse(text));
		digits += text.match(/\d+/g)?.length ?? 0;
	}
}
const hash = createHash("sha256");
const block = Buffer.alloc(1 << 20, 7);
for (let i = 0; i < 200; i++) hash.update(block);
hash.digest();
if (digits === 0) throw new Error("the workload did nothing");
process.stdout.write(`${(performance.now() - started).toFixed(1)}\n`);
