/**
 * End-to-end harness: a real Switchboard (demo data, built web client) on port 0 and
 * Debian's Chromium driven by playwright-core. Never downloads a browser.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type Switchboard, startSwitchboard } from "@switchboard/server";
import { testTemplate } from "@switchboard/storage/test-template";
import { pino } from "pino";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
/** The built client; E2E_WEB_DIST points elsewhere to try a build without replacing dist/. */
export const WEB_DIST =
	process.env.E2E_WEB_DIST ?? fileURLToPath(new URL("../../apps/web/dist", import.meta.url));
export const DEMO_PASSWORD = "switchboard";

export interface E2EServer {
	switchboard: Switchboard;
	url: string;
	close(): Promise<void>;
}

/** A server with the demo organisations and the built web client. */
export async function startE2EServer(): Promise<E2EServer> {
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-e2e-"));
	const config = await loadConfig({
		PORT: "0",
		HOST: "127.0.0.1",
		DATA_DIR: dataDir,
		SWITCHBOARD_DEMO: "1",
		SWITCHBOARD_WEB_DIR: WEB_DIST,
		LOG_LEVEL: "silent",
		// Feeds and accounts the tests connect are stand-ins on this machine.
		SWITCHBOARD_OUTBOUND_ALLOW: "127.0.0.1",
	});
	const switchboard = await startSwitchboard(config, {
		logger: pino({ level: "silent" }),
		storageTemplate: await testTemplate(),
	});
	return {
		switchboard,
		url: switchboard.url.replace("localhost", "127.0.0.1"),
		async close() {
			await switchboard.close();
			await rm(dataDir, { recursive: true, force: true });
		},
	};
}

export function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
	});
}

/** A fresh browser context (its own IndexedDB, cookies, service worker) signed in as `email`. */
export async function signedIn(
	browser: Browser,
	url: string,
	email: string,
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({
		baseURL: url,
		viewport: { width: 1440, height: 900 },
	});
	const page = await context.newPage();
	await page.goto("/login");
	await page.getByLabel("Email").fill(email);
	await page.getByLabel("Password").fill(DEMO_PASSWORD);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.locator('[data-testid="card"]').first().waitFor({ timeout: 20_000 });
	return { context, page };
}
