/**
 * The ambassador's workspace in Chromium: two people, two browser contexts, one server.
 */
import { describe, expect, it } from "vitest";
import {
	attribute,
	card,
	editorText,
	hasChromium,
	seriousAxeViolations,
	showCard,
	textOf,
	typeInDraft,
} from "./harness.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

describe.skipIf(!hasChromium)("the ambassador's workspace in Chromium", () => {
	const scene = e2eScene();
	const { person, fresh, memberId } = scene;

	it("shows one ambassador's claim on the other's board without a reload", async () => {
		const dana = await person("ambassador1@acme.test");
		const sam = await person("ambassador2@acme.test");
		const mention = fresh();
		const samCard = await showCard(sam, mention);
		await (await showCard(dana, mention)).getByTestId("claim").click();
		await expect
			.poll(attribute(samCard.getByTestId("owner"), "data-owner-name"), within)
			.toBe("Dana Ambassador");
	});

	it("lets two people type into one draft: same text, each sees the other's cursor", async () => {
		const dana = await person("ambassador1@acme.test");
		const sam = await person("ambassador2@acme.test");
		const mention = fresh();
		for (const page of [dana, sam]) await page.goto(`/m/${mention.id}`);
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
		const dana = await person("ambassador1@acme.test");
		const kim = await person("ambassador3@acme.test");
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
		const dana = await person("ambassador1@acme.test");
		const sam = await person("ambassador2@acme.test");
		const draft = fresh();
		const contested = fresh();
		for (const page of [dana, sam]) await page.goto(`/m/${draft.id}`);
		await typeInDraft(dana, "Shared start. ");
		await expect.poll(() => editorText(sam), { timeout: 10_000 }).toContain("Shared start.");

		await dana.context().setOffline(true);
		await expect
			.poll(attribute(dana.getByTestId("sync-status"), "data-online"), within)
			.toBe("false");
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
		const dana = await person("ambassador1@acme.test");
		const mention = fresh();
		await dana.goto(`/m/${mention.id}`);
		await typeInDraft(dana, "Kept on this device.");
		await expect
			.poll(attribute(dana.getByTestId("sync-status"), "data-unsynced"), within)
			.toBe("0");
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
		await typeInDraft(dana, "We are on it.");
		await dana.getByTestId("submit-review").click();
		await dana.getByTestId("review-waiting").waitFor(within);

		await morgan.goto(`/m/${mention.id}`);
		await morgan.getByLabel("What should change").fill("Say sorry first, please.");
		await morgan.getByTestId("request-changes").click();

		await expect
			.poll(textOf(dana.getByTestId("review-comment")), within)
			.toContain("Say sorry first, please.");
		await dana.getByTestId("reply-url").fill("https://twitter.com/acme/status/1");
		await dana.getByTestId("mark-replied").click();
		await expect
			.poll(textOf(dana.getByTestId("replied")), within)
			.toContain("Replied by Dana Ambassador");
		expect(await dana.getByTestId("replied").locator("a").getAttribute("href")).toBe(
			"https://twitter.com/acme/status/1",
		);
		const stored = await scene.server.switchboard.storage.getMention("acme", mention.id);
		expect(stored?.mention.status).toBe("replied");
		expect(stored?.mention.reply?.url).toBe("https://twitter.com/acme/status/1");
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
	});

	it("has no serious or critical accessibility violation on the board and the conversation view", async () => {
		const dana = await person("ambassador1@acme.test");
		const mention = fresh();
		expect(await seriousAxeViolations(dana)).toEqual([]);
		await dana.goto(`/m/${mention.id}`);
		await dana.getByTestId("editor-content").waitFor();
		expect(await seriousAxeViolations(dana)).toEqual([]);
	});
});
