/**
 * Claiming on a phone, in Chromium: the board shows one status at a time, so a card claimed
 * from the New tab leaves the screen (and the next card's Claim takes its place under the
 * thumb); the claim is said in a toast.
 */
import { describe, expect, it } from "vitest";
import { cardInColumn, hasChromium, showCard } from "./harness.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

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
});
