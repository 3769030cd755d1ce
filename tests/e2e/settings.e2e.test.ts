/**
 * The Settings page in Chromium: a notification kind turned off with the keyboard is not
 * told in the bell, and told again once turned back on, each change said to be saved (or
 * not, and then undone); a change of name or password that cannot be made is said at its
 * field, in words; a password changed here signs the member's other device out, which says
 * why.
 */
import { randomUUID } from "node:crypto";
import type { Page, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
	attribute,
	DEMO_PASSWORD,
	editorText,
	hasChromium,
	seriousAxeViolations,
	showCard,
	textOf,
} from "./harness.ts";
import { phoneContext } from "./phone.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

/** The words of the confirmations shown now (a toast's text without its dismiss button's). */
function confirmations(page: Page): () => Promise<string[]> {
	return () => page.getByTestId("toast-info").locator(".toast-message").allTextContents();
}

/** Whether the member's in-app follow-up notifications are on, as the server has it. */
function followUpsInApp(page: Page): Promise<boolean> {
	return page.evaluate(async () => {
		const answer = await fetch("/api/me/notification-settings");
		const { settings } = (await answer.json()) as {
			settings: Record<string, { app: boolean }>;
		};
		return settings.follow_up?.app ?? false;
	});
}

describe.skipIf(!hasChromium)("settings in Chromium", () => {
	const scene = e2eScene();
	const { person, fresh, memberId } = scene;

	it("turns a kind off and on with the keyboard, and the bell follows the choice", async () => {
		const mention = fresh();
		const danaId = await memberId("ambassador1@acme.test");
		const dana = await person("ambassador1@acme.test");
		const { storage, integrations, notifier } = scene.server.switchboard;
		const claimed = await storage.executeCommand({
			orgId: "acme",
			boardId: "main",
			actorId: danaId,
			commandId: randomUUID(),
			command: { name: "claim", args: { mentionId: mention.id } },
			now: new Date().toISOString(),
		});
		expect(claimed.ok).toBe(true);
		/** The customer writes again on Dana's conversation; resolves once the notifier is done. */
		const customerWrites = async (suffix: string, inReplyTo: string) => {
			const now = new Date().toISOString();
			await integrations.ingestor.ingest("acme", "main", [
				{
					network: mention.network,
					externalId: `${mention.externalId}-${suffix}`,
					inReplyTo,
					url: null,
					author: mention.author,
					text: `Any news? (${suffix})`,
					thread: [],
					postedAt: now,
					ingestedAt: now,
				},
			]);
			await notifier.idle();
		};
		const entries = dana.locator(
			`[data-testid="notification"][data-kind="follow_up"][data-mention-id="${mention.id}"]`,
		);

		await dana.getByTestId("nav-settings").click();
		const box = dana.getByTestId("notify-follow_up-app");
		await box.waitFor(within);
		expect(await box.isChecked()).toBe(true);
		await box.focus();
		await dana.keyboard.press("Space");
		await expect.poll(() => followUpsInApp(dana), within).toBe(false);
		expect(await box.isChecked()).toBe(false);
		// Said to be saved, politely (a status toast).
		await expect
			.poll(confirmations(dana), within)
			.toContain("Saved: in the app, “The customer writes again in a conversation I own” is off.");
		expect(await seriousAxeViolations(dana)).toEqual([]);

		// A save that fails says so at once, and the box goes back to what is stored.
		const settingsPath = "**/api/me/notification-settings";
		const unavailable = (route: Route) =>
			route.request().method() === "PUT"
				? route.fulfill({
						status: 503,
						contentType: "application/json",
						body: JSON.stringify({
							error: { code: "unavailable", message: "The database is not reachable." },
						}),
					})
				: route.fallback();
		await dana.route(settingsPath, unavailable);
		await dana.keyboard.press("Space");
		const saveError = dana.getByTestId("notification-settings-error");
		await expect
			.poll(() => saveError.textContent(), within)
			.toBe(
				"Your change was not saved; the box shows what is stored. The database is not reachable.",
			);
		expect(await saveError.getAttribute("role")).toBe("alert");
		await expect.poll(() => box.isChecked(), within).toBe(false);
		expect(await followUpsInApp(dana)).toBe(false);
		await dana.unroute(settingsPath, unavailable);

		const bell = dana.getByTestId("bell");
		await expect.poll(attribute(bell, "data-loaded"), within).toBe("true");
		const before = Number(await bell.getAttribute("data-unread"));
		await customerWrites("off", mention.externalId);
		// Told to nobody: the notifier has finished with it, and neither the count nor the feed has it.
		expect(await bell.getAttribute("data-unread")).toBe(String(before));

		// Back on, with the keyboard: the next follow-up is in the bell.
		await box.focus();
		await dana.keyboard.press("Space");
		await expect.poll(() => followUpsInApp(dana), within).toBe(true);
		// The failure's alert goes with the next save that works.
		await expect.poll(() => saveError.count(), within).toBe(0);
		await customerWrites("on", `${mention.externalId}-off`);
		await expect.poll(attribute(bell, "data-unread"), within).toBe(String(before + 1));
		await bell.press("Enter");
		// One entry: the follow-up told while the kind was on, none for the one before.
		await entries.first().waitFor(within);
		expect(await entries.count()).toBe(1);
		expect(await seriousAxeViolations(dana)).toEqual([]);

		// Off and on again at once: one toast says where it ended, not one per change.
		await dana.keyboard.press("Escape");
		await box.focus();
		const on = "Saved: in the app, “The customer writes again in a conversation I own” is on.";
		let saves = 0;
		dana.on("response", (answer) => {
			const request = answer.request();
			if (request.method() === "PUT" && request.url().endsWith("/api/me/notification-settings")) {
				saves += 1;
			}
		});
		await dana.keyboard.press("Space");
		await dana.keyboard.press("Space");
		await expect.poll(() => saves, within).toBe(2);
		await expect.poll(() => followUpsInApp(dana), within).toBe(true);
		await expect.poll(() => box.isChecked(), within).toBe(true);
		await expect.poll(async () => (await confirmations(dana)()).at(-1), within).toBe(on);
		// Both saves were told within the toast's five seconds: only the last is still shown.
		expect(await confirmations(dana)()).toEqual([on]);

		// A moderator gives Dana another conversation, then hers to Kim (each command as the
		// socket's extension hands it to the notifier): the bell says so, and the follow-up it
		// still listed unread no longer asks her to answer someone else's conversation.
		const [morganId, kimId] = await Promise.all([
			memberId("moderator@acme.test"),
			memberId("ambassador3@acme.test"),
		]);
		const moderatorAssigns = async (mentionId: string, to: string) => {
			const sent = {
				orgId: "acme",
				boardId: "main",
				actorId: morganId,
				commandId: randomUUID(),
				command: { name: "assign", args: { mentionId, memberId: to } },
			} as const;
			const done = await storage.executeCommand({ ...sent, now: new Date().toISOString() });
			if (!done.ok) throw new Error(`assign refused: ${done.message}`);
			notifier.commandApplied({
				...sent,
				mentionId,
				work: done.work,
				ownerBefore: done.ownerBefore ?? null,
			});
			await notifier.idle();
		};
		const given = fresh();
		await moderatorAssigns(given.id, danaId);
		await bell.press("Enter");
		await dana
			.locator('[data-testid="notification"][data-kind="assigned"]')
			.first()
			.waitFor(within);
		expect(await entries.first().getAttribute("data-read")).toBe("false");
		await moderatorAssigns(mention.id, kimId);
		const taken = dana.locator('[data-testid="notification"][data-kind="taken_away"]');
		await expect
			.poll(() => taken.first().locator(".bell-item-title").textContent(), within)
			.toBe("Unread: Morgan Moderator gave your conversation to Kim Ambassador");
		await expect.poll(() => entries.first().getAttribute("data-read"), within).toBe("true");
		// Her assignment is still hers to read.
		await expect.poll(attribute(bell, "data-unread"), within).toBe(String(before + 2));

		// Opened from the bell, the conversation has the focus on its title; opened again from
		// the bell while it is open, too (the focus went to the page's body, and nothing moved).
		const assigned = dana.locator('[data-testid="notification"][data-kind="assigned"]').first();
		const onTitle = () => dana.evaluate(() => document.activeElement?.id === "conversation-title");
		await assigned.click();
		await dana.waitForURL(`**/m/${given.id}`, within);
		await expect.poll(onTitle, within).toBe(true);
		await bell.click();
		await assigned.click();
		await expect.poll(onTitle, within).toBe(true);

		// Loaded again with the feed held up: the bell says it is loading, not that there is
		// nothing (its badge may count entries already).
		let release = () => {};
		const held = new Promise<void>((resolve) => {
			release = resolve;
		});
		const feed = (url: URL) => url.pathname === "/api/me/notifications";
		await dana.route(feed, async (route) => {
			await held;
			await route.continue();
		});
		await dana.reload();
		// The conversation opened (it takes the focus, which would close the panel), then the bell.
		await expect.poll(onTitle, within).toBe(true);
		await bell.click();
		await dana.getByTestId("bell-loading").waitFor(within);
		expect(await dana.getByTestId("bell-empty").count()).toBe(0);
		release();
		await entries.first().waitFor(within);
		await dana.unroute(feed);
	});

	it("says at its field what is wrong with a change of name or password", async () => {
		const lee = await person("ambassador2@acme.test", "/settings");
		const refused: string[] = [];
		lee.on("response", (answer) => {
			if (answer.status() >= 400) refused.push(`${answer.status()} ${answer.url()}`);
		});
		const panel = lee.getByTestId("profile-panel");
		const name = lee.getByTestId("profile-name");
		await name.waitFor(within);
		await expect.poll(() => name.inputValue(), within).not.toBe("");

		// An empty name is refused before anything is sent, at the field, which takes the focus.
		await name.fill("  ");
		await lee.getByTestId("profile-save").click();
		const nameProblem = panel.locator(`#${await name.getAttribute("aria-describedby")}`);
		await expect.poll(() => nameProblem.textContent(), within).toBe("Your name must not be empty.");
		expect(await name.getAttribute("aria-invalid")).toBe("true");
		expect(await lee.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
			"profile-name",
		);
		expect(refused).toEqual([]);

		// A short new password is refused at its field; a wrong current one by the server, said
		// at the current password's field, not as the API's "currentPassword: …".
		const form = lee.getByTestId("password-form");
		const current = form.getByLabel("Current password");
		const next = form.getByLabel(/^New password/);
		await current.fill("not-the-password-at-all");
		await next.fill("short");
		await lee.getByTestId("password-save").click();
		await expect
			.poll(() => form.getByTestId("field-error").allTextContents(), within)
			.toEqual(["The new password must be at least 12 characters."]);
		expect(await next.getAttribute("aria-invalid")).toBe("true");
		await next.fill("a-long-enough-new-passphrase");
		await lee.getByTestId("password-save").click();
		await expect
			.poll(() => form.getByTestId("field-error").allTextContents(), within)
			.toEqual(["That is not your current password."]);
		expect(await current.getAttribute("aria-invalid")).toBe("true");
		expect(await lee.evaluate(() => document.activeElement?.getAttribute("autocomplete"))).toBe(
			"current-password",
		);
		expect(await form.getByTestId("password-error").count()).toBe(0);
		expect(refused).toEqual([expect.stringMatching(/^403 .*\/api\/me\/password$/)]);
		expect(await seriousAxeViolations(lee)).toEqual([]);
	});
	it("signs a reply from a template with the name just changed in Settings, without a reload", async () => {
		const sam = await person("ambassador2@acme.test", "/settings");
		const name = sam.getByTestId("profile-name");
		await expect.poll(() => name.inputValue(), within).not.toBe("");
		const before = await name.inputValue();
		const rename = async (to: string) => {
			await name.fill(to);
			await sam.getByTestId("profile-save").click();
			await expect.poll(() => sam.locator(".me-name").first().textContent(), within).toContain(to);
		};
		await rename("Sam Okafor-Reyes");
		// To a conversation by the app's own links: the session signed in as "Sam Ambassador".
		const mention = fresh();
		await sam.getByRole("link", { name: "Board", exact: true }).click();
		await (await showCard(sam, mention)).getByTestId("open").click();
		await sam.getByTestId("insert-template").click();
		await expect.poll(() => editorText(sam), within).toMatch(/\^Sam Okafor-Reyes$/);
		await sam.getByRole("link", { name: "Settings", exact: true }).click();
		await rename(before);
	});

	it("keeps the place at a password change, saying it is changed under the form, on a phone and a desktop", async () => {
		// Nobody else in this file signs in as these members: the new passwords stay.
		const phone = await scene.keep(await phoneContext(scene.browser, scene.server.url)).newPage();
		await scene.enter(phone, "admin@acme.test", { path: "/settings" });
		const desktop = await person("moderator@acme.test", "/settings");
		await desktop.setViewportSize({ width: 1280, height: 560 });
		for (const page of [phone, desktop]) {
			const form = page.getByTestId("password-form");
			await form.getByLabel("Current password").fill(DEMO_PASSWORD);
			await form.getByLabel(/^New password/).fill("a passphrase of my own");
			// Scrolled down the page, the form near its top.
			const scrolled = await form.evaluate((element) => {
				const main = document.getElementById("main");
				if (!main) return 0;
				main.scrollTop += element.getBoundingClientRect().top - 120;
				return main.scrollTop;
			});
			expect(scrolled).toBeGreaterThan(0);
			await page.getByTestId("password-save").press("Enter");
			const changed = form.getByTestId("password-changed");
			await expect
				.poll(textOf(changed), within)
				.toBe("Password changed. Your other sessions are signed out; this one goes on.");
			// Said as a status, under the form, in view, and it has the focus (the emptied form's
			// button is disabled): not the page itself, from where Tab starts at the top again.
			expect(await changed.getAttribute("role")).toBe("status");
			await expect
				.poll(
					() => page.evaluate(() => document.activeElement?.getAttribute("data-testid")),
					within,
				)
				.toBe("password-changed");
			const place = await changed.evaluate((element) => {
				const box = element.getBoundingClientRect();
				const main = document.getElementById("main");
				return {
					inView: box.top >= 0 && box.bottom <= window.innerHeight,
					scrollTop: main?.scrollTop ?? 0,
				};
			});
			expect(place.inView, "the confirmation in view").toBe(true);
			expect(Math.abs(place.scrollTop - scrolled), "the page kept its place").toBeLessThan(100);
		}
	});

	it("signs the member's other device out at a password change here, and that device says why", async () => {
		// Nobody else in this file signs in as this member: the new password stays.
		const email = "ambassador3@acme.test";
		const laptop = await person(email, "/settings");
		const phone = await person(email);
		await expect
			.poll(attribute(phone.getByTestId("sync-status"), "data-online"), within)
			.toBe("true");

		const form = laptop.getByTestId("password-form");
		await form.getByLabel("Current password").fill(DEMO_PASSWORD);
		await form.getByLabel(/^New password/).fill("a brand new passphrase");
		await laptop.getByTestId("password-save").click();
		await expect
			.poll(textOf(form.getByTestId("password-changed")), within)
			.toBe("Password changed. Your other sessions are signed out; this one goes on.");

		// The phone is asked to sign in again, and told why in plain words.
		const dialog = phone.getByTestId("session-ended-dialog");
		await dialog.waitFor({ state: "visible", ...within });
		await expect
			.poll(() => dialog.getByTestId("session-ended-why").textContent(), within)
			.toBe("Your password was changed on another device: sign in with the new one.");
		expect(await seriousAxeViolations(phone)).toEqual([]);
		// The laptop's own session goes on, and is not asked anything.
		expect(await laptop.getByTestId("session-ended-dialog").isVisible()).toBe(false);
	});
});
