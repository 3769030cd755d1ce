/**
 * `node bench/src/profile-summary.ts bench/profiles/CPU.….cpuprofile [top]`: where a
 * server spent its CPU inside the measurement windows (windows-<pid>.jsonl next to the
 * profile, written by ServerWatch), by self and by inclusive time.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
	console.error("usage: node bench/src/profile-summary.ts <file.cpuprofile> [top]");
	process.exit(1);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const pid = /\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(basename(file))?.[1];
const windowsFile = join(dirname(file), `windows-${pid}.jsonl`);
const windows = existsSync(windowsFile)
	? readFileSync(windowsFile, "utf8")
			.trim()
			.split("\n")
			.map((line) => JSON.parse(line) as { startUs: number; endUs: number })
	: [{ startUs: 0, endUs: Number.POSITIVE_INFINITY }];

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes)
	for (const child of node.children ?? []) parent.set(child, node.id);
const name = (node: ProfileNode) => {
	const where = node.callFrame.url.split("/").slice(-2).join("/");
	return `${node.callFrame.functionName || "(anonymous)"} ${where}:${node.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let time = profile.startTime;
let total = 0;
let idle = 0;
for (const [i, id] of profile.samples.entries()) {
	const delta = profile.timeDeltas[i] ?? 0;
	time += delta;
	if (!windows.some((w) => time >= w.startUs && time <= w.endUs)) continue;
	const node = byId.get(id);
	if (!node) continue;
	total += delta;
	if (node.callFrame.functionName === "(idle)") {
		idle += delta;
		continue;
	}
	self.set(name(node), (self.get(name(node)) ?? 0) + delta);
	const seen = new Set<string>();
	for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
		const frame = byId.get(current);
		if (!frame || frame.callFrame.functionName === "(root)") continue;
		const key = name(frame);
		if (seen.has(key)) continue;
		seen.add(key);
		inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
	}
}
const busy = total - idle;
const print = (title: string, map: Map<string, number>) => {
	console.log(`\n${title} (% of busy time)`);
	for (const [key, us] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
		console.log(`${((us / busy) * 100).toFixed(1).padStart(5)}  ${key}`);
	}
};
console.log(
	`${windows.length} windows, ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy`,
);
print("self", self);
print("inclusive", inclusive);
