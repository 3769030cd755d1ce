/**
 * The Chromium every browser test drives: it runs the pages the tests open and nothing else a
 * window of its own would (the address bar's popup pages cost a quarter of the files' CPU),
 * and it still gets every feature switch playwright-core relies on.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISABLED_FEATURES, hasChromium, launchChromium } from "./chromium.ts";

interface Proc {
	pid: number;
	ppid: number;
	args: string[];
}

function processes(): Proc[] {
	const found: Proc[] = [];
	for (const entry of readdirSync("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
			// The name in parentheses may hold spaces; the parent's pid is the second field after it.
			const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
			found.push({ pid: Number(entry), ppid, args });
		} catch {
			// Gone between the listing and the read.
		}
	}
	return found;
}

/** The browser process this process launched and every process it started, at this moment. */
function chromiumTree(): { browser: Proc; descendants: Proc[] } {
	const all = processes();
	const browser = all.find(
		(p) => p.ppid === process.pid && p.args.includes("--remote-debugging-pipe"),
	);
	if (!browser) throw new Error(`no Chromium started by process ${process.pid}`);
	const tree = new Set([browser.pid]);
	for (let grew = true; grew; ) {
		grew = false;
		for (const p of all) {
			if (!tree.has(p.pid) && tree.has(p.ppid)) {
				tree.add(p.pid);
				grew = true;
			}
		}
	}
	return { browser, descendants: all.filter((p) => p.pid !== browser.pid && tree.has(p.pid)) };
}

describe.skipIf(!hasChromium || process.platform !== "linux")("the tests' Chromium", () => {
	let browser: Browser;

	beforeAll(async () => {
		browser = await launchChromium();
	});

	afterAll(async () => {
		await browser?.close();
	});

	it("gets one --disable-features, playwright-core's list and ours", () => {
		const flags = chromiumTree().browser.args.filter((a) => a.startsWith("--disable-features="));
		// Two flags: the installed playwright-core's list is no longer PLAYWRIGHT_DISABLED_FEATURES
		// (chromium.ts); copy it from chromiumSwitches in playwright-core's lib/coreBundle.js.
		expect(flags).toEqual([`--disable-features=${DISABLED_FEATURES.join(",")}`]);
	});

	it("runs a context's page and no address bar popup pages", async () => {
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto("data:text/html,<title>only this</title>");
		const cdp = await browser.newBrowserCDPSession();
		const { targetInfos } = await cdp.send("Target.getTargets");
		await cdp.detach();
		expect(targetInfos.map((t) => t.url)).toEqual(["data:text/html,<title>only this</title>"]);
		const webui = chromiumTree().descendants.filter((p) => p.args.includes("--top-chrome-webui"));
		expect(webui.map((p) => p.args.slice(0, 2).join(" "))).toEqual([]);
		await context.close();
	});
});
