/**
 * Build the web client once before the end-to-end tests, so they test what
 * `pnpm start` serves.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
	const root = fileURLToPath(new URL("../..", import.meta.url));
	// Vitest sets NODE_ENV=test, which would make Vite build a development bundle
	// (no service worker): build what `pnpm start` builds.
	execFileSync("pnpm", ["--filter", "@switchboard/web", "build"], {
		cwd: root,
		stdio: "inherit",
		env: { ...process.env, NODE_ENV: "production" },
	});
}
