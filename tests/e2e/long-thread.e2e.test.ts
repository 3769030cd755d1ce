/**
 * A conversation that goes on while it is open: follow-ups join its thread, and the page
 * adds them without drawing the thread again or asking the server again for what it shows
 * beside it (on a phone a 300-message thread took a long task per follow-up, and each
 * follow-up asked again for the author's earlier conversations, the answer carrying this
 * conversation's whole thread).
 */
import { describe, expect, it } from "vitest";
import { hasChromium } from "./harness.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

describe.skipIf(!hasChromium)("a conversation whose thread grows while it is open", () => {
	const scene = e2eScene();

	it("keeps the rows shown and the author's earlier conversations as they are, adding the follow-up", async () => {
		const mention = scene.fresh();
		const customerWrites = (suffix: string, text: string) =>
			scene.customerWrites(mention, suffix, text);
		expect(await customerWrites("first", "Any news about my parcel?")).toMatchObject({
			followUps: 1,
		});

		const page = await scene.person("ambassador1@acme.test", `/m/${mention.id}`);
		const rows = page.getByTestId("thread").locator(":scope > li");
		await expect.poll(() => rows.count(), within).toBe(1 + mention.thread.length + 1);
		await page.getByTestId("earlier").locator("ol, p.muted").first().waitFor(within);
		// The row a reader is on: marked, to tell whether it is still the one shown.
		await rows.first().evaluate((row) => row.setAttribute("data-read-here", ""));
		const historyAsked: string[] = [];
		page.on("request", (request) => {
			if (new URL(request.url()).pathname === "/api/history") historyAsked.push(request.url());
		});

		await customerWrites("second", "Still nothing, three days now.");
		await page.getByText("Still nothing, three days now.").waitFor(within);
		await customerWrites("third", "Hello?");
		await page.getByText("Hello?").waitFor(within);

		expect(await rows.count()).toBe(1 + mention.thread.length + 3);
		expect(await page.locator("[data-read-here]").count()).toBe(1);
		expect(historyAsked).toEqual([]);
	});
});
