/**
 * The ambassador's workspace in Chromium: two people, two browser contexts, one server.
 */
import { randomUUID } from "node:crypto";
import { CSRF_HEADER } from "@switchboard/domain";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { startPushReceiver } from "../utils/push-receiver.ts";
import {
	attribute,
	card,
	DEMO_PASSWORD,
	editorText,
	expectRefusedAt,
	goOffline,
	hasChromium,
	localBoardWritten,
	localDraftText,
	seriousAxeViolations,
	showCard,
	signIn,
	textOf,
	typeInDraft,
	watchCspViolations,
} from "./harness.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

/** What has the keyboard's focus on `page`: its test id, else its tag. */
const focused = (page: Page) => () =>
	page.evaluate(() => {
		const active = document.activeElement;
		return active?.getAttribute("data-testid") ?? active?.tagName.toLowerCase() ?? null;
	});

describe.skipIf(!hasChromium)("the ambassador's workspace in Chromium", () => {
	const scene = e2eScene();
	const { person, fresh, memberId } = scene;
	/** For the people of a test that goes offline or is pushed to: the app's service worker. */
	const withWorker = { serviceWorker: true } as const;

	it("shows one ambassador's claim on the other's board without a reload", async () => {
		const dana = await person("ambassador1@acme.test");
		const sam = await person("ambassador2@acme.test");
		const mention = fresh();
		const samCard = await showCard(sam, mention);
		// The clock: "Overdue" on a card the board missed (the demo board has some a day old),
		// with the kind of deadline for a screen reader; time left to claim on a new one.
		const late = dana.locator('[data-testid="sla"][data-breached="true"]').first();
		expect(await late.textContent()).toMatch(/^(Claim|Reply) Overdue \d+ (min|h|d)\b/);
		expect(await samCard.getByTestId("sla").textContent()).toMatch(
			/^\d+ (s|min|h|d)\b.* to claim$/,
		);
		// By its name, as a screen reader or voice control finds it: the card's Claim says whose.
		await (await showCard(dana, mention))
			.getByRole("button", {
				name: `Claim conversation with @${mention.author.handle}`,
				exact: true,
			})
			.click();
		await expect
			.poll(attribute(samCard.getByTestId("owner"), "data-owner-name"), within)
			.toBe("Dana Ambassador");
	});

	it("lets two people type into one draft: same text, each sees the other's cursor", async () => {
		const mention = fresh();
		const dana = await person("ambassador1@acme.test", `/m/${mention.id}`);
		const sam = await person("ambassador2@acme.test", `/m/${mention.id}`);
		await typeInDraft(dana, "Hi there, ");
		await typeInDraft(sam, "sorry for the trouble.");
		await expect
			.poll(() => editorText(dana), { timeout: 10_000 })
			.toContain("sorry for the trouble.");
		await expect.poll(() => editorText(sam), { timeout: 10_000 }).toContain("Hi there,");
		expect(await editorText(dana)).toBe(await editorText(sam));
		await expect
			.poll(() => dana.locator(".cm-ySelectionInfo").allTextContents(), { timeout: 10_000 })
			.toContain("Sam Ambassador");
		await expect
			.poll(() => sam.locator(".cm-ySelectionInfo").allTextContents(), { timeout: 10_000 })
			.toContain("Dana Ambassador");
	});

	it("races two ambassadors for one conversation: one owns it, the other is told why not", async () => {
		const dana = await person("ambassador1@acme.test", undefined, withWorker);
		const kim = await person("ambassador3@acme.test", undefined, withWorker);
		const mention = fresh();
		const [danaCard, kimCard] = [await showCard(dana, mention), await showCard(kim, mention)];
		// Both click before either hears of the other: their claims queue while offline and
		// reach the server together when the network comes back.
		await Promise.all([dana.context().setOffline(true), kim.context().setOffline(true)]);
		await danaCard.getByTestId("claim").click();
		await kimCard.getByTestId("claim").click();
		await Promise.all([dana.context().setOffline(false), kim.context().setOffline(false)]);
		// The owner the server chose: both boards agree and neither still shows its own claim
		// as pending (a pending claim shows its sender as owner until it is answered).
		const settledOwner = async () => {
			const pages = [dana, kim];
			const pending = await Promise.all(
				pages.map((page) => card(page, mention.id).getByTestId("pending").count()),
			);
			const owners = await Promise.all(
				pages.map((page) =>
					card(page, mention.id).getByTestId("owner").getAttribute("data-owner-name"),
				),
			);
			return pending.every((count) => count === 0) && owners[0] === owners[1] ? owners[0] : null;
		};
		await expect.poll(settledOwner, within).toMatch(/Dana Ambassador|Kim Ambassador/);
		const owner = await settledOwner();
		const loser = owner === "Dana Ambassador" ? kim : dana;
		await expect
			.poll(textOf(loser.getByTestId("toast-error").first()), within)
			.toContain(`Already claimed by ${owner}`);
		expect(await card(loser, mention.id).getByTestId("owner").getAttribute("data-owner-name")).toBe(
			owner,
		);
	});

	it("keeps working offline: the draft merges and the queued claim is answered with a visible reason", async () => {
		const dana = await person("ambassador1@acme.test", undefined, withWorker);
		const sam = await person("ambassador2@acme.test");
		const draft = fresh();
		const contested = fresh();
		for (const page of [dana, sam]) await page.goto(`/m/${draft.id}`);
		await typeInDraft(dana, "Shared start. ");
		await expect.poll(() => editorText(sam), { timeout: 10_000 }).toContain("Shared start.");

		await goOffline(dana);
		await typeInDraft(dana, "Written offline.");
		await typeInDraft(sam, " Written online.");
		// Dana claims while offline; meanwhile Sam takes the same conversation.
		// In-app navigation: no network needed.
		await dana.getByRole("link", { name: "Board", exact: true }).click();
		await (await showCard(dana, contested)).getByTestId("claim").click();
		await card(dana, contested.id).getByTestId("pending").waitFor(within);
		await expect
			.poll(attribute(dana.getByTestId("sync-status"), "data-unsynced"), within)
			.toMatch(/^[1-9]/);
		const samBoard = await person("ambassador2@acme.test");
		await (await showCard(samBoard, contested)).getByTestId("claim").click();
		await expect
			.poll(attribute(card(samBoard, contested.id).getByTestId("owner"), "data-owner-name"), within)
			.toBe("Sam Ambassador");

		await dana.context().setOffline(false);
		await expect
			.poll(textOf(dana.getByTestId("toast-error").first()), within)
			.toContain("Already claimed by Sam Ambassador");
		// Told on whatever page Dana is: which conversation, and that it happened offline.
		expect(await dana.getByTestId("toast-error").first().textContent()).toContain(
			`While you were offline, your claim of the conversation with @${contested.author.handle}`,
		);
		await expect
			.poll(() => card(dana, contested.id).getByTestId("pending").count(), within)
			.toBe(0);
		await expect
			.poll(attribute(dana.getByTestId("sync-status"), "data-unsynced"), within)
			.toBe("0");
		await dana.goto(`/m/${draft.id}`);
		await expect.poll(() => editorText(dana), { timeout: 10_000 }).toContain("Written online.");
		await expect.poll(() => editorText(sam), { timeout: 10_000 }).toContain("Written offline.");
		expect(await editorText(dana)).toBe(await editorText(sam));
	});

	it("shows the board and a draft from IndexedDB after a reload while offline", async () => {
		const dana = await person("ambassador1@acme.test", undefined, withWorker);
		const mention = fresh();
		await dana.goto(`/m/${mention.id}`);
		await typeInDraft(dana, "Kept on this device.");
		// The editor hands the last keys to the draft after the keys return, and Chromium writes
		// them to IndexedDB after that: wait until the device holds the whole text, since a
		// reload drops the writes still under way (the server has them, but it is offline then).
		const danaId = await memberId("ambassador1@acme.test");
		await expect
			.poll(() => localDraftText(dana, "acme", danaId, mention.id), within)
			.toContain("Kept on this device.");
		await expect
			.poll(attribute(dana.getByTestId("sync-status"), "data-unsynced"), within)
			.toBe("0");
		// So must the board, which the device writes a moment after it arrives.
		await expect.poll(() => localBoardWritten(dana, "acme", danaId), within).toBe(true);
		// The shell must be cached before the network goes away.
		await dana.evaluate(() => navigator.serviceWorker.ready.then(() => true));

		await dana.context().setOffline(true);
		await dana.reload();
		await expect
			.poll(() => editorText(dana), { timeout: 15_000 })
			.toContain("Kept on this device.");
		await dana.goto("/");
		await dana.locator('[data-testid="card"]').first().waitFor(within);
		expect(await dana.getByTestId("sync-status").getAttribute("data-online")).toBe("false");
		await dana.context().setOffline(false);
	});

	it("takes a reply through review: changes requested, seen by the writer, then marked replied", async () => {
		const dana = await person("ambassador1@acme.test");
		const morgan = await person("moderator@acme.test");
		const mention = fresh();
		await (await showCard(dana, mention)).getByTestId("claim").click();
		await dana.goto(`/m/${mention.id}`);
		// Over Twitter's 280 characters: the server would refuse it, and the page says so.
		await dana.locator('[data-testid="editor-content"]').click();
		await dana.keyboard.insertText("Sorry! ".repeat(45));
		await expect
			.poll(textOf(dana.getByTestId("review-blocked")), within)
			.toContain("over the limit of 280 on Twitter");
		expect(await dana.getByTestId("submit-review").isDisabled()).toBe(true);
		await dana.keyboard.press("ControlOrMeta+a");
		await dana.keyboard.type("We are on it.");
		await expect.poll(() => dana.getByTestId("submit-review").isDisabled(), within).toBe(false);
		// From the keyboard: the button goes with the step, and the focus goes to what replaced
		// it, not to the page itself (from where a keyboard user would Tab from the top again).
		await dana.getByTestId("submit-review").press("Enter");
		await dana.getByTestId("review-waiting").waitFor(within);
		await expect.poll(focused(dana), within).toBe("review-waiting");
		// Waiting for a moderator, the reply cannot be recorded as sent: nothing offers it.
		expect(await dana.getByTestId("mark-replied").count()).toBe(0);
		expect(await dana.getByTestId("reply-url").count()).toBe(0);

		await morgan.goto(`/m/${mention.id}`);
		// Changes are asked for with a comment: blank, the field says so and nothing is sent.
		const comment = morgan.getByLabel("What should change");
		await comment.fill("   ");
		await morgan.getByTestId("request-changes").click();
		expect(await comment.evaluate((input: HTMLInputElement) => input.validationMessage)).toBe(
			"Say what should change, so the writer knows what to do.",
		);
		const stored = () => scene.server.switchboard.storage.getMention("acme", mention.id);
		expect((await stored())?.mention.status).toBe("in_review");
		await comment.fill("Say sorry first, please.");
		await comment.press("Enter");
		await expect.poll(focused(morgan), within).toBe("review-comment");

		await expect
			.poll(textOf(dana.getByTestId("review-comment")), within)
			.toContain("Say sorry first, please.");
		// This board needs no approval: the reply may still go out, once the changes are made.
		expect(await dana.getByTestId("approval-optional").textContent()).toContain(
			"once the changes are made",
		);
		// A link off the conversation's network (another tab's) is not taken as its reply.
		const replyUrl = dana.getByTestId("reply-url");
		await replyUrl.fill("https://bsky.app/profile/acme.test/post/3k2a");
		await replyUrl.press("Enter");
		const refusal = () =>
			dana.evaluate(
				() =>
					document.querySelector<HTMLInputElement>('[data-testid="reply-url"]')
						?.validationMessage ?? "no field: the link was taken",
			);
		expect(await refusal()).toBe(
			"This is a Twitter conversation: the reply's link must be on twitter.com or x.com, not bsky.app. Copy it from the reply you posted on Twitter.",
		);
		expect(await dana.getByTestId("replied").count()).toBe(0);
		await replyUrl.fill("https://twitter.com/acme/status/1");
		await replyUrl.press("Enter");
		await expect
			.poll(textOf(dana.getByTestId("replied")), within)
			.toContain("Replied by Dana Ambassador");
		await expect.poll(focused(dana), within).toBe("replied");
		expect(await dana.getByTestId("replied").locator("a").getAttribute("href")).toBe(
			"https://twitter.com/acme/status/1",
		);
		// The page shows the reply as soon as it is sent (the command's optimistic overlay):
		// the database has it once the server answers.
		await expect.poll(async () => (await stored())?.mention.status, within).toBe("replied");
		expect((await stored())?.mention.reply?.url).toBe("https://twitter.com/acme/status/1");

		// Opened again, it shows what was answered, read-only, where the emptied draft was; on a
		// phone too. Reopened, the draft is there to write the next answer.
		await dana.reload();
		const answered = dana.getByTestId("answered-reply");
		await expect.poll(textOf(answered), within).toBe("We are on it.");
		expect(await dana.getByTestId("editor").count()).toBe(0);
		await dana.setViewportSize({ width: 360, height: 740 });
		expect(await answered.evaluate((box) => box.getBoundingClientRect().right)).toBeLessThanOrEqual(
			360,
		);
		await dana.getByTestId("reopen").click();
		await dana.getByTestId("reopen-submit").click();
		await dana.getByTestId("editor").waitFor(within);
		expect(await answered.count()).toBe(0);
		expect(
			await dana.locator('[data-testid="editor-content"]').getAttribute("contenteditable"),
		).toBe("true");
	});

	it("keeps the keyboard's focus in place as Claim and Release give way to each other", async () => {
		const dana = await person("ambassador1@acme.test");
		const mention = fresh();
		await dana.goto(`/m/${mention.id}`);
		await dana.getByTestId("claim").press("Enter");
		await expect.poll(focused(dana), within).toBe("release");
		await dana.keyboard.press("Enter");
		await expect.poll(focused(dana), within).toBe("claim");
		await expect
			.poll(
				async () =>
					(await scene.server.switchboard.storage.getMention("acme", mention.id))?.mention,
				within,
			)
			.toMatchObject({ status: "new", owner: null });
	});

	it("keeps the keyboard's focus on the page when Dismiss, Hand off or a card's Actions take away what had it", async () => {
		const dana = await person("ambassador1@acme.test");
		const dialog = dana.getByTestId("action-dialog");
		// Conversations of its own (fresh() hands the later tests theirs): two of one author, so
		// that the board's search shows both and nothing else, and two to open.
		const handle = `actions${Date.now()}`;
		const now = Date.now();
		const { mentionIds } = await scene.server.switchboard.integrations.ingestor.ingest(
			"acme",
			"main",
			[0, 1, 2, 3].map((i) => ({
				network: "mastodon" as const,
				externalId: `${handle}-${i}`,
				url: null,
				author: { handle: i < 2 ? handle : `${handle}${i}`, name: "Actions", reach: 10 },
				text: `Is this spam ${i}?`,
				thread: [],
				postedAt: new Date(now - i * 60_000).toISOString(),
				ingestedAt: new Date(now).toISOString(),
			})),
		);
		const [dismissed, handed] = mentionIds.slice(2);

		// Dismissed from the conversation, Dismiss… goes: Reopen…, which took its place, has the
		// focus, not the page itself.
		await dana.goto(`/m/${dismissed}`);
		await dana.getByTestId("dismiss").press("Enter");
		await dialog.getByLabel("Spam").check();
		await dialog.getByTestId("dismiss-submit").press("Enter");
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(focused(dana), within).toBe("reopen");

		// Handed off by its owner, the form goes with the ownership: the conversation's heading.
		await dana.goto(`/m/${handed}`);
		await dana.getByTestId("claim").click();
		const picker = dana.getByTestId("handoff-picker");
		await picker.fill("Kim");
		await dana.getByTestId("handoff").press("Enter");
		await expect
			.poll(attribute(dana.getByTestId("owner"), "data-owner-name"), within)
			.toBe("Kim Ambassador");
		await expect.poll(focused(dana), within).toBe("h1");
		expect(await dana.evaluate(() => document.activeElement?.id)).toBe("conversation-title");

		// A moderator keeps the form, its button disabled once emptied: the focus is in the field.
		const morgan = await person("moderator@acme.test", `/m/${handed}`);
		await morgan.getByTestId("handoff-picker").fill("Sam");
		await morgan.getByTestId("handoff").press("Enter");
		await expect
			.poll(attribute(morgan.getByTestId("owner"), "data-owner-name"), within)
			.toBe("Sam Ambassador");
		await expect.poll(focused(morgan), within).toBe("handoff-picker");

		// From a card's Actions on the board: the card that took the dismissed one's place, as a
		// card, not its Actions button (Enter there would open another conversation's actions).
		await dana.goto("/");
		await dana.getByTestId("filter-search").fill(handle);
		const cards = dana.locator('[data-testid="column"][data-status="new"] [data-testid="card"]');
		await expect.poll(() => cards.count(), within).toBe(2);
		const dismissFirst = async () => {
			await cards.first().getByTestId("card-actions").press("Enter");
			await dialog.getByLabel("Off-topic").check();
			await dialog.getByTestId("dismiss-submit").press("Enter");
			await dialog.waitFor({ state: "hidden", ...within });
		};
		const first = await cards.first().getAttribute("data-mention-id");
		await dismissFirst();
		const focusedCard = () =>
			dana.evaluate(() => {
				const active = document.activeElement;
				return active?.matches('[data-testid="card"]')
					? active.getAttribute("data-mention-id")
					: (active?.getAttribute("data-testid") ?? active?.tagName.toLowerCase());
			});
		await expect.poll(focusedCard, within).toBe(mentionIds.slice(0, 2).find((id) => id !== first));
		// The last one dismissed, the column is empty: the page's main region, from where Tab
		// goes on into the board.
		await dismissFirst();
		await expect.poll(() => cards.count(), within).toBe(0);
		await expect.poll(focusedCard, within).toBe("main");
		// Each page holds sockets of its member's allowance: the later tests need theirs.
		await Promise.all([dana.context().close(), morgan.context().close()]);
	});

	it("says whether a reply needs a moderator's approval, and offers to record it only when it may be", async () => {
		const admin = await person("admin@acme.test");
		const kim = await person("ambassador3@acme.test");
		const kimId = await memberId("ambassador3@acme.test");
		const approvalFor = (newMembers: string[]) =>
			admin.evaluate(
				async ({ newMembers, csrf }) => {
					const response = await fetch("/api/orgs/acme/boards/main/settings", {
						method: "PUT",
						headers: { "content-type": "application/json", [csrf]: "1" },
						body: JSON.stringify({ approval: { priorities: [], tags: [], newMembers } }),
					});
					if (!response.ok) throw new Error(`settings: ${response.status}`);
				},
				{ newMembers, csrf: CSRF_HEADER },
			);
		const claimOnPage = async (id: string) => {
			await kim.goto(`/m/${id}`);
			await kim.getByTestId("claim").click();
			await kim.getByTestId("release").waitFor(within);
		};

		// No rule: the reply may be recorded at once, and the page says review is optional.
		const free = fresh();
		await claimOnPage(free.id);
		await kim.getByTestId("approval-optional").waitFor(within);
		expect(await kim.getByTestId("reply-url").count()).toBe(1);
		expect(await kim.getByTestId("needs-approval").count()).toBe(0);

		// Kim is new: her replies wait for a moderator, and nothing offers to record one.
		await approvalFor([kimId]);
		try {
			const bound = fresh();
			await claimOnPage(bound.id);
			await expect
				.poll(textOf(kim.getByTestId("needs-approval")), within)
				.toContain("needs a moderator's approval before the reply");
			expect(await kim.getByTestId("reply-url").count()).toBe(0);
			expect(await kim.getByTestId("approval-optional").count()).toBe(0);
		} finally {
			await approvalFor([]);
		}
	});

	it("checks the reply's spelling in the conversation's language, and marks the message's language", async () => {
		const dana = await person("ambassador1@acme.test");
		const now = new Date().toISOString();
		const ingested = await scene.server.switchboard.integrations.ingestor.ingest("acme", "main", [
			{
				network: "mastodon",
				externalId: `colis-${Date.now()}`,
				url: null,
				author: { handle: "camille@piaille.fr", name: "Camille", reach: 120 },
				text: "Mon colis n'est jamais arrivé, pouvez-vous m'aider ?",
				thread: [],
				postedAt: now,
				ingestedAt: now,
				language: "fr",
			},
		]);
		const [mentionId] = ingested.mentionIds;
		await dana.goto(`/m/${mentionId}`);
		const editor = dana.getByTestId("editor-content");
		await editor.waitFor(within);
		// CodeMirror turns the spell checker, autocorrect and capitals off, as for code.
		expect(await editor.getAttribute("spellcheck")).toBe("true");
		expect(await editor.getAttribute("autocorrect")).toBe("on");
		expect(await editor.getAttribute("autocapitalize")).toBe("sentences");
		expect(await editor.getAttribute("lang")).toBe("fr");
		const message = dana.getByTestId("mention-message").locator(".message-text");
		expect(await message.getAttribute("lang")).toBe("fr");
		// A conversation in no known language leaves the page's own.
		const other = fresh();
		await dana.goto(`/m/${other.id}`);
		await dana.getByTestId("editor-content").waitFor(within);
		expect(await dana.getByTestId("editor-content").getAttribute("lang")).toBe(
			other.language ?? null,
		);
		expect(await dana.getByTestId("editor-content").getAttribute("spellcheck")).toBe("true");
	});

	it("finds past conversations in History and shows the author's earlier ones beside the thread", async () => {
		const dana = await person("ambassador1@acme.test");
		const mention = fresh();
		const posted = new Date(Date.parse(mention.postedAt) - 86_400_000).toISOString();
		const [earlier] = await scene.server.switchboard.storage.insertMentions("acme", "main", [
			{
				network: mention.network,
				externalId: `earlier-${mention.externalId}`,
				url: null,
				author: mention.author,
				text: "My parcel 7781 never came, again.",
				thread: [],
				postedAt: posted,
				ingestedAt: posted,
				language: "en",
				sentiment: -0.6,
			},
		]);
		await dana.goto(`/m/${mention.id}`);
		await expect.poll(textOf(dana.getByTestId("earlier")), within).toContain("parcel 7781");

		await dana.getByTestId("nav-history").click();
		await dana.getByTestId("history-q").fill("7781");
		await dana.getByTestId("history-search").click();
		await expect
			.poll(
				() =>
					dana
						.getByTestId("history-item")
						.evaluateAll((items) => items.map((item) => item.getAttribute("data-mention-id"))),
				within,
			)
			.toEqual([earlier?.mention.id]);
		// The search is in the address: a reload shows it again.
		expect(new URL(dana.url()).searchParams.get("q")).toBe("7781");

		// "Handled by" is chosen by typing a name (a board may have a thousand): nobody handled
		// this one, so Dana's finds nothing; "Anyone" finds it again.
		const items = () =>
			dana
				.getByTestId("history-item")
				.evaluateAll((found) => found.map((item) => item.getAttribute("data-mention-id")));
		const owner = dana.getByTestId("history-owner");
		await owner.fill("dana");
		await dana.getByTestId("history-owner-option").filter({ hasText: "Dana Ambassador" }).click();
		expect(await owner.inputValue()).toBe("Dana Ambassador");
		await dana.getByTestId("history-search").click();
		await expect.poll(items, within).toEqual([]);
		await owner.click();
		await dana.getByTestId("history-owner-option").filter({ hasText: "Anyone" }).click();
		await dana.getByTestId("history-search").click();
		await expect.poll(items, within).toEqual([earlier?.mention.id]);
	});

	it("credits a reply in History to who recorded it, names the owner now apart, and leads back to the list a conversation was opened from", async () => {
		const mention = fresh();
		const { storage, board } = scene.server.switchboard;
		const danaId = await memberId("ambassador1@acme.test");
		const samId = await memberId("ambassador2@acme.test");
		// Each decided as the server decides a command, and put on the live board as it puts
		// one there (History shows a conversation still on the board from the board's copy).
		const run = async (command: Parameters<typeof storage.executeCommand>[0]["command"]) => {
			const outcome = await storage.executeCommand({
				orgId: "acme",
				boardId: "main",
				actorId: danaId,
				commandId: randomUUID(),
				command,
				now: new Date().toISOString(),
			});
			expect(outcome, command.name).toMatchObject({ ok: true });
			const stored = await storage.getMention("acme", mention.id);
			if (stored) await board.publish("acme", "main", [stored]);
		};
		// An earlier conversation of the same author, on the board.
		const posted = new Date(Date.parse(mention.postedAt) - 86_400_000).toISOString();
		const [earlier] = await storage.insertMentions("acme", "main", [
			{
				network: mention.network,
				externalId: `earlier-back-${mention.externalId}`,
				url: null,
				author: mention.author,
				text: "A question from last week.",
				thread: [],
				postedAt: posted,
				ingestedAt: posted,
				language: "en",
				sentiment: 0,
			},
		]);
		if (earlier) await board.publish("acme", "main", [earlier]);
		// Dana answers; the conversation opens again, and she hands it to Sam.
		await run({ name: "claim", args: { mentionId: mention.id } });
		await run({
			name: "markReplied",
			args: { mentionId: mention.id, url: "https://twitter.com/acme/status/1" },
		});
		await run({ name: "reopen", args: { mentionId: mention.id } });
		await run({ name: "handoff", args: { mentionId: mention.id, to: samId } });

		const sam = await person(
			"ambassador2@acme.test",
			`/history?author=${encodeURIComponent(mention.author.handle)}`,
		);
		const row = sam.locator(`[data-testid="history-item"][data-mention-id="${mention.id}"]`);
		await expect
			.poll(textOf(row.locator(".history-outcome")), within)
			.toMatch(/^Handled by Sam Ambassador\. Answered by Dana Ambassador /);

		// Opened from a list, the conversation leads back to it, the search kept.
		const back = sam.getByTestId("back-link");
		const historyUrl = sam.url();
		await row.getByRole("link").first().click();
		await sam.waitForURL(`**/m/${encodeURIComponent(mention.id)}`, within);
		expect(await back.textContent()).toBe("← History");
		await back.click();
		await sam.waitForURL(historyUrl, within);
		await sam.getByTestId("nav-queue").click();
		await sam.locator(`[data-testid="queue-item"][data-mention-id="${mention.id}"] a`).click();
		await sam.waitForURL(`**/m/${encodeURIComponent(mention.id)}`, within);
		expect(await back.textContent()).toBe("← My queue");
		await back.click();
		await sam.waitForURL("**/queue", within);
		// Reached any other way (here from the author's earlier conversation, listed beside the
		// thread), it leads to the board, even right after a list.
		await sam.goBack();
		await sam.waitForURL(`**/m/${encodeURIComponent(mention.id)}`, within);
		await expect.poll(() => back.textContent(), within).toBe("← My queue");
		await sam.getByTestId("earlier").getByRole("link").first().click();
		await sam.waitForURL(`**/m/${encodeURIComponent(earlier?.mention.id ?? "")}`, within);
		await expect.poll(() => back.textContent(), within).toBe("← Board");
	});

	it("reads in History the thread of a conversation of an archived board, which has no page to open", async () => {
		const { storage } = scene.server.switchboard;
		const mention = fresh();
		const posted = new Date(Date.parse(mention.postedAt) - 86_400_000).toISOString();
		await storage.createBoard({ id: "spring", orgId: "acme", name: "Spring campaign" });
		const [past] = await storage.insertMentions("acme", "spring", [
			{
				network: mention.network,
				externalId: `spring-${mention.externalId}`,
				url: null,
				author: mention.author,
				text: "Where is my voucher 5150?",
				thread: [
					{
						externalId: `spring-answer-${mention.externalId}`,
						handle: "acme",
						fromOrganisation: true,
						text: "Sent again to your inbox, sorry for the wait.",
						postedAt: new Date(Date.parse(posted) + 600_000).toISOString(),
					},
				],
				postedAt: posted,
				ingestedAt: posted,
				language: "en",
				sentiment: -0.4,
			},
		]);
		// Settled before the board was archived, with a note on how.
		const closed = await storage.executeCommand({
			orgId: "acme",
			boardId: "spring",
			actorId: await memberId("moderator@acme.test"),
			commandId: crypto.randomUUID(),
			command: {
				name: "close",
				args: { mentionId: past?.mention.id ?? "", reason: "Voucher sent again" },
			},
			now: new Date().toISOString(),
		});
		expect(closed.ok).toBe(true);
		await storage.updateBoard("acme", "spring", { archived: true });
		const moderator = await person("moderator@acme.test", "/history?q=5150");
		const row = moderator.locator(
			`[data-testid="history-item"][data-mention-id="${past?.mention.id}"]`,
		);
		await row.waitFor(within);
		expect(await row.locator(".row-link").count()).toBe(0);
		const thread = row.getByTestId("history-thread");
		expect(await textOf(thread)()).not.toContain("Sent again to your inbox");
		await thread.locator("summary").click();
		await expect
			.poll(textOf(thread), within)
			.toContain("Sent again to your inbox, sorry for the wait.");
		// And what happened to it, how it was settled included, read once opened.
		const activity = row.getByTestId("history-activity");
		await activity.locator("summary").click();
		// The whole section is read, so that a failure shows what it said instead (an error, say).
		// A coverage round may log the targets this one missed after its close, newer than it.
		await expect
			.poll(textOf(activity), within)
			.toMatch(/^Activity.*You closed it: Voucher sent again · /);
	});

	it("comes back to History as it was left: the same conversations, as far down, not asked for again", async () => {
		const dana = await person("ambassador2@acme.test");
		await dana.getByTestId("nav-history").click();
		const items = dana.getByTestId("history-item");
		await expect.poll(() => items.count(), within).toBeGreaterThan(0);
		const firstPage = await items.count();
		await dana.getByTestId("history-more").click();
		await expect.poll(() => items.count(), within).toBeGreaterThan(firstPage);
		const shown = await items.count();
		// Far down the page, open a conversation still on the board.
		const last = items.locator(".row-link").last();
		await last.scrollIntoViewIfNeeded();
		const main = dana.locator("#main");
		const scrolled = await main.evaluate((element) => element.scrollTop);
		expect(scrolled).toBeGreaterThan(0);
		await last.click();
		await dana.waitForURL(/\/m\//, within);
		await dana.getByTestId("thread").waitFor(within);
		// The conversation asks for the author's earlier ones; after that, nothing more.
		await dana.getByTestId("earlier").locator("ol, p.muted").first().waitFor(within);
		const asked: string[] = [];
		dana.on("request", (request) => {
			if (new URL(request.url()).pathname === "/api/history") asked.push(request.url());
		});

		await dana.goBack();
		await dana.waitForURL(/\/history/, within);
		await expect.poll(() => items.count(), within).toBe(shown);
		// As far down as it was, give or take a few pixels of the page's own settling.
		await expect
			.poll(async () => Math.abs((await main.evaluate((e) => e.scrollTop)) - scrolled), within)
			.toBeLessThan(24);
		expect(asked).toEqual([]);
	});

	it("claims with the keyboard and lists the shortcuts in a help overlay", async () => {
		const kim = await person("ambassador3@acme.test");
		await kim.keyboard.press("?");
		await kim.getByTestId("help-dialog").waitFor({ state: "visible", ...within });
		expect(await kim.getByTestId("help-dialog").textContent()).toMatch(/claim/i);
		const owned = async () =>
			(
				await scene.server.switchboard.storage.listMentions("acme", "main", {
					ownerId: await memberId("ambassador3@acme.test"),
				})
			).length;
		const before = await owned();
		// A fast typist closes the help and claims in one breath: the key right after Escape
		// counts (the dialog's close event is a queued task that input may overtake).
		await kim.keyboard.press("Escape");
		await kim.keyboard.press("n");
		await kim.getByTestId("help-dialog").waitFor({ state: "hidden", ...within });
		// On failure, say what Kim saw: a reject's toast, the sync state, the help still open.
		const claimedOrWhyNot = async () => {
			const now = await owned();
			if (now === before + 1) return "claimed";
			const [errors, sync, help] = await Promise.all([
				kim.getByTestId("toast-error").allTextContents(),
				kim.getByTestId("sync-status").textContent(),
				kim.getByTestId("help-dialog").isVisible(),
			]);
			return `owns ${now} (had ${before}); errors: ${JSON.stringify(errors)}; sync: ${sync}; help open: ${help}`;
		};
		await expect.poll(claimedOrWhyNot, within).toBe("claimed");

		// The same breath the other way: Escape and then ? at once opens the help again, and its
		// first close event, arriving after the key, leaves it open.
		await kim.keyboard.press("?");
		await kim.getByTestId("help-dialog").waitFor({ state: "visible", ...within });
		const afterEscapeAndHelp = await kim.evaluate(async () => {
			const help = document.querySelector<HTMLDialogElement>("[data-testid=help-dialog]");
			if (!help) return "no help dialog";
			const closed = new Promise((resolve) =>
				help.addEventListener("close", resolve, { once: true }),
			);
			help.close();
			document.dispatchEvent(new KeyboardEvent("keydown", { key: "?", bubbles: true }));
			await closed;
			return help.open ? "open" : "closed";
		});
		expect(afterEscapeAndHelp).toBe("open");
	});

	it("runs the whole lifecycle from the card, the conversation, the keyboard and in bulk", async () => {
		const kim = await person("ambassador3@acme.test");
		const { storage, board } = scene.server.switchboard;
		const status = async (id: string) => (await storage.getMention("acme", id))?.mention;
		const dialog = kim.getByTestId("action-dialog");

		// From the card: a tag, then dismiss with a reason. It leaves the open columns for
		// Dismissed.
		const spam = fresh();
		await (await showCard(kim, spam))
			.getByRole("button", {
				name: `Actions for the conversation with @${spam.author.handle}`,
				exact: true,
			})
			.click();
		await dialog.waitFor({ state: "visible", ...within });
		await dialog.getByTestId("action-tags").click();
		await dialog.getByTestId("tag-input").fill("lost-parcel");
		await dialog.getByTestId("tag-input").press("Enter");
		await expect.poll(async () => (await status(spam.id))?.tags, within).toContain("lost-parcel");
		await dialog.getByTestId("action-dismiss").click();
		// No reason is chosen for Kim: one she did not choose would be recorded with it.
		await dialog.getByTestId("dismiss-submit").click();
		await expect
			.poll(textOf(dialog.getByTestId("field-error")), within)
			.toBe("Choose why it is dismissed.");
		expect(
			await dialog.getByLabel("Spam").evaluate((input) => input === document.activeElement),
		).toBe(true);
		expect((await status(spam.id))?.status).not.toBe("dismissed");
		await dialog.getByLabel("Spam").check();
		await dialog.getByTestId("dismiss-submit").click();
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(async () => (await status(spam.id))?.status, within).toBe("dismissed");
		await card(kim, spam.id).waitFor({ state: "detached", ...within });
		const [dismissal] = await storage.listActivity("acme", { mentionId: spam.id, limit: 1 });
		expect(dismissal?.detail).toMatchObject({ reason: "Spam" });
		await kim.getByLabel("Show done").check();
		await kim
			.locator('[data-testid="column"][data-status="dismissed"]')
			.locator(`[data-mention-id="${spam.id}"]`)
			.waitFor(within);
		await kim.getByLabel("Show done").uncheck();

		// A conversation that just arrived, by keyboard in the conversation view.
		const now = new Date().toISOString();
		const [arrived] = await storage.insertMentions("acme", "main", [
			{
				network: "twitter",
				externalId: `e2e-lifecycle-${Date.now()}`,
				url: null,
				author: { handle: "just_arrived", name: "", reach: 10 },
				text: "Is anyone there? My parcel is lost.",
				thread: [],
				postedAt: now,
				ingestedAt: now,
				language: "en",
				sentiment: -0.3,
			},
		]);
		await board.publish("acme", "main", [arrived!]);
		const id = arrived!.mention.id;
		await kim.goto(`/m/${id}`);
		await kim.getByTestId("editor-content").waitFor(within);
		expect(await kim.locator(".meta-row").first().textContent()).toContain("posted just now");
		expect(await kim.locator(".meta-row").first().textContent()).not.toContain("just now ago");

		// t: tags, with the board's tags suggested as one types, there at once (the focus is in
		// the tag field, not on the dialog's first button).
		await kim.keyboard.press("t");
		const tagInput = dialog.getByTestId("tag-input");
		await expect
			.poll(() => tagInput.evaluate((input) => input === document.activeElement), within)
			.toBe(true);
		await kim.keyboard.type("lost");
		await dialog.getByTestId("tag-suggestion").filter({ hasText: "lost-parcel" }).click();
		await expect.poll(async () => (await status(id))?.tags, within).toEqual(["lost-parcel"]);
		await kim.keyboard.press("Escape");
		await dialog.waitFor({ state: "hidden", ...within });
		expect(await kim.getByTestId("conversation-tags").textContent()).toContain("lost-parcel");

		// s: snooze until tomorrow morning; then Shift+O brings it back before its time. Pressed
		// in the turn the tags dialog closes, while its close event is still queued (Chromium
		// runs input first): that stale event must not close the snooze dialog the key opened.
		await kim.keyboard.press("t");
		await dialog.getByTestId("tag-input").waitFor(within);
		await kim.evaluate(() => {
			document.querySelector<HTMLDialogElement>("[data-testid=action-dialog]")?.close();
			document.dispatchEvent(new KeyboardEvent("keydown", { key: "s", bubbles: true }));
		});
		await dialog.getByTestId("snooze-tomorrow").click();
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(async () => (await status(id))?.status, within).toBe("snoozed");
		const until = new Date((await status(id))?.snoozedUntil ?? 0);
		expect(until.getHours()).toBe(9);
		expect(until.getTime()).toBeGreaterThan(Date.now());
		await expect.poll(textOf(kim.getByTestId("status")), within).toContain("Snoozed");
		await kim.keyboard.press("Shift+O");
		await expect.poll(async () => (await status(id))?.status, within).toBe("new");

		// 1: high priority; e: escalate with a reason.
		await kim.keyboard.press("1");
		await expect.poll(async () => (await status(id))?.priority, within).toBe("high");
		await kim.keyboard.press("e");
		await dialog.getByTestId("escalate-reason").fill("Threatens to go to the press.");
		await dialog.getByTestId("escalate-submit").click();
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(async () => (await status(id))?.status, within).toBe("escalated");
		const [escalation] = await storage.listActivity("acme", { mentionId: id, limit: 1 });
		expect(escalation?.detail).toMatchObject({ reason: "Threatens to go to the press." });

		// A refusal's toast (it stays for seconds) does not sit over the notes' Add note
		// button, at the foot of the page's right-hand column.
		await kim.keyboard.press("e");
		await dialog.getByTestId("escalate-submit").click();
		await kim.getByTestId("toast-error").first().waitFor(within);
		await kim.keyboard.press("Escape");
		await dialog.waitFor({ state: "hidden", ...within });
		const reachable = await kim.getByTestId("add-note").evaluate((button) => {
			button.scrollIntoView({ block: "end" });
			const box = button.getBoundingClientRect();
			const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
			return {
				// Where toasts used to sit: the bottom right corner.
				corner: box.bottom > window.innerHeight - 120 && box.right > window.innerWidth - 440,
				hit: hit !== null && button.contains(hit),
			};
		});
		expect(reachable).toEqual({ corner: true, hit: true });

		// The action dialog is accessible.
		await kim.getByTestId("close").click();
		await dialog.waitFor({ state: "visible", ...within });
		expect(await seriousAxeViolations(kim)).toEqual([]);
		await dialog.getByTestId("close-reason").fill("Refund issued by phone");
		await dialog.getByTestId("close-submit").click();
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(async () => (await status(id))?.status, within).toBe("closed");

		// The page says how it was settled, and its activity what happened before, in words,
		// newest first (each line ends with its time, after " · ").
		await expect
			.poll(textOf(kim.getByTestId("settlement")), within)
			.toMatch(/^You closed it: Refund issued by phone · /);
		await kim.getByTestId("activity").locator("summary").click();
		const lines = async () =>
			(await kim.getByTestId("activity-entry").allTextContents()).map((line) =>
				line.slice(0, line.lastIndexOf(" · ")),
			);
		await expect
			.poll(lines, within)
			.toEqual([
				"You closed it: Refund issued by phone",
				"You escalated it: Threatens to go to the press.",
				"You set the priority to high",
				"You reopened it; it went back to the board",
				expect.stringMatching(/^You snoozed it until \S/),
				"You tagged it lost-parcel",
			]);
		// On a 360 px phone the section and its notes wrap within the screen.
		const laptop = kim.viewportSize();
		await kim.setViewportSize({ width: 360, height: 740 });
		await expect
			.poll(
				() =>
					kim.evaluate(() => {
						const log = document.querySelector("[data-testid=activity]")?.getBoundingClientRect();
						return {
							pageFits: document.documentElement.scrollWidth <= window.innerWidth,
							logFits: log !== undefined && log.left >= 0 && log.right <= window.innerWidth,
						};
					}),
				within,
			)
			.toEqual({ pageFits: true, logFits: true });
		if (laptop) await kim.setViewportSize(laptop);

		// In bulk: x selects the focused card, a checkbox another; one close for both.
		const [first, second] = [fresh(), fresh()];
		await kim.goto("/");
		await (await showCard(kim, first)).focus();
		await kim.keyboard.press("x");
		await kim.getByTestId("filter-search").fill(second.author.handle);
		await card(kim, second.id).getByTestId("card-select").check();
		await expect
			.poll(textOf(kim.getByTestId("bulk-count")), within)
			.toBe("2 conversations selected");
		await kim.getByTestId("bulk-close").click();
		await dialog.getByTestId("close-submit").click();
		await dialog.waitFor({ state: "hidden", ...within });
		for (const mention of [first, second]) {
			await expect.poll(async () => (await status(mention.id))?.status, within).toBe("closed");
		}
		await expect
			.poll(textOf(kim.getByTestId("toast-info").last().locator(".toast-message")), within)
			.toBe("Closed 2 conversations.");
		await kim.getByTestId("bulk-bar").waitFor({ state: "detached", ...within });
		// Tags show on the cards.
		await kim.getByLabel("Show done").check();
		await kim.getByTestId("filter-search").fill("just_arrived");
		expect(await card(kim, id).getByTestId("card-tags").textContent()).toContain("lost-parcel");
	});

	it("has no serious or critical accessibility violation on the board and the conversation view; the board's toolbar is one row on a 1,280 px laptop", async () => {
		const dana = await person("ambassador1@acme.test");
		const mention = fresh();
		expect(await seriousAxeViolations(dana)).toEqual([]);
		// Search, the filters, the count and Claim next in one row: each choice says what it
		// filters, and its label names it for screen readers.
		await dana.setViewportSize({ width: 1280, height: 800 });
		const network = dana.getByLabel("Network", { exact: true });
		expect(
			await network.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.text),
		).toBe("All networks");
		const rows = await dana.evaluate(() => {
			const toolbar = document.querySelector(".toolbar");
			const items = [
				...(toolbar?.querySelectorAll(".filters > *, .filter-options > *, .toolbar-end > *") ?? []),
			].filter((item) => item.getBoundingClientRect().width > 0);
			return items
				.filter((item) => {
					const box = item.getBoundingClientRect();
					const middle = box.top + box.height / 2;
					return items.some((other) => {
						const b = other.getBoundingClientRect();
						return middle < b.top || middle > b.bottom;
					});
				})
				.map((item) => item.textContent?.trim() ?? item.tagName);
		});
		expect(rows, "toolbar items off the others' row").toEqual([]);
		expect(await seriousAxeViolations(dana)).toEqual([]);
		await dana.goto(`/m/${mention.id}`);
		await dana.getByTestId("editor-content").waitFor();
		expect(await seriousAxeViolations(dana)).toEqual([]);
	});

	it("loads the board and a conversation under its Content-Security-Policy without a violation", async () => {
		const context = scene.keep(
			await scene.browser.newContext({
				baseURL: scene.server.url,
				viewport: { width: 1440, height: 900 },
				// The worker's registration is under the policy too.
				serviceWorkers: "allow",
			}),
		);
		const violations = await watchCspViolations(context);
		const page = await context.newPage();
		await signIn(page, "ambassador2@acme.test");
		const mention = fresh();
		await page.goto(`/m/${mention.id}`);
		await typeInDraft(page, "Under the policy.");
		await expect
			.poll(attribute(page.getByTestId("sync-status"), "data-unsynced"), within)
			.toBe("0");
		expect(await violations()).toEqual([]);
		// The policy does hold: an injected inline script is refused, and reported.
		await page.evaluate(() => {
			const script = document.createElement("script");
			script.textContent = "window.injected = true";
			document.body.append(script);
		});
		expect(await page.evaluate(() => "injected" in window)).toBe(false);
		await expect.poll(async () => (await violations()).length, within).toBeGreaterThan(0);
		// Neither the token nor the cookie is readable by page scripts.
		expect(await page.evaluate(() => document.cookie)).toBe("");
		expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toMatch(/eyJ/);
	});

	it("signs out only after sending what the server lacks, or discarding it on request, and clears IndexedDB", async () => {
		const email = "ambassador3@acme.test";
		const kimId = await memberId(email);
		const kim = await person(email, undefined, withWorker);
		const owner = async (id: string) =>
			(await scene.server.switchboard.storage.getMention("acme", id))?.mention.owner?.memberId ??
			null;
		const kimsDatabases = () =>
			kim.evaluate(
				async (id) =>
					(await indexedDB.databases())
						.map((db) => db.name ?? "")
						.filter((name) => name.includes(id)),
				kimId,
			);
		expect((await kimsDatabases()).length).toBeGreaterThan(0);

		// Offline, a claim waits in the queue: sign-out asks, and Cancel keeps everything.
		const sent = fresh();
		await goOffline(kim);
		await (await showCard(kim, sent)).getByTestId("claim").click();
		await expect.poll(attribute(kim.getByTestId("sync-status"), "data-unsynced"), within).toBe("1");
		await kim.getByTestId("sign-out").click();
		await kim.getByTestId("sign-out-dialog").waitFor({ state: "visible", ...within });
		expect(await kim.getByTestId("sign-out-unsent").textContent()).toContain("1 change");
		await kim.getByTestId("sign-out-cancel").click();
		await kim.getByTestId("sign-out-dialog").waitFor({ state: "hidden", ...within });
		expect(await kim.getByTestId("sync-status").getAttribute("data-unsynced")).toBe("1");

		// Send first: it waits for the network, sends, and only then signs out.
		await kim.getByTestId("sign-out").click();
		await kim.getByTestId("sign-out-send").click();
		await expect
			.poll(textOf(kim.getByTestId("sign-out-send")), within)
			.toContain("Waiting for the network");
		await kim.context().setOffline(false);
		await kim.getByTestId("login-form").waitFor(within);
		expect(await owner(sent.id)).toBe(kimId);
		await expect.poll(kimsDatabases, within).toEqual([]);
		expect(await kim.evaluate(() => localStorage.getItem("switchboard.session"))).toBeNull();

		// Discard: said in so many words, and the claim never reaches the server.
		await signIn(kim, email);
		const discarded = fresh();
		await goOffline(kim);
		await (await showCard(kim, discarded)).getByTestId("claim").click();
		await kim.getByTestId("sign-out").click();
		await kim.getByTestId("sign-out-discard").click();
		await kim.getByTestId("login-form").waitFor(within);
		await expect.poll(kimsDatabases, within).toEqual([]);
		await kim.context().setOffline(false);
		await signIn(kim, email);
		await expect
			.poll(attribute(kim.getByTestId("sync-status"), "data-online"), within)
			.toBe("true");
		expect(await kim.getByTestId("sync-status").getAttribute("data-unsynced")).toBe("0");
		expect(await owner(discarded.id)).toBeNull();
	});

	it("closes the sign-in-again dialog once the board is back, after a refused attempt", async () => {
		const email = "ambassador3@acme.test";
		const id = await memberId(email);
		const { storage, tokens } = scene.server.switchboard;
		const lee = await person(email);
		const status = lee.getByTestId("sync-status");
		await expect.poll(attribute(status, "data-online"), within).toBe("true");
		// Deactivated while the board is open (as Admin › Members does it): asked to sign in
		// again, and refused while deactivated.
		await storage.updateMember("acme", id, { active: false });
		await tokens.revokeSessions(id, "deactivated");
		const dialog = lee.getByTestId("session-ended-dialog");
		await dialog.waitFor({ state: "visible", ...within });
		// Told why, as the server says it, not only that the session ended.
		await expect
			.poll(() => dialog.getByTestId("session-ended-why").textContent(), within)
			.toBe("An admin of your organisation deactivated your account.");
		// Signing in is refused until an admin reactivates the account: the dialog says so
		// instead of "Sign in again to go on".
		expect(await dialog.getByRole("heading").textContent()).toBe("Account deactivated");
		expect(await dialog.getByTestId("session-ended-next").textContent()).toBe(
			"Ask an admin of your organisation to reactivate your account, then sign in again here.",
		);
		// The board behind is hidden, not dimmed: the conversations are no longer Lee's to read.
		expect(
			await dialog.evaluate((element) => getComputedStyle(element, "::backdrop").backgroundColor),
		).toBe("rgb(243, 245, 248)");
		const password = dialog.getByLabel("Password");
		await password.fill(DEMO_PASSWORD);
		await dialog.getByTestId("renew-submit").click();
		await expect
			.poll(() => dialog.getByTestId("renew-error").textContent(), within)
			.toMatch(/deactivated/);
		// Activated again: the same sign-in now takes the member back to the board.
		await storage.updateMember("acme", id, { active: true });
		await password.fill(DEMO_PASSWORD);
		await dialog.getByTestId("renew-submit").click();
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(attribute(status, "data-online"), within).toBe("true");
	});

	it("asks to sign in again when the session ends while offline, then sends the queue", async () => {
		const email = "ambassador2@acme.test";
		const samId = await memberId(email);
		const sam = await person(email, undefined, withWorker);
		const mention = fresh();
		await goOffline(sam);
		await (await showCard(sam, mention)).getByTestId("claim").click();
		await expect.poll(attribute(sam.getByTestId("sync-status"), "data-unsynced"), within).toBe("1");
		// The session ends meanwhile (expiry, a password change, a sign-out elsewhere).
		await scene.server.switchboard.tokens.revokeSessions(samId);

		await sam.context().setOffline(false);
		const dialog = sam.getByTestId("session-ended-dialog");
		await dialog.waitFor({ state: "visible", ...within });
		expect(await dialog.textContent()).toContain("send 1 change");
		const status = sam.getByTestId("sync-status");
		expect(await status.getAttribute("data-unsynced")).toBe("1");
		// The header says why nothing goes out: the session ended, the network is back.
		const statusWord = () => status.locator(".sync-state").textContent();
		await expect.poll(statusWord, within).toBe("Session ended");
		expect(await status.getAttribute("class")).toContain("sync-warn");
		// Signing out from there cannot send (there is no session): discard is offered, not send.
		await dialog.getByTestId("renew-sign-out").click();
		const signOut = sam.getByTestId("sign-out-dialog");
		await signOut.waitFor({ state: "visible", ...within });
		expect(await signOut.getByTestId("sign-out-send").count()).toBe(0);
		expect(await signOut.textContent()).toContain("cannot be sent");
		await signOut.getByTestId("sign-out-cancel").click();
		await signOut.waitFor({ state: "hidden", ...within });
		// Only Sam may sign in here: his email is filled in, fixed; the password is asked.
		const emailField = dialog.getByLabel("Email");
		expect(await emailField.inputValue()).toBe(email);
		expect(await emailField.isEditable()).toBe(false);
		// A forgotten password is asked for in a new tab, this one keeping its dialog and queue.
		const forgot = dialog.getByRole("link", { name: /Forgot password/ });
		expect(await forgot.getAttribute("href")).toBe(
			`/forgot-password?email=${encodeURIComponent(email)}`,
		);
		expect(await forgot.getAttribute("target")).toBe("_blank");
		// A wrong password: said in an alert, and the password field, described by it, has the
		// focus to type it again (the Sign in button was disabled meanwhile).
		const password = dialog.getByLabel("Password");
		await password.fill("not the password");
		await dialog.getByTestId("renew-submit").click();
		const refusal = dialog.getByTestId("renew-error");
		await refusal.waitFor(within);
		expect(await refusal.getAttribute("role")).toBe("alert");
		await expectRefusedAt(password, refusal);
		await password.fill(DEMO_PASSWORD);
		await dialog.getByTestId("renew-submit").click();
		await dialog.waitFor({ state: "hidden", ...within });
		await expect.poll(attribute(status, "data-unsynced"), within).toBe("0");
		await expect.poll(statusWord, within).toBe("Online");
		const stored = await scene.server.switchboard.storage.getMention("acme", mention.id);
		expect(stored?.mention.owner?.memberId).toBe(samId);
	});

	it("keeps a note typed and not added through a reload; adding it clears it", async () => {
		const dana = await person("ambassador1@acme.test");
		const mention = fresh();
		await dana.goto(`/m/${mention.id}`);
		const note = dana.getByLabel("Add a note");
		const words = "Half-written: check the order number first";
		await note.fill(words);
		await dana.reload();
		await expect.poll(() => note.inputValue(), within).toBe(words);
		await dana.getByTestId("add-note").click();
		const added = dana.getByTestId("notes").getByText(words);
		await added.waitFor(within);
		await dana.reload();
		await added.waitFor(within);
		expect(await note.inputValue()).toBe("");
	});

	it("tells a teammate @mentioned in a note at once in the bell, which opens the conversation; pushes it to their phone", async () => {
		const receiver = await startPushReceiver();
		try {
			const sam = await person("ambassador2@acme.test");
			const dana = await person("ambassador1@acme.test", undefined, withWorker);
			const mention = fresh();
			const bell = dana.getByTestId("bell");
			// Earlier tests (and breaches the background watcher finds) may have told Dana things.
			await expect.poll(attribute(bell, "data-loaded"), within).toBe("true");
			const before = Number(await bell.getAttribute("data-unread"));

			// Dana turns push on for this browser; the push service's subscribe is the one edge
			// replaced, by a device of the local push service.
			const device = receiver.device();
			await dana.context().grantPermissions(["notifications"], { origin: scene.server.url });
			await dana.evaluate((subscription) => {
				let current: PushSubscription | null = null;
				const fake = {
					...subscription,
					toJSON: () => subscription,
					unsubscribe: async () => {
						current = null;
						return true;
					},
				} as unknown as PushSubscription;
				PushManager.prototype.subscribe = async () => {
					current = fake;
					return fake;
				};
				PushManager.prototype.getSubscription = async () => current;
			}, device.subscription);
			await dana.getByTestId("nav-settings").click();
			await dana.getByTestId("push-on").click();
			await dana.getByTestId("push-off").waitFor(within);
			await dana.getByRole("link", { name: "Board", exact: true }).click();

			// Sam writes a note, choosing Dana from the suggestions with the keyboard.
			await sam.goto(`/m/${mention.id}`);
			const note = sam.getByTestId("note-input");
			// The hint names no one of the demo: it says how to mention.
			expect(await note.getAttribute("placeholder")).toBe("Type @ to mention a teammate");
			await note.click();
			await note.pressSequentially("@da");
			await sam.getByTestId("mention-suggestion").first().waitFor(within);
			await note.press("Enter");
			await note.pressSequentially("can you check the order?");
			expect(await note.inputValue()).toBe("@Dana can you check the order?");
			await sam.getByTestId("add-note").press("Enter");
			// Sent, the emptied form disables Add note: the focus goes back to the field.
			await expect.poll(focused(sam), within).toBe("note-input");

			await expect.poll(attribute(bell, "data-unread"), within).toBe(String(before + 1));
			expect(await bell.getAttribute("aria-label")).toBe(`Notifications, ${before + 1} unread`);
			await bell.press("Enter");
			const entry = dana.locator(
				`[data-testid="notification"][data-kind="mentioned"][data-mention-id="${mention.id}"]`,
			);
			await expect.poll(textOf(entry), within).toContain("Sam Ambassador mentioned you");
			expect(await seriousAxeViolations(dana)).toEqual([]);
			await entry.click();
			await dana.waitForURL(`**/m/${mention.id}#note-*`, within);
			await expect.poll(attribute(bell, "data-unread"), within).toBe(String(before));
			// The note that mentioned Dana is shown, marked and focused, wherever it is on the page.
			const linked = dana.locator(".note-linked");
			await linked.waitFor(within);
			expect(await linked.textContent()).toContain("can you check the order?");
			await expect
				.poll(() => linked.evaluate((el) => el === document.activeElement), within)
				.toBe(true);
			const noteInView = await linked.evaluate((el) => {
				const box = el.getBoundingClientRect();
				return box.top >= 0 && box.bottom <= window.innerHeight;
			});
			expect(noteInView, "the linked note in view").toBe(true);

			// The same notification reached the phone, encrypted to it.
			const pushed = () =>
				device.received
					.map((received) => JSON.parse(received.text))
					.find((payload) => payload.kind === "mentioned" && payload.mentionId === mention.id);
			await expect.poll(pushed, within).toMatchObject({ title: "Sam Ambassador mentioned you" });

			// The service worker shows a push message (delivered through the DevTools protocol).
			// Chromium's getNotifications() keeps a stored notification only if the platform
			// reports it displayed or it was stored after the read began, and deletes the others
			// from its database (platform_notification_context_impl.cc): a read while the worker
			// was still showing it lost it for good, and every later read was empty. So the
			// worker's showNotification is watched, and the notifications are read once it is done.
			const worker =
				dana.context().serviceWorkers()[0] ?? (await dana.context().waitForEvent("serviceworker"));
			await worker.evaluate(() => {
				const scope = self as unknown as {
					registration: ServiceWorkerRegistration;
					shownTitles: string[];
				};
				const registration = scope.registration;
				const show = registration.showNotification.bind(registration);
				scope.shownTitles = [];
				registration.showNotification = async (title, options) => {
					await show(title, options);
					scope.shownTitles.push(title);
				};
			});
			const cdp = await dana.context().newCDPSession(dana);
			const registrationId = new Promise<string>((resolve) => {
				cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
					const live = registrations.find((r: { isDeleted: boolean }) => !r.isDeleted);
					if (live) resolve(live.registrationId);
				});
			});
			await cdp.send("ServiceWorker.enable");
			await cdp.send("ServiceWorker.deliverPushMessage", {
				origin: scene.server.url,
				registrationId: await registrationId,
				data: JSON.stringify(pushed()),
			});
			const shownTitles = () =>
				worker.evaluate(() => (self as unknown as { shownTitles: string[] }).shownTitles);
			await expect.poll(shownTitles, within).toContain("Sam Ambassador mentioned you");
			const shown = await dana.evaluate(async () => {
				const registration = await navigator.serviceWorker.ready;
				return (await registration.getNotifications()).map((n) => [n.title, n.data?.url]);
			});
			expect(shown).toContainEqual([
				"Sam Ambassador mentioned you",
				expect.stringMatching(new RegExp(`^/m/${mention.id}#note-[0-9a-f-]+$`)),
			]);

			// Signing out stops pushes to this browser: the next person on it must not see them.
			const danaId = await memberId("ambassador1@acme.test");
			const devices = () => scene.server.switchboard.storage.listPushDevices(danaId);
			expect(await devices()).toHaveLength(1);
			await dana.getByTestId("sign-out").click();
			await dana.waitForURL("**/login", within);
			await expect.poll(async () => (await devices()).length, within).toBe(0);
		} finally {
			await receiver.close();
		}
	});
});
