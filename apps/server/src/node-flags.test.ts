import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CLI_NODE_FLAGS, SERVER_NODE_FLAGS } from "./node-flags.ts";

async function scripts(path: string): Promise<Record<string, string>> {
	const manifest = JSON.parse(await readFile(new URL(path, import.meta.url), "utf8")) as {
		scripts: Record<string, string>;
	};
	return manifest.scripts;
}

describe("Node's flags", () => {
	it("are the ones `pnpm start` and `pnpm switchboard` run with", async () => {
		expect((await scripts("../package.json")).start).toBe(
			["node", ...SERVER_NODE_FLAGS, "src/main.ts"].join(" "),
		);
		expect((await scripts("../../../package.json")).switchboard).toBe(
			["node", ...CLI_NODE_FLAGS, "apps/server/src/cli.js"].join(" "),
		);
	});
});
