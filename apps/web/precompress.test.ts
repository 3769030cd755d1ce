import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COMPRESSED_COPY, precompress } from "./precompress.ts";

let outDir: string;
beforeEach(async () => {
	outDir = await mkdtemp(join(tmpdir(), "switchboard-precompress-"));
});
afterEach(async () => {
	await rm(outDir, { recursive: true, force: true });
});

describe("the build's compressed copies", () => {
	it("sit beside each text file worth compressing and decompress to it", async () => {
		const chunk = "export const board = { cards: [] };\n".repeat(500);
		const style = ".card { padding: 0.5rem; }\n".repeat(200);
		await mkdir(join(outDir, "assets"));
		await writeFile(join(outDir, "assets", "board-1a2b.js"), chunk);
		await writeFile(join(outDir, "assets", "index-3c4d.css"), style);
		await writeFile(join(outDir, "sw.js"), "self.skipWaiting();");
		// Already compressed, random bytes gain nothing: a PNG stays alone.
		await writeFile(
			join(outDir, "icon.png"),
			new Uint8Array(4096).map((_, i) => (i * 97) % 251),
		);

		await precompress(outDir);

		expect((await readdir(join(outDir, "assets"))).sort()).toEqual([
			"board-1a2b.js",
			"board-1a2b.js.br",
			"board-1a2b.js.gz",
			"index-3c4d.css",
			"index-3c4d.css.br",
			"index-3c4d.css.gz",
		]);
		// Too small to be worth a copy, and not text.
		expect((await readdir(outDir)).sort()).toEqual(["assets", "icon.png", "sw.js"]);
		const file = join(outDir, "assets", "board-1a2b.js");
		const br = await readFile(`${file}.br`);
		const gz = await readFile(`${file}.gz`);
		expect(brotliDecompressSync(br).toString()).toBe(chunk);
		expect(gunzipSync(gz).toString()).toBe(chunk);
		expect(br.byteLength).toBeLessThan(chunk.length / 10);
		expect(gz.byteLength).toBeLessThan(chunk.length / 10);
	});

	it("are named so that the service worker's precache list leaves them out", () => {
		expect(COMPRESSED_COPY.test("/assets/board-1a2b.js.br")).toBe(true);
		expect(COMPRESSED_COPY.test("/assets/board-1a2b.js.gz")).toBe(true);
		expect(COMPRESSED_COPY.test("/assets/board-1a2b.js")).toBe(false);
	});
});
