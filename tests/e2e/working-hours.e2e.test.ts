/**
 * A board's working hours in Chromium, on a 360 px phone: the admin sets the time zone, the
 * weekly hours and a holiday with the keyboard; an unknown time zone is named beside its
 * field and nothing is sent; once saved, a card on an ambassador's open board counts its
 * claim target in working time, without a reload. The settings screen fits the phone.
 */
import { type BusinessHours, slaDeadline } from "@switchboard/domain";
import { numberedMention } from "@switchboard/domain/testing";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { attribute, hasChromium, seriousAxeViolations, showCard, textOf } from "./harness.ts";
import { horizontalOverflow, smallTargets } from "./phone.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const UNITS: Record<string, number> = { d: 24 * HOUR, h: HOUR, min: MINUTE, s: 1000 };

/** The length a card's SLA badge shows ("2 d 3 h", "16 h 5 min", "42 min") in ms. */
function shownDuration(text: string): number {
	let total = 0;
	for (const [, amount, unit] of text.matchAll(/(\d+) (d|h|min|s)\b/g)) {
		total += Number(amount) * (UNITS[unit ?? ""] ?? 0);
	}
	return total;
}

/**
 * The badge's precision: it rounds down to its smallest unit, which is an hour once a day or
 * more is left ("1 d 7 h"), a minute below a day.
 */
function shownPrecision(text: string): number {
	return /\d+ d\b/.test(text) ? HOUR : MINUTE;
}

/** The board's settings as the server has them. */
function serverHours(page: Page): Promise<BusinessHours | null> {
	return page.evaluate(async () => {
		const answer = await fetch("/api/boards/main/settings");
		const { settings } = (await answer.json()) as { settings: { businessHours: unknown } };
		return settings.businessHours as BusinessHours | null;
	});
}

describe.skipIf(!hasChromium)("a board's working hours in Chromium", () => {
	const scene = e2eScene();
	const { person } = scene;

	it("are set at 360 px with the keyboard, refuse an unknown time zone beside its field, and move a card's SLA clock to working time", async () => {
		// A conversation arrives now, normal priority: 60 minutes to claim, round the clock.
		const { storage, board } = scene.server.switchboard;
		const now = new Date().toISOString();
		const [stored] = await storage.insertMentions("acme", "main", [
			{
				...numberedMention(Date.now(), now, "e2e-hours"),
				author: { handle: "night_owl", name: "Night Owl", reach: 120 },
				text: "Is anyone there at this hour?",
				priority: "normal",
			},
		]);
		const mention = stored!.mention;
		await board.publish("acme", "main", [stored!]);
		const dana = await person("ambassador1@acme.test");
		const sla = (await showCard(dana, mention)).getByTestId("sla");
		await expect.poll(textOf(sla), within).toMatch(/to claim$/);
		expect(shownDuration((await textOf(sla)()) ?? "")).toBeLessThanOrEqual(60 * 60_000);

		// The admin, on a phone from the start.
		const admin = await scene.onPhone("admin@acme.test", "/admin/boards/main");
		const section = admin.getByTestId("settings-hours");
		await section.waitFor(within);
		expect(await serverHours(admin)).toBeNull();

		// Keyboard only: the box is ticked with Space, the fields typed, Enter saves.
		const enabled = section.getByTestId("hours-enabled");
		await enabled.focus();
		await admin.keyboard.press("Space");
		expect(await enabled.isChecked()).toBe(true);
		const type = async (testId: string, text: string) => {
			await section.getByTestId(testId).focus();
			await admin.keyboard.press("ControlOrMeta+A");
			await admin.keyboard.press("Backspace");
			if (text) await admin.keyboard.type(text);
		};
		await type("hours-zone", "Mars/Olympus_Mons");
		await type("hours-holidays", "");
		await admin.keyboard.press("Enter");
		// An unknown zone: named beside its field, which takes the focus; nothing was sent.
		const zone = section.getByTestId("hours-zone");
		await expect.poll(attribute(zone, "aria-invalid"), within).toBe("true");
		const zoneError = admin.locator(`#${await zone.getAttribute("id")}-error`);
		expect(await zoneError.textContent()).toMatch(/time zone/i);
		expect(await zone.getAttribute("aria-describedby")).toContain(
			await zoneError.getAttribute("id"),
		);
		expect(await zone.evaluate((input) => input === document.activeElement)).toBe(true);
		expect(await serverHours(admin)).toBeNull();
		expect(await seriousAxeViolations(admin)).toEqual([]);

		// A day that ends before it starts: said at that day's field, which takes the focus,
		// and not above the form; nothing was sent.
		await type("hours-zone", "UTC");
		await type("hours-tue", "17:00–09:00");
		await admin.keyboard.press("Enter");
		const tuesday = section.getByTestId("hours-tue");
		await expect.poll(attribute(tuesday, "aria-invalid"), within).toBe("true");
		const tuesdayError = admin.locator(`#${await tuesday.getAttribute("id")}-error`);
		expect(await tuesdayError.textContent()).toContain("Tuesday 17:00–09:00 ends before it starts");
		expect(await tuesday.getAttribute("aria-describedby")).toContain(
			await tuesdayError.getAttribute("id"),
		);
		expect(await tuesday.evaluate((input) => input === document.activeElement)).toBe(true);
		expect(await section.getByTestId("hours-week-error").count()).toBe(0);
		expect(await horizontalOverflow(admin)).toEqual({ overflow: 0, culprits: [] });
		expect(await serverHours(admin)).toBeNull();

		// Weekdays 09:00 to 17:00 in UTC, the weekend off, and today a holiday: nothing counts
		// before the next working morning.
		const today = now.slice(0, 10);
		for (const day of ["mon", "tue", "wed", "thu"]) await type(`hours-${day}`, "09:00–17:00");
		// As people type it: saved, the field shows it as the board keeps it.
		await type("hours-fri", "9-17");
		for (const day of ["sat", "sun"]) await type(`hours-${day}`, "");
		await type("hours-holidays", today);
		await admin.keyboard.press("Enter");
		await expect.poll(textOf(section.getByTestId("settings-hours-saved")), within).toMatch(/Saved/);
		expect(await zone.getAttribute("aria-invalid")).toBeNull();
		const hours = await serverHours(admin);
		expect(hours).toMatchObject({ timeZone: "UTC", holidays: [today] });
		expect(hours?.weekly.mon).toEqual([{ start: "09:00", end: "17:00" }]);
		expect(hours?.weekly.fri).toEqual([{ start: "09:00", end: "17:00" }]);
		expect(await section.getByTestId("hours-fri").inputValue()).toBe("09:00–17:00");
		expect(hours?.weekly.sat).toEqual([]);

		// Dana's card, still open, now counts the 60 minutes from the next working morning.
		const due = Date.parse(slaDeadline(mention.ingestedAt, 60, hours));
		// What the badge shows lies within its own precision (and a minute's tick) below what
		// is left: when the next working morning is more than a day away, it shows no minutes.
		await expect
			.poll(async () => {
				const shown = (await textOf(sla)()) ?? "";
				const short = due - Date.now() - shownDuration(shown);
				return short >= -MINUTE && short <= shownPrecision(shown) + MINUTE;
			}, within)
			.toBe(true);
		expect(due - Date.parse(now)).toBeGreaterThan(8 * 60 * 60_000);
		expect(await sla.getAttribute("data-breached")).toBe("false");

		// The screen fits the phone: nothing wider than 360 px, targets of 24 px at least.
		expect(await horizontalOverflow(admin)).toEqual({ overflow: 0, culprits: [] });
		expect(await smallTargets(admin, '[data-testid="board-settings-page"]', 24)).toEqual([]);
		expect(await seriousAxeViolations(admin)).toEqual([]);
	});
	it("asks before leaving a board's settings with a change not saved, and not once it is saved", async () => {
		const admin = await scene.person("admin@acme.test", "/admin/boards/main");
		const lease = admin.getByTestId("settings-lease");
		const minutes = lease.getByTestId("leaseMinutes");
		await minutes.waitFor(within);
		const stored = await minutes.inputValue();
		// Left by the keyboard, Enter on the breadcrumb: a pointer's click could straddle the
		// header wrapping onto a second row when a teammate's avatar arrives (Dana is online from
		// the test above), which moves the link 10 px down between the press and the release, and
		// a click so split reaches no link: nothing was asked because nothing was left.
		const back = admin.getByRole("link", { name: "Admin › Boards" });
		const asked: string[] = [];
		const answer = (leave: boolean) =>
			admin.once("dialog", (dialog) => {
				asked.push(dialog.message());
				void (leave ? dialog.accept() : dialog.dismiss());
			});

		// Typed, not saved: asked, and staying keeps what was typed.
		await minutes.fill("45");
		answer(false);
		await back.press("Enter");
		await expect
			.poll(() => asked, within)
			.toEqual(["Your changes to Lease are not saved. Leave without them?"]);
		expect(new URL(admin.url()).pathname).toBe("/admin/boards/main");
		expect(await minutes.inputValue()).toBe("45");

		// Saved: nothing to ask. Saved from the keyboard, the focus is back on Save (disabled
		// while it saved), beside the "Saved" note, not on the page itself.
		await minutes.fill(stored);
		await lease.getByTestId("settings-lease-save").press("Enter");
		await expect.poll(textOf(lease.getByTestId("settings-lease-saved")), within).toMatch(/Saved/);
		await expect
			.poll(() => admin.evaluate(() => document.activeElement?.getAttribute("data-testid")), within)
			.toBe("settings-lease-save");
		await back.press("Enter");
		await admin.waitForURL("**/admin?tab=boards", within);
		expect(asked).toHaveLength(1);
	});
});
