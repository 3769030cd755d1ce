/**
 * An organisation's people in Chromium, on a 360 px phone (issue 12): an admin sets up
 * single sign-on against a real OpenID Connect provider (tests/utils/oidc-provider.ts)
 * and a member signs in through it; the admin invites from a CSV file with a bad row,
 * which invites nobody until the good rows only are asked for; and reads the audit log
 * filtered, a page at a time, and as a CSV download; a bad capacity is refused beside its
 * field and a refused role change shows the stored role again; a member signed in on a
 * phone takes a new role at once, keeping what they type.
 */
import { readFile } from "node:fs/promises";
import { CSRF_HEADER } from "@switchboard/domain";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityProvider, type TestIdentityProvider } from "../utils/oidc-provider.ts";
import { attribute, fitsPhone, hasChromium, textOf } from "./harness.ts";
import { phoneContext } from "./phone.ts";
import { e2eScene } from "./scene.ts";

const within = { timeout: 15_000 };
const WIDTH = 360;

describe.skipIf(!hasChromium)("an organisation's people on a 360 px phone", () => {
	const scene = e2eScene({ env: { SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER: "1" } });
	let idp: TestIdentityProvider;

	beforeAll(async () => {
		idp = await startIdentityProvider(`${scene.server.url}/api/sso/callback`);
		idp.accounts.set("ambassador1", {
			email: "ambassador1@acme.test",
			email_verified: true,
			name: "Dana",
		});
		idp.accounts.set("nell", {
			email: "nell@acme.test",
			email_verified: true,
			name: "Nell Newbie",
		});
	});
	afterAll(async () => {
		await idp?.close();
	});

	/** A fresh phone-sized context, not signed in. */
	async function phone(): Promise<Page> {
		return scene.keep(await phoneContext(scene.browser, scene.server.url, WIDTH)).newPage();
	}

	/** The admin on `admin` makes member `id` a `role`, as the Members tab's select does. */
	function changeRole(admin: Page, id: string, role: string): Promise<void> {
		return admin.evaluate(
			async ({ id, role, csrf }) => {
				const response = await fetch(`/api/orgs/acme/members/${id}`, {
					method: "PATCH",
					headers: { "content-type": "application/json", [csrf]: "1" },
					body: JSON.stringify({ role }),
				});
				if (!response.ok) throw new Error(`role: ${response.status}`);
			},
			{ id, role, csrf: CSRF_HEADER },
		);
	}

	/** The admin on a phone, on a tab of the admin area. */
	async function adminOn(tab: string): Promise<Page> {
		const page = await phone();
		await scene.enter(page, "admin@acme.test", { path: `/admin?tab=${tab}` });
		return page;
	}

	/**
	 * Through the sign-in page's single sign-on and the provider's login and consent pages,
	 * having opened `from` signed out (the sign-in page itself unless told otherwise).
	 */
	async function signInThroughProvider(
		page: Page,
		email: string,
		login: string,
		from = "/login",
	): Promise<void> {
		await page.goto(from);
		// The email typed for a password goes along into single sign-on's field.
		await page.getByLabel("Email", { exact: true }).fill(email);
		await page.getByTestId("sso-open").click();
		// The field replaced the button that had the focus: it has it now.
		const who = page.getByLabel("Work email or organisation id");
		await expect
			.poll(() => who.evaluate((input) => input === document.activeElement), within)
			.toBe(true);
		expect(await who.inputValue()).toBe(email);
		await page.getByTestId("sso-submit").click();
		await page.waitForURL((url) => url.href.startsWith(idp.issuer), within);
		await page.locator('input[name="login"]').fill(login);
		await page.locator('input[name="password"]').fill("any password");
		await page.locator('button[type="submit"]').click();
		// The consent page, then back to Switchboard.
		await page.locator('input[name="prompt"][value="consent"]').waitFor({
			state: "attached",
			...within,
		});
		await page.locator('button[type="submit"]').click();
	}

	it("configures single sign-on against a real provider, refuses an issuer it cannot read, and signs members in through it", async () => {
		const admin = await adminOn("sso");
		const panel = admin.getByTestId("sso-panel");
		await panel.getByTestId("sso-state").waitFor(within);
		expect(await panel.getByTestId("sso-state").textContent()).toContain("off");
		expect(await panel.getByTestId("sso-redirect-uri").inputValue()).toBe(
			`${scene.server.url}/api/sso/callback`,
		);
		await fitsPhone(admin, '[data-testid="sso-panel"]', "the single sign-on screen");

		// Nothing typed: each field says what it needs, nothing is sent.
		await panel.getByTestId("sso-save").click();
		await expect
			.poll(() => panel.getByTestId("field-error").count(), within)
			.toBeGreaterThanOrEqual(3);

		// An issuer whose discovery document cannot be read is refused beside the field.
		await panel.getByLabel("Issuer URL").fill("http://127.0.0.1:9/nothing");
		await panel.getByLabel("Client id").fill(idp.clientId);
		await panel.getByLabel("Client secret").fill(idp.clientSecret);
		// One bad domain among good ones is named (it was "must be a domain such as …").
		const domains = panel.getByLabel("Email domains");
		await domains.fill("acme.test, acme..example, acme.example");
		await panel.getByTestId("sso-save").click();
		await expect
			.poll(textOf(panel.getByTestId("field-error")), within)
			.toContain('"acme..example" must be a domain such as example.com');
		await domains.fill("acme.test");
		await panel.getByTestId("sso-jit").check();
		await panel.getByTestId("sso-jit-role").selectOption("ambassador");
		await panel.getByTestId("sso-jit-board").selectOption("main");
		await panel.getByTestId("sso-save").click();
		await expect
			.poll(textOf(panel.getByTestId("field-error")), within)
			.toContain("could not be read at http://127.0.0.1:9/nothing");
		expect(await panel.getByLabel("Issuer URL").getAttribute("aria-invalid")).toBe("true");
		expect(await scene.server.switchboard.storage.getSsoConfig("acme")).toBeNull();
		await fitsPhone(admin, '[data-testid="sso-panel"]', "the screen with a refusal");

		await panel.getByLabel("Issuer URL").fill(idp.issuer);
		await panel.getByTestId("sso-save").click();
		await expect
			.poll(textOf(panel.getByTestId("sso-saved")), within)
			.toContain("Saved. Members can sign in");
		expect(await panel.getByTestId("sso-state").textContent()).toContain(idp.issuer);
		const stored = await scene.server.switchboard.storage.getSsoConfig("acme");
		expect(stored).toMatchObject({
			issuer: idp.issuer,
			clientId: idp.clientId,
			allowedDomains: ["acme.test"],
			jit: { enabled: true, role: "ambassador", boardId: "main" },
			ssoOnly: false,
		});
		// The secret is write-only: gone from the field, never in the page, after a reload too.
		expect(await panel.getByLabel("Client secret").inputValue()).toBe("");
		await admin.reload();
		await panel.getByTestId("sso-state").waitFor(within);
		expect(await panel.getByLabel("Issuer URL").inputValue()).toBe(idp.issuer);
		expect(await panel.getByLabel("Client secret").getAttribute("placeholder")).toContain("Stored");
		expect(await admin.content()).not.toContain(idp.clientSecret);
		await fitsPhone(admin, '[data-testid="sso-panel"]', "the screen with single sign-on on");

		// A member who opened their queue signed out signs in through the provider and comes
		// back to it as themself.
		const dana = await phone();
		await signInThroughProvider(dana, "ambassador1@acme.test", "ambassador1", "/queue");
		await dana.waitForURL((url) => url.pathname === "/queue", within);
		await dana.locator(".page-heading h1").waitFor(within);
		const me = await dana.evaluate(async () => (await fetch("/api/me")).json());
		expect(me.member.email).toBe("ambassador1@acme.test");

		// Someone new of an allowed domain joins just in time and lands on the board chosen.
		const nell = await phone();
		await signInThroughProvider(nell, "nell@acme.test", "nell");
		await nell.locator('[data-testid="card"]').first().waitFor({ timeout: 20_000 });
		const joined = await scene.server.switchboard.storage.findMemberByEmail("nell@acme.test");
		expect(joined).toMatchObject({ orgId: "acme", role: "ambassador", active: true });
		const record = await scene.server.switchboard.storage.getMemberRecord("acme", joined!.id);
		expect(record?.boards).toEqual(["main"]);
	});

	it("reports a CSV file's bad row by its line and invites nobody, then invites the good rows only", async () => {
		const admin = await adminOn("members");
		const panel = admin.getByTestId("members-panel");
		await panel.getByTestId("members").waitFor(within);
		// One person: the form's check and the server's refusal are each said at the email.
		const email = panel.getByTestId("invite-email");
		for (const [typed, said] of [
			["not-an-email", "must be an email address"],
			["ambassador2@acme.test", "ambassador2@acme.test already belongs to a member."],
		]) {
			await email.fill(typed ?? "");
			await panel.getByTestId("invite-submit").click();
			await expect.poll(textOf(panel.getByTestId("field-error")), within).toBe(said);
			expect(await email.getAttribute("aria-invalid")).toBe("true");
			expect(await email.evaluate((input) => input === document.activeElement)).toBe(true);
			expect(await panel.getByTestId("invite-outcome").count()).toBe(0);
		}
		await email.fill("");
		// A file with no good row offers nothing to send again: only the file to fix.
		await panel.getByTestId("invite-csv").setInputFiles({
			name: "wrong.csv",
			mimeType: "text/csv",
			buffer: Buffer.from(["email,name,role", "nobody,No One,ambassador"].join("\n")),
		});
		await expect
			.poll(textOf(panel.getByTestId("invite-no-good-rows")), within)
			.toBe("No row can be invited as it is: fix the file, then choose it again.");
		expect(await panel.getByTestId("invite-good-rows").count()).toBe(0);
		const csv = [
			"email,name,role,capacity",
			"csv.one@acme.test,Cleo One,ambassador,4",
			"csv.two@acme.test,Cas Two,wizard,4",
			"csv.three@acme.test,Cy Three,moderator,2",
		].join("\n");
		await panel.getByTestId("invite-csv").setInputFiles({
			name: "people.csv",
			mimeType: "text/csv",
			buffer: Buffer.from(csv),
		});
		const rejected = panel.getByTestId("invite-rejected");
		// This file's refusal, not the last one's still shown while this one is checked.
		await expect
			.poll(() => rejected.locator("li").allTextContents(), within)
			.toEqual([expect.stringMatching(/^Line 3 \(csv\.two@acme\.test\): the role must be /)]);
		const focusedText = () => admin.evaluate(() => document.activeElement?.textContent);
		await expect.poll(focusedText, within).toBe("1 row refused; nobody was invited.");
		expect(await panel.getByTestId("invite-outcome").textContent()).toContain(
			"1 row refused; nobody was invited.",
		);
		const open = async () =>
			(await scene.server.switchboard.storage.listOpenInvitations("acme", { q: "csv.", limit: 10 }))
				.map((invitation) => invitation.email)
				.sort();
		expect(await open()).toEqual([]);
		await fitsPhone(admin, '[data-testid="members-panel"]', "the refused CSV");
		expect(await panel.getByTestId("invite-good-rows").textContent()).toBe(
			"Invite the good 2 rows only",
		);

		await panel.getByTestId("invite-good-rows").click();
		const links = panel.getByTestId("invite-links");
		await links.waitFor(within);
		expect(await links.locator("li").count()).toBe(2);
		expect(await panel.getByTestId("invite-outcome").textContent()).toContain(
			"2 invitations made.",
		);
		// "Invite the good rows only" is gone: focus is on what it did.
		await expect.poll(focusedText, within).toMatch(/^2 invitations made\./);
		expect(await open()).toEqual(["csv.one@acme.test", "csv.three@acme.test"]);
		const pending = panel.locator(
			'[data-testid="pending-invite"][data-email="csv.three@acme.test"]',
		);
		await pending.waitFor(within);
		expect(await pending.textContent()).toContain("Moderator");
		await fitsPhone(admin, '[data-testid="members-panel"]', "the CSV's links");
		// A new link replaces the open one and keeps what the invitation said. This server sends
		// no email: the button promises none, and what it made says so.
		expect(await pending.getByTestId("invite-again").textContent()).toBe("Make a new link");
		await pending.getByTestId("invite-again").click();
		await expect
			.poll(focusedText, within)
			.toBe(
				"1 invitation made. Not sent by email (this server has no mail set up): copy the link and pass it to csv.three@acme.test yourself; it is shown only now.",
			);
		expect(await panel.getByTestId("invite-replaced").textContent()).toBe(
			"csv.three@acme.test already had an open invitation: its earlier link no longer works. The new one keeps the earlier name, role and teams, except those you gave this time.",
		);
		const [fresh] = await scene.server.switchboard.storage.listOpenInvitations("acme", {
			q: "csv.three",
			limit: 1,
		});
		expect(fresh).toMatchObject({ name: "Cy Three", role: "moderator", capacity: 2 });
		await expect.poll(textOf(pending.locator(".admin-item-title")), within).toBe("Cy Three");
		// So does the form with the email alone: its role select, left as it is, says so and
		// sends no role (it made the invited moderator an ambassador).
		const role = panel.getByTestId("invite-role");
		expect(await role.inputValue()).toBe("");
		expect(await role.locator("option:checked").textContent()).toBe(
			"Ambassador, or as already invited",
		);
		await email.fill("csv.three@acme.test");
		await panel.getByTestId("invite-submit").click();
		await expect.poll(focusedText, within).toMatch(/^1 invitation made\./);
		const [again] = await scene.server.switchboard.storage.listOpenInvitations("acme", {
			q: "csv.three",
			limit: 1,
		});
		expect(again).toMatchObject({ name: "Cy Three", role: "moderator" });
		expect(again?.id).not.toBe(fresh?.id);
		// Ambassador chosen is Ambassador given: the role the select shows is the one invited
		// (it showed Ambassador and kept the open link's Moderator).
		await role.selectOption("ambassador");
		await email.fill("csv.three@acme.test");
		await panel.getByTestId("invite-submit").click();
		await expect.poll(focusedText, within).toMatch(/^1 invitation made\./);
		const [chosen] = await scene.server.switchboard.storage.listOpenInvitations("acme", {
			q: "csv.three",
			limit: 1,
		});
		expect(chosen).toMatchObject({ name: "Cy Three", role: "ambassador" });

		// Withdrawn, a row goes and focus moves to the row that took its place; after the last,
		// to the list's heading, which says none is left.
		expect(await panel.getByTestId("pending-invite").count()).toBe(2);
		const focusedLabel = () =>
			admin.evaluate(
				() =>
					document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent,
			);
		for (const [email, next] of [
			["csv.one@acme.test", "Withdraw the invitation of csv.three@acme.test"],
			["csv.three@acme.test", "Pending invitations"],
		]) {
			const row = panel.locator(`[data-testid="pending-invite"][data-email="${email}"]`);
			await row.getByTestId("invite-revoke").click();
			await row.getByTestId("invite-revoke-confirm").click();
			await row.waitFor({ state: "detached", ...within });
			await expect.poll(focusedLabel, within).toBe(next);
		}
		await panel.getByTestId("pending-none").waitFor(within);
		expect(await open()).toEqual([]);
	});

	it("reads the audit log filtered by action, who and period, a page at a time, and downloads the selection as CSV", async () => {
		const admin = await adminOn("audit");
		// Enough entries for more than one page: 60 invitations made through the API.
		const made = await admin.evaluate(async () => {
			const invites = Array.from({ length: 60 }, (_, i) => ({
				email: `audit.${i}@acme.test`,
				role: "ambassador",
			}));
			const response = await fetch("/api/orgs/acme/invites", {
				method: "POST",
				headers: { "content-type": "application/json", "x-switchboard-csrf": "1" },
				body: JSON.stringify({ invites }),
			});
			return response.status;
		});
		expect(made).toBe(201);
		await admin.reload();
		const panel = admin.getByTestId("audit-panel");
		const entries = panel.getByTestId("audit-entry");
		await entries.first().waitFor(within);
		expect(await entries.count()).toBe(50);
		await fitsPhone(admin, '[data-testid="audit-panel"]', "the audit log");

		// Older entries: the next page, none repeated.
		await panel.getByTestId("audit-more").click();
		await expect.poll(() => entries.count(), within).toBeGreaterThan(50);
		const ids = await entries.evaluateAll((items) =>
			items.map((item) => item.getAttribute("data-entry-id")),
		);
		expect(new Set(ids).size).toBe(ids.length);

		// By action: invitations created only.
		await panel.getByTestId("audit-action").selectOption("invitation.created");
		await expect
			.poll(
				async () => new Set(await entries.locator(".admin-item-title").allTextContents()),
				within,
			)
			.toEqual(new Set(["Invitation created"]));
		expect(await entries.first().textContent()).toContain("by Alex Admin");
		// Each names the invitation by its email, not by its id.
		expect(await entries.first().getByTestId("audit-target").textContent()).toMatch(
			/^Invitation: audit\.\d+@acme\.test$/,
		);
		// And the boards it opens by their names, not their ids.
		await expect
			.poll(() => entries.first().locator(".audit-details").textContent(), within)
			.toContain("boards: Acme mentions");

		// By who, found by typing: a member who did none of it.
		const who = panel.getByTestId("audit-actor");
		await who.fill("sam");
		await panel.getByTestId("audit-actor-option").filter({ hasText: "Sam Ambassador" }).click();
		expect(await who.getAttribute("data-value")).toBe(
			await scene.memberId("ambassador2@acme.test"),
		);
		await panel.getByTestId("audit-empty").waitFor(within);
		await who.click();
		await panel.getByTestId("audit-actor-option").filter({ hasText: "Anyone" }).click();
		await entries.first().waitFor(within);

		// By period: nothing from tomorrow on; today's entries from today.
		const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
		await panel.getByTestId("audit-from").fill(tomorrow);
		await panel.getByTestId("audit-empty").waitFor(within);
		await panel.getByTestId("audit-from").fill(new Date().toISOString().slice(0, 10));
		await entries.first().waitFor(within);
		// A period that ends before it starts: said at To, and no entries pass for its answer.
		const to = panel.getByTestId("audit-to");
		await to.fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
		await expect.poll(attribute(to, "aria-invalid"), within).toBe("true");
		expect(await entries.count()).toBe(0);
		expect(await textOf(panel.getByTestId("field-error"))()).toContain("To is before From");
		expect(await panel.getByTestId("audit-no-period").textContent()).toContain("No entries shown");
		await fitsPhone(admin, '[data-testid="audit-panel"]', "the audit log with a wrong period");
		await to.fill("");
		await entries.first().waitFor(within);

		// The download is the selection, whole: every invitation made, one line each.
		const [download] = await Promise.all([
			admin.waitForEvent("download", within),
			panel.getByTestId("audit-csv").click(),
		]);
		expect(download.suggestedFilename()).toMatch(/^switchboard-audit-acme-\d{4}-\d{2}-\d{2}\.csv$/);
		const text = await readFile((await download.path()) ?? "", "utf8");
		const lines = text.split("\r\n").filter(Boolean);
		expect(lines[0]).toBe("at,actor,actor_name,action,target_type,target_id,details");
		const created = await scene.server.switchboard.storage.listAuditEntries("acme", {
			actions: ["invitation.created"],
			limit: 1000,
		});
		expect(lines.slice(1)).toHaveLength(created.length);
		expect(lines.slice(1).every((line) => line.includes(",invitation.created,"))).toBe(true);
		expect(text).toContain("audit.59@acme.test");
	});

	it("refuses an emptied or out-of-range capacity beside its field without saving, and shows the stored role after a refused role change", async () => {
		const admin = await adminOn("members");
		const panel = admin.getByTestId("members-panel");
		const kim = panel.locator('[data-testid="member"][data-email="ambassador3@acme.test"]');
		await kim.waitFor(within);
		const stored = async () =>
			(await scene.server.switchboard.storage.findMemberByEmail("ambassador3@acme.test"))?.capacity;
		const patches: string[] = [];
		admin.on("request", (request) => {
			if (request.method() === "PATCH") patches.push(request.url());
		});
		const capacity = kim.getByTestId("member-capacity");
		const problem = kim.getByTestId("field-error");
		for (const bad of ["", "-3", "5000", "2.5"]) {
			await capacity.fill(bad);
			await capacity.press("Tab");
			await problem.waitFor(within);
			expect(await problem.textContent(), `capacity "${bad}"`).toBe(
				"Capacity must be a whole number from 0 to 1000.",
			);
			expect(await capacity.getAttribute("aria-invalid")).toBe("true");
			expect(await capacity.inputValue(), "the field keeps what was typed").toBe(bad);
		}
		expect(patches).toEqual([]);
		expect(await stored()).toBe(5);
		await fitsPhone(admin, '[data-testid="members-panel"]', "a refused capacity");

		await capacity.fill("4");
		await capacity.press("Tab");
		await problem.waitFor({ state: "detached", ...within });
		await expect.poll(stored, within).toBe(4);
		expect(await capacity.getAttribute("aria-invalid")).toBeNull();
		// Saved, it says so, as a role saved does, in the member's note, a status read out.
		const note = kim.getByTestId("member-note");
		await expect.poll(textOf(note), within).toBe("Kim Ambassador's capacity is now 4.");
		expect(await note.getAttribute("role")).toBe("status");
		expect(await note.isVisible()).toBe(true);

		// A role chosen is not given yet: it is saved on purpose (an arrow key on the select
		// changed it, and saved it, at once).
		const role = kim.getByTestId("member-role");
		await role.focus();
		await admin.keyboard.press("ArrowDown");
		await kim.getByTestId("member-role-keep").waitFor(within);
		expect(patches).toHaveLength(1);
		await kim.getByTestId("member-role-keep").click();
		expect(await role.inputValue()).toBe("ambassador");
		expect(patches).toHaveLength(1);
		// Saved, a role is said to be, and focus goes from Save role, gone, to the role.
		await role.selectOption("moderator");
		await kim.getByTestId("member-role-save").click();
		await expect
			.poll(textOf(kim.getByTestId("member-note")), within)
			.toBe("Kim Ambassador's role is now Moderator.");
		await expect
			.poll(() => role.evaluate((select) => select === document.activeElement), within)
			.toBe(true);
		await role.selectOption("ambassador");
		await kim.getByTestId("member-role-save").click();
		await expect
			.poll(textOf(kim.getByTestId("member-note")), within)
			.toBe("Kim Ambassador's role is now Ambassador.");
		expect(patches).toHaveLength(3);

		// The demo's only admin demotes themself: refused, and the select says Admin again.
		const me = panel.locator('[data-testid="member"][data-email="admin@acme.test"]');
		await me.getByTestId("member-role").selectOption("moderator");
		await me.getByTestId("member-role-save").click();
		const refusal = me.getByTestId("member-error");
		await refusal.waitFor(within);
		expect(await refusal.textContent()).toContain("last active admin");
		expect(await me.getByTestId("member-role").inputValue()).toBe("admin");
		// Deactivating themself, the admin is asked about their own account, not a third person's.
		await me.getByTestId("member-deactivate").click();
		await expect
			.poll(textOf(me.locator(".confirm-question")), within)
			.toBe(
				"Deactivate your own account? You are signed out at once and your open conversations go back to the board.",
			);
		await me.getByTestId("member-deactivate-confirm").press("Escape");

		// The audit log names the member the change was about, and the change in words.
		await admin.getByTestId("admin-tab-audit").click();
		const entry = admin.getByTestId("audit-entry").filter({ hasText: "capacity: 5 → 4" });
		await entry.waitFor(within);
		expect(await entry.getByTestId("audit-target").textContent()).toBe(
			"Member: Kim Ambassador (ambassador3@acme.test)",
		);
		expect(await admin.getByTestId("audit-action").locator("option").allTextContents()).toContain(
			"Single sign-on configured",
		);
	});

	it("shows a member the pages of the role an admin gives them while they are signed in, at once, keeping what they type", async () => {
		const sam = await scene.onPhone("ambassador2@acme.test");
		const coverage = sam.getByTestId("nav-coverage");
		const told = sam.getByTestId("toast-info").locator(".toast-message").last();
		await sam.getByTestId("board-count").waitFor(within);
		expect(await coverage.count()).toBe(0);
		// Sam is typing a reply when the change comes.
		await sam.goto(`/m/${scene.fresh().id}`);
		await sam.locator('[data-testid="editor-content"]').click();
		await sam.keyboard.type("Thanks for");
		const admin = await adminOn("members");
		const samId = await scene.memberId("ambassador2@acme.test");
		const setRole = (role: string) => changeRole(admin, samId, role);
		await setRole("moderator");
		// No reload, no 30 s wait: the server closes Sam's socket, and the app reads the new role.
		await expect.poll(textOf(told), within).toBe("Your role is now Moderator.");
		// The page stayed as it was: the reply goes on where Sam left it.
		await sam.keyboard.type(" waiting.");
		expect(await sam.getByTestId("editor-content").textContent()).toBe("Thanks for waiting.");
		await sam.getByTestId("menu-button").click();
		expect(await sam.locator(".me-role").textContent()).toBe("moderator");
		await coverage.click();
		await sam.getByTestId("breach-count").waitFor(within);

		// And back while on Coverage: the page leaves for the board and says why.
		await setRole("ambassador");
		await expect
			.poll(textOf(told), within)
			.toBe("Your role is now Ambassador: Coverage and Reviews are for moderators.");
		await sam.getByTestId("board-count").waitFor(within);
		expect(new URL(sam.url()).pathname).toBe("/");
		expect(await coverage.count()).toBe(0);
		await fitsPhone(sam, ".toasts", "the board telling Sam the new role");
	});

	it("follows the live board in a member's count of the conversations they hold", async () => {
		const { storage, board } = scene.server.switchboard;
		const admin = await adminOn("members");
		const danaId = await scene.memberId("ambassador1@acme.test");
		const load = admin.locator('[data-email="ambassador1@acme.test"]').getByTestId("member-load");
		await load.waitFor(within);
		const holds = async () => Number(/holds (\d+)/.exec((await load.textContent()) ?? "")?.[1]);
		const before = await holds();
		const mention = scene.fresh();
		const run = async (name: "claim" | "release") => {
			const outcome = await storage.executeCommand({
				orgId: "acme",
				boardId: "main",
				actorId: danaId,
				commandId: crypto.randomUUID(),
				command: { name, args: { mentionId: mention.id } },
				now: new Date().toISOString(),
			});
			expect(outcome, name).toMatchObject({ ok: true });
			const stored = await storage.getMention("acme", mention.id);
			if (stored) await board.publish("acme", "main", [stored]);
		};
		// Dana claims one elsewhere: the admin's list says so without a reload.
		await run("claim");
		await expect.poll(holds, within).toBe(before + 1);
		await run("release");
		await expect.poll(holds, within).toBe(before);
	});

	it("keeps a comment asking for changes that a member was typing when they stopped being a moderator", async () => {
		const { storage, board } = scene.server.switchboard;
		const mention = scene.fresh();
		const danaId = await scene.memberId("ambassador1@acme.test");
		for (const command of [
			{ name: "claim", args: { mentionId: mention.id } },
			{ name: "submitForReview", args: { mentionId: mention.id, hash: "a".repeat(64) } },
		] as const) {
			const outcome = await storage.executeCommand({
				orgId: "acme",
				boardId: "main",
				actorId: danaId,
				commandId: crypto.randomUUID(),
				command,
				now: new Date().toISOString(),
			});
			expect(outcome, command.name).toMatchObject({ ok: true });
		}
		const stored = await storage.getMention("acme", mention.id);
		if (stored) await board.publish("acme", "main", [stored]);
		const admin = await adminOn("members");
		const samId = await scene.memberId("ambassador2@acme.test");
		const setRole = (role: string) => changeRole(admin, samId, role);
		await setRole("moderator");
		const sam = await scene.person("ambassador2@acme.test", "/reviews");
		const told = sam.getByTestId("toast-info").locator(".toast-message").last();
		const card = sam.locator(`[data-testid="review-card"][data-mention-id="${mention.id}"]`);
		await card.getByTestId("changes-comment").fill("Say sorry first, please.");

		// Demoted on Reviews: the page goes, the comment stays, and Sam is told where.
		await setRole("ambassador");
		await expect
			.poll(textOf(told), within)
			.toBe(
				"Your role is now Ambassador: Coverage and Reviews are for moderators. The comment you were typing to ask for changes is kept, not sent, on its conversation's page.",
			);
		await sam.goto(`/m/${mention.id}`);
		const kept = sam.getByTestId("kept-review-comment");
		await kept.waitFor(within);
		expect(await kept.textContent()).toContain("Your role is now Ambassador");
		expect(await kept.getByTestId("kept-review-comment-text").textContent()).toBe(
			"Say sorry first, please.",
		);

		// A moderator again: the comment is back in its field, to go on with.
		await setRole("moderator");
		const field = sam.getByTestId("changes-comment");
		await field.waitFor(within);
		expect(await field.inputValue()).toBe("Say sorry first, please.");
		expect(await kept.count()).toBe(0);
		await field.press("End");
		await field.pressSequentially(" And thank them.");
		// Demoted while typing on the conversation: the form goes, what was typed stays in view.
		await setRole("ambassador");
		await kept.waitFor(within);
		expect(await kept.getByTestId("kept-review-comment-text").textContent()).toBe(
			"Say sorry first, please. And thank them.",
		);
		expect(await field.count()).toBe(0);
		await sam.reload();
		await kept.waitFor(within);
		await kept.getByTestId("discard-review-comment").click();
		await kept.waitFor({ state: "detached", ...within });
		await sam.reload();
		await sam.getByTestId("review-waiting").waitFor(within);
		expect(await kept.count()).toBe(0);
	});

	it("reaches every pending invitation of a large import, fifty at a time, and says which links it lists", async () => {
		const admin = await adminOn("members");
		const panel = admin.getByTestId("members-panel");
		await panel.getByTestId("members").waitFor(within);
		const csv = [
			"email,name,role,capacity",
			...Array.from({ length: 230 }, (_, i) => `wave${i}@acme.test,Wave ${i},ambassador,3`),
		].join("\n");
		await panel.getByTestId("invite-csv").setInputFiles({
			name: "wave.csv",
			mimeType: "text/csv",
			buffer: Buffer.from(csv),
		});
		await panel.getByTestId("invite-links").waitFor(within);
		expect(await panel.getByTestId("invite-links").locator("li").count()).toBe(200);
		expect(await panel.getByTestId("invite-links-more").textContent()).toContain(
			"The first 200 of 230 links",
		);
		const pending = panel.getByTestId("pending-invite");
		await expect.poll(() => pending.count(), within).toBe(50);
		await panel.getByTestId("invites-more").click();
		await expect.poll(() => pending.count(), within).toBe(100);
		await fitsPhone(admin, '[data-testid="members-panel"]', "a large import's pending invitations");
	});
});
