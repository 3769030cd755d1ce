/**
 * The phone profile of the end-to-end tests, the screenshots and the bench: a 390 × 844
 * touch screen (a common phone), optionally with Chromium's CPU and network throttled
 * through the DevTools protocol, and the checks every phone page must pass.
 */
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { serviceWorkers, type WorkerUse } from "./chromium.ts";

/** A common phone's CSS viewport. */
export const PHONE = { width: 390, height: 844 } as const;

/**
 * Chrome DevTools' "Fast 3G" preset: 562.5 ms round trip, about 1.44 Mbit/s down and
 * 0.675 Mbit/s up (DevTools' numbers already include its 0.9 factor for overhead).
 */
export const FAST_3G = {
	offline: false,
	latency: 562.5,
	downloadThroughput: (1.44 * 1024 * 1024) / 8,
	uploadThroughput: (0.675 * 1024 * 1024) / 8,
} as const;

/** How much slower than this machine the emulated phone's CPU runs. */
export const CPU_SLOWDOWN = 4;

/**
 * A fresh phone-sized touch context with storage of its own. Its service worker is blocked
 * unless `use` asks for it (see chromium.ts, `WorkerUse`).
 */
export function phoneContext(
	browser: Browser,
	url: string,
	width: number = PHONE.width,
	height: number = PHONE.height,
	use: WorkerUse = {},
): Promise<BrowserContext> {
	return browser.newContext({
		baseURL: url,
		viewport: { width, height },
		screen: { width, height },
		deviceScaleFactor: 1,
		isMobile: true,
		hasTouch: true,
		serviceWorkers: serviceWorkers(use),
	});
}

/**
 * Slows the page down as a mid-range phone on a mobile network would be. Returns the
 * DevTools session; `offline()` and `online()` switch the emulated network, since
 * `context.setOffline` would be overridden by these conditions; `atFullSpeed(check)` runs a
 * check of what the page shows (layout, axe) with the CPU unthrottled, as what it finds does
 * not depend on the CPU's speed and axe took seconds a screen at a quarter of it.
 */
export async function throttle(page: Page): Promise<{
	session: CDPSession;
	offline(): Promise<void>;
	online(): Promise<void>;
	atFullSpeed<T>(check: () => Promise<T>): Promise<T>;
}> {
	const session = await page.context().newCDPSession(page);
	await session.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
	await session.send("Network.enable");
	await session.send("Network.emulateNetworkConditions", FAST_3G);
	return {
		session,
		offline: async () => {
			await session.send("Network.emulateNetworkConditions", { ...FAST_3G, offline: true });
			await page.context().setOffline(true);
		},
		online: async () => {
			await page.context().setOffline(false);
			await session.send("Network.emulateNetworkConditions", FAST_3G);
		},
		atFullSpeed: async (check) => {
			await session.send("Emulation.setCPUThrottlingRate", { rate: 1 });
			try {
				return await check();
			} finally {
				await session.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
			}
		},
	};
}

/**
 * How far the document (or the app's main area, which scrolls in its place) is wider than
 * the viewport, and what sticks out, for a useful failure.
 */
export function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
	return page.evaluate(() => {
		const root = document.documentElement;
		const main = document.querySelector<HTMLElement>(".app-main");
		const overflow = Math.max(
			root.scrollWidth - window.innerWidth,
			main ? main.scrollWidth - main.clientWidth : 0,
		);
		const culprits: string[] = [];
		if (overflow > 0) {
			for (const element of document.body.querySelectorAll<HTMLElement>("*")) {
				const box = element.getBoundingClientRect();
				if (box.right > window.innerWidth + 1 && box.width > 0) {
					culprits.push(
						`${element.tagName.toLowerCase()}.${[...element.classList].join(".")} right=${Math.round(box.right)}`,
					);
					if (culprits.length >= 8) break;
				}
			}
		}
		return { overflow, culprits };
	});
}

/**
 * Visible controls smaller than `min` px on either side. A checkbox or a radio button is
 * measured with its label when the label wraps it (a tap on either toggles it). A link is a
 * control unless it sits inside running text (a sentence around it), as WCAG 2.5.5 exempts
 * inline targets; a link alone on its line ("← Board", "Forgot password?") is not. A card's
 * links are exempt because the whole card is its target.
 */
export function smallTargets(page: Page, scope = "body", min = 44): Promise<string[]> {
	return page.evaluate(
		({ scope, min }) => {
			const selector = [
				"button",
				"select",
				"summary",
				'input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"])',
				"a.button",
				".main-nav a",
				'[role="tab"]',
				"label.check",
				'input[type="checkbox"]',
				'input[type="radio"]',
				"a[href]",
			].join(",");
			/** Whether the text of `link`'s block has more than the link: a sentence it sits in. */
			const inRunningText = (link: HTMLElement) => {
				let block = link.parentElement;
				while (block && getComputedStyle(block).display.startsWith("inline"))
					block = block.parentElement;
				const own = link.textContent?.trim() ?? "";
				const all = block?.textContent?.trim() ?? "";
				return all.replace(own, "").replace(/[\s·|•,]/g, "").length > 0;
			};
			const small: string[] = [];
			for (const root of document.querySelectorAll(scope)) {
				for (const found of root.querySelectorAll<HTMLElement>(selector)) {
					let element = found;
					if (found.matches('input[type="checkbox"], input[type="radio"]')) {
						const label = found.closest("label");
						if (label) {
							// A label.check is checked on its own; a label around a plain box stands for it.
							if (label.matches("label.check")) continue;
							element = label;
						}
					} else if (found.matches("a[href]:not(a.button, .main-nav a)")) {
						if (found.closest('[data-testid="card"]') || inRunningText(found)) continue;
					}
					const box = element.getBoundingClientRect();
					if (box.width === 0 || box.height === 0) continue;
					const style = getComputedStyle(element);
					if (style.visibility === "hidden") continue;
					// Visually hidden on purpose (1 px clip) is not a target.
					if (box.width <= 2 && box.height <= 2) continue;
					if (box.width < min - 0.5 || box.height < min - 0.5) {
						const name =
							element.getAttribute("aria-label") ??
							element.getAttribute("data-testid") ??
							element.textContent?.trim().slice(0, 30) ??
							"";
						small.push(
							`${element.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`,
						);
					}
				}
			}
			return small;
		},
		{ scope, min },
	);
}

/**
 * Labels within `scope` that sit apart from their control: neither just above it nor just
 * before it on its line (as when a wrapping row leaves a label at the end of one line and
 * its field at the start of the next, beside another control).
 */
export function detachedLabels(page: Page, scope = "body"): Promise<string[]> {
	return page.evaluate((scope) => {
		const detached: string[] = [];
		for (const root of document.querySelectorAll(scope)) {
			for (const label of root.querySelectorAll<HTMLLabelElement>("label[for]")) {
				const control = label.control;
				if (!control || label.contains(control)) continue;
				const l = label.getBoundingClientRect();
				const c = control.getBoundingClientRect();
				// Not shown, or visually hidden on purpose (1 px clip): a label read out only, or a
				// label drawn as the button of a hidden file input.
				const hidden = (box: DOMRect) => box.width <= 2 || box.height <= 2;
				if (hidden(l) || hidden(c)) continue;
				const middle = (l.top + l.bottom) / 2;
				const beside = middle >= c.top && middle <= c.bottom && c.left - l.right >= -1;
				const besideNear = beside && c.left - l.right <= 48;
				const above = c.top - l.bottom >= -1 && c.top - l.bottom <= 24;
				const aboveAligned = above && l.left >= c.left - 4 && l.left <= c.right;
				if (!besideNear && !aboveAligned)
					detached.push(
						`"${label.textContent?.trim()}" at ${Math.round(l.left)},${Math.round(l.top)}, its control at ${Math.round(c.left)},${Math.round(c.top)}`,
					);
			}
		}
		return detached;
	}, scope);
}
