/**
 * Teams = boards in Chromium on a 360 px phone (issue 12, part 4): an admin creates,
 * renames, archives and brings back a board on Admin › Boards and puts an ambassador on it
 * under Admin › Members; the ambassador switches to it from the header's board switcher;
 * taken off it again, their workspace leaves it at once for a board they are still on.
 * Each screen: no sideways scroll, no control under 44 px, nothing axe calls serious.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { waitFor } from "../utils/test-server.ts";
import { fitsPhone, hasChromium } from "./harness.ts";
import { phoneContext } from "./phone.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };
const WIDTH = 360;

describe.skipIf(!hasChromium)("boards (teams) on a 360 px phone", () => {
	const scene = e2eScene();

	/** Signed in on a phone; `watch` sees the page before it signs in. */
	async function phoneSignedIn(
		email: string,
		{ watch, path }: { watch?: (page: Page) => void; path?: string } = {},
	): Promise<Page> {
		const page = await scene
			.keep(await phoneContext(scene.browser, scene.server.url, WIDTH))
			.newPage();
		watch?.(page);
		await scene.enter(page, email, { path });
		return page;
	}

	/** How many times `page` has asked for its boards' list so far. */
	function countBoardRequests(page: Page): () => number {
		let count = 0;
		page.on("request", (request) => {
			if (new URL(request.url()).pathname === "/api/boards") count++;
		});
		return () => count;
	}

	const boardRow = (page: Page, id: string) =>
		page.locator(`[data-testid="board-row"][data-board-id="${id}"]`);

	it("creates, renames, archives and brings back a board on Admin › Boards", async () => {
		const admin = await phoneSignedIn("admin@acme.test", { path: "/admin?tab=boards" });
		await admin.getByTestId("boards-panel").waitFor(within);
		await admin.getByTestId("new-board-name").fill("Press");
		await admin.getByTestId("new-board-name").press("Enter");
		const press = boardRow(admin, "press");
		await press.waitFor(within);
		// Each control that gives way to another hands it the keyboard's focus, never the page.
		const focused = () => admin.evaluate(() => document.activeElement?.getAttribute("data-testid"));
		await expect.poll(focused, within).toBe("new-board-name");
		await fitsPhone(admin, '[data-testid="boards-panel"]', "Admin › Boards");

		// A second board of the same name is refused, in words, beside the form.
		await admin.getByTestId("new-board-name").fill("press");
		await admin.getByTestId("create-board").click();
		await expect
			.poll(() => admin.getByTestId("new-board-error").textContent(), within)
			.toBe("A board named “Press” exists already; give this one another name.");
		// A name of spaces is refused at the field, before anything is sent.
		await admin.getByTestId("new-board-name").fill("   ");
		await admin.getByTestId("create-board").click();
		const nameProblem = admin.getByTestId("new-board").getByTestId("field-error");
		await expect.poll(() => nameProblem.textContent(), within).toBe("Give the board a name.");
		await admin.getByTestId("new-board-name").fill("");

		// Escape leaves the name as it was, and the focus on Rename.
		await press.getByTestId("board-rename").press("Enter");
		await expect.poll(focused, within).toBe("board-name");
		await admin.keyboard.type(" typo");
		await admin.keyboard.press("Escape");
		await expect.poll(focused, within).toBe("board-rename");
		expect(await press.locator("strong").textContent()).toBe("Press");
		await press.getByTestId("board-rename").press("Enter");
		await expect.poll(focused, within).toBe("board-name");
		expect(await press.getByTestId("board-name").inputValue()).toBe("Press");
		await admin.keyboard.press("ControlOrMeta+a");
		await admin.keyboard.type("Press office");
		await admin.keyboard.press("Enter");
		await expect.poll(() => press.locator("strong").textContent(), within).toBe("Press office");
		await expect.poll(focused, within).toBe("board-rename");

		await press.getByTestId("board-archive").click();
		await fitsPhone(admin, '[data-testid="boards-panel"]', "archiving, asked");
		await press.getByTestId("board-archive-confirm").press("Enter");
		await press.getByTestId("board-archived").waitFor(within);
		await expect.poll(focused, within).toBe("board-unarchive");
		expect(
			(await scene.server.switchboard.storage.getBoard("acme", "press"))?.archivedAt,
		).not.toBeNull();
		// The organisation's last active board cannot go: its refusal is shown on its row.
		const main = boardRow(admin, "main");
		await main.getByTestId("board-archive").click();
		await main.getByTestId("board-archive-confirm").click();
		await expect
			.poll(() => main.getByTestId("board-error").textContent(), within)
			.toMatch(/last active board/);

		await press.getByTestId("board-unarchive").press("Enter");
		await press.getByTestId("board-archived").waitFor({ state: "detached", ...within });
		await expect.poll(focused, within).toBe("board-archive");
		const audit = await scene.server.switchboard.storage.listAuditEntries("acme", {
			limit: 20,
		});
		expect(
			audit
				.filter((entry) => entry.target?.id === "press")
				.map((entry) => entry.action)
				.reverse(),
		).toEqual(["board.created", "board.renamed", "board.archived", "board.unarchived"]);
	});

	it("puts an ambassador on a board, who switches to it; taken off it, they leave it at once", async () => {
		const danaId = await scene.memberId("ambassador1@acme.test");
		await scene.server.switchboard.storage.createBoard({ id: "emea", orgId: "acme", name: "EMEA" });
		const admin = await phoneSignedIn("admin@acme.test", { path: "/admin?tab=members" });
		const row = admin.locator('[data-testid="member"][data-email="ambassador1@acme.test"]');
		const emeaBox = row.locator('[data-testid="member-board"][data-board-id="emea"]');
		await emeaBox.waitFor(within);
		expect(await emeaBox.isChecked()).toBe(false);
		await emeaBox.check();
		await waitFor(
			async () =>
				(await scene.server.switchboard.storage.boardIdsOf(danaId)).includes("emea") || undefined,
			15_000,
			"Dana on the EMEA board",
		);
		// Saved, it says so, as a role saved does, in the member's note, a status read out.
		const note = row.getByTestId("member-note");
		await expect
			.poll(() => note.textContent(), within)
			.toBe("Dana Ambassador is now on Acme mentions and EMEA.");
		expect(await note.getAttribute("role")).toBe("status");
		await fitsPhone(admin, '[data-testid="members-panel"]', "Admin › Members with boards");

		let boardRequests = () => 0;
		const dana = await phoneSignedIn("ambassador1@acme.test", {
			watch: (page) => {
				boardRequests = countBoardRequests(page);
			},
		});
		await dana.getByTestId("menu-button").click();
		const select = dana.getByTestId("board-select");
		await select.waitFor(within);
		await fitsPhone(dana, "#header-menu", "the menu with the board switcher");
		expect(await select.locator("option").allTextContents()).toEqual(
			expect.arrayContaining(["Acme mentions", "EMEA"]),
		);
		// Sign-in read the list to find Dana's board, and opening the menu read it again.
		await expect.poll(boardRequests, within).toBe(2);
		await select.selectOption("emea");
		// The EMEA board has no conversation yet: its empty state, not main's cards.
		await dana.getByTestId("board-empty").waitFor(within);
		expect(await dana.locator('[data-testid="card"]').count()).toBe(0);
		// A switch reads the list again, for the workspace it starts.
		expect(boardRequests()).toBe(3);

		// Taken off the EMEA board: the workspace goes back to a board Dana is on.
		await row.locator('[data-testid="member-board"][data-board-id="emea"]').uncheck();
		await dana.locator('[data-testid="card"]').first().waitFor(within);
		await expect
			.poll(() => dana.evaluate(() => localStorage.getItem("switchboard.session")), within)
			.toMatch(/"boardId":"main"/);
		// Once, to find the board to go back to; the switcher there shows that list.
		expect(boardRequests()).toBe(4);

		// The admin on the empty EMEA board: its import command names it (without --board, a
		// second board's import went to the first).
		await admin.getByTestId("menu-button").click();
		await admin.getByTestId("board-select").selectOption("emea");
		const steps = admin.getByTestId("board-empty");
		await steps.waitFor(within);
		expect(await steps.locator("code").textContent()).toBe(
			"pnpm switchboard import mentions.csv --org acme --board emea",
		);
	});

	it("shows a board made after sign-in when the menu opens, without a reload", async () => {
		const morgan = await phoneSignedIn("moderator@acme.test");
		await morgan.getByTestId("menu-button").click();
		const options = () => morgan.getByTestId("board-select").locator("option").allTextContents();
		await expect.poll(options, within).toContain("EMEA");
		expect(await options()).not.toContain("LATAM");
		await morgan.getByTestId("menu-button").click();

		await scene.server.switchboard.storage.createBoard({
			id: "latam",
			orgId: "acme",
			name: "LATAM",
		});
		await morgan.getByTestId("menu-button").click();
		await expect.poll(options, within).toContain("LATAM");
		// The board shown stays chosen while the list is read again.
		expect(await morgan.getByTestId("board-select").inputValue()).toBe("main");
	});
	it("shows a board made meanwhile once an admin who opened the app on Admin leaves it", async () => {
		// On a laptop, where the switcher is in the header and no menu opens to read the list.
		const admin = await scene.person("admin@acme.test", "/admin?tab=boards");
		await admin.getByTestId("boards-panel").waitFor(within);
		const options = () => admin.getByTestId("board-select").locator("option").allTextContents();
		await scene.server.switchboard.storage.createBoard({ id: "apac", orgId: "acme", name: "APAC" });
		await admin.getByRole("link", { name: "Board", exact: true }).click();
		await admin.locator('[data-testid="card"]').first().waitFor(within);
		await expect.poll(options, within).toContain("APAC");
	});

	it("lets a moderator read the reports per board and across boards", async () => {
		await scene.server.switchboard.storage
			.createBoard({ id: "apac", orgId: "acme", name: "APAC" })
			.catch(() => {});
		const morgan = await phoneSignedIn("moderator@acme.test", { path: "/reports" });
		const select = morgan.getByTestId("report-board");
		await select.waitFor(within);
		const csv = morgan.getByTestId("csv-summary");
		expect(await csv.getAttribute("href")).not.toMatch(/board=/);
		await select.selectOption("apac");
		await expect.poll(() => csv.getAttribute("href"), within).toMatch(/board=apac/);
		await morgan.getByTestId("report-summary").waitFor(within);
		await fitsPhone(morgan, "main", "Reports with the board choice");
	});

	it("opens a board that takes work when the one this device keeps was archived", async () => {
		const { storage } = scene.server.switchboard;
		await storage.createBoard({ id: "nordics", orgId: "acme", name: "Nordics" });
		const admin = await phoneSignedIn("admin@acme.test");
		await admin.locator('[data-testid="card"]').first().waitFor(within);
		const kept = () =>
			admin.evaluate(
				() => /"boardId":"([^"]+)"/.exec(localStorage.getItem("switchboard.session") ?? "")?.[1],
			);
		expect(await kept()).toBe("main");
		await storage.updateBoard("acme", "main", { archived: true });
		try {
			await admin.reload();
			await expect.poll(kept, within).not.toBe("main");
			const opened = await kept();
			expect((await storage.getBoard("acme", opened ?? ""))?.archivedAt).toBeNull();
			await expect.poll(() => admin.getByTestId("board-select").inputValue(), within).toBe(opened);
		} finally {
			await storage.updateBoard("acme", "main", { archived: false });
		}
	});

	it("tells a member taken off every board so, and opens the board once they are put back", async () => {
		const email = "ambassador3@acme.test";
		const leeId = await scene.memberId(email);
		const { storage } = scene.server.switchboard;
		const admin = await phoneSignedIn("admin@acme.test", { path: "/admin?tab=members" });
		const row = admin.locator(`[data-testid="member"][data-email="${email}"]`);
		const mainBox = row.locator('[data-testid="member-board"][data-board-id="main"]');
		await mainBox.waitFor(within);
		const lee = await phoneSignedIn(email);
		await lee.locator('[data-testid="card"]').first().waitFor(within);
		const others = (await storage.boardIdsOf(leeId)).filter((board) => board !== "main");
		for (const board of others) {
			await row.locator(`[data-testid="member-board"][data-board-id="${board}"]`).uncheck();
		}
		await mainBox.uncheck();
		await waitFor(
			async () => ((await storage.boardIdsOf(leeId)).length === 0 ? true : undefined),
			15_000,
			"Lee on no board",
		);
		await expect
			.poll(() => lee.getByTestId("no-board").textContent(), within)
			.toContain("You are not on any board yet.");
		await fitsPhone(lee, "body", "the board page of a member on no board");
		await mainBox.check();
		await lee.locator('[data-testid="card"]').first().waitFor({ timeout: 30_000 });
		expect(await lee.getByTestId("no-board").count()).toBe(0);
	});
});
