/**
 * Serves the built web client (apps/web/dist) from the server's one port: each file, or the
 * build's compressed copy of it that the browser accepts, and index.html for every client
 * route so that a reload on `/m/…` or `/queue` works.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Env, Hono } from "hono";
import { webClientPolicy } from "./security-headers.ts";

/** Paths that belong to the server, never to the client, even when nothing answers them. */
const SERVER_PATHS = /^\/(?:api|sync|healthz|readyz)(?:\/|$)/;

/** The last path segment has an extension: a file was asked for, not a client route. */
const FILE_PATH = /\/[^/]*\.[^/]*$/;

/**
 * Cache policy per file. Vite puts content-hashed files under /assets/, so they never
 * change under their name; the shell and the service worker must be revalidated on
 * every load or a new release would never reach anyone.
 */
export function cacheControlFor(path: string): string {
	if (path.startsWith("/assets/")) return "public, max-age=31536000, immutable";
	if (path === "/" || path.endsWith(".html") || path === "/sw.js") return "no-cache";
	return "public, max-age=3600";
}

/**
 * Register GET routes that serve `webDir` on `app`, after the app's own routes. Does
 * nothing and returns false when `webDir` has no index.html (the client was not built),
 * so the API keeps working without it. Every file goes out with the web client's
 * Content-Security-Policy (security-headers.ts; `publicUrl` names the socket's origin).
 */
export function serveWebClient<E extends Env>(
	app: Hono<E>,
	webDir: string | undefined,
	options: { publicUrl?: string | undefined } = {},
): boolean {
	if (!webDir || !existsSync(join(webDir, "index.html"))) return false;
	// The build's Brotli and gzip copies where the browser accepts them (apps/web/precompress.ts).
	const files = serveStatic<E>({ root: webDir, precompressed: true });
	const shell = serveStatic<E>({ root: webDir, path: "index.html", precompressed: true });

	// serveStatic calls its `next` when the file is missing; a no-op makes it answer undefined.
	const missing = async () => {};
	const policy = webClientPolicy(options.publicUrl);

	app.get("*", async (c, next) => {
		const path = c.req.path;
		if (SERVER_PATHS.test(path)) return next();
		c.header("Cache-Control", cacheControlFor(path));
		c.header("Content-Security-Policy", policy);
		const file = await files(c, missing);
		if (file) return withVary(file);
		if (!FILE_PATH.test(path)) {
			c.header("Cache-Control", "no-cache");
			const index = await shell(c, missing);
			if (index) return withVary(index);
		}
		// A missing file: the app's not-found answers, without headers of ours.
		c.header("Cache-Control", undefined);
		c.header("Content-Security-Policy", undefined);
		return next();
	});
	return true;
}

/**
 * Every file's answer depends on the request's Accept-Encoding (a compressed copy or the file
 * itself), so a shared cache must key on it: `serveStatic` says so only when it sends a copy.
 */
function withVary(response: Response): Response {
	if (!response.headers.has("vary")) response.headers.set("Vary", "Accept-Encoding");
	return response;
}
