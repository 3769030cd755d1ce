/**
 * Writes `dist/sw.js` after a build: `service-worker.js` with the list of built files to
 * precache, the Web Push handlers (src/worker/push-handlers.js) inlined, and a version derived from them, so a new build replaces the old cache and an
 * unchanged build keeps it. Then the compressed copies of the text files, sw.js included
 * (precompress.ts): after the list, which names each file once, as the browser asks for it.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import type { Plugin, ResolvedConfig } from "vite";
import { COMPRESSED_COPY, precompress } from "./precompress.ts";

const TEMPLATE = resolve(import.meta.dirname, "service-worker.js");
const PUSH_HANDLERS = resolve(import.meta.dirname, "src/worker/push-handlers.js");

/** Files of the built app the shell needs offline (source maps and the worker itself aside). */
async function listFiles(outDir: string): Promise<string[]> {
	const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
	return entries
		.filter((entry) => entry.isFile())
		.map((entry) => `/${relative(outDir, join(entry.parentPath, entry.name)).split(sep).join("/")}`)
		.filter((path) => path !== "/sw.js" && !path.endsWith(".map") && !COMPRESSED_COPY.test(path))
		.sort();
}

export function serviceWorker(): Plugin {
	let config: ResolvedConfig;
	return {
		name: "switchboard:service-worker",
		apply: "build",
		configResolved(resolved) {
			config = resolved;
		},
		async closeBundle() {
			const outDir = resolve(config.root, config.build.outDir);
			const files = await listFiles(outDir);
			const hash = createHash("sha256");
			for (const file of files) hash.update(file).update(await readFile(join(outDir, file)));
			const version = hash.digest("hex").slice(0, 12);
			const template = await readFile(TEMPLATE, "utf8");
			// The worker is a classic script: the handlers' module syntax goes.
			const handlers = (await readFile(PUSH_HANDLERS, "utf8")).replace(/^export /gm, "");
			const source = template
				.replace('"__PRECACHE__"', JSON.stringify(files))
				.replace("__VERSION__", version)
				.replace("/*__PUSH_HANDLERS__*/", () => handlers);
			await writeFile(join(outDir, "sw.js"), source);
			await precompress(outDir);
		},
	};
}
