/**
 * A board with more than 10,000 open conversations stays usable: only what is on screen
 * is in the DOM, and scrolling reaches the far end of a column. (How fast is measured in
 * bench/, not here.)
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	type E2EServer,
	hasChromium,
	launchChromium,
	signedIn,
	startE2EServer,
} from "./harness.ts";

const EXTRA = 10_000;

describe.skipIf(!hasChromium)("a board with 10,000 more open conversations", () => {
	let server: E2EServer;
	let browser: Browser;
	let context: BrowserContext | undefined;

	beforeAll(async () => {
		server = await startE2EServer();
		const now = Date.now();
		const mentions = Array.from({ length: EXTRA }, (_, i) => {
			const postedAt = new Date(now - (i + 1) * 7_000).toISOString();
			return {
				network: "mastodon" as const,
				externalId: `bulk-${i}`,
				url: `https://mastodon.example/@user${i}/${i}`,
				author: { handle: `user${i}`, name: `User ${i}`, reach: 50 },
				text: `Bulk mention number ${i}: where is my parcel?`,
				thread: [],
				postedAt,
				ingestedAt: postedAt,
				language: "en",
				sentiment: -0.1,
				priority: "low" as const,
			};
		});
		const stored = await server.switchboard.storage.insertMentions("acme", "main", mentions);
		await server.switchboard.board.publish("acme", "main", stored);
		browser = await launchChromium();
	}, 180_000);

	afterAll(async () => {
		await context?.close();
		await browser?.close();
		await server?.close();
	});

	it("renders only the visible cards and scrolls to the last one", async () => {
		const session = await signedIn(browser, server, "ambassador2@acme.test");
		context = session.context;
		const { page } = session;
		await expect
			.poll(() => page.getByTestId("board-count").textContent(), { timeout: 30_000 })
			.toMatch(/10,?5\d\d conversations/);
		const rendered = await page.locator('[data-testid="card"]').count();
		expect(rendered).toBeGreaterThan(0);
		expect(rendered).toBeLessThan(200);

		const newColumn = page.locator('[data-testid="column"][data-status="new"] .column-scroll');
		// Rows are recycled as the list scrolls; they must stay in card order in the DOM
		// (Tab and screen readers follow it), a card at a time and a screen at a time.
		const positions = () =>
			newColumn.evaluate((element) =>
				[...element.querySelectorAll("[aria-posinset]")].map((item) =>
					Number(item.getAttribute("aria-posinset")),
				),
			);
		for (const by of [164, 164, 5_000, 50_000]) {
			const before = await positions();
			await newColumn.evaluate((element, px) => {
				element.scrollTop += px;
			}, by);
			// Polled as long as the other waits here: a busy machine can take the page over a
			// second (vitest's default) to render the rows a scroll brings.
			await expect.poll(positions, { timeout: 15_000 }).not.toEqual(before);
			const after = await positions();
			expect(after).toEqual([...after].sort((a, b) => a - b));
			expect(new Set(after).size).toBe(after.length);
		}

		// The lowest-priority, newest bulk mention sorts last in the "new" column.
		await newColumn.evaluate((element) => {
			element.scrollTop = element.scrollHeight;
		});
		await page
			.locator('[data-testid="card"]', { hasText: "@user0" })
			.first()
			.waitFor({ timeout: 15_000 });
		expect(await page.locator('[data-testid="card"]').count()).toBeLessThan(200);
	});
});
