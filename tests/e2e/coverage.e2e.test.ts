/**
 * The moderator's view in Chromium: live coverage that follows the board without a
 * reload, an SLA breach found by the server shown at once, and an approval that stops
 * applying when the draft changes after it; and a customer's follow-up, new on its
 * owner's card and in the thread until she opens it, and seen as it comes while she reads.
 */
import { randomUUID } from "node:crypto";
import { CSRF_HEADER } from "@switchboard/domain";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
	attribute,
	fitsPhone,
	hasChromium,
	seriousAxeViolations,
	showCard,
	textOf,
	typeInDraft,
} from "./harness.ts";
import { phoneContext } from "./phone.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

/** Marks the page; the mark survives anything but a reload. */
async function markPage(page: Page): Promise<void> {
	await page.evaluate(() => {
		(window as unknown as { __sameDocument: boolean }).__sameDocument = true;
	});
}

async function stillSamePage(page: Page): Promise<boolean> {
	return page.evaluate(
		() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true,
	);
}

describe.skipIf(!hasChromium)("the moderator's view in Chromium", () => {
	const scene = e2eScene();
	const { person, fresh, memberId } = scene;
	/** Who owns the conversation in the database (undefined: nobody). */
	const ownerOf = async (mentionId: string) =>
		(await scene.server.switchboard.storage.getMention("acme", mentionId))?.mention.owner?.memberId;

	/** Types `text` into the open draft and waits until the server holds it. */
	async function typeSynced(page: Page, text: string): Promise<void> {
		await typeInDraft(page, text);
		await expect
			.poll(attribute(page.getByTestId("sync-status"), "data-unsynced"), within)
			.toBe("0");
	}

	/**
	 * Dana claims a fresh conversation, writes `text` and submits it for review; the moderator
	 * opens Reviews, where its card is.
	 */
	async function submittedForReview(text: string) {
		const dana = await person("ambassador1@acme.test");
		const morgan = await person("moderator@acme.test");
		const mention = fresh();
		await (await showCard(dana, mention)).getByTestId("claim").click();
		await dana.goto(`/m/${mention.id}`);
		await dana.getByTestId("editor-content").waitFor(within);
		await typeSynced(dana, text);
		await dana.getByTestId("submit-review").click();
		await dana.getByTestId("review-waiting").waitFor(within);
		await morgan.getByTestId("nav-reviews").click();
		const card = morgan.locator(`[data-testid="review-card"][data-mention-id="${mention.id}"]`);
		await card.waitFor(within);
		return { dana, morgan, mention, card };
	}

	/** The moderator, on the coverage page reached from the header (no reload after). */
	async function moderatorOnCoverage(): Promise<Page> {
		const morgan = await person("moderator@acme.test");
		await morgan.getByTestId("nav-coverage").click();
		await morgan.getByTestId("coverage-page").waitFor(within);
		return morgan;
	}

	// First in the file: no ambassador is online yet (the later tests' pages stay open), the
	// moderator on the page is, as when her own name used to come preselected.
	it("preselects the best ambassador in Assign, never the moderator choosing, and one click assigns to them", async () => {
		const morgan = await moderatorOnCoverage();
		const morganId = await memberId("moderator@acme.test");
		const danaId = await memberId("ambassador1@acme.test");
		const online = (id: string) =>
			attribute(
				morgan.locator(`[data-testid="load"][data-member-id="${id}"]`).getByTestId("online-dot"),
				"data-online",
			)();
		await expect.poll(() => online(morganId), within).toBe("true");
		expect(await online(danaId), "Dana online (the premise: no ambassador is)").toBe("false");

		const first = morgan.getByTestId("urgent-item").first();
		const firstId = (await first.getAttribute("data-mention-id")) ?? "";
		// Every ambassador is offline with nothing open: Dana, first by name.
		const picker = first.getByTestId("assign-picker");
		const chosen = await picker.getAttribute("data-value");
		expect(chosen, "the moderator herself preselected").not.toBe(morganId);
		expect(chosen).toBe(danaId);
		expect(await picker.inputValue()).toBe("Dana Ambassador");
		expect(await first.getByTestId("assign").textContent()).toBe("Assign to Dana Ambassador");
		await first.getByTestId("assign").click();
		await expect.poll(() => ownerOf(firstId), within).toBe(danaId);

		// Her bell, empty, says what comes to it, and where replies to review are instead: a
		// moderator is not notified of them (it said "reviews show up here").
		await morgan.getByTestId("bell").click();
		const empty = morgan.getByTestId("bell-empty");
		await empty.waitFor(within);
		expect(await empty.textContent()).toMatch(/@mentions you in a note.*a decision on your reply/);
		await empty.getByRole("link", { name: "see Reviews" }).click();
		await morgan.waitForURL((url) => url.pathname === "/reviews", within);
		expect(await morgan.getByTestId("notification-panel").count()).toBe(0);
	});

	it("assigns to the member a typed name names, left without choosing from the list; a name that names nobody assigns nothing", async () => {
		const morgan = await moderatorOnCoverage();
		const samId = await memberId("ambassador2@acme.test");
		const item = morgan.getByTestId("urgent-item").first();
		const itemId = (await item.getAttribute("data-mention-id")) ?? "";
		const picker = item.getByTestId("assign-picker");
		await expect.poll(() => picker.inputValue(), within).not.toBe("");

		await picker.fill("Nobody of that name");
		await item.getByTestId("assign").click();
		await item.getByTestId("field-error").waitFor(within);
		expect(await item.getByTestId("assign").textContent()).toBe("Assign…");
		expect(await ownerOf(itemId)).toBeUndefined();

		// "Sam" typed, and Assign clicked: the button said the preselected member, and gave it
		// to them.
		await picker.fill("Sam");
		await item.getByTestId("assign").click();
		await expect.poll(() => ownerOf(itemId), within).toBe(samId);
	});

	it("moves the load bar and the unclaimed count when an ambassador claims, without a reload", async () => {
		const morgan = await moderatorOnCoverage();
		const danaId = await memberId("ambassador1@acme.test");
		const unclaimed = morgan.getByTestId("unclaimed-count");
		const load = morgan.locator(`[data-testid="load"][data-member-id="${danaId}"]`);
		await load.waitFor(within);
		const before = Number(await unclaimed.getAttribute("data-value"));
		const openBefore = Number(await load.getAttribute("data-open"));
		const percentBefore = Number(await load.getByTestId("load-bar").getAttribute("data-percent"));
		expect(before).toBeGreaterThan(0);
		// The page scrolls inside the app; the window itself never does (the wheel used to
		// scroll it past the app into blank space).
		await morgan.mouse.move(700, 500);
		await morgan.mouse.wheel(0, 20_000);
		expect(
			await morgan.evaluate(() => ({
				scrolled: window.scrollY,
				taller: document.documentElement.scrollHeight - window.innerHeight,
			})),
		).toEqual({ scrolled: 0, taller: 0 });
		await markPage(morgan);

		const dana = await person("ambassador1@acme.test");
		const mention = fresh();
		await (await showCard(dana, mention)).getByTestId("claim").click();

		await expect.poll(attribute(unclaimed, "data-value"), within).toBe(String(before - 1));
		await expect.poll(attribute(load, "data-open"), within).toBe(String(openBefore + 1));
		expect(Number(await load.getByTestId("load-bar").getAttribute("data-percent"))).toBeGreaterThan(
			percentBefore,
		);
		expect(await load.getByTestId("load-count").textContent()).toContain(`${openBefore + 1} / 5`);
		// Dana is online, and the moderator's page never reloaded.
		expect(await load.getByTestId("online-dot").getAttribute("data-online")).toBe("true");
		expect(await stillSamePage(morgan)).toBe(true);
		expect(await seriousAxeViolations(morgan)).toEqual([]);

		// The moderator un-assigns it from Dana's row: back on the board, unclaimed.
		await load.locator("summary").click();
		await load
			.locator(`[data-testid="owned"][data-mention-id="${mention.id}"]`)
			.getByTestId("unassign")
			.click();
		await expect.poll(attribute(load, "data-open"), within).toBe(String(openBefore));
		await expect.poll(attribute(unclaimed, "data-value"), within).toBe(String(before));
	});

	it("shows a follow-up as new on the owner's card and in the thread until she opens it, and one that comes while she reads as seen", async () => {
		const dana = await person("ambassador1@acme.test");
		const danaId = await memberId("ambassador1@acme.test");
		const mention = fresh();
		const { storage } = scene.server.switchboard;
		const now = () => new Date().toISOString();
		for (const command of [
			{ name: "claim", args: { mentionId: mention.id } },
			{
				name: "markReplied",
				args: { mentionId: mention.id, url: "https://twitter.com/acme/status/9" },
			},
		] as const) {
			const outcome = await storage.executeCommand({
				orgId: "acme",
				boardId: "main",
				actorId: danaId,
				commandId: randomUUID(),
				command,
				now: now(),
			});
			expect(outcome.ok).toBe(true);
		}
		/** The customer writes: a follow-up naming the message it continues. */
		const customerWrites = (suffix: string, inReplyTo: string, text: string) =>
			scene.customerWrites(mention, suffix, text, inReplyTo);
		const result = await customerWrites(
			"answer",
			mention.externalId,
			"Still waiting for my refund",
		);
		expect(result).toMatchObject({ accepted: 0, followUps: 1 });

		const unseenOnServer = async () =>
			(await storage.getMention("acme", mention.id))?.mention.unseenFollowUps;
		const card = await showCard(dana, mention);
		await expect.poll(() => card.getByTestId("follow-ups").textContent(), within).toBe("1 new");
		expect(await card.getAttribute("data-status")).toBe("claimed");
		await card.getByTestId("open").click();
		await dana.getByTestId("new-message").waitFor(within);
		expect(await dana.getByTestId("thread").textContent()).toContain("Still waiting for my refund");
		// Opened by its owner: seen, on the server and so on every board.
		await expect.poll(unseenOnServer, within).toBe(0);

		// The customer writes again while Dana is reading: marked new in the thread she is
		// looking at, and seen, so her card will not say "1 new" once she goes back.
		await customerWrites("again", `${mention.externalId}-answer`, "Hello? Anyone there?");
		await expect.poll(() => dana.getByTestId("new-message").count(), within).toBe(2);
		expect(await dana.getByTestId("thread").textContent()).toContain("Hello? Anyone there?");
		await expect.poll(unseenOnServer, within).toBe(0);
		expect(await seriousAxeViolations(dana)).toEqual([]);
	});

	it("shows an SLA breach the server found, at once", async () => {
		const morgan = await moderatorOnCoverage();
		const { storage, board, coverage } = scene.server.switchboard;
		const arrived = new Date();
		const [stored] = await storage.insertMentions("acme", "main", [
			{
				network: "twitter",
				externalId: `e2e-breach-${arrived.getTime()}`,
				url: "https://twitter.com/angry/status/1",
				author: { handle: "angry_customer", name: "Angry Customer", reach: 90_000 },
				text: "Nobody answers. Third time I ask: where is my refund?",
				thread: [],
				postedAt: arrived.toISOString(),
				ingestedAt: arrived.toISOString(),
				language: "en",
				sentiment: -0.8,
				priority: "high",
			},
		]);
		await board.publish("acme", "main", [stored!]);
		const id = stored!.mention.id;
		// The newest high-priority conversation is not breached yet.
		await expect
			.poll(() => morgan.locator(`[data-testid="breach"][data-mention-id="${id}"]`).count())
			.toBe(0);
		await markPage(morgan);

		// Twenty minutes later by the watcher's clock: past the 15-minute claim target. A
		// backlog of demo breaches may take a few capped rounds before this one.
		const later = new Date(arrived.getTime() + 20 * 60_000);
		let found = false;
		for (let round = 0; round < 8 && !found; round++) {
			const result = await coverage.watcher.runOnce(later);
			found = result.breaches.some((breach) => breach.mentionId === id);
		}
		expect(found).toBe(true);

		const breach = morgan.locator(`[data-testid="breach"][data-mention-id="${id}"]`);
		await breach.waitFor(within);
		expect(await breach.getAttribute("data-kind")).toBe("claim");
		expect(await breach.getAttribute("data-open")).toBe("true");
		expect(await breach.textContent()).toContain("Claim missed");
		expect(await breach.textContent()).toContain("@angry_customer");
		expect(await stillSamePage(morgan)).toBe(true);
		// The header tells it on every page.
		expect(
			Number(await morgan.getByTestId("breach-count").getAttribute("data-value")),
		).toBeGreaterThan(0);

		// One click assigns the most urgent conversation: it leaves the unclaimed list.
		const first = morgan.getByTestId("urgent-item").first();
		const firstId = await first.getAttribute("data-mention-id");
		await first.getByTestId("assign").click();
		await expect
			.poll(
				() => morgan.locator(`[data-testid="urgent-item"][data-mention-id="${firstId}"]`).count(),
				within,
			)
			.toBe(0);
		await expect
			.poll(async () => (await storage.getMention("acme", firstId ?? ""))?.mention.owner, within)
			.not.toBeNull();
	});

	it("tells the moderator an approval no longer applies once the draft changes", async () => {
		const danaId = await memberId("ambassador1@acme.test");
		const { dana, morgan, mention, card } = await submittedForReview(
			"So sorry about this, we are on it.",
		);
		await expect.poll(attribute(card, "data-standing"), within).toBe("requested");
		// Who wrote it, from the draft's history.
		await expect
			.poll(
				() => card.getByTestId("writers").locator(`[data-member-id="${danaId}"]`).count(),
				within,
			)
			.toBe(1);
		expect(await card.getByTestId("review-draft").textContent()).toContain(
			"So sorry about this, we are on it.",
		);
		await markPage(morgan);
		await card.getByTestId("approve").press("Enter");
		await expect.poll(attribute(card, "data-standing"), within).toBe("approved");
		// The decided card's buttons are gone: the focus went on to the next card or the heading,
		// not to the page itself.
		await expect
			.poll(
				() =>
					morgan.evaluate(
						() => document.activeElement?.matches(".review-link, .reviews-page h1") ?? false,
					),
				within,
			)
			.toBe(true);
		expect(await card.getAttribute("data-status")).toBe("approved");
		await dana.getByTestId("review-approved").waitFor(within);

		// Dana changes the text after the approval.
		await typeInDraft(dana, " Refund is on its way!");
		await expect.poll(attribute(card, "data-standing"), within).toBe("approval_stale");
		await card.getByTestId("approval-stale").waitFor(within);
		// Nowhere does an "Approved" badge stand next to it.
		expect(await card.getByTestId("review-status").textContent()).toBe(
			"Approval no longer applies",
		);
		await expect
			.poll(textOf(dana.getByTestId("status")), within)
			.toContain("Approval no longer applies");
		expect(await dana.getByTestId("review-approved").count()).toBe(0);
		// The count against the network's limit, as the server counts.
		expect(await card.getByTestId("review-count").textContent()).toMatch(
			/^\d+ \/ 280 characters on Twitter/,
		);
		expect(await seriousAxeViolations(morgan)).toEqual([]);
		expect(await card.getByTestId("review-draft").textContent()).toContain("Refund is on its way!");
		expect(await stillSamePage(morgan)).toBe(true);

		// Her queue says so too, not "Approved" (the queue reads the approved rows' drafts).
		await dana.getByTestId("nav-queue").click();
		const row = dana.locator(`[data-testid="queue-item"][data-mention-id="${mention.id}"]`);
		await expect
			.poll(attribute(row.getByTestId("queue-status"), "data-standing"), within)
			.toBe("approval_stale");
		expect(await row.getByTestId("queue-status").textContent()).toBe("Approval no longer applies");
		expect(await seriousAxeViolations(dana)).toEqual([]);

		// Dana is told on the conversation, and sends the changed text back; it waits for review again.
		await row.getByRole("link").click();
		await dana.getByTestId("approval-stale").waitFor(within);
		await dana.getByTestId("resubmit-review").click();
		await expect.poll(attribute(card, "data-standing"), within).toBe("requested");
		expect(await card.getAttribute("data-status")).toBe("in_review");

		// She goes on writing while it waits: the moderator may not approve what was not
		// submitted, and she is told to submit it again, which she can, in place of the first.
		await dana.getByTestId("review-waiting").waitFor(within);
		await typeInDraft(dana, " Thanks!");
		await expect.poll(attribute(card, "data-standing"), within).toBe("requested_changed");
		expect(await card.getByTestId("approve").isDisabled()).toBe(true);
		const changed = dana.getByTestId("approval-stale");
		await expect.poll(textOf(changed), within).toContain("The text changed after it was submitted");
		await changed.getByTestId("resubmit-review").click();
		await expect.poll(attribute(card, "data-standing"), within).toBe("requested");
		await changed.waitFor({ state: "hidden", ...within });
		await expect.poll(textOf(card.getByTestId("review-draft")), within).toContain("Thanks!");
		await card.getByTestId("approve").click();
		await expect.poll(attribute(card, "data-standing"), within).toBe("approved");
		expect(
			(await scene.server.switchboard.storage.getMention("acme", mention.id))?.mention.status,
		).toBe("approved");
	});

	it("shows on the card of a text submitted again the changes the moderator asked for", async () => {
		const { dana, card } = await submittedForReview("We are on it.");
		// A first submission: nothing was asked of it yet.
		expect(await card.getByTestId("changes-asked").count()).toBe(0);
		await card.getByTestId("changes-comment").fill("Say sorry first, please.");
		await card.getByTestId("request-changes").click();
		await card.waitFor({ state: "detached", ...within });

		await dana.getByTestId("review-comment").waitFor(within);
		await typeSynced(dana, " Sorry for the trouble.");
		await dana.getByTestId("submit-review").click();
		await card.waitFor(within);
		await expect.poll(textOf(card.getByTestId("review-draft")), within).toContain("Sorry");
		await expect
			.poll(textOf(card.getByTestId("changes-asked")), within)
			.toMatch(/^Changes asked for by Morgan Moderator .+: Say sorry first, please\.$/);
		// The writer, waiting, reads it beside her text too.
		expect(await dana.getByTestId("changes-asked").textContent()).toContain(
			"Say sorry first, please.",
		);
	});

	// Last in the file: it leaves no ambassador room.
	it("leaves Assign with no one chosen when only the moderator has room; Assign then says who is missing", async () => {
		const admin = await person("admin@acme.test");
		const capacity = (email: string, value: number) =>
			memberId(email).then((id) =>
				admin.evaluate(
					async ({ id, value, csrf }) => {
						const response = await fetch(`/api/orgs/acme/members/${id}`, {
							method: "PATCH",
							headers: { "content-type": "application/json", [csrf]: "1" },
							body: JSON.stringify({ capacity: value }),
						});
						if (!response.ok) throw new Error(`capacity: ${response.status}`);
					},
					{ id, value, csrf: CSRF_HEADER },
				),
			);
		for (const email of ["ambassador1", "ambassador2", "ambassador3", "admin"]) {
			await capacity(`${email}@acme.test`, 0);
		}
		const morgan = await moderatorOnCoverage();
		const morganId = await memberId("moderator@acme.test");
		const first = morgan.getByTestId("urgent-item").first();
		const firstId = (await first.getAttribute("data-mention-id")) ?? "";
		const handle = (await first.locator(".urgent-link").textContent()) ?? "";
		const picker = first.getByTestId("assign-picker");
		// Only Morgan in the list, and not chosen for her.
		await picker.click();
		const options = first.getByTestId("assign-picker-option");
		await expect
			.poll(() => options.allTextContents(), within)
			.toEqual([expect.stringMatching(/^Morgan Moderator \(\d+\/10, online\)$/)]);
		await picker.press("Escape");
		expect(await picker.getAttribute("data-value")).toBe("");
		expect(await picker.inputValue()).toBe("");
		expect(await first.getByTestId("assign").textContent()).toBe("Assign…");

		await first.getByTestId("assign").click();
		expect(await first.getByTestId("field-error").textContent()).toBe(
			`Choose whom to assign ${handle} to.`,
		);
		expect(await picker.getAttribute("aria-invalid")).toBe("true");
		expect(await ownerOf(firstId)).toBeUndefined();

		// Chosen on purpose, she can take it herself: typed, and Enter.
		await picker.fill("morg");
		await picker.press("Enter");
		expect(await picker.getAttribute("data-value")).toBe(morganId);
		expect(await first.getByTestId("field-error").count()).toBe(0);
		await first.getByTestId("assign").click();
		await expect.poll(() => ownerOf(firstId), within).toBe(morganId);
	});

	// Last in the file: the thousand members stay on the board.
	it("shows Coverage at once for an organisation of a thousand, the most loaded first and all on request", async () => {
		const { storage, board } = scene.server.switchboard;
		const morganId = await memberId("moderator@acme.test");
		const crowd = [];
		for (let i = 0; i < 1_000; i += 50) {
			crowd.push(
				...(await Promise.all(
					Array.from({ length: 50 }, (_, k) =>
						storage.createMember({
							orgId: "acme",
							email: `crowd${i + k}@acme.test`,
							name: `Maximiliane Wiśniewska-Oyelaran ${i + k}`,
							role: "ambassador",
							capacity: 3,
							passwordHash: "unused: these members never sign in",
							boards: ["main"],
						}),
					),
				)),
			);
		}
		await board.publishMembers("acme", "main", crowd);
		// A hundred and fifty of them hold a conversation each, given by the moderator.
		const waiting = await storage.listMentions("acme", "main", { status: ["new"] });
		const given = waiting.slice(0, 150);
		expect(given).toHaveLength(150);
		const stored = [];
		for (const [k, { mention }] of given.entries()) {
			const outcome = await storage.executeCommand({
				orgId: "acme",
				boardId: "main",
				actorId: morganId,
				commandId: randomUUID(),
				command: { name: "assign", args: { mentionId: mention.id, memberId: crowd[k]?.id ?? "" } },
				now: new Date().toISOString(),
			});
			expect(outcome.ok).toBe(true);
			const after = await storage.getMention("acme", mention.id);
			if (after) stored.push(after);
		}
		await board.publish("acme", "main", stored);

		const morgan = await moderatorOnCoverage();
		const rows = morgan.getByTestId("load");
		const all = morgan.getByTestId("loads-all");
		await all.waitFor(within);
		expect(await rows.count()).toBe(100);
		expect(await all.textContent()).toMatch(/Show all 1,00\d members/);
		// A member's conversation, re-assigned from their row once it is opened.
		const holder = morgan.locator(`[data-testid="load"][data-member-id="${crowd[0]?.id}"]`);
		await holder.locator("summary").click();
		const picker = holder.getByTestId("assign-picker");
		await picker.click();
		// A few at a time, the rest found by typing.
		await expect.poll(() => holder.getByTestId("assign-picker-option").count(), within).toBe(8);
		expect(await holder.locator(".member-picker-note").textContent()).toMatch(
			/^8 of 1,00\d: type a name to narrow$/,
		);
		await picker.fill("oyelaran 999");
		const found = holder.getByTestId("assign-picker-option").first();
		expect(await found.textContent()).toBe("Maximiliane Wiśniewska-Oyelaran 999 (0/3)");
		await found.click();
		expect(await picker.getAttribute("data-value")).toBe(crowd[999]?.id);
		await holder.getByTestId("assign").click();
		await expect.poll(() => ownerOf(given[0]?.mention.id ?? ""), within).toBe(crowd[999]?.id);
		await all.click();
		await expect.poll(() => rows.count(), within).toBeGreaterThan(1_000);

		// On a phone, the pickers of a thousand names stay within the screen.
		const phone = await scene
			.keep(await phoneContext(scene.browser, scene.server.url, 360, 740))
			.newPage();
		await scene.enter(phone, "moderator@acme.test", { path: "/coverage" });
		await phone.getByTestId("loads-all").waitFor(within);
		await fitsPhone(phone, '[data-testid="coverage-page"]', "Coverage with a thousand members");
		// A picker's list open on the phone stays within the screen too.
		await phone.getByTestId("assign-picker").first().click();
		await phone.getByTestId("assign-picker-option").first().waitFor(within);
		await fitsPhone(phone, '[data-testid="coverage-page"]', "an assign picker's list on a phone");
		// No taller than 40 % of the screen (it scrolls), nor wider than its field.
		const [list, field] = await Promise.all([
			phone.getByRole("listbox").first().boundingBox(),
			phone.getByTestId("assign-picker").first().boundingBox(),
		]);
		expect(list?.height).toBeLessThanOrEqual(0.4 * 740);
		expect(list?.width).toBeLessThanOrEqual((field?.width ?? 0) + 2);

		// Reports per ambassador: the most active 25 of the hundred and fifty and more who
		// claimed, the others a tap away.
		await phone.goto("/reports");
		const perAmbassador = phone.getByTestId("report-ambassadors").locator("tbody tr");
		await expect.poll(() => perAmbassador.count(), within).toBe(25);
		const showAll = phone.getByTestId("report-ambassadors-all");
		const total = Number((await showAll.textContent())?.replace(/\D/g, ""));
		expect(total).toBeGreaterThan(150);
		await showAll.click();
		await expect.poll(() => perAmbassador.count(), within).toBe(total);
		await expect.poll(() => showAll.count(), within).toBe(0);
	});
});
