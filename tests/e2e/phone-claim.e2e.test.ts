/**
 * Claiming on a phone, in Chromium: the board shows one status at a time, so a card claimed
 * from the New tab leaves the screen (and the next card's Claim takes its place under the
 * thumb); the claim is said in a toast. The toast, at the top of a phone's screen, stays
 * under the header's menu and the bell's panel when they are opened.
 */
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cardInColumn, hasChromium, showCard } from "./harness.ts";
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

describe.skipIf(!hasChromium)("claiming on a phone in Chromium", () => {
	const scene = e2eScene();
	const { fresh } = scene;

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
});
