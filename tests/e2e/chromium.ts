/**
 * The one way the end-to-end tests, their screenshots and the bench's browser scenarios start
 * Chromium: Debian's (never a download), headless, driven by playwright-core.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type LaunchOptions } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/**
 * The features playwright-core 1.65.1 turns off in every Chromium it launches, copied from its
 * `chromiumSwitches.ts` (the bundle does not export the list). A second `--disable-features`
 * replaces the first (Chromium keeps the last), so ours has to repeat these. chromium.e2e.test.ts
 * fails when the installed playwright-core's list is no longer this one.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
	"AvoidUnnecessaryBeforeUnloadCheckSync",
	"DestroyProfileOnBrowserClose",
	"HttpsUpgrades",
	"HttpsFirstBalancedModeAutoEnable",
	"LensOverlay",
	"MediaRouter",
	"PaintHolding",
	"ThirdPartyStoragePartitioning",
	"AvoidCorsURLLoaderRestartOnRedirect",
	"TcpPortRandomizationWin",
	"OptimizationHints",
	"NetworkTimeServiceQuerying",
	"AimEnabled",
	"PreconnectToSearch",
	"msForceBrowserSignIn",
	"msEdgeUpdateLaunchServicesPreferredVersion",
] as const;

/**
 * Headless Chromium opens a window for every browser context, and its address bar's popup
 * loads two WebUI pages (chrome://omnibox-popup.top-chrome/ and its AI-mode page) that no test
 * sees: a quarter to a third of the end-to-end files' CPU (bench/findings/ci-suite.md).
 */
export const DISABLED_FEATURES = [
	...PLAYWRIGHT_DISABLED_FEATURES,
	"WebUIOmniboxPopup",
	"WebUIOmniboxAimPopup",
] as const;

/** Playwright's own `--disable-features`, left out in favour of ours (`DISABLED_FEATURES`). */
export const PLAYWRIGHT_DISABLE_FEATURES_ARG = `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES.join(",")}`;

export const LAUNCH_OPTIONS: LaunchOptions = {
	executablePath: CHROMIUM,
	args: [
		"--headless",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-background-networking",
		`--disable-features=${DISABLED_FEATURES.join(",")}`,
	],
	// If playwright-core's list changes, this no longer matches and Chromium gets two flags,
	// ours last: it runs, without the new entries, and chromium.e2e.test.ts says so.
	ignoreDefaultArgs: [PLAYWRIGHT_DISABLE_FEATURES_ARG],
};

export function launchChromium(): Promise<Browser> {
	return chromium.launch(LAUNCH_OPTIONS);
}

/**
 * What a test's browser context needs of the app's service worker. Installing it and
 * precaching the client costs about a fifth of a fresh context's first page in Chromium
 * (bench/findings/ci-suite.md), so contexts block it unless their test goes offline, installs
 * the app or receives a push: `{ serviceWorker: true }` then.
 */
export interface WorkerUse {
	serviceWorker?: boolean;
}

/** Playwright's `serviceWorkers` context option for `use`. */
export function serviceWorkers(use: WorkerUse = {}): "allow" | "block" {
	return use.serviceWorker ? "allow" : "block";
}
