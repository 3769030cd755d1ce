/**
 * Brotli and gzip copies of the built client's text files (`app.js.br`, `app.js.gz` beside
 * `app.js`), made once at build time at the formats' highest settings, so the server sends a
 * phone a quarter of the bytes without compressing anything per request
 * (apps/server/src/web-client.ts serves them by the request's Accept-Encoding).
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** What is worth compressing: text, and large enough to gain more than a header costs. */
const TEXT = /\.(?:js|css|html|svg|json|webmanifest|txt)$/;
const MIN_BYTES = 1024;

/** The copies' extensions, which the service worker's precache list leaves out. */
export const COMPRESSED_COPY = /\.(?:br|gz)$/;

/** Writes the copies of every text file under `outDir`; a copy that saves under a tenth is not kept. */
export async function precompress(outDir: string): Promise<void> {
	const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
	const files = entries
		.filter((entry) => entry.isFile() && TEXT.test(entry.name))
		.map((entry) => join(entry.parentPath, entry.name));
	await Promise.all(
		files.map(async (file) => {
			const bytes = await readFile(file);
			if (bytes.byteLength < MIN_BYTES) return;
			const [br, gz] = await Promise.all([
				brotli(bytes, {
					params: {
						[constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
						[constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
						[constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
					},
				}),
				gzipped(bytes, { level: constants.Z_BEST_COMPRESSION }),
			]);
			const worth = (copy: Buffer) => copy.byteLength < bytes.byteLength * 0.9;
			await Promise.all([
				worth(br) ? writeFile(`${file}.br`, br) : undefined,
				worth(gz) ? writeFile(`${file}.gz`, gz) : undefined,
			]);
		}),
	);
}
