/**
 * Claiming on a phone, in Chromium: the board shows one status at a time, so a card claimed
 * from the New tab leaves the screen (and the next card's Claim takes its place under the
 * thumb); the claim is said in a toast, and a double tap claims one conversation, not the
 * card that comes up under the second tap. The toast, at the foot of a phone's screen (above
 * the conversation's reply bar; on a tablet above the reply bar and the install offer rather
 * than over them in the bottom left corner), covers neither the board's search nor the way
 * back, and stays under the header's menu and the bell's panel when they are opened. A refused claim gives
 * its card back at once. Acting on a conversation from a dialog: a refusal shows above the
 * dialog, and going back leaves no dialog open over the page before. A phone turned on its
 * side keeps the phone's board. The install offer, a strip at the foot of the screen below the
 * page, covers none of it: not the reply bar, the caret above the keyboard or the last card.
 */
import { CSRF_HEADER } from "@switchboard/domain";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { card, cardInColumn, fitsPhone, hasChromium, showCard } from "./harness.ts";
import { phoneContext } from "./phone.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

/** Whether `locator`'s middle is `locator` itself (or inside it), not something drawn over it. */
function onTop(locator: Locator): Promise<boolean> {
	return locator.evaluate((element) => {
		const box = element.getBoundingClientRect();
		const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
		return top !== null && element.contains(top);
	});
}

/**
 * Whether `upper` (the toast, unless `names` says what) lies over `bar`: null when both are
 * shown and apart, else what overlaps (both boxes), or what is not shown.
 */
async function over(
	upper: Locator,
	bar: Locator,
	names: [upper: string, bar: string] = ["the toast", "the bar"],
): Promise<string | null> {
	const [upperBox, barBox] = [await upper.boundingBox(), await bar.boundingBox()];
	if (!upperBox) return `${names[0]} is not shown`;
	if (!barBox) return `${names[1]} is not shown`;
	const apart =
		upperBox.y + upperBox.height <= barBox.y + 0.5 ||
		barBox.y + barBox.height <= upperBox.y + 0.5 ||
		upperBox.x + upperBox.width <= barBox.x + 0.5 ||
		barBox.x + barBox.width <= upperBox.x + 0.5;
	const round = (box: { x: number; y: number; width: number; height: number }) =>
		`${Math.round(box.width)}×${Math.round(box.height)} at ${Math.round(box.x)},${Math.round(box.y)}`;
	return apart ? null : `${names[0]} (${round(upperBox)}) over ${names[1]} (${round(barBox)})`;
}

/**
 * Fires Chromium's `beforeinstallprompt` in `page`, as when the app qualifies: the install
 * offer comes at the foot of the screen.
 */
async function offerInstall(page: Page): Promise<Locator> {
	await page.evaluate(() => {
		const event = new Event("beforeinstallprompt", { cancelable: true }) as Event & {
			prompt(): Promise<void>;
			userChoice: Promise<{ outcome: string }>;
		};
		event.prompt = async () => {};
		event.userChoice = Promise.resolve({ outcome: "dismissed" });
		window.dispatchEvent(event);
	});
	const offer = page.getByTestId("install-offer");
	await offer.waitFor({ state: "visible", ...within });
	return offer;
}

/** The ids of the cards the New tab shows, top first. */
function newCards(page: Page): Promise<string[]> {
	return page
		.locator('[data-testid="column"][data-status="new"] [data-testid="card"]')
		.evaluateAll((cards) => cards.map((card) => card.getAttribute("data-mention-id") ?? ""));
}

/** The middle of the New tab's first Claim button, in the page's coordinates. */
async function firstClaimPoint(page: Page): Promise<{ x: number; y: number }> {
	const claim = page
		.locator('[data-testid="column"][data-status="new"] [data-testid="card"]')
		.first()
		.getByTestId("claim");
	await claim.waitFor({ timeout: 15_000 });
	const box = await claim.boundingBox();
	if (!box) throw new Error("the first card's Claim has no box");
	return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

describe.skipIf(!hasChromium)("claiming on a phone in Chromium", () => {
	const scene = e2eScene();
	const { fresh } = scene;

	/** The conversations `memberId` owns, by the server. */
	async function owned(memberId: string): Promise<string[]> {
		const stored = await scene.server.switchboard.storage.listMentions("acme", "main", {
			ownerId: memberId,
		});
		return stored.map(({ mention }) => mention.id).sort();
	}

	it("says a claim made from the New tab, where the card leaves the screen; not on a desktop", async () => {
		const phone = await scene.onPhone("ambassador1@acme.test");
		const mention = fresh();
		await (await showCard(phone, mention)).getByTestId("claim").click();
		const told = phone
			.getByTestId("toast-info")
			.filter({ hasText: `You now own the conversation with @${mention.author.handle}` });
		await told.waitFor(within);
		expect(await told.textContent()).toContain("My queue");

		// A desktop shows the card move to Claimed: nothing to say.
		const desk = await scene.person("ambassador3@acme.test");
		const other = fresh();
		await (await showCard(desk, other)).getByTestId("claim").click();
		await cardInColumn(desk, "claimed", other.id, within);
		expect(await desk.getByTestId("toast-info").count()).toBe(0);
	});

	it("hands the keyboard's focus to the card that takes a claimed card's place in the New tab", async () => {
		// Two new conversations of one author, so that the search shows both and nothing else.
		const handle = `focus${Date.now()}`;
		const now = Date.now();
		const ingested = await scene.server.switchboard.integrations.ingestor.ingest(
			"acme",
			"main",
			[0, 1].map((i) => ({
				network: "mastodon" as const,
				externalId: `${handle}-${i}`,
				url: null,
				author: { handle, name: "Focus", reach: 10 },
				text: `Where is my order ${i}?`,
				thread: [],
				postedAt: new Date(now - i * 60_000).toISOString(),
				ingestedAt: new Date(now).toISOString(),
			})),
		);
		const phone = await scene.onPhone("ambassador3@acme.test");
		await phone.getByTestId("filter-search").fill(handle);
		const cards = phone.locator('[data-testid="column"][data-status="new"] [data-testid="card"]');
		await expect.poll(() => cards.count(), within).toBe(2);
		const claimed = await cards.first().getAttribute("data-mention-id");
		const other = ingested.mentionIds.find((id) => id !== claimed);
		await cards.first().getByTestId("claim").press("Enter");
		// Not the page itself, and not the next card's Claim (a second Enter would claim it):
		// the card that took the claimed one's slot, once the list closes up.
		await expect
			.poll(
				() =>
					phone.evaluate(() => {
						const active = document.activeElement;
						return active?.matches('[data-testid="card"]')
							? active.getAttribute("data-mention-id")
							: (active?.getAttribute("data-testid") ?? active?.tagName);
					}),
				within,
			)
			.toBe(other);
	});

	it("keeps that toast under the menu and the bell's panel opened over it", async () => {
		const phone = await scene.onPhone("ambassador2@acme.test");
		const mention = fresh();
		await (await showCard(phone, mention)).getByTestId("claim").click();
		const toast = phone.getByTestId("toast-info");
		await toast.waitFor(within);

		await phone.getByTestId("menu-button").click();
		const firstPage = phone.getByTestId("header-menu").getByRole("link").first();
		await firstPage.waitFor(within);
		expect(await onTop(firstPage), "the menu's first page under the toast").toBe(true);
		await phone.getByTestId("menu-button").click();

		await phone
			.locator(".app-header")
			.getByRole("button", { name: /Notifications/ })
			.click();
		const title = phone.locator(".bell-title");
		await title.waitFor(within);
		expect(await onTop(title), "the bell's title under the toast").toBe(true);
		// The checks ran while the toast was up (it stays 5 s).
		expect(await toast.isVisible()).toBe(true);
	});

	it("shows a toast at the foot of a phone's screen, clear of the board's search and above the reply bar", async () => {
		const context = scene.keep(await phoneContext(scene.browser, scene.server.url, 360, 780));
		const phone = await context.newPage();
		await scene.enter(phone, "ambassador1@acme.test");
		const mention = fresh();
		await (await showCard(phone, mention)).getByTestId("claim").tap();
		const claimed = phone.getByTestId("toast-info");
		await claimed.waitFor(within);
		// At the top it lay over the search and Filters (and under the header) for 5 s.
		const toastBox = await claimed.boundingBox();
		expect(toastBox?.y ?? 0, "the toast's top").toBeGreaterThan(780 / 2);
		expect((toastBox?.y ?? 0) + (toastBox?.height ?? 0), "the toast's foot").toBeLessThanOrEqual(
			780,
		);
		for (const id of ["filter-search", "filters-toggle", "menu-button", "claim-next"])
			expect(await onTop(phone.getByTestId(id)), `${id} with the toast shown`).toBe(true);

		// In a conversation nobody owns, a priority set, and the reply scrolled into view: the
		// toast that says so sits above the reply bar, clear of its Claim.
		const other = fresh();
		await phone.goto(`/m/${encodeURIComponent(other.id)}`);
		const priority = phone.getByTestId("priority-select");
		await priority.waitFor(within);
		await priority.selectOption(other.priority === "low" ? "high" : "low");
		const told = phone.getByTestId("toast-info").filter({ hasText: "Priority set" });
		await told.waitFor(within);
		// Scrolled down the thread until the reply starts mid-screen: its bar is pinned at the foot.
		await phone.getByTestId("editor").evaluate((editor) => {
			const main = document.getElementById("main");
			if (main) main.scrollTop += editor.getBoundingClientRect().top - 400;
		});
		const bar = phone.getByTestId("reply-bar");
		const claim = bar.getByTestId("claim-to-reply-button");
		await claim.waitFor(within);
		await expect.poll(async () => (await bar.boundingBox())?.y ?? 0, within).toBeGreaterThan(600);
		const barBox = await bar.boundingBox();
		const toldBox = await told.boundingBox();
		expect((toldBox?.y ?? 0) + (toldBox?.height ?? 0), "the toast's foot").toBeLessThanOrEqual(
			(barBox?.y ?? 0) + 0.5,
		);
		expect(await onTop(claim), "the reply bar's Claim with the toast shown").toBe(true);
		expect(await told.isVisible()).toBe(true);
	});

	it("shows a toast on a tablet above the reply bar at the foot and the install offer, not over them in its corner", async () => {
		// 800 px: the reply bar is sticky up to 959 px, the toasts in the bottom left corner from
		// 720 px, where they covered the bar's left end.
		const context = scene.keep(await phoneContext(scene.browser, scene.server.url, 800, 700));
		const tablet = await context.newPage();
		await scene.enter(tablet, "ambassador2@acme.test");
		const mention = fresh();
		await tablet.goto(`/m/${encodeURIComponent(mention.id)}`);
		const priority = tablet.getByTestId("priority-select");
		await priority.waitFor(within);
		await priority.selectOption(mention.priority === "low" ? "high" : "low");
		const told = tablet.getByTestId("toast-info").filter({ hasText: "Priority set" });
		await told.waitFor(within);
		// The reply's text starts low on the screen, its end below it: its bar is pinned at the foot.
		await tablet.getByTestId("editor").evaluate((editor) => {
			const main = document.getElementById("main");
			if (main) main.scrollTop += editor.getBoundingClientRect().top - 480;
		});
		const bar = tablet.getByTestId("reply-bar");
		const claim = bar.getByTestId("claim-to-reply-button");
		await claim.waitFor(within);
		await expect
			.poll(async () => {
				const box = await bar.boundingBox();
				return box ? Math.round(box.y + box.height) : 0;
			}, within)
			.toBe(700);
		// Polled for a few frames, well within the toast's 5 s.
		const briefly = { timeout: 2_000 };
		await expect.poll(() => over(told, bar), briefly).toBeNull();
		expect(await onTop(claim), "the reply bar's Claim with the toast shown").toBe(true);

		// The install offer, across the foot, comes while the toast is shown: the toast stands
		// above it too, rather than over its words.
		const offer = await offerInstall(tablet);
		await expect.poll(() => over(told, offer), briefly).toBeNull();
		expect(await over(told, bar)).toBeNull();
	});

	// The offer stood fixed over the foot of the screen, 12 px up: at 360 px it hid most of the
	// reply bar's Claim, at 800 px the bar's middle, until it was turned down. Stacked at the
	// foot, the bar and the offer both keep a toast above them.
	for (const [width, height] of [
		[360, 780],
		[800, 700],
	] as const)
		it(`keeps the reply bar's Claim clear of the install offer and a toast at the foot, at ${width} px`, async () => {
			const context = scene.keep(
				await phoneContext(scene.browser, scene.server.url, width, height),
			);
			const page = await context.newPage();
			const mention = fresh();
			await scene.enter(page, "ambassador1@acme.test", { path: `/m/${mention.id}` });
			await page.getByTestId("editor").waitFor(within);
			const offer = await offerInstall(page);
			const priority = page.getByTestId("priority-select");
			await priority.selectOption(mention.priority === "low" ? "high" : "low");
			const told = page.getByTestId("toast-info").filter({ hasText: "Priority set" });
			await told.waitFor(within);
			// Half the editor below the foot of the page: the reply's bar stands there, pinned.
			await page.getByTestId("editor").evaluate((editor) => {
				const main = document.getElementById("main");
				if (!main) return;
				const box = editor.getBoundingClientRect();
				main.scrollTop += box.top + box.height / 2 - main.getBoundingClientRect().bottom;
			});
			const bar = page.getByTestId("reply-bar");
			const claim = bar.getByTestId("claim-to-reply-button");
			await claim.waitFor(within);
			const pageFoot = () =>
				page.evaluate(() =>
					Math.round(document.getElementById("main")?.getBoundingClientRect().bottom ?? 0),
				);
			await expect
				.poll(async () => {
					const box = await bar.boundingBox();
					return box ? Math.round(box.y + box.height) : 0;
				}, within)
				.toBe(await pageFoot());
			expect(await over(offer, bar, ["the install offer", "the reply bar"])).toBeNull();
			// Polled for a few frames (the toast follows the scrolled bar), well within its 5 s.
			await expect.poll(() => over(told, bar), { timeout: 2_000 }).toBeNull();
			expect(await over(told, offer, ["the toast", "the install offer"])).toBeNull();
			expect(await onTop(claim), "the reply bar's Claim with the offer and a toast").toBe(true);
			expect(await onTop(offer.getByTestId("install-app")), "the offer's Install app").toBe(true);

			await claim.tap();
			const danaId = await scene.memberId("ambassador1@acme.test");
			await expect.poll(() => owned(danaId), within).toContain(mention.id);
		});

	it("keeps the caret above the reply bar and the install offer as the keyboard comes up", async () => {
		const context = scene.keep(await phoneContext(scene.browser, scene.server.url, 360, 780));
		const phone = await context.newPage();
		const mention = fresh();
		await scene.enter(phone, "ambassador2@acme.test", { path: `/m/${mention.id}` });
		const editor = phone.getByTestId("editor-content");
		await editor.waitFor(within);
		await offerInstall(phone);
		await editor.tap();
		for (let line = 0; line < 8; line++) await phone.keyboard.type(`Line ${line}\n`);
		// The keyboard takes 300 px of the screen. The page ends above the offer there: the caret,
		// kept 72 px above the foot of the screen rather than of the page, was under the offer.
		await phone.setViewportSize({ width: 360, height: 480 });
		const caretAndBar = () =>
			phone.evaluate(() => {
				const selection = document.getSelection();
				if (!selection || selection.rangeCount === 0) return "no caret";
				let caret = selection.getRangeAt(0).getBoundingClientRect();
				if (caret.height === 0) {
					const node = selection.anchorNode;
					const element = node instanceof Element ? node : node?.parentElement;
					caret = element?.closest(".cm-line")?.getBoundingClientRect() ?? caret;
				}
				const bar = document.querySelector('[data-testid="reply-bar"]')?.getBoundingClientRect();
				const offer = document
					.querySelector('[data-testid="install-offer"]')
					?.getBoundingClientRect();
				const main = document.getElementById("main")?.getBoundingClientRect();
				if (!bar || !offer || !main) return "no reply bar or no offer";
				return caret.top >= main.top && caret.bottom <= Math.min(bar.top, offer.top)
					? "in view"
					: `the caret at ${Math.round(caret.top)}–${Math.round(caret.bottom)}, the page from ${Math.round(main.top)}, the bar from ${Math.round(bar.top)}, the offer from ${Math.round(offer.top)}`;
			});
		await expect.poll(caretAndBar, within).toBe("in view");
	});

	it("keeps the board's last card clear of the install offer on a phone", async () => {
		const context = scene.keep(await phoneContext(scene.browser, scene.server.url, 360, 780));
		const phone = await context.newPage();
		await scene.enter(phone, "ambassador2@acme.test");
		const offer = await offerInstall(phone);
		const list = phone.locator('[data-testid="column"][data-status="new"] .column-scroll');
		await list.locator('[data-testid="card"]').first().waitFor(within);
		await list.evaluate((element) => {
			element.scrollTop = element.scrollHeight;
		});
		// The lowest card drawn once the list is at its end (the list is virtualised).
		const last = () =>
			list.evaluate((element) => {
				const cards = [...element.querySelectorAll('[data-testid="card"]')];
				const lowest = cards.sort(
					(a, b) => b.getBoundingClientRect().bottom - a.getBoundingClientRect().bottom,
				)[0];
				return lowest?.getAttribute("data-mention-id") ?? null;
			});
		await expect
			.poll(
				() =>
					list.evaluate(
						(element) => element.scrollTop + element.clientHeight >= element.scrollHeight - 1,
					),
				within,
			)
			.toBe(true);
		const id = await last();
		if (!id) throw new Error("the New tab shows no card at its end");
		const lastCard = card(phone, id);
		expect(await over(offer, lastCard, ["the install offer", "the last card"])).toBeNull();
		expect(await onTop(lastCard.getByTestId("claim")), "the last card's Claim").toBe(true);
	});

	it("claims one conversation for a double tap on Claim; a Claim tapped after the moment claims the next", async () => {
		// A touch screen, as a phone's: the taps are touches, not clicks of a mouse.
		const context = scene.keep(await phoneContext(scene.browser, scene.server.url, 360, 780));
		const phone = await context.newPage();
		await scene.enter(phone, "ambassador3@acme.test");
		const kimId = await scene.memberId("ambassador3@acme.test");
		const before = await owned(kimId);

		const point = await firstClaimPoint(phone);
		const [first, second] = await newCards(phone);
		if (!first || !second) throw new Error("the New tab shows fewer than two cards");
		// Two taps at one point 100 ms apart: a double tap, or an impatient second tap.
		await phone.touchscreen.tap(point.x, point.y);
		await phone.waitForTimeout(100);
		await phone.touchscreen.tap(point.x, point.y);
		await phone
			.getByTestId("toast-info")
			.filter({ hasText: "You now own the conversation" })
			.first()
			.waitFor(within);

		await expect.poll(async () => (await owned(kimId)).includes(first), within).toBe(true);

		// Once the moment has passed, the card after the claimed one is on top, unclaimed, and a
		// deliberate tap claims it.
		await expect.poll(async () => (await newCards(phone))[0], within).not.toBe(first);
		expect(await owned(kimId), "Kim's conversations after a double tap").toEqual(
			[...before, first].sort(),
		);
		expect((await newCards(phone))[0], "the card on top once the claimed one left").toBe(second);
		const again = await firstClaimPoint(phone);
		await phone.touchscreen.tap(again.x, again.y);
		await expect.poll(async () => (await owned(kimId)).includes(second), within).toBe(true);
		expect(await owned(kimId), "Kim's conversations after a double tap and one tap").toEqual(
			[...before, first, second].sort(),
		);
	});

	// Last in the file: it leaves the admin no room.
	it("gives a refused claim's card back at once: not faded, and tappable while the refusal is read", async () => {
		const phone = await scene.onPhone("admin@acme.test");
		const adminId = await scene.memberId("admin@acme.test");
		await phone.evaluate(
			async ({ id, csrf }) => {
				const response = await fetch(`/api/orgs/acme/members/${id}`, {
					method: "PATCH",
					headers: { "content-type": "application/json", [csrf]: "1" },
					body: JSON.stringify({ capacity: 0 }),
				});
				if (!response.ok) throw new Error(`capacity: ${response.status}`);
			},
			{ id: adminId, csrf: CSRF_HEADER },
		);
		const mention = fresh();
		const card = await showCard(phone, mention);
		await card.getByTestId("claim").click();
		await phone.getByTestId("toast-error").filter({ hasText: "capacity" }).waitFor(within);
		// Read as the refusal shows, well inside the second a claimed card keeps its slot.
		const state = await card.evaluate((element) => ({
			held: element.classList.contains("card-held"),
			inert: (element as HTMLElement).inert,
			opacity: getComputedStyle(element).opacity,
		}));
		expect(state).toEqual({ held: false, inert: false, opacity: "1" });
		expect(await card.getAttribute("data-status")).toBe("new");
	});

	it("hands a conversation off on a phone, the teammate found by typing", async () => {
		const mention = fresh();
		const phone = await scene.onPhone("ambassador1@acme.test", `/m/${mention.id}`);
		await phone.getByTestId("claim").click();
		const picker = phone.getByTestId("handoff-picker");
		await picker.waitFor(within);
		await picker.click();
		await phone.getByTestId("handoff-picker-option").first().waitFor(within);
		await fitsPhone(phone, "#main", "the hand-off picker's list on a phone");
		await picker.fill("kim");
		const options = phone.getByTestId("handoff-picker-option");
		await expect.poll(() => options.allTextContents(), within).toEqual(["Kim Ambassador"]);
		await options.first().click();
		expect(await picker.inputValue()).toBe("Kim Ambassador");
		await phone.getByTestId("handoff").click();
		const kimId = await scene.memberId("ambassador3@acme.test");
		await expect.poll(() => owned(kimId), within).toContain(mention.id);
	});
	it("shows a refusal of something done in a dialog above the dialog, and closes the dialog on going back", async () => {
		// A moderator owns it, and Dana's board says so: Dana may not tag it.
		const mention = fresh();
		await scene.act("moderator@acme.test", { name: "claim", args: { mentionId: mention.id } });
		const phone = await scene.onPhone("ambassador1@acme.test", `/m/${mention.id}`);
		const moderatorId = await scene.memberId("moderator@acme.test");
		await phone.locator(`[data-testid="owner"][data-owner-id="${moderatorId}"]`).waitFor(within);
		await phone.getByTestId("edit-tags").click();
		const dialog = phone.getByTestId("action-dialog");
		// The board's tags to add are targets a thumb can hit (they were 22 px tall, 4 px apart).
		const suggestion = await dialog.getByTestId("tag-suggestion").first().boundingBox();
		expect(suggestion?.height ?? 0).toBeGreaterThanOrEqual(44);
		await dialog.getByTestId("tag-input").fill("refused-here");
		await dialog.getByTestId("tag-add").click();
		const refusal = phone.getByTestId("toast-error").filter({ hasText: "owns this conversation" });
		await refusal.waitFor(within);
		expect(await onTop(refusal), "the refusal above the open dialog").toBe(true);

		await dialog.getByRole("button", { name: "Done" }).click();
		await dialog.waitFor({ state: "hidden", ...within });

		// From the board to a conversation, Snooze…, then back with the dialog open: it closes
		// with the page it was opened on, and acts on nothing on the board.
		await phone.getByRole("link", { name: "← Board" }).click();
		// The board shows Claimed, where that conversation is; a new one is under New.
		await phone.getByRole("tab", { name: /^New/ }).click();
		const other = fresh();
		await (await showCard(phone, other)).getByTestId("open").click();
		await phone.waitForURL(`**/m/${other.id}`, within);
		await phone.getByTestId("snooze").click();
		await dialog.getByTestId("snooze-tomorrow").waitFor(within);
		await phone.goBack();
		await phone.getByTestId("status-tabs").waitFor(within);
		await dialog.waitFor({ state: "hidden", ...within });
	});

	it("opens an action's dialog on a touch screen with the focus on that action, and keeps it on the page after", async () => {
		const context = scene.keep(await phoneContext(scene.browser, scene.server.url));
		const phone = await context.newPage();
		const snoozed = fresh();
		await scene.enter(phone, "ambassador1@acme.test", { path: `/m/${snoozed.id}` });
		const dialog = phone.getByTestId("action-dialog");
		const focused = () =>
			phone.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);
		// Snooze…: its own button among the dialog's actions, pressed, has the focus, not the
		// first one (Dismiss); no field, which would bring the keyboard up over the choices.
		await phone.getByTestId("snooze").tap();
		await dialog.getByTestId("snooze-tomorrow").waitFor(within);
		expect(await focused()).toBe("action-snooze");
		expect(await dialog.getByTestId("action-snooze").getAttribute("aria-pressed")).toBe("true");
		await dialog.getByTestId("snooze-tomorrow").tap();
		await dialog.waitFor({ state: "hidden", ...within });
		// Snooze… stays for a snoozed conversation (to snooze it again), and has the focus back.
		await expect.poll(focused, within).toBe("snooze");

		// Dismissed, Dismiss… is gone: the focus is on Reopen…, which took its place, not the page.
		const dismissed = fresh();
		await phone.goto(`/m/${dismissed.id}`);
		await phone.getByTestId("dismiss").tap();
		await dialog.getByLabel("Spam").waitFor(within);
		expect(await focused()).toBe("action-dismiss");
		await dialog.getByLabel("Spam").tap();
		await dialog.getByTestId("dismiss-submit").tap();
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(focused, within).toBe("reopen");
	});

	it("keeps the phone's board on a phone turned on its side", async () => {
		const context = scene.keep(await phoneContext(scene.browser, scene.server.url, 740, 360));
		const phone = await context.newPage();
		await scene.enter(phone, "ambassador2@acme.test");
		await phone.getByTestId("status-tabs").waitFor(within);
		expect(await phone.getByTestId("filters-toggle").isVisible()).toBe(true);
		const column = phone.locator('[data-testid="column"][data-status="new"]');
		const box = await column.boundingBox();
		// The desktop's toolbar, its filters unfolded, left the columns 68 px of 360.
		expect(box?.height ?? 0).toBeGreaterThan(150);
		await fitsPhone(phone, "#main", "the board on a phone on its side");
	});
	it("opens the board where it was left, back from a conversation opened far down a column", async () => {
		const phone = await scene.onPhone("ambassador2@acme.test");
		const list = phone.locator('[data-testid="column"][data-status="new"] .column-scroll');
		await list.locator('[data-testid="card"]').first().waitFor(within);
		await list.evaluate((element) => {
			element.scrollTop = 3_000;
		});
		/** The first card wholly in view in the New column. */
		const topCard = () =>
			list.evaluate((element) => {
				const top = element.getBoundingClientRect().top;
				return [...element.querySelectorAll('[data-testid="card"]')]
					.filter((card) => card.getBoundingClientRect().top >= top)
					.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0]
					?.getAttribute("data-mention-id");
			});
		await expect.poll(topCard, within).toBeTruthy();
		const id = (await topCard()) as string;
		await card(phone, id).getByTestId("open").click();
		await phone.waitForURL(`**/m/${id}`, within);
		await phone.goBack();
		await card(phone, id).waitFor(within);
		expect(await list.evaluate((element) => element.scrollTop)).toBe(3_000);
		expect(await topCard()).toBe(id);
	});
	it("closes the help from a button at its top, or by a tap beside it", async () => {
		const phone = await scene.onPhone("ambassador3@acme.test");
		const help = phone.getByTestId("help-dialog");
		const open = async () => {
			await phone.getByTestId("menu-button").click();
			await phone.getByTestId("help-button").click();
			await help.waitFor(within);
		};
		await open();
		// Its other Close is below the fold of a phone: the list is taller than the screen.
		const close = help.getByRole("button", { name: "Close the help" });
		const box = await close.boundingBox();
		expect((box?.y ?? 1_000) + (box?.height ?? 0)).toBeLessThan(200);
		await close.click();
		await help.waitFor({ state: "hidden", ...within });
		await open();
		await phone.mouse.click(4, 4);
		await help.waitFor({ state: "hidden", ...within });
	});
	it("offers Claim beside the reply of a conversation nobody owns, then the reply's next step", async () => {
		const mention = fresh();
		const phone = await scene.onPhone("ambassador1@acme.test", `/m/${mention.id}`);
		// Typed into the shared draft, a long scroll below the Claim at the top.
		const hint = phone.getByTestId("claim-to-reply");
		await hint.waitFor(within);
		await phone.getByTestId("claim-to-reply-button").click();
		await hint.waitFor({ state: "hidden", ...within });
		await phone.getByTestId("submit-review").waitFor(within);
	});
});
