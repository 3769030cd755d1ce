/**
 * Switchboard on a phone, in Chromium: a 390 × 844 touch screen with the CPU slowed 4× and
 * a "fast 3G" network for the main flows, and every page at 360 px. Each step checks what an
 * employee on their phone would notice: the page never scrolls sideways, the header's
 * actions are all reachable, controls are big enough to tap, and axe finds nothing serious.
 */

import type { Mention } from "@switchboard/domain";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
	card,
	cardInColumn,
	DEMO_PASSWORD,
	editorText,
	fitsPhone,
	hasChromium,
	serviceWorkers,
	signIn,
	textOf,
	type WorkerUse,
} from "./harness.ts";
import { PHONE, phoneContext, throttle } from "./phone.ts";
import { e2eScene } from "./scene.ts";

/** Throttled steps are slow on a busy machine: wait on conditions, generously. */
const within = { timeout: 60_000 };
const FLOW_TIMEOUT = 600_000;
const PAGE_TIMEOUT = 240_000;

/** The element is on screen and nothing covers its centre: a finger can reach it. */
async function reachable(page: Page, locator: Locator): Promise<string | null> {
	const box = await locator.boundingBox();
	if (!box) return "not rendered";
	const viewport = page.viewportSize() ?? PHONE;
	if (box.x < 0 || box.y < 0 || box.x + box.width > viewport.width + 0.5)
		return `off screen at ${Math.round(box.x)},${Math.round(box.y)} (${Math.round(box.width)} wide)`;
	if (box.y + box.height > viewport.height + 0.5) return `below the screen at y=${box.y}`;
	const covered = await locator.evaluate((element) => {
		const rect = element.getBoundingClientRect();
		const top = document.elementFromPoint(rect.x + rect.width / 2, rect.y + rect.height / 2);
		return top && !element.contains(top) ? `covered by ${top.tagName}.${top.className}` : null;
	});
	return covered;
}

/** The names of the elements of `locator` that reach past either edge of a `width` px screen. */
function outside(locator: Locator, width: number): Promise<string[]> {
	return locator.evaluateAll(
		(elements, width) =>
			elements
				.filter((element) => {
					const box = element.getBoundingClientRect();
					return box.left < 0 || box.right > width;
				})
				.map((element) => element.textContent ?? ""),
		width,
	);
}

/**
 * The lines within `selector` that start with `mark` (a separator such as "·", which belongs
 * between two things on one line), each as the text that follows it.
 */
function linesStartingWith(page: Page, selector: string, mark: string): Promise<string[]> {
	return page.evaluate(
		({ selector, mark }) => {
			const found: string[] = [];
			for (const root of document.querySelectorAll(selector)) {
				// Every shown character's box, in reading order.
				const characters: { char: string; box: DOMRect }[] = [];
				const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
				for (let node = walker.nextNode(); node; node = walker.nextNode()) {
					const text = node.textContent ?? "";
					for (let i = 0; i < text.length; i++) {
						if (/\s/.test(text[i] ?? "")) continue;
						const range = document.createRange();
						range.setStart(node, i);
						range.setEnd(node, i + 1);
						const box = range.getBoundingClientRect();
						if (box.width > 0 && box.height > 0) characters.push({ char: text[i] ?? "", box });
					}
				}
				characters.forEach(({ char, box }, index) => {
					const before = characters[index - 1];
					if (char === mark && (!before || before.box.bottom <= box.top + 1))
						found.push(
							characters
								.slice(index, index + 20)
								.map((c) => c.char)
								.join(""),
						);
				});
			}
			return found;
		},
		{ selector, mark },
	);
}

/** How many rows `locator`'s elements take: their distinct tops. */
function rowsOf(locator: Locator): Promise<number> {
	return locator.evaluateAll(
		(elements) =>
			new Set(elements.map((element) => Math.round(element.getBoundingClientRect().top))).size,
	);
}

/** Whether `locator`'s element fades out towards `side`: a mask over it that is not opaque there. */
function fadesAt(locator: Locator, side: "left" | "right"): Promise<boolean> {
	return locator.evaluate((element, side) => {
		const mask = getComputedStyle(element).maskImage;
		if (!mask || mask === "none") return false;
		// The gradient's stops from left to right: transparent first means the left fades.
		const stops = mask.match(/rgba?\([^)]*\)|transparent/g) ?? [];
		const clear = (stop: string | undefined) =>
			stop === "transparent" || /rgba\([^)]*,\s*0\)/.test(stop ?? "");
		const leftToRight = !/^linear-gradient\((270deg|to left)/.test(mask);
		const first = leftToRight ? stops[0] : stops[stops.length - 1];
		const last = leftToRight ? stops[stops.length - 1] : stops[0];
		return clear(side === "left" ? first : last);
	}, side);
}

/**
 * Every region of the page has drawn what it loads: none is marked `aria-busy`, the header's
 * bell has its notifications and the board is online. Call it once the page's heading is up:
 * the regions are marked busy as they render. (It replaces waiting for the network to go quiet,
 * which took half a second past the last request on every page.)
 */
async function drawn(page: Page): Promise<void> {
	const loading = [
		'[aria-busy="true"]',
		'[data-loaded="false"]',
		'[data-testid="sync-status"][data-online="false"]',
	].join(", ");
	await expect.poll(() => page.locator(loading).count(), within).toBe(0);
}

/** Opens the header's menu and checks that every header action can be tapped; closes it. */
async function checkHeader(page: Page, moderator = false): Promise<void> {
	expect(await reachable(page, page.getByTestId("sync-status"))).toBeNull();
	const menuButton = page.getByTestId("menu-button");
	expect(await reachable(page, menuButton)).toBeNull();
	await menuButton.tap();
	await page.getByTestId("header-menu").waitFor({ state: "visible", ...within });
	const actions = ["nav-queue", "nav-settings", "help-button", "sign-out"];
	if (moderator) actions.push("nav-coverage", "nav-reviews");
	const problems: string[] = [];
	for (const id of actions) {
		const problem = await reachable(page, page.getByTestId(id));
		if (problem) problems.push(`${id}: ${problem}`);
	}
	const board = await reachable(page, page.getByRole("link", { name: "Board", exact: true }));
	if (board) problems.push(`Board link: ${board}`);
	expect(problems).toEqual([]);
	await menuButton.tap();
	await page.getByTestId("header-menu").waitFor({ state: "hidden", ...within });
}

describe.skipIf(!hasChromium)("Switchboard on a phone", () => {
	const scene = e2eScene();
	const { fresh, keep } = scene;

	/** `email` signed in on a phone-sized touch screen. */
	async function phone(
		email: string,
		width: number = PHONE.width,
		path?: string,
		use: WorkerUse = {},
	): Promise<Page> {
		const page = await keep(
			await phoneContext(scene.browser, scene.server.url, width, undefined, use),
		).newPage();
		await scene.enter(page, email, { timeout: within.timeout, path });
		return page;
	}

	it(
		"signs in, claims next, co-edits, submits and survives going offline on a throttled phone",
		async () => {
			const context = keep(
				await phoneContext(scene.browser, scene.server.url, undefined, undefined, {
					serviceWorker: true,
				}),
			);
			const dana = await context.newPage();
			const network = await throttle(dana);

			await signIn(dana, "ambassador1@acme.test", { timeout: within.timeout });
			await checkHeader(dana);
			// One status at a time: the New tab's column, and no other, is on screen.
			expect(
				await dana
					.locator('[data-testid="column"]')
					.evaluateAll(
						(columns) =>
							columns.filter((column) => column.getBoundingClientRect().width > 0).length,
					),
			).toBe(1);
			await network.atFullSpeed(() => fitsPhone(dana, "body", "the board"));

			await dana.getByTestId("claim-next").tap();
			await dana.waitForURL(/\/m\//, within);
			const mentionId = decodeURIComponent(new URL(dana.url()).pathname.split("/")[2] ?? "");
			await dana.getByTestId("editor-content").waitFor(within);
			await expect
				.poll(() => dana.getByTestId("status").textContent(), within)
				.toMatch(/Claimed|Changes requested/);
			await checkHeader(dana);
			await network.atFullSpeed(() => fitsPhone(dana, "body", "the conversation"));

			// A teammate at a desk drafts with Dana. Signed out, they open her link: signing in
			// brings them to the conversation, not to the board.
			const link = `/m/${encodeURIComponent(mentionId)}`;
			const sam = await keep(
				await scene.browser.newContext({
					baseURL: scene.server.url,
					viewport: { width: 1440, height: 900 },
					serviceWorkers: serviceWorkers(),
				}),
			).newPage();
			await signIn(sam, "ambassador2@acme.test", {
				from: link,
				ready: '[data-testid="editor-content"]',
				timeout: within.timeout,
			});
			expect(new URL(sam.url()).pathname).toBe(link);
			await dana.getByTestId("editor-content").tap();
			await dana.keyboard.type("Hi! ");
			await sam.getByTestId("editor-content").click();
			await sam.keyboard.press("End");
			await sam.keyboard.type("We are on it.");
			await expect.poll(() => editorText(dana), within).toContain("We are on it.");
			await expect.poll(() => editorText(sam), within).toContain("Hi!");
			// Sam's cursor is named on Dana's phone while Sam moves it (the name fades a few seconds
			// after, see caret-activity.ts), legibly and within the screen.
			const label = dana.locator(".cm-ySelectionInfo", { hasText: "Sam Ambassador" });
			await label.waitFor(within);
			await sam.keyboard.press("ArrowLeft");
			await expect
				.poll(() => label.evaluate((element) => Number(getComputedStyle(element).opacity)), within)
				.toBe(1);
			const labelStyle = await label.evaluate((element) => {
				const box = element.getBoundingClientRect();
				return {
					fontSize: Number.parseFloat(getComputedStyle(element).fontSize),
					right: box.right,
				};
			});
			expect(labelStyle.fontSize).toBeGreaterThanOrEqual(12);
			expect(labelStyle.right).toBeLessThanOrEqual(PHONE.width);
			// Sam's avatar shows who else is here.
			await expect
				.poll(() => dana.getByTestId("conversation-presence").textContent(), within)
				.toContain("Sam");

			// Offline: Dana keeps writing; it merges when the network is back.
			await network.offline();
			await expect
				.poll(() => dana.getByTestId("sync-status").getAttribute("data-online"), within)
				.toBe("false");
			await dana.getByTestId("editor-content").tap();
			await dana.keyboard.press("End");
			await dana.keyboard.type(" Written on the train.");
			await expect
				.poll(() => dana.getByTestId("sync-status").getAttribute("data-unsynced"), within)
				.toMatch(/^[1-9]/);
			expect(await reachable(dana, dana.getByTestId("sync-status"))).toBeNull();

			// Submit, still offline, from the reply bar within reach at the foot of the screen:
			// the page does not say it went to a moderator before it has.
			const submit = dana.getByTestId("submit-review");
			await submit.scrollIntoViewIfNeeded();
			expect(await reachable(dana, submit)).toBeNull();
			await submit.tap();
			const waiting = dana.getByTestId("review-waiting");
			await expect.poll(textOf(waiting), within).toContain("Not sent for review yet");
			await network.online();
			await expect
				.poll(() => dana.getByTestId("sync-status").getAttribute("data-unsynced"), within)
				.toBe("0");
			await expect.poll(() => editorText(sam), within).toContain("Written on the train.");
			await expect.poll(textOf(waiting), within).toContain("Submitted for review.");
			await expect
				.poll(
					async () =>
						(await scene.server.switchboard.storage.getMention("acme", mentionId))?.mention.status,
					within,
				)
				.toBe("in_review");
		},
		FLOW_TIMEOUT,
	);

	it(
		"keeps the caret and the reply's actions above the on-screen keyboard",
		async () => {
			const dana = await phone("ambassador1@acme.test");
			const mention = fresh();
			await dana.getByTestId("filter-search").fill(mention.author.handle);
			await dana
				.locator(`[data-testid="card"][data-mention-id="${mention.id}"] [data-testid="claim"]`)
				.tap();
			await dana.goto(`/m/${encodeURIComponent(mention.id)}`);
			const editor = dana.getByTestId("editor-content");
			await editor.waitFor(within);
			await dana.getByTestId("submit-review").waitFor(within);
			await editor.tap();
			for (let line = 0; line < 8; line++) await dana.keyboard.type(`Line ${line}\n`);
			// The keyboard takes 340 px of the screen, as on a phone of this size.
			await dana.setViewportSize({ width: PHONE.width, height: PHONE.height - 340 });
			const visibleHeight = PHONE.height - 340;
			await expect
				.poll(
					() =>
						dana.evaluate(() =>
							getComputedStyle(document.documentElement).getPropertyValue("--app-height"),
						),
					within,
				)
				.toBe(`${visibleHeight}px`);
			// The caret: the selection's rect, or its line's when the line is empty.
			const caretBox = () =>
				dana.evaluate(() => {
					const selection = document.getSelection();
					if (!selection || selection.rangeCount === 0) return null;
					let box = selection.getRangeAt(0).getBoundingClientRect();
					if (box.height === 0) {
						const node = selection.anchorNode;
						const element = node instanceof Element ? node : node?.parentElement;
						const line = element?.closest(".cm-line");
						if (!line) return null;
						box = line.getBoundingClientRect();
					}
					return { top: box.top, bottom: box.bottom };
				});
			await expect
				.poll(async () => {
					const caret = await caretBox();
					return caret !== null && caret.top >= 0 && caret.bottom <= visibleHeight;
				}, within)
				.toBe(true);
			const submit = await dana.getByTestId("submit-review").boundingBox();
			expect(submit).not.toBeNull();
			expect((submit?.y ?? 0) + (submit?.height ?? 0)).toBeLessThanOrEqual(visibleHeight);
			expect(submit?.y ?? -1).toBeGreaterThanOrEqual(0);
			// The bar at the foot is one row, and the whole editor (the text and its row of
			// templates) fits above it: the bar and the "Mark replied" form under it took 192 of
			// the 384 px the keyboard leaves below the header, and covered the templates.
			const bar = await dana.getByTestId("reply-bar").boundingBox();
			expect(bar?.height ?? 0).toBeGreaterThan(0);
			expect(bar?.height ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(72);
			const room = await dana.evaluate(
				() =>
					(document.querySelector('[data-testid="reply-bar"]')?.getBoundingClientRect().top ?? 0) -
					(document.querySelector(".app-main")?.getBoundingClientRect().top ?? 0),
			);
			const whole = await dana.getByTestId("editor").boundingBox();
			expect(whole?.height ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(room);
			for (const id of ["template-select", "insert-template"]) {
				const control = dana.getByTestId(id);
				await control.scrollIntoViewIfNeeded();
				expect(await reachable(dana, control), id).toBeNull();
			}
		},
		PAGE_TIMEOUT,
	);

	it(
		"copies the reply for the network's app from the bar at the foot where no approval is needed, at 360 px",
		async () => {
			const sam = await phone("ambassador2@acme.test", 360);
			await sam.context().grantPermissions(["clipboard-read", "clipboard-write"]);
			const mention = fresh();
			await sam.getByTestId("filter-search").fill(mention.author.handle);
			await sam
				.locator(`[data-testid="card"][data-mention-id="${mention.id}"] [data-testid="claim"]`)
				.tap();
			await sam.goto(`/m/${encodeURIComponent(mention.id)}`);
			await sam.getByTestId("approval-optional").waitFor(within);
			const bar = sam.getByTestId("reply-bar");
			const copy = bar.getByTestId("copy-reply");
			// Nothing to copy yet, and the bar says so (not "before it is reviewed": this board
			// asks for no review).
			expect(await copy.isDisabled()).toBe(true);
			await expect
				.poll(textOf(bar.getByTestId("review-blocked")), within)
				.toBe("The reply is empty: write it first.");
			// Nor anything the network would refuse, and the bar says why in words that can be
			// read: beside Copy reply and Submit it had a few pixels, a letter a line.
			await sam.getByTestId("editor-content").tap();
			await sam.keyboard.insertText("Sorry! ".repeat(45));
			const why = bar.getByTestId("review-blocked");
			await expect.poll(textOf(why), within).toMatch(/over the limit of \d+ on /);
			expect(await copy.isDisabled()).toBe(true);
			expect(await copy.getAttribute("aria-describedby")).toBe("review-blocked");
			expect((await why.boundingBox())?.width ?? 0).toBeGreaterThan(200);
			await fitsPhone(sam, '[data-testid="reply-bar"]', "the reply bar saying why");
			await sam.keyboard.press("ControlOrMeta+a");
			await sam.keyboard.type("Sorry for the wait: your parcel left today.");
			await expect.poll(() => copy.isEnabled(), within).toBe(true);
			// Posting is the step: a review is there to ask for, not the primary action.
			expect(await copy.getAttribute("class")).toContain("button-primary");
			expect(await bar.getByTestId("submit-review").getAttribute("class")).not.toContain(
				"button-primary",
			);
			await copy.tap();
			await expect
				.poll(() => sam.evaluate(() => navigator.clipboard.readText()), within)
				.toBe("Sorry for the wait: your parcel left today.");
			await expect
				.poll(textOf(sam.getByTestId("toast-info").first()), within)
				.toContain("Reply copied.");
			await fitsPhone(sam, '[data-testid="reply-bar"]', "the reply bar with Copy reply");

			// A moderator takes it back to the board while Sam is on it: its buttons go, and
			// the page says why.
			await scene.act("moderator@acme.test", {
				name: "unassign",
				args: { mentionId: mention.id },
			});
			await sam
				.getByTestId("toast-info")
				.filter({ hasText: "This conversation went back to the board" })
				.waitFor(within);
			await expect
				.poll(textOf(bar.getByTestId("claim-to-reply")), within)
				.toBe("Nobody owns this conversation: claim it to send the reply.");
			expect(await copy.count()).toBe(0);
		},
		PAGE_TIMEOUT,
	);

	it(
		"tells the owner, on a conversation opened already theirs, that a moderator took it, also when a change of theirs waited offline, at 360 px",
		async () => {
			const kim = await phone("ambassador3@acme.test", 360);
			const moderatorId = await scene.memberId("moderator@acme.test");
			const page = kim.getByTestId("conversation");
			/**
			 * Claimed on the board and opened from its Claimed tab once the server has the claim:
			 * the page opens on a conversation already Kim's, as from My queue or a notification
			 * (the test above claims first and opens at once, while the claim is on its way).
			 */
			const claimAndOpen = async (mention: Mention) => {
				const tab = (status: string) =>
					kim.getByTestId("status-tabs").locator(`[data-status="${status}"]`).tap();
				await kim.getByTestId("filter-search").fill(mention.author.handle);
				await tab("new");
				await card(kim, mention.id).getByTestId("claim").tap();
				await tab("claimed");
				await cardInColumn(kim, "claimed", mention.id, within);
				await expect
					.poll(() => card(kim, mention.id).getByTestId("pending").count(), within)
					.toBe(0);
				await card(kim, mention.id).getByTestId("open").tap();
				await page.getByTestId("release").waitFor(within);
			};

			// A moderator takes it while Kim is on it: its buttons go, and the page says to whom.
			const taken = fresh();
			await claimAndOpen(taken);
			await scene.act("moderator@acme.test", {
				name: "assign",
				args: { mentionId: taken.id, memberId: moderatorId },
			});
			await kim
				.getByTestId("toast-info")
				.filter({ hasText: "Morgan Moderator owns this conversation now." })
				.waitFor(within);
			await page.getByTestId("release").waitFor({ state: "detached", ...within });

			// Offline, Kim sets a priority, which waits to be sent; meanwhile a moderator sends the
			// conversation back to the board. Back online, the board says so while the priority is
			// still on its way: that is not Kim's own doing, and the page says it.
			const released = fresh();
			await page.getByTestId("back-link").tap();
			await claimAndOpen(released);
			await kim.context().setOffline(true);
			await expect
				.poll(() => kim.getByTestId("sync-status").getAttribute("data-online"), within)
				.toBe("false");
			const priority = page.getByTestId("priority-select");
			await priority.selectOption((await priority.inputValue()) === "high" ? "low" : "high");
			await page.getByTestId("pending").waitFor(within);
			await scene.act("moderator@acme.test", {
				name: "unassign",
				args: { mentionId: released.id },
			});
			await kim.context().setOffline(false);
			await kim
				.getByTestId("toast-info")
				.filter({ hasText: "This conversation went back to the board: it is no longer yours." })
				.waitFor(within);
			await expect.poll(textOf(page.getByTestId("no-owner")), within).toBe("Nobody owns this yet.");
			await page.getByTestId("pending").waitFor({ state: "detached", ...within });
		},
		PAGE_TIMEOUT,
	);

	it(
		"lays out every page at 360 px without sideways scrolling, small targets or axe findings",
		async () => {
			const anonymous = keep(await phoneContext(scene.browser, scene.server.url, 360));
			const login = await anonymous.newPage();
			await login.goto("/login");
			await login.getByLabel("Email").waitFor(within);
			// The server runs the demo: the page lists its accounts, as the terminal does, and one
			// tap fills in the form.
			const demo = login.getByTestId("demo-accounts");
			await demo.waitFor(within);
			expect(await login.getByTestId("demo-password").textContent()).toBe(DEMO_PASSWORD);
			const accounts = login.getByTestId("demo-account");
			expect(await accounts.allTextContents()).toContainEqual(
				expect.stringContaining("moderator@acme.test"),
			);
			await fitsPhone(login, "body", "sign-in");
			// A failed attempt's error goes once an account is picked from the list.
			await login.getByLabel("Email").fill("ambassador1@acme.test");
			await login.getByLabel("Password").fill("not the password");
			await login.getByRole("button", { name: "Sign in", exact: true }).tap();
			const failed = login.getByTestId("login-error");
			await failed.waitFor(within);
			await accounts.filter({ hasText: "ambassador1@acme.test" }).tap();
			await failed.waitFor({ state: "detached", ...within });
			expect(await login.getByLabel("Email").inputValue()).toBe("ambassador1@acme.test");
			expect(await login.getByLabel("Password").inputValue()).toBe(DEMO_PASSWORD);

			// Signed in by that tap and Sign in, in the page that has loaded the app already (a
			// fresh phone signed in cost a new context and the app's first load again).
			await login.getByRole("button", { name: "Sign in", exact: true }).tap();
			const dana = login;
			await dana.locator('[data-testid="card"]').first().waitFor(within);
			await checkHeader(dana);
			await dana.getByTestId("filters-toggle").tap();
			await dana.getByTestId("filter-network").waitFor({ state: "visible", ...within });
			await fitsPhone(dana, "body", "the board with its filters open");
			await dana.getByTestId("filters-toggle").tap();
			// A search that matches nothing says so, and the way back.
			await dana.getByTestId("filter-search").fill("no-such-author-anywhere");
			const noMatch = dana.getByTestId("board-no-match");
			await noMatch.waitFor(within);
			expect(await noMatch.textContent()).toContain(
				"No conversation matches “no-such-author-anywhere”.",
			);
			await fitsPhone(dana, "body", "the board matching nothing");
			await dana.getByTestId("no-match-clear-search").tap();
			await dana.locator('[data-testid="card"]').first().waitFor(within);
			expect(await dana.getByTestId("filter-search").inputValue()).toBe("");
			// A card of the New tab, for a search below.
			const handle =
				(
					await dana.locator('[data-status="new"] [data-testid="open"]').first().textContent()
				)?.trim() ?? "";
			expect(handle).toMatch(/^@/);
			// Tabs switch the one column shown.
			await dana.getByRole("tab", { name: /Claimed/ }).tap();
			await expect
				.poll(
					() => dana.locator('[data-testid="column"][data-status="claimed"]').isVisible(),
					within,
				)
				.toBe(true);
			expect(await dana.locator('[data-testid="column"][data-status="new"]').isVisible()).toBe(
				false,
			);
			// A search whose matches are all in another tab says so there, a tap away.
			await dana.getByTestId("filter-search").fill(handle);
			const emptyTab = dana
				.getByRole("tab")
				.filter({ has: dana.locator(".status-tab-count", { hasText: /^0$/ }) })
				.first();
			await emptyTab.waitFor(within);
			const emptyStatus = await emptyTab.getAttribute("data-status");
			expect(emptyStatus).not.toBe("new");
			await emptyTab.tap();
			const empty = dana.locator(`[data-testid="column"][data-status="${emptyStatus}"]`);
			await empty.getByTestId("column-no-match").waitFor(within);
			const elsewhere = empty.getByTestId("column-elsewhere");
			expect(await elsewhere.first().textContent()).toMatch(/^\d+ in New$/);
			await fitsPhone(dana, "body", "a tab with no match");
			await elsewhere.first().tap();
			await dana
				.locator('[data-testid="column"][data-status="new"] [data-testid="card"]')
				.first()
				.waitFor(within);
			expect(await empty.isVisible()).toBe(false);
			await dana.getByTestId("filter-search").fill("");
			for (const [path, ready] of [
				["/queue", ".page-heading"],
				["/settings", "h1"],
				["/history?q=order", '[data-testid="history-item"]'],
			] as const) {
				await dana.goto(path);
				await dana.locator(ready).first().waitFor(within);
				await drawn(dana);
				await fitsPhone(dana, "body", path);
			}
			const mention = fresh();
			await dana.goto(`/m/${encodeURIComponent(mention.id)}`);
			await dana.getByTestId("editor-content").waitFor(within);
			await fitsPhone(dana, "body", "a conversation");
			// Headings wrap without a line that starts with a separator.
			expect(await linesStartingWith(dana, "#conversation-title, #reply-title", "·")).toEqual([]);

			const morgan = await phone("moderator@acme.test", 360);
			await checkHeader(morgan, true);
			// Who is online is said in words in the menu: a touch screen shows no avatar's tooltip.
			await morgan.getByTestId("menu-button").tap();
			const online = morgan.getByTestId("header-menu").locator(".avatar-stack-names");
			await expect.poll(() => online.textContent(), within).toMatch(/^Online now: .*Dana/);
			expect((await online.boundingBox())?.width ?? 0).toBeGreaterThan(100);
			// Coverage's count says what it counts, on its one line.
			const breaches = morgan.getByTestId("nav-breach-count");
			if ((await breaches.count()) > 0) {
				expect(await breaches.textContent()).toMatch(/^\d+ in breach$/);
				const words = await breaches.locator(".nav-count-words").boundingBox();
				expect(words?.width ?? 0).toBeGreaterThan(30);
				expect((await breaches.boundingBox())?.height ?? 0).toBeLessThanOrEqual(24);
			}
			await fitsPhone(morgan, "#header-menu", "the menu naming who is online");
			await morgan.getByTestId("menu-button").tap();
			for (const path of ["/coverage", "/reviews", "/reports"]) {
				await morgan.goto(path);
				await morgan.locator("h1").first().waitFor(within);
				await drawn(morgan);
				await fitsPhone(morgan, "body", path);
				// The three pages' tabs are all in sight, none cut off at the edge.
				expect(
					await outside(
						morgan.getByRole("navigation", { name: "Moderation" }).getByRole("link"),
						360,
					),
					path,
				).toEqual([]);
			}

			// A board whose name is longer than a phone is wide: in the members' board choices
			// and the board settings' picker it wraps or shrinks, and nothing scrolls sideways.
			await scene.server.switchboard.storage.createBoard({
				orgId: "acme",
				name: "Customer Support for Europe, the Middle East and Africa: Regional Escalations",
			});
			const alex = await phone("admin@acme.test", 360, "/admin");
			await alex.locator("h1").first().waitFor(within);
			await drawn(alex);
			await fitsPhone(alex, "body", "/admin");
			// The admin's sections are one row of tabs, the chosen one in sight (the row is
			// checked further in "scrolls the admin's tabs in one row").
			expect(await alex.getByRole("tab").allTextContents()).toContain("Audit log");
			expect(await rowsOf(alex.getByRole("tab"))).toBe(1);
			expect(await outside(alex.getByRole("tab", { selected: true }), 360)).toEqual([]);
			// The members' role and capacity fields, each beside its label.
			await alex.getByRole("tab", { name: "Members" }).tap();
			await alex.getByTestId("member-capacity").first().waitFor(within);
			await fitsPhone(alex, "body", "the admin's members");
			const choice = alex.getByTestId("member-board").last();
			expect(await outside(choice, 360), "a long board's checkbox").toEqual([]);
			await alex.goto("/admin/boards/main");
			await alex.getByTestId("settings-board-select").waitFor(within);
			await drawn(alex);
			await fitsPhone(alex, "body", "a board's settings");
		},
		PAGE_TIMEOUT * 2,
	);

	it(
		"scrolls the admin's tabs in one row at 360 px, the chosen one in view and a fade where more are",
		async () => {
			const alex = await phone("admin@acme.test", 360, "/admin");
			const strip = alex.getByRole("tablist", { name: "Admin sections" });
			const tabs = strip.getByRole("tab");
			await strip.waitFor(within);
			// One row of 44 px tabs (they wrapped into three rows, 150 px before the first section).
			expect(await rowsOf(tabs)).toBe(1);
			expect((await strip.boundingBox())?.height ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(
				48,
			);
			// The row scrolls within itself, and its right edge fades out where the rest are.
			expect(await outside(tabs, 360)).toContain("Audit log");
			expect(await fadesAt(strip, "right")).toBe(true);
			expect(await fadesAt(strip, "left")).toBe(false);
			await fitsPhone(alex, "body", "the admin's tabs");
			// A tab half hidden at the edge, tapped, comes wholly into view.
			const webhooks = alex.getByRole("tab", { name: "Outgoing webhooks" });
			expect(await outside(webhooks, 360)).toEqual(["Outgoing webhooks"]);
			await webhooks.tap();
			await expect.poll(() => outside(webhooks, 360), within).toEqual([]);
			// Opened at the last section (a link, a reload), that tab is in view and the row
			// fades on the left, where the others are.
			await alex.goto("/admin?tab=audit");
			const audit = alex.getByRole("tab", { name: "Audit log" });
			await expect.poll(() => audit.getAttribute("aria-selected"), within).toBe("true");
			await expect.poll(() => outside(audit, 360), within).toEqual([]);
			expect(await fadesAt(strip, "left")).toBe(true);
			expect(await fadesAt(strip, "right")).toBe(false);
			expect(await rowsOf(tabs)).toBe(1);
		},
		PAGE_TIMEOUT,
	);

	it(
		"fades the board's status tabs where more are at 360 px, and brings a chosen tab into view",
		async () => {
			const sam = await phone("ambassador2@acme.test", 360);
			const strip = sam.getByRole("tablist", { name: "Statuses" });
			const tabs = strip.getByRole("tab");
			await strip.waitFor(within);
			expect(await rowsOf(tabs)).toBe(1);
			// More statuses than fit: the row scrolls, and says so on the side where they are.
			expect((await outside(tabs, 360)).length).toBeGreaterThan(0);
			await expect.poll(() => fadesAt(strip, "right"), within).toBe(true);
			expect(await fadesAt(strip, "left")).toBe(false);
			await fitsPhone(sam, "body", "the board's status tabs");
			// The last status, reached by an arrow key from the first, comes wholly into view,
			// and the fade moves to the left, where the others now are.
			await tabs.first().focus();
			await sam.keyboard.press("ArrowLeft");
			const last = tabs.last();
			await expect.poll(() => last.getAttribute("aria-selected"), within).toBe("true");
			await expect.poll(() => outside(last, 360), within).toEqual([]);
			await expect.poll(() => fadesAt(strip, "left"), within).toBe(true);
			expect(await fadesAt(strip, "right")).toBe(false);

			// Away from the board and back: the same status, its tab in view.
			await sam.getByTestId("menu-button").click();
			await sam.getByTestId("nav-queue").click();
			await sam.waitForURL("**/queue", within);
			await sam.goBack();
			await expect.poll(() => last.getAttribute("aria-selected"), within).toBe("true");
			await expect.poll(() => outside(last, 360), within).toEqual([]);
			// Signed out, and someone signs in on this page: their board starts on New.
			await sam.getByTestId("menu-button").click();
			await sam.getByTestId("sign-out").click();
			await sam.getByTestId("login-form").waitFor(within);
			await sam.getByLabel("Email").fill("ambassador1@acme.test");
			await sam.getByLabel("Password").fill(DEMO_PASSWORD);
			await sam.getByRole("button", { name: "Sign in", exact: true }).click();
			await sam.getByTestId("login-form").waitFor({ state: "detached", ...within });
			await tabs.first().waitFor(within);
			await expect.poll(() => tabs.first().getAttribute("aria-selected"), within).toBe("true");
		},
		PAGE_TIMEOUT,
	);

	it(
		"closes the header's menu once the keyboard's focus leaves it, instead of going on behind it",
		async () => {
			const sam = await phone("ambassador2@acme.test", 360);
			const button = sam.getByTestId("menu-button");
			await button.press("Enter");
			await sam.getByTestId("header-menu").waitFor({ state: "visible", ...within });
			const inMenu = () =>
				sam.evaluate(
					() => document.getElementById("header-menu")?.contains(document.activeElement) ?? false,
				);
			await sam.keyboard.press("Tab");
			expect(await inMenu()).toBe(true);
			// Past the menu's last item: the focus is on the page under it, and the menu closes.
			for (let presses = 0; presses < 40 && (await inMenu()); presses++) {
				await sam.keyboard.press("Tab");
			}
			expect(await inMenu()).toBe(false);
			await sam.getByTestId("header-menu").waitFor({ state: "hidden", ...within });
			expect(await button.getAttribute("aria-expanded")).toBe("false");
		},
		PAGE_TIMEOUT,
	);

	it(
		"lines up the report's From and To at 360 px, shows its figures two a row, each whole, and refuses a period too long in words",
		async () => {
			const morgan = await phone("moderator@acme.test", 360, "/reports");
			const from = morgan.getByTestId("report-from");
			const to = morgan.getByTestId("report-to");
			await to.waitFor(within);
			await drawn(morgan);
			// The two days one under the other, at the same left edge and as wide (To's began
			// 20 px left of From's, with Today beside it).
			const fromBox = await from.boundingBox();
			const toBox = await to.boundingBox();
			expect(toBox?.y ?? 0).toBeGreaterThanOrEqual((fromBox?.y ?? 0) + (fromBox?.height ?? 0));
			expect(Math.abs((toBox?.x ?? 0) - (fromBox?.x ?? -1))).toBeLessThanOrEqual(1);
			expect(Math.abs((toBox?.width ?? 0) - (fromBox?.width ?? -1))).toBeLessThanOrEqual(1);
			// Each label is on its day's row, before it.
			for (const [name, box] of [
				["From", fromBox],
				["To", toBox],
			] as const) {
				const label = await morgan
					.locator(".period label", { hasText: new RegExp(`^${name}`) })
					.evaluate((element) => {
						const range = document.createRange();
						const text = element.firstChild;
						if (text) range.selectNodeContents(text);
						const r = range.getBoundingClientRect();
						return { right: r.right, middle: (r.top + r.bottom) / 2 };
					});
				expect(label.right, name).toBeLessThanOrEqual(box?.x ?? 0);
				expect(label.middle, name).toBeGreaterThan(box?.y ?? 0);
				expect(label.middle, name).toBeLessThan((box?.y ?? 0) + (box?.height ?? 0));
			}
			// The period's figures two a row (one a row made eleven rows before the chart), and
			// none cut off.
			const figures = morgan.getByTestId("report-summary").locator(".tile-value");
			await figures.first().waitFor(within);
			const tiles = await morgan
				.getByTestId("report-summary")
				.locator(".tile")
				.evaluateAll((all) => all.map((tile) => Math.round(tile.getBoundingClientRect().top)));
			expect(tiles.length).toBeGreaterThan(4);
			expect(new Set(tiles).size).toBe(Math.ceil(tiles.length / 2));
			const cut = await figures.evaluateAll((all) =>
				all
					.filter((figure) => figure.scrollWidth > figure.clientWidth)
					.map((figure) => figure.textContent),
			);
			expect(cut).toEqual([]);
			// A period longer than a report covers is refused in words before it is asked for
			// (the server's refusal emptied every panel, its reason in the console only).
			await from.fill("2020-01-01");
			const problem = morgan.getByTestId("report-period-problem");
			await problem.waitFor(within);
			expect(await problem.textContent()).toBe(
				"A report covers at most 1,100 days: pick a later start or an earlier end.",
			);
			// The page's layout, targets and axe: checked in "lays out every page at 360 px".
		},
		PAGE_TIMEOUT,
	);

	it(
		"opens a conversation from a tap on its History row, and shows the template's whole name, the whole thread in the page and the earlier conversations apart from it at 360 px",
		async () => {
			const dana = await phone("ambassador1@acme.test", 360);
			// The new conversation with the longest thread: only looked at, so another test may
			// take it too (those that claim take the newest, which have none).
			const stored = await scene.server.switchboard.storage.listMentions("acme", "main", {
				status: "new",
			});
			const mention = stored
				.map(({ mention }) => mention)
				.reduce((longest, next) => (next.thread.length > longest.thread.length ? next : longest));
			expect(mention.thread.length).toBeGreaterThanOrEqual(4);
			// Found in History, it opens at a tap anywhere on its row, not only on the author's
			// 14 px name, which stays the row's one link.
			await dana.goto(`/history?author=${encodeURIComponent(mention.author.handle)}`);
			const row = dana.locator(`[data-testid="history-item"][data-mention-id="${mention.id}"]`);
			// The author's name is a link once the board says the conversation is on it (the
			// board's data may come after History's answer).
			await row.getByRole("link").first().waitFor(within);
			expect(await row.getByRole("link").allTextContents()).toEqual([
				`@${mention.author.handle.replace(/^@/, "")}`,
			]);
			const words = row.locator(".history-text");
			await words.scrollIntoViewIfNeeded();
			const spot = await words.boundingBox();
			await dana.touchscreen.tap(
				(spot?.x ?? 0) + (spot?.width ?? 0) / 2,
				(spot?.y ?? 0) + (spot?.height ?? 0) / 2,
			);
			await dana.waitForURL(`**/m/${encodeURIComponent(mention.id)}`, within);
			const choice = dana.getByTestId("template-select");
			await choice.waitFor(within);
			// Every template's name fits the closed choice whole ("Apology, ta" beside Insert and
			// the count). Measured in the choice's font; Chromium draws its arrow in the last 24 px.
			const cut = await choice.evaluate((select: HTMLSelectElement) => {
				const style = getComputedStyle(select);
				const room =
					select.clientWidth -
					Number.parseFloat(style.paddingLeft) -
					Number.parseFloat(style.paddingRight) -
					24;
				const context = document.createElement("canvas").getContext("2d");
				if (!context) return ["no canvas"];
				context.font = style.font;
				return [...select.options]
					.filter((option) => context.measureText(option.text).width > room)
					.map((option) => `${option.text} (${Math.round(room)} px)`);
			});
			expect(cut).toEqual([]);
			expect(
				await choice.evaluate((select: HTMLSelectElement) => select.options.length),
			).toBeGreaterThan(1);
			// "Earlier with @…" stands apart from the thread above it and from what follows.
			const heading = dana.locator("#earlier-title");
			await heading.waitFor(within);
			const gaps = await heading.evaluate((element) => {
				const box = element.getBoundingClientRect();
				const above = document.querySelector('[data-testid="thread"]')?.getBoundingClientRect();
				const below = element.nextElementSibling?.getBoundingClientRect();
				return {
					above: above ? box.top - above.bottom : Number.NaN,
					below: below ? below.top - box.bottom : Number.NaN,
				};
			});
			expect(gaps.above).toBeGreaterThanOrEqual(16);
			expect(gaps.below).toBeGreaterThanOrEqual(8);
			// Every message in the page, whole: the thread was a box of 38% of the screen under a
			// page that scrolls already, cut mid-message, the customer's latest question hidden.
			const thread = dana.getByTestId("thread");
			const messages = thread.getByRole("listitem");
			await expect.poll(() => messages.count(), within).toBe(mention.thread.length + 1);
			expect(await thread.evaluate((list) => list.scrollHeight - list.clientHeight)).toBe(0);
			// Nothing to scroll there, so the thread is no tab stop on the way to the reply.
			expect(await thread.getAttribute("tabindex")).toBeNull();
			// The reply is a tap away past a long thread, ready to write.
			await dana.getByTestId("thread-to-reply").tap();
			const editor = dana.getByTestId("editor-content");
			await expect
				.poll(() => editor.evaluate((e) => e === document.activeElement), within)
				.toBe(true);
			expect(await reachable(dana, dana.locator("#reply-title"))).toBeNull();
			await fitsPhone(dana, "body", "a conversation");
			// From 720 px the thread is a box again, the reply under it: it opens on the latest
			// message and fades at the top, where the earlier ones are.
			await dana.setViewportSize({ width: 800, height: PHONE.height });
			await expect.poll(() => thread.getAttribute("data-more-before"), within).toBe("");
			expect(await thread.getAttribute("data-more-after")).toBeNull();
			const [box, latest] = await Promise.all([
				thread.boundingBox(),
				messages.last().boundingBox(),
			]);
			expect(latest?.y ?? 0).toBeGreaterThanOrEqual(box?.y ?? Number.POSITIVE_INFINITY);
			expect((latest?.y ?? 0) + (latest?.height ?? 0)).toBeLessThanOrEqual(
				(box?.y ?? 0) + (box?.height ?? 0) + 1,
			);
			expect(await thread.evaluate((list) => getComputedStyle(list).maskImage)).toMatch(
				/^linear-gradient/,
			);
			// A box with more than it shows is a tab stop, for a keyboard to scroll it; from 960 px,
			// where the thread takes the height it needs, it is not one any more.
			expect(await thread.getAttribute("tabindex")).toBe("0");
			await dana.setViewportSize({ width: 1280, height: PHONE.height });
			await expect.poll(() => thread.getAttribute("tabindex"), within).toBeNull();
		},
		PAGE_TIMEOUT,
	);

	it(
		"says a board setting's unit and range when a number is refused",
		async () => {
			const alex = await phone("admin@acme.test", 360, "/admin/boards/main");
			const lease = alex.getByTestId("settings-lease");
			await lease.waitFor(within);
			await lease.getByTestId("leaseMinutes").fill("");
			await lease.getByTestId("settings-lease-save").tap();
			await expect
				.poll(() => lease.getByTestId("field-error").textContent(), within)
				.toBe("The time offline must be a number of minutes from 1 to 43,200 (30 days).");
			const limits = alex.getByTestId("settings-limits");
			// Bluesky takes no post over 300 characters.
			await limits.getByTestId("replyLimits-bluesky").fill("500");
			await limits.getByTestId("settings-limits-save").tap();
			await expect
				.poll(() => limits.getByTestId("field-error").textContent(), within)
				.toBe(
					"The limit must be a whole number of characters from 1 to 300, the longest post on Bluesky.",
				);
			const sla = alex.getByTestId("settings-sla");
			await sla.getByTestId("slaClaimMinutes-high").fill("200000");
			await sla.getByTestId("settings-sla-save").tap();
			await expect
				.poll(() => sla.getByTestId("field-error").textContent(), within)
				.toBe("The target must be a number of minutes from 1 to 129,600 (90 days).");
		},
		PAGE_TIMEOUT,
	);

	it(
		"says why no member is left to mark as new, instead of an empty choice, at 360 px",
		async () => {
			const alex = await phone("admin@acme.test", 360, "/admin/boards/main");
			// Everyone marked as new (not saved): no empty choice, but why and where to go.
			const approval = alex.getByTestId("settings-approval");
			await approval.waitFor(within);
			const add = approval.getByTestId("approval-member-add");
			const members = (await scene.server.switchboard.storage.listMembers("acme")).filter(
				(member) => member.active,
			);
			for (let marked = 0; marked < members.length; marked++) await add.tap();
			expect(await approval.getByTestId("approval-new-members").locator("li").count()).toBe(
				members.length,
			);
			expect(await approval.getByTestId("approval-member-select").count()).toBe(0);
			expect(await add.count()).toBe(0);
			const why = approval.getByTestId("approval-no-candidates");
			expect(await why.textContent()).toBe(
				"Everyone on the team is marked as new. To mark someone else, invite them first under Admin › Members.",
			);
			expect(await why.getByRole("link").getAttribute("href")).toBe("/admin?tab=members");
			// Each marked member's Remove sits within its chip (44 px buttons stuck out of 22 px
			// chips, over the next one).
			const outOfChip = await approval
				.getByTestId("approval-new-members")
				.locator("li")
				.evaluateAll((chips) =>
					chips
						.filter((chip) => {
							const c = chip.getBoundingClientRect();
							const b = chip.querySelector("button")?.getBoundingClientRect();
							return !b || b.top < c.top || b.bottom > c.bottom || b.right > c.right;
						})
						.map((chip) => chip.textContent),
				);
			expect(outOfChip).toEqual([]);
			await fitsPhone(alex, '[data-testid="settings-approval"]', "the approval rules");
		},
		PAGE_TIMEOUT,
	);

	it(
		"says the members did not load, and loads them on Try again, in the approval rules at 360 px",
		async () => {
			const alex = await phone("admin@acme.test", 360);
			const members = (url: URL) => url.pathname === "/api/members";
			await alex.route(members, (route) => route.abort());
			await alex.goto("/admin/boards/main");
			const approval = alex.getByTestId("settings-approval");
			await approval.waitFor(within);
			const why = approval.getByTestId("approval-no-candidates");
			await expect
				.poll(() => why.textContent(), within)
				.toBe(
					"Nobody can be marked as new until the members load. The server cannot be reached. Check your connection and try again. Try again",
				);
			await fitsPhone(alex, '[data-testid="settings-approval"]', "the approval rules");
			await alex.unroute(members);
			await approval.getByTestId("approval-members-retry").tap();
			await approval.getByTestId("approval-member-select").waitFor(within);
			expect(await why.count()).toBe(0);
		},
		PAGE_TIMEOUT,
	);

	it(
		"snoozes two cards picked on the board at 360 px: the bulk bar and the action dialog fit",
		async () => {
			const sam = await phone("ambassador2@acme.test", 360);
			const picked = [fresh(), fresh()];
			for (const mention of picked) {
				await sam.getByTestId("filter-search").fill(mention.author.handle);
				const select = sam
					.locator(`[data-testid="card"][data-mention-id="${mention.id}"]`)
					.getByTestId("card-select");
				await select.waitFor(within);
				await select.tap();
			}
			await sam.getByTestId("bulk-bar").waitFor({ state: "visible", ...within });
			expect(await sam.getByTestId("bulk-count").textContent()).toBe("2 conversations selected");
			await fitsPhone(sam, "body", "the board with two cards picked");
			// One row (every action in view took 210 of the 740 px); the rarer actions behind
			// "More", each within reach once it is open.
			const bar = sam.getByTestId("bulk-bar");
			expect((await bar.boundingBox())?.height ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(64);
			expect(await sam.getByTestId("bulk-dismiss").isVisible()).toBe(false);
			await sam.getByTestId("bulk-more").tap();
			const unreachable: string[] = [];
			for (const kind of ["dismiss", "snooze", "escalate", "tags", "priority", "close", "reopen"]) {
				const problem = await reachable(sam, sam.getByTestId(`bulk-${kind}`));
				if (problem) unreachable.push(`${kind}: ${problem}`);
			}
			expect(unreachable).toEqual([]);
			await fitsPhone(sam, "body", "the bulk bar's other actions");
			await sam.getByTestId("bulk-more").tap();
			await sam.getByTestId("bulk-snooze").tap();
			const dialog = sam.getByTestId("action-dialog");
			await dialog.waitFor({ state: "visible", ...within });
			await fitsPhone(sam, "body", "the action dialog");
			await dialog.getByTestId("snooze-1h").tap();
			// Once the server has answered, the selection is done with: the bar goes, and the
			// tabs below it move up (a tap aimed at them before that may land on a card).
			await sam.getByTestId("bulk-bar").waitFor({ state: "hidden", ...within });
			for (const mention of picked) {
				await expect
					.poll(
						async () =>
							(await scene.server.switchboard.storage.getMention("acme", mention.id))?.mention
								.status,
						within,
					)
					.toBe("snoozed");
			}
			// The Snoozed tab holds them now.
			await sam.getByTestId("filter-search").fill(picked[0]!.author.handle);
			await sam.getByRole("tab", { name: /Snoozed/ }).tap();
			await cardInColumn(sam, "snoozed", picked[0]!.id, within);
		},
		PAGE_TIMEOUT,
	);

	it(
		"is installable: a manifest that opens on the queue, and an install offer made once",
		async () => {
			const dana = await phone("ambassador1@acme.test", undefined, undefined, {
				serviceWorker: true,
			});
			const manifest = await dana.evaluate(async () => {
				const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
				if (!link) return null;
				const response = await fetch(link.href);
				return {
					type: response.headers.get("content-type"),
					body: (await response.json()) as {
						start_url: string;
						display: string;
						theme_color: string;
						icons: { src: string; sizes: string; purpose?: string }[];
					},
				};
			});
			expect(manifest?.type).toContain("application/manifest+json");
			expect(manifest?.body.start_url).toBe("/queue");
			expect(manifest?.body.display).toBe("standalone");
			expect(manifest?.body.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
			// Each PNG icon is there at the size it claims.
			const pngs = manifest?.body.icons.filter((icon) => icon.src.endsWith(".png")) ?? [];
			expect(pngs.map((icon) => `${icon.sizes} ${icon.purpose ?? "any"}`).sort()).toEqual([
				"192x192 any",
				"512x512 any",
				"512x512 maskable",
			]);
			for (const icon of pngs) {
				const size = await dana.evaluate(async (src) => {
					const image = new Image();
					image.src = src;
					await image.decode();
					return `${image.naturalWidth}x${image.naturalHeight}`;
				}, icon.src);
				expect(size).toBe(icon.sizes);
			}

			// Chromium's event, as it fires when the app qualifies; prompt() is recorded.
			const offer = async () =>
				dana.evaluate(() => {
					const event = new Event("beforeinstallprompt", { cancelable: true }) as Event & {
						prompt(): Promise<void>;
						userChoice: Promise<{ outcome: string }>;
					};
					const log = window as unknown as { prompted?: number };
					log.prompted = 0;
					event.prompt = async () => {
						log.prompted = (log.prompted ?? 0) + 1;
					};
					event.userChoice = Promise.resolve({ outcome: "accepted" });
					window.dispatchEvent(event);
					return event.defaultPrevented;
				});
			expect(await offer()).toBe(true);
			const banner = dana.getByTestId("install-offer");
			await banner.waitFor({ state: "visible", ...within });
			expect(await reachable(dana, dana.getByTestId("install-app"))).toBeNull();
			await banner.getByRole("button", { name: "Not now" }).tap();
			await banner.waitFor({ state: "hidden", ...within });

			// Turned down once: not offered again after a reload, but still in the menu.
			await dana.reload();
			await dana.locator('[data-testid="card"]').first().waitFor(within);
			await offer();
			await dana.getByTestId("menu-button").tap();
			await dana.getByTestId("menu-install").waitFor({ state: "visible", ...within });
			expect(await banner.count()).toBe(0);
			await dana.getByTestId("menu-install").tap();
			await expect
				.poll(() => dana.evaluate(() => (window as unknown as { prompted?: number }).prompted))
				.toBe(1);
			// The event serves once: the action goes away with it.
			await dana.getByTestId("menu-install").waitFor({ state: "detached", ...within });

			// The installed app starts on the queue, also with no network.
			await dana.evaluate(() => navigator.serviceWorker.ready.then(() => true));
			await dana.context().setOffline(true);
			await dana.goto("/queue");
			await dana.locator(".page-heading h1").waitFor(within);
			expect(await dana.locator(".page-heading h1").textContent()).toBe("My queue");
			await dana.context().setOffline(false);
		},
		PAGE_TIMEOUT,
	);

	it(
		"lists the shortcuts with their keys in the menu's help, for a phone with a keyboard",
		async () => {
			const dana = await phone("ambassador1@acme.test", 360);
			await dana.getByTestId("menu-button").tap();
			await dana.getByTestId("help-button").tap();
			const help = dana.getByTestId("help-dialog");
			await help.waitFor({ state: "visible", ...within });
			// The key hints beside buttons are hidden on a touch screen; the list's keys are not.
			const keys = await help
				.locator("kbd")
				.evaluateAll((all) =>
					all.map((key) => [key.textContent, key.getBoundingClientRect().width > 0]),
				);
			expect(keys.length).toBeGreaterThan(10);
			expect(keys.filter(([, shown]) => !shown)).toEqual([]);
			// It opens at its title, not scrolled down to its Close button.
			expect(await dana.evaluate(() => document.activeElement?.id)).toBe("help-title");
			expect(await help.evaluate((dialog) => dialog.scrollTop)).toBe(0);
			// Closed, it gives focus back to the menu's button, not to the page's body.
			await dana.keyboard.press("Escape");
			await help.waitFor({ state: "hidden", ...within });
			expect(await dana.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
				"menu-button",
			);
		},
		PAGE_TIMEOUT,
	);

	it(
		"keeps a card, Coverage and a conversation's title inside a phone for a long handle and link",
		async () => {
			// A Mastodon handle with its server's name, and a link: no space to break at.
			const handle = "a_really_long_handle_without_any_spaces_whatsoever@mastodon.example.social";
			const now = new Date().toISOString();
			const [stored] = (
				await scene.server.switchboard.integrations.ingestor.ingest("acme", "main", [
					{
						network: "mastodon",
						externalId: "long-handle-1",
						url: null,
						author: { handle, name: "Long Handle", reach: 5_000_000 },
						text: `@acme https://status.example.com/incidents/${"x".repeat(120)} is down`,
						thread: [],
						postedAt: now,
						ingestedAt: now,
					},
				])
			).stored;
			const dana = await phone("ambassador1@acme.test", 360);
			await dana.getByTestId("filter-search").fill("whatsoever");
			const card = dana.locator('[data-testid="card"]').filter({ hasText: "whatsoever" });
			await card.waitFor(within);
			await drawn(dana);
			expect(await outside(card, 360), "the card").toEqual([]);
			expect(await outside(card.getByTestId("claim"), 360), "its Claim button").toEqual([]);
			await fitsPhone(dana, "body", "the board with a long handle");
			await dana.goto(`/m/${encodeURIComponent(stored?.mention.id ?? "")}`);
			await dana.locator("#conversation-title").waitFor(within);
			await drawn(dana);
			await fitsPhone(dana, "body", "a conversation with a long handle");

			const morgan = await phone("moderator@acme.test", 360, "/coverage");
			await morgan.locator("h1").first().waitFor(within);
			await morgan.getByText("whatsoever", { exact: false }).first().waitFor(within);
			await drawn(morgan);
			await fitsPhone(morgan, "body", "Coverage with a long handle");
		},
		PAGE_TIMEOUT,
	);

	it(
		"shows a teammate's name whole at a caret near the right edge of the reply on a phone",
		async () => {
			const mention = fresh();
			const path = `/m/${encodeURIComponent(mention.id)}`;
			const dana = await phone("ambassador1@acme.test", 360, path);
			const sam = await scene.person("ambassador2@acme.test", path);
			await sam.getByTestId("editor-content").click();
			await sam.keyboard.type("Thanks for writing to us, we are looking into your order now.");
			await expect.poll(() => editorText(dana), within).toContain("order now.");
			// How many characters of Dana's first line lie left of a point 30 px inside the
			// editor's right edge: Sam's caret there has no room for its name on its right.
			const offset = await dana.evaluate(() => {
				const scroller = document.querySelector(".cm-scroller") as HTMLElement;
				const edge = scroller.getBoundingClientRect().left + scroller.clientWidth - 30;
				const text = document.querySelector(".cm-line")?.firstChild as Text;
				const range = document.createRange();
				let count = 0;
				while (count < text.length) {
					range.setStart(text, count);
					range.setEnd(text, count + 1);
					if (range.getBoundingClientRect().right > edge) break;
					count++;
				}
				return count;
			});
			await sam.keyboard.press("Control+Home");
			for (let i = 0; i < offset; i++) await sam.keyboard.press("ArrowRight");
			const name = dana.locator(".cm-ySelectionInfo", { hasText: "Sam Ambassador" });
			await expect
				.poll(() => name.evaluate((element) => Number(getComputedStyle(element).opacity)), within)
				.toBe(1);
			// The scroller clips what sticks out of it: the name must lie inside, all of it shown.
			const fit = () =>
				name.evaluate((element) => {
					const scroller = element.closest(".cm-scroller") as HTMLElement;
					const box = scroller.getBoundingClientRect();
					const left = box.left + scroller.clientLeft;
					const shown = element.getBoundingClientRect();
					return {
						inside: shown.left >= left - 0.5 && shown.right <= left + scroller.clientWidth + 0.5,
						whole: element.scrollWidth <= element.clientWidth,
					};
				});
			await expect.poll(fit, within).toEqual({ inside: true, whole: true });
		},
		PAGE_TIMEOUT,
	);

	it(
		"shows History's results just under the words on a phone, the other filters folded behind a button that counts them",
		async () => {
			const dana = await phone("ambassador1@acme.test", 360, "/history");
			const first = dana.getByTestId("history-item").first();
			await dana.getByTestId("history-q").fill("order");
			await dana.getByTestId("history-search").tap();
			await first.waitFor(within);
			// In view without a scroll: below five unfolded fields they began at 775 of 780 px.
			const inView = async () => {
				const box = await first.boundingBox();
				return (box?.y ?? 1_000) + Math.min(box?.height ?? 0, 60) <= 780;
			};
			expect(await inView(), "the first result in view after a search").toBe(true);
			const toggle = dana.getByTestId("history-filters-toggle");
			const from = dana.getByLabel("Posted from");
			expect(await from.isVisible()).toBe(false);
			expect(await toggle.getAttribute("aria-expanded")).toBe("false");

			await toggle.tap();
			await from.fill("2000-01-01");
			await dana.getByTestId("history-search").tap();
			await dana.waitForURL(/from=2000-01-01/, within);
			// The search folds the filters again, and the button says one is in use.
			await from.waitFor({ state: "hidden", ...within });
			await expect.poll(textOf(dana.getByTestId("history-filters-count")), within).toBe("1 in use");
			await first.waitFor(within);
			expect(await inView(), "the first result in view after a filtered search").toBe(true);
			await fitsPhone(dana, "body", "History with its filters folded");
		},
		PAGE_TIMEOUT,
	);

	it(
		"says on the throughput charts what they count per what, above the y axis and in the legend",
		async () => {
			/** The chart's unit above its plot, and the name its legend gives the time. */
			const said = (chart: Locator) =>
				chart.evaluate((element) => {
					const unit = element.querySelector<HTMLElement>('[data-testid="chart-unit"]');
					const plot = element.querySelector("canvas")?.getBoundingClientRect();
					const box = unit?.getBoundingClientRect();
					return {
						unit: unit && box && box.height > 0 ? unit.textContent : null,
						above: box !== undefined && plot !== undefined && box.bottom <= plot.top,
						time: element.querySelector(".u-legend .u-series .u-label")?.textContent ?? null,
					};
				});
			const morgan = await phone("moderator@acme.test", 360, "/coverage");
			const throughput = morgan.getByTestId("throughput-chart");
			await throughput.locator("canvas").waitFor(within);
			expect(await said(throughput)).toEqual({
				unit: "Conversations per hour",
				above: true,
				time: "Hour",
			});
			await morgan.goto("/reports");
			const daily = morgan.getByTestId("daily-chart");
			await daily.locator("canvas").waitFor(within);
			expect(await said(daily)).toEqual({
				unit: "Conversations per day",
				above: true,
				time: "Day",
			});
		},
		PAGE_TIMEOUT,
	);
});
