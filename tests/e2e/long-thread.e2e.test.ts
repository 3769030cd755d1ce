/**
 * A conversation that goes on while it is open: follow-ups join its thread, and the page
 * adds them without drawing the thread again or asking the server again for what it shows
 * beside it (on a phone a 300-message thread took a long task per follow-up, and each
 * follow-up asked again for the author's earlier conversations, the answer carrying this
 * conversation's whole thread).
 */
import { describe, expect, it } from "vitest";
import { fitsPhone, hasChromium } from "./harness.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

describe.skipIf(!hasChromium)("a conversation whose thread grows while it is open", () => {
	const scene = e2eScene();

	/**
	 * A conversation that came in with its last `count` messages (a source that sends the
	 * thread along, none of them new to anyone), the conversation `template` names under
	 * another id: stored as a source sends it, and its id.
	 */
	async function cameWithThread(suffix: string, count: number) {
		const template = scene.fresh();
		const started = Date.now() - (count + 1) * 1000;
		const mention = {
			...template,
			externalId: `${template.externalId}-${suffix}`,
			thread: Array.from({ length: count }, (_, i) => ({
				externalId: `${template.externalId}-${suffix}-${i}`,
				handle: template.author.handle,
				fromOrganisation: i % 3 === 2,
				text: `Message number ${i + 1} about my parcel.`,
				postedAt: new Date(started + i * 1000).toISOString(),
			})),
			postedAt: new Date(started + count * 1000).toISOString(),
			ingestedAt: new Date().toISOString(),
		};
		const result = await scene.server.switchboard.integrations.ingestor.ingest("acme", "main", [
			{
				network: mention.network,
				externalId: mention.externalId,
				url: null,
				author: mention.author,
				text: "Where is my parcel? Read the thread above.",
				thread: mention.thread,
				postedAt: mention.postedAt,
				ingestedAt: mention.ingestedAt,
			},
		]);
		return { mention, id: result.mentionIds[0] ?? "" };
	}

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

	it("opens a long thread on a phone on its first message and its latest, the rest a tap away", async () => {
		const count = 60;
		const { mention, id } = await cameWithThread("long", count);
		const rowsInAll = 1 + count;

		const phone = await scene.onPhone("ambassador2@acme.test", `/m/${id}`);
		const rows = phone.getByTestId("thread").locator(":scope > li");
		const earlier = phone.getByTestId("thread-earlier");
		await earlier.waitFor(within);
		const hidden = rowsInAll - 1 - 40;
		expect(await earlier.textContent()).toBe(`Show ${hidden} earlier messages`);
		// The first message, the button, the latest forty.
		expect(await rows.count()).toBe(1 + 1 + 40);
		expect(await rows.first().textContent()).toContain("Message number 1 about");
		expect(await rows.last().textContent()).toContain("Read the thread above.");
		await fitsPhone(
			phone,
			'[data-testid="thread"]',
			"a long thread, its earlier messages left out",
		);

		// One more joins the latest; then the reader asks for the rest.
		await scene.customerWrites(mention, "more", "And one more thing.");
		await phone.getByText("And one more thing.").waitFor(within);
		expect(await rows.count()).toBe(1 + 1 + 40 + 1);
		expect(await earlier.textContent()).toBe(`Show ${hidden} earlier messages`);
		await earlier.click();
		await expect.poll(() => rows.count(), within).toBe(rowsInAll + 1);
		expect(await earlier.count()).toBe(0);
		expect(await rows.nth(1).textContent()).toContain("Message number 2 about");
	});

	it("opens on what the customer wrote since the owner last looked, below a long thread", async () => {
		// A conversation that came in with 30 earlier messages, drawn whole, and has an owner.
		const { mention, id } = await cameWithThread("again", 30);
		await scene.act("ambassador3@acme.test", { name: "claim", args: { mentionId: id } });
		expect(await scene.customerWrites(mention, "again-1", "Hello? Anyone there?")).toMatchObject({
			followUps: 1,
		});

		const phone = await scene.onPhone("ambassador3@acme.test", `/m/${id}`);
		const firstNew = phone.getByTestId("thread-message").filter({ hasText: "Anyone there?" });
		await firstNew.getByTestId("new-message").waitFor(within);
		// On screen without a scroll of the reader's: the page moved to it as it opened.
		await expect
			.poll(
				() =>
					firstNew.evaluate((row) => {
						const { top } = row.getBoundingClientRect();
						return top >= 0 && top < window.innerHeight;
					}),
				within,
			)
			.toBe(true);
		// The thread's start is above the screen: a thread this long does not fit one.
		const opening = phone.getByTestId("thread-message").filter({ hasText: "number 1 about" });
		expect(await opening.evaluate((row) => row.getBoundingClientRect().bottom)).toBeLessThan(0);
	});
});
