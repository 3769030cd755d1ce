/**
 * The admin area, connected accounts and sending a reply, in Chromium against a real
 * server: a feed source that fails and then works (its error shown on the source, its
 * matching item on an ambassador's board), a webhook source whose secret is shown once
 * with an example that works as pasted, the admin area closed to ambassadors, and a
 * reply sent from a connected Mastodon account (a local stand-in), failed and retried.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { pollMastodon, signatureHeaders } from "@switchboard/connectors";
import {
	STAND_IN_TOKEN,
	type StandInMastodon,
	standInOutbound,
	startMastodonStandIn,
} from "@switchboard/connectors/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	attribute,
	expectRefusedAt,
	hasChromium,
	seriousAxeViolations,
	serviceWorkers,
	textOf,
} from "./harness.ts";
import { horizontalOverflow, smallTargets } from "./phone.ts";
import { e2eScene } from "./scene.ts";

const hasShellTools = ["/usr/bin/openssl", "/usr/bin/curl", "/bin/bash"].every((path) =>
	existsSync(path),
);

const within = { timeout: 15_000 };

/** A feed server on 127.0.0.1 whose answer the test changes between polls. */
interface FeedServer {
	url: string;
	answer: { status: number; body: string };
	close(): Promise<void>;
}

async function startFeedServer(): Promise<FeedServer> {
	const feed: FeedServer = {
		url: "",
		answer: { status: 500, body: "Internal Server Error" },
		close: async () => {},
	};
	const server: Server = createServer((_request, response) => {
		response.writeHead(feed.answer.status, { "content-type": "application/rss+xml" });
		response.end(feed.answer.body);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	feed.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status.xml`;
	feed.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
	return feed;
}

function rss(items: { guid: string; title: string; description: string }[]): string {
	const pubDate = new Date().toUTCString();
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Acme status</title><link>http://127.0.0.1/</link><language>en</language>
${items
	.map(
		(
			item,
		) => `<item><title>${item.title}</title><link>http://127.0.0.1/incidents/${item.guid}</link>
<guid isPermaLink="false">${item.guid}</guid><description>${item.description}</description><pubDate>${pubDate}</pubDate></item>`,
	)
	.join("\n")}
</channel></rss>`;
}

describe.skipIf(!hasChromium)("the admin area, connected accounts and sends in Chromium", () => {
	const scene = e2eScene();
	const { person } = scene;
	let feed: FeedServer;
	let mastodon: StandInMastodon;

	async function openAdmin(page: Page): Promise<void> {
		await page.getByTestId("nav-admin").click();
		await page.getByTestId("admin-page").waitFor(within);
	}

	/** Open the new-source form and pick a kind by its card's description, as a thumb would. */
	async function newSource(page: Page, kind: string, name: string): Promise<void> {
		await page.getByTestId("source-add").click();
		const form = page.getByTestId("source-form");
		await form.getByTestId(`source-kind-option-${kind}`).locator(".kind-hint").click();
		expect(await form.getByTestId(`source-kind-${kind}`).isChecked(), `${kind} picked`).toBe(true);
		await form.getByLabel("Name").fill(name);
	}

	beforeAll(async () => {
		feed = await startFeedServer();
		mastodon = await startMastodonStandIn();
	});

	afterAll(async () => {
		await feed?.close();
		await mastodon?.close();
	});

	it("shows a failing feed's error on its source, then brings its matching item to an ambassador's board", async () => {
		const admin = await person("admin@acme.test");
		await openAdmin(admin);
		const focusedTestId = () =>
			admin.evaluate(() => document.activeElement?.getAttribute("data-testid"));
		// A form closed takes its buttons with it: Cancel gives focus back to the button that opened it.
		await admin.getByTestId("source-add").click();
		await admin.getByTestId("source-form").getByRole("button", { name: "Cancel" }).click();
		await expect.poll(focusedTestId, within).toBe("source-add");
		await newSource(admin, "rss", "Status page watch");
		const form = admin.getByTestId("source-form");
		// Saved without a name or a feed: each field says what it needs, and the first has focus.
		const name = form.getByLabel("Name");
		await name.fill("");
		await form.getByTestId("source-submit").click();
		await expect
			.poll(() => name.evaluate((input) => input === document.activeElement), within)
			.toBe(true);
		for (const [field, said] of [
			[name, "Give the source a name."],
			[form.getByLabel("Feed URL (RSS or Atom)"), "Enter the feed's URL."],
		] as const) {
			expect(await field.getAttribute("aria-invalid")).toBe("true");
			const described = await field.evaluate((input) =>
				(input.getAttribute("aria-describedby") ?? "")
					.split(" ")
					.map((id) => document.getElementById(id)?.textContent)
					.join(" "),
			);
			expect(described).toContain(said);
		}
		await name.fill("Status page watch");
		// A private address the operator did not open (only 127.0.0.1 is): refused at the field.
		const feedUrl = form.getByLabel("Feed URL (RSS or Atom)");
		await feedUrl.fill("http://10.0.0.1/feed.xml");
		await form.getByTestId("source-submit").click();
		await expect.poll(() => feedUrl.getAttribute("aria-invalid"), within).toBe("true");
		expect(await feedUrl.evaluate((input) => input === document.activeElement)).toBe(true);
		expect(
			await feedUrl.evaluate((input) =>
				(input.getAttribute("aria-describedby") ?? "")
					.split(" ")
					.map((id) => document.getElementById(id)?.textContent)
					.join(" "),
			),
		).toMatch(/10\.0\.0\.1 is a private address: .*\(SWITCHBOARD_OUTBOUND_ALLOW\)\./);
		expect(await form.getByTestId("source-form-error").count()).toBe(0);
		await feedUrl.fill(feed.url);
		await form.getByLabel("Keywords").fill("outage, down");
		await form.getByLabel("Poll every (seconds)").fill("60");
		await form.getByTestId("source-submit").click();

		const source = admin.getByTestId("source").filter({ hasText: "Status page watch" });
		await source.waitFor(within);
		// Created: focus is on the new source's name, not lost to the page.
		await expect
			.poll(
				() => source.getByTestId("source-name").evaluate((name) => name === document.activeElement),
				within,
			)
			.toBe(true);
		const sourceId = await source.getAttribute("data-source-id");
		expect(sourceId).toBeTruthy();
		expect(await source.getByTestId("source-status").textContent()).toContain(feed.url);
		expect(await source.getAttribute("data-kind")).toBe("rss");

		// The server polls it (the background loop may get there first; either records the error).
		await scene.server.switchboard.integrations.poller.runOnce(new Date());
		await expect
			.poll(
				async () =>
					(await scene.server.switchboard.storage.getSource("acme", sourceId!))?.status.lastError,
				within,
			)
			.toMatch(/HTTP 500/);
		await admin.getByTestId("sources-refresh").click();
		await expect
			.poll(textOf(source.getByTestId("source-error")), within)
			.toContain("The feed answered HTTP 500");
		// And what to do about it: here, nothing.
		expect(await textOf(source.getByTestId("source-error-advice"))()).toBe(
			"The feed's site failed on its side: nothing to change here. Polling goes on, less often, until it answers.",
		);
		expect(await source.getByTestId("source-health").getAttribute("data-health")).toBe("failing");
		expect(await source.getByTestId("source-failures").textContent()).toBe("1");
		expect(await admin.getByTestId("sources-failing").textContent()).toContain("1 source failed");

		// The feed recovers: one item matches a keyword, one does not.
		feed.answer = {
			status: 200,
			body: rss([
				{
					guid: "incident-41",
					title: "Partial outage in the Zanzibar region",
					description: "Logins fail for some customers.",
				},
				{
					guid: "notice-42",
					title: "New quokka stickers in the shop",
					description: "Nothing is wrong.",
				},
			]),
		};
		// Past the backoff after the failure.
		const reports = await scene.server.switchboard.integrations.poller.runOnce(
			new Date(Date.now() + 60 * 60_000),
		);
		expect(reports).toContainEqual(
			expect.objectContaining({ sourceId, ok: true, accepted: 1, error: null }),
		);
		await admin.getByTestId("sources-refresh").click();
		await expect.poll(() => source.getByTestId("source-error").count(), within).toBe(0);
		expect(await source.getByTestId("source-health").getAttribute("data-health")).toBe("ok");

		const dana = await person("ambassador1@acme.test");
		await dana.getByTestId("filter-search").fill("Zanzibar");
		const card = dana
			.getByTestId("card")
			.filter({ hasText: "Partial outage in the Zanzibar region" });
		await card.waitFor(within);
		expect(await card.getAttribute("data-status")).toBe("new");
		// The item without a keyword never became a mention.
		const stored = await scene.server.switchboard.storage.listMentions("acme", "main", {});
		expect(stored.filter(({ mention }) => mention.text.includes("Zanzibar"))).toHaveLength(1);
		expect(stored.filter(({ mention }) => mention.text.includes("quokka"))).toEqual([]);
	});

	it("creates a Mastodon source that polls, and edits its keywords keeping the stored token", async () => {
		const admin = await person("admin@acme.test");
		await openAdmin(admin);
		await newSource(admin, "mastodon", "Acme on Mastodon");
		const form = admin.getByTestId("source-form");
		await form.getByLabel("Instance URL").fill(mastodon.url);
		await form.getByLabel("Access token").fill(STAND_IN_TOKEN);
		await form.getByLabel("Keywords").fill("parcel");
		await form.getByTestId("source-submit").click();
		const source = admin.getByTestId("source").filter({ hasText: "Acme on Mastodon" });
		await source.waitFor(within);
		const sourceId = (await source.getAttribute("data-source-id"))!;
		const { storage, integrations } = scene.server.switchboard;
		const polled = async () => (await storage.getSource("acme", sourceId))?.status;

		await integrations.poller.runOnce(new Date());
		await expect.poll(async () => (await polled())?.lastPolledAt ?? null, within).not.toBeNull();
		expect((await polled())?.lastError).toBeNull();
		await admin.getByTestId("sources-refresh").click();
		await expect
			.poll(attribute(source.getByTestId("source-health"), "data-health"), within)
			.toBe("ok");
		expect(await admin.content()).not.toContain(STAND_IN_TOKEN);

		const edit = source.getByTestId("source-edit-form");
		const has = (testId: string) =>
			source
				.getByTestId(testId)
				.evaluate((element) => element === document.activeElement)
				.catch(() => false);
		// Edit cancelled gives focus back to Edit; saved, it goes to the source's name.
		await source.getByTestId("source-edit").click();
		await edit.getByRole("button", { name: "Cancel" }).click();
		await expect.poll(() => has("source-edit"), within).toBe(true);
		await source.getByTestId("source-edit").click();
		expect(await edit.getByLabel("Instance URL").inputValue()).toBe(mastodon.url);
		expect(await edit.getByLabel("Access token").inputValue()).toBe("");
		await edit.getByLabel("Keywords").fill("parcel, refund");
		await edit.getByTestId("source-submit").click();
		await edit.waitFor({ state: "detached", ...within });
		await expect.poll(() => has("source-name"), within).toBe(true);
		expect(await source.getByTestId("source-status").textContent()).toContain("refund");
		expect((await storage.getSource("acme", sourceId))?.config.keywords).toEqual([
			"parcel",
			"refund",
		]);
		// A new config polls again at once (by the test or the background loop), with the
		// token stored at creation: the next poll is an interval away and no error is recorded.
		const edited = Date.now();
		await integrations.poller.runOnce(new Date());
		await expect
			.poll(async () => Date.parse((await polled())?.nextPollAt ?? "") - edited, within)
			.toBeGreaterThan(60_000);
		expect((await polled())?.lastError).toBeNull();
	});

	it("creates a webhook source and shows its secret once, with a signed example that works", async () => {
		const admin = await person("admin@acme.test");
		await openAdmin(admin);
		await newSource(admin, "webhook", "Support forum");
		await admin.getByTestId("source-form").getByTestId("source-submit").click();

		const once = admin.getByTestId("secret-once");
		await once.waitFor(within);
		const secret = await once.getByTestId("secret").inputValue();
		expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{20,}$/);
		const source = admin.getByTestId("source").filter({ hasText: "Support forum" });
		await source.waitFor(within);
		const sourceId = await source.getAttribute("data-source-id");
		const postUrl = `${scene.server.url}/api/orgs/acme/sources/${sourceId}/webhook`;
		expect(await once.getByTestId("secret-url").inputValue()).toBe(postUrl);
		const curl = await once.getByTestId("secret-curl").inputValue();
		expect(curl).toContain(secret);
		expect(curl).toContain("x-switchboard-signature: sha256=");
		expect(await once.textContent()).toMatch(/shown only this once/);

		if (hasShellTools) {
			// The example works as pasted: the mention is accepted.
			const { stdout } = await promisify(execFile)("/bin/bash", ["-c", curl], {
				timeout: 10_000,
			});
			expect(JSON.parse(stdout)).toMatchObject({ accepted: 1, duplicates: 0 });
		}

		await once.getByTestId("secret-done").click();
		await once.waitFor({ state: "detached", ...within });
		// Never shown again: not after a reload, not in the source's details.
		await admin.reload();
		await admin.getByTestId("source").filter({ hasText: "Support forum" }).waitFor(within);
		expect(await admin.content()).not.toContain(secret);
		expect(
			await admin
				.getByTestId("source")
				.filter({ hasText: "Support forum" })
				.getByTestId("source-webhook-url")
				.inputValue(),
		).toBe(postUrl);

		// Its badge says what it did with deliveries: none yet (or the example's), then a refused
		// one with why, fitting a phone, until a delivery is accepted again.
		const hook = admin.getByTestId("source").filter({ hasText: "Support forum" });
		const health = attribute(hook.getByTestId("source-health"), "data-health");
		expect(await textOf(hook.getByTestId("source-health"))()).toBe(
			hasShellTools ? "Receiving" : "No delivery recorded yet",
		);
		const send = (key: string, externalId: string) => {
			const body = JSON.stringify({
				network: "other",
				externalId,
				url: `https://forum.example/t/${externalId}`,
				author: { handle: "jo" },
				text: "A test of the Support forum webhook",
				postedAt: new Date().toISOString(),
			});
			return fetch(postUrl, {
				method: "POST",
				headers: { "content-type": "application/json", ...signatureHeaders(key, body) },
				body,
			});
		};
		expect((await send("whsec_wrong", "hook-refused")).status).toBe(401);
		await admin.getByTestId("sources-refresh").click();
		await expect.poll(health, within).toBe("failing");
		expect(await textOf(hook.getByTestId("source-health"))()).toBe("Refusing deliveries");
		// With what to check: the sender's secret, or a new one.
		expect(await textOf(hook.getByTestId("source-refusal"))()).toBe(
			"Refused a delivery just now: The signature did not match the source's secret. Check that the sender signs with this source's current secret, over the body exactly as sent. If nobody has the secret any more, rotate it and give the sender the new one.",
		);
		expect(await textOf(admin.getByTestId("sources-failing"))()).toContain(
			"1 webhook is refusing deliveries.",
		);
		await admin.setViewportSize({ width: 360, height: 780 });
		const { overflow, culprits } = await horizontalOverflow(admin);
		expect(overflow, `360 px scrolls sideways: ${culprits.join(", ")}`).toBeLessThanOrEqual(0);

		expect((await send(secret, "hook-accepted")).status).toBe(202);
		await admin.getByTestId("sources-refresh").click();
		await expect.poll(health, within).toBe("ok");
		expect(await textOf(hook.getByTestId("source-health"))()).toBe("Receiving");
		expect(await textOf(hook.getByTestId("source-last-delivery"))()).toBe("just now");
		expect(await hook.getByTestId("source-refusal").count()).toBe(0);
	});

	it("keeps triage rules and outgoing webhooks editable by the admin", async () => {
		const admin = await person("admin@acme.test");
		await openAdmin(admin);
		await admin.getByTestId("admin-tab-rules").click();
		const ruleForm = admin.getByTestId("rule-form");
		await ruleForm.getByTestId("rule-match-by").selectOption("phrase");
		await ruleForm.getByLabel("Phrase").fill("money back");
		await ruleForm.getByLabel("Minimum author reach").fill("100");
		await ruleForm.getByLabel("Add tags").fill("billing, refunds");
		await ruleForm.getByLabel("Set priority").selectOption("high");
		await ruleForm.getByLabel("Needs skill").fill("finance");
		await ruleForm.getByTestId("rule-submit").click();
		const rule = admin.getByTestId("rule").filter({ hasText: "money back" });
		await rule.waitFor(within);
		await expect
			.poll(() => scene.server.switchboard.storage.getTriageRules("acme"), within)
			.toEqual([
				{
					id: "money-back",
					match: { phrase: "money back", minReach: 100 },
					apply: { tags: ["billing", "refunds"], priority: "high", skill: "finance" },
				},
			]);
		// A rule that does nothing is refused before it reaches the server, at its first effect,
		// which takes the focus; nothing is said for the whole form.
		await ruleForm.getByLabel("Phrase").fill("hello");
		await ruleForm.getByTestId("rule-submit").click();
		const tags = ruleForm.getByLabel("Add tags");
		await expect.poll(attribute(tags, "aria-invalid"), within).toBe("true");
		const tagsProblem = ruleForm.locator(`#${await tags.getAttribute("id")}-error`);
		expect(await tagsProblem.textContent()).toContain("Say what the rule does");
		expect(await tags.getAttribute("aria-describedby")).toContain(
			await tagsProblem.getAttribute("id"),
		);
		expect(await tags.evaluate((input) => input === document.activeElement)).toBe(true);
		expect(await ruleForm.getByTestId("rules-error").count()).toBe(0);
		await rule.getByTestId("rule-remove").click();
		await rule.waitFor({ state: "detached", ...within });
		expect(await scene.server.switchboard.storage.getTriageRules("acme")).toEqual([]);

		await admin.getByTestId("admin-tab-webhooks").click();
		await admin.getByTestId("webhook-add").click();
		const hookForm = admin.getByTestId("webhook-form");
		// A space typed into the URL stays while typing, and is refused at the field on submit.
		const hookUrl = hookForm.getByLabel("URL");
		await hookUrl.pressSequentially("http://127.0.0.1:9/my hook");
		expect(await hookUrl.inputValue()).toBe("http://127.0.0.1:9/my hook");
		await hookForm.getByTestId("webhook-submit").click();
		await expect.poll(attribute(hookUrl, "aria-invalid"), within).toBe("true");
		expect(await textOf(hookForm.getByTestId("field-error"))()).toContain("has a space in it");
		expect(await scene.server.switchboard.storage.listWebhookEndpoints("acme")).toEqual([]);
		// Spaces around it are trimmed when the field is left.
		// Nothing listens there: the delivery fails and is kept with its error.
		await hookUrl.fill("  http://127.0.0.1:9/hook ");
		await hookUrl.press("Tab");
		expect(await hookUrl.inputValue()).toBe("http://127.0.0.1:9/hook");
		await hookForm.getByTestId("webhook-event-mention.high_priority").uncheck();
		await hookForm.getByTestId("webhook-event-mention.sla_breached").uncheck();
		await hookForm.getByTestId("webhook-submit").click();
		await admin.getByTestId("secret-once").waitFor(within);
		expect(await admin.getByTestId("secret").inputValue()).toMatch(/^whsec_/);
		await admin.getByTestId("secret-done").click();
		const hook = admin.getByTestId("webhook").filter({ hasText: "http://127.0.0.1:9/hook" });
		expect(await hook.getByTestId("webhook-events").textContent()).toMatch(
			/mention\.claimed.*mention\.replied/,
		);
		const webhookId = (await hook.getAttribute("data-webhook-id"))!;
		const { storage, integrations } = scene.server.switchboard;
		const endpoint = await storage.getWebhookEndpoint("acme", webhookId);
		expect(endpoint?.events).toEqual(["mention.claimed", "mention.replied"]);

		// An event for it, attempted until the dispatcher gives up (8 attempts, backing off).
		await storage.enqueueWebhookEvent({
			orgId: "acme",
			event: "mention.claimed",
			dedupeKey: "e2e:claimed",
			payload: { orgId: "acme", mentionId: "e2e-marker" },
			now: new Date().toISOString(),
		});
		const ours = async () =>
			(await storage.listWebhookDeliveries("acme", { endpointId: webhookId })).find(
				(delivery) => delivery.payload.mentionId === "e2e-marker",
			);
		for (let hour = 1; hour <= 12 && (await ours())?.status !== "failed"; hour++) {
			await integrations.dispatcher.runOnce(new Date(Date.now() + hour * 3_600_000));
		}
		const given = (await ours())!;
		expect(given).toMatchObject({ status: "failed", attempts: 8 });

		await hook.getByTestId("webhook-deliveries-toggle").click();
		const delivery = hook.locator(`[data-testid="delivery"][data-delivery-id="${given.id}"]`);
		await delivery.waitFor(within);
		expect(await delivery.getAttribute("data-status")).toBe("failed");
		expect(await delivery.getByTestId("delivery-attempts").textContent()).toBe("8");
		expect((await delivery.getByTestId("delivery-error").textContent())?.trim()).not.toBe("–");
		await delivery.getByTestId("delivery-retry").click();
		await expect.poll(attribute(delivery, "data-status"), within).toBe("pending");
		expect(await delivery.getByTestId("delivery-next-retry").textContent()).not.toBe("–");
		expect((await ours())?.status).not.toBe("failed");
		await hook.getByTestId("webhook-delete").click();
		await hook.getByTestId("webhook-delete-confirm").click();
		await hook.waitFor({ state: "detached", ...within });
		expect(await scene.server.switchboard.storage.listWebhookEndpoints("acme")).toEqual([]);
	});

	it("keeps the admin area from ambassadors", async () => {
		const sam = await person("ambassador2@acme.test");
		expect(await sam.getByTestId("nav-admin").count()).toBe(0);
		expect(await sam.getByTestId("nav-settings").count()).toBe(1);
		await sam.goto("/admin");
		const forbidden = sam.getByTestId("admin-forbidden");
		await forbidden.waitFor(within);
		expect(await forbidden.textContent()).toContain("This page is for admins");
		expect(await sam.getByTestId("sources-panel").count()).toBe(0);
	});

	it("sends a reply from a connected Mastodon account: a failed send shows its error and is retried", async () => {
		const ana = { id: "7", username: "ana", display_name: "Ana", followers_count: 50 };
		const status = mastodon.addStatus({
			account: ana,
			text: "my wombat-shaped parcel never came",
			mention: true,
		});
		const { mentions } = await pollMastodon({
			outbound: standInOutbound(),
			instanceUrl: mastodon.url,
			accessToken: STAND_IN_TOKEN,
			now: new Date(),
		});
		const { stored } = await scene.server.switchboard.integrations.ingestor.ingest(
			"acme",
			"main",
			mentions.filter((mention) => mention.externalId === status.uri),
		);
		const mentionId = stored[0]!.mention.id;

		const kim = await person("ambassador3@acme.test");
		await kim.getByTestId("nav-settings").click();
		const card = kim.getByTestId("account-mastodon");
		await card.waitFor(within);
		expect(await card.getAttribute("data-connected")).toBe("false");
		await card.getByLabel("Instance URL").fill(mastodon.url);
		await card.getByLabel("Access token").fill("not-the-token");
		await card.getByTestId("account-connect").click();
		await expect
			.poll(textOf(card.getByTestId("account-error")), within)
			.toContain("could not be connected");
		await card.getByLabel("Access token").fill(STAND_IN_TOKEN);
		await card.getByTestId("account-connect").click();
		await expect.poll(attribute(card, "data-connected"), within).toBe("true");
		expect(await card.getByTestId("account-handle").textContent()).toBe(`acme@${mastodon.host}`);
		expect(await kim.content()).not.toContain(STAND_IN_TOKEN);

		await kim.goto(`/m/${mentionId}`);
		await kim.getByTestId("claim").click();
		await kim.getByTestId("send-reply").waitFor(within);
		// Nothing to send yet; posting by hand stays possible.
		expect(await kim.getByTestId("send-reply").isDisabled()).toBe(true);
		expect(await kim.getByTestId("send-blocked").textContent()).toContain("empty");
		expect(await kim.getByTestId("mark-replied").count()).toBe(1);

		const editor = kim.getByTestId("editor-content");
		await editor.click();
		await kim.keyboard.type("Sorry about that, we are on it.");
		await expect.poll(() => kim.getByTestId("send-reply").isEnabled(), within).toBe(true);

		mastodon.failNext(503);
		await kim.getByTestId("send-reply").click();
		const failed = kim.getByTestId("send").first();
		await expect.poll(attribute(failed, "data-status"), within).toBe("failed");
		expect(await failed.getByTestId("send-error-message").textContent()).toContain("HTTP 503");
		expect(await textOf(kim.getByTestId("send-error"))()).toContain("Sending failed");
		expect(mastodon.posted).toEqual([]);
		expect(await seriousAxeViolations(kim)).toEqual([]);

		await failed.getByTestId("send-retry").click();
		await expect.poll(attribute(failed, "data-status"), within).toBe("sent");
		await expect.poll(textOf(kim.getByTestId("replied")), within).toContain("Replied by Kim");
		expect(mastodon.posted).toEqual([
			expect.objectContaining({
				body: expect.objectContaining({
					status: `@ana@${mastodon.host} Sorry about that, we are on it.`,
					in_reply_to_id: status.id,
				}),
			}),
		]);
		const url = await failed.getByRole("link", { name: "view the reply" }).getAttribute("href");
		expect(url).toMatch(new RegExp(`^${mastodon.url}/@acme/`));
		expect(
			(await scene.server.switchboard.storage.getMention("acme", mentionId))?.mention.reply?.url,
		).toBe(url);
		// Opened again, the emptied draft gives way to what was sent, as the thread keeps it.
		await kim.reload();
		await expect
			.poll(textOf(kim.getByTestId("answered-reply")), within)
			.toBe("Sorry about that, we are on it.");
		expect(await kim.getByTestId("editor").count()).toBe(0);
	});

	it("has no serious or critical accessibility violation on the admin and settings pages", async () => {
		const admin = await person("admin@acme.test");
		await openAdmin(admin);
		await admin.getByTestId("source").first().waitFor(within);
		await admin.getByTestId("source-add").click();
		expect(await seriousAxeViolations(admin)).toEqual([]);
		await admin.getByTestId("admin-tab-rules").click();
		await admin.getByTestId("rule-form").waitFor(within);
		expect(await seriousAxeViolations(admin)).toEqual([]);
		await admin.getByTestId("admin-tab-webhooks").click();
		await admin.getByTestId("webhook-add").click();
		expect(await seriousAxeViolations(admin)).toEqual([]);
		await admin.getByTestId("nav-settings").click();
		await admin.getByTestId("account-mastodon").waitFor(within);
		expect(await seriousAxeViolations(admin)).toEqual([]);
	});
	it("keeps the admin's header within a laptop or desktop window, Sign out in view, from 1024 to 1600 px, form fields of 24 px, and the sign-in links full targets on a phone", async () => {
		const admin = await person("admin@acme.test");
		await openAdmin(admin);
		for (const width of [1024, 1280, 1366, 1440, 1600]) {
			await admin.setViewportSize({ width, height: 860 });
			const { overflow, culprits } = await horizontalOverflow(admin);
			expect(overflow, `${width} px scrolls sideways: ${culprits.join(", ")}`).toBeLessThanOrEqual(
				0,
			);
			const signOut = await admin.getByTestId("sign-out").boundingBox();
			expect(signOut && signOut.x + signOut.width, `Sign out at ${width} px`).toBeLessThanOrEqual(
				width,
			);
			expect(await smallTargets(admin, ".app-header", 24), `${width} px`).toEqual([]);
		}
		// The audit log's date fields and the working-hours fields are targets of 24 px too.
		await admin.setViewportSize({ width: 1280, height: 860 });
		await admin.getByTestId("admin-tab-audit").click();
		await admin.getByTestId("audit-from").waitFor(within);
		expect(await smallTargets(admin, '[data-testid="audit-panel"]', 24)).toEqual([]);
		await admin.goto("/admin/boards/main");
		const hours = admin.getByTestId("settings-hours");
		await hours.getByTestId("hours-enabled").check();
		await hours.getByTestId("hours-zone").waitFor(within);
		expect(await smallTargets(admin, '[data-testid="settings-hours"]', 24)).toEqual([]);
		// Signed out on a phone, the sign-in page's Forgot password? link is a full target.
		const phone = await scene.browser.newContext({
			baseURL: scene.server.url,
			viewport: { width: 360, height: 780 },
			serviceWorkers: serviceWorkers(),
		});
		const login = await phone.newPage();
		await login.goto("/login");
		// A wrong password is said in an alert, and the password, described by it, has the focus
		// again (Sign in was disabled meanwhile).
		const password = login.getByLabel("Password");
		await login.getByLabel("Email").fill("admin@acme.test");
		await password.fill("not the password");
		await login.getByRole("button", { name: "Sign in", exact: true }).click();
		const refusal = login.getByTestId("login-error");
		await refusal.waitFor(within);
		await expectRefusedAt(password, refusal);
		const forgot = await login.getByTestId("forgot-link").boundingBox();
		expect(forgot?.height).toBeGreaterThanOrEqual(44);
		// This server sends no email: the page behind the link says so before anyone types.
		await login.getByTestId("forgot-link").click();
		const noEmail = login.getByTestId("forgot-no-email");
		await noEmail.waitFor(within);
		expect(await noEmail.textContent()).toContain("Ask an admin of your organisation");
		expect(await login.getByTestId("forgot-submit").count()).toBe(0);
		// Its way back is a full target too (it was a 16 px line of text).
		const back = await login.getByRole("link", { name: "Back to sign in" }).boundingBox();
		expect(back?.height).toBeGreaterThanOrEqual(44);
		await phone.close();
	});

	it("invites a member from the Members screen at 360 px; they join by the link; deactivating signs them out", async () => {
		const admin = await scene.onPhone("admin@acme.test", "/admin?tab=members");
		const panel = admin.getByTestId("members-panel");
		await panel.waitFor(within);
		await panel.getByTestId("invite-email").fill("new.hire@acme.test");
		await panel.getByTestId("invite-name").fill("Nia Hire");
		await panel.getByTestId("invite-submit").click();
		const link = panel.getByTestId("invite-links").locator("code");
		await link.waitFor(within);
		// Focus, lost while Invite was disabled, is on what it made.
		await expect
			.poll(() => admin.evaluate(() => document.activeElement?.textContent), within)
			.toMatch(/^1 invitation made\./);
		// The links under it came into view with it, not left below the fold.
		const outcome = panel.getByTestId("invite-outcome");
		expect(
			await outcome.evaluate((box) => {
				const { top, bottom } = box.getBoundingClientRect();
				// Within a pixel: the page scrolls by whole pixels, the box's height is fractional.
				return { top: top >= 0, bottom: bottom <= window.innerHeight + 1 };
			}),
		).toEqual({ top: true, bottom: true });
		const url = new URL((await link.textContent()) ?? "");
		expect(url.pathname).toMatch(/^\/invite\/[A-Za-z0-9_-]{32}$/);
		// Another person invited before that link was copied, and a look at Sources: both links
		// are still there (each is shown only once), the newer first.
		await panel.getByTestId("invite-email").fill("second.hire@acme.test");
		await panel.getByTestId("invite-submit").click();
		const emails = panel.getByTestId("invite-links").locator(".invite-email");
		await expect
			.poll(() => emails.allTextContents(), within)
			.toEqual(["second.hire@acme.test", "new.hire@acme.test"]);
		// What it says it made is the new one; the earlier link is said to be listed too.
		await expect
			.poll(textOf(panel.locator(".outcome-made")), within)
			.toMatch(/^1 invitation made\..*second\.hire@acme\.test/);
		expect(await panel.getByTestId("invite-earlier").textContent()).toBe(
			"Also listed, until you press Done: 1 link made earlier in this visit.",
		);
		await admin.getByRole("tab", { name: "Sources" }).click();
		await admin.getByTestId("sources-panel").waitFor(within);
		await admin.getByRole("tab", { name: "Members" }).click();
		await expect
			.poll(() => emails.allTextContents(), within)
			.toEqual(["second.hire@acme.test", "new.hire@acme.test"]);
		expect(await link.first().textContent()).not.toBe(url.href);
		expect(await link.last().textContent()).toBe(url.href);
		// Nothing of the Members screen sticks out of a 360 px screen.
		const wide = await panel.evaluate((el) =>
			[el, ...el.querySelectorAll("*")]
				.filter((node) => !node.classList.contains("sr-only"))
				.filter((node) => node.getBoundingClientRect().right > 360)
				.map((node) => `${node.tagName}.${node.getAttribute("class")}`),
		);
		expect(wide).toEqual([]);

		const context = scene.keep(
			await scene.browser.newContext({
				baseURL: scene.server.url,
				serviceWorkers: serviceWorkers(),
			}),
		);
		const hire = await context.newPage();
		await hire.goto(url.pathname);
		await hire.getByRole("heading", { name: "Join Acme" }).waitFor(within);
		expect(await hire.getByTestId("invite-page").textContent()).toContain(
			"You are invited to Acme as an ambassador, with the email new.hire@acme.test.",
		);
		await hire.getByLabel("New password").fill("switchboard is great");
		await hire.getByLabel("The same password again").fill("switchboard is great");
		await hire.getByTestId("invite-accept").click();
		// Refused at its field, which takes the focus and says why.
		const password = hire.getByLabel("New password");
		expect(await hire.locator("#invite-password-error").textContent()).toMatch(/demo/);
		expect(await password.getAttribute("aria-invalid")).toBe("true");
		await expect
			.poll(() => password.evaluate((field) => field === document.activeElement), within)
			.toBe(true);
		expect(await hire.getByTestId("invite-error").count()).toBe(0);
		// Passwords that differ: said at the second one.
		await hire.getByLabel("New password").fill("a passphrase of my own");
		await hire.getByLabel("The same password again").fill("a passphrase of my owN");
		await hire.getByTestId("invite-accept").click();
		expect(await hire.locator("#invite-repeat-error").textContent()).toBe(
			"The two passwords differ.",
		);
		expect(await hire.locator("#invite-password-error").count()).toBe(0);
		await hire.getByLabel("New password").fill("a passphrase of my own");
		await hire.getByLabel("The same password again").fill("a passphrase of my own");
		await hire.getByTestId("invite-accept").click();
		await hire.locator('[data-testid="card"]').first().waitFor({ timeout: 20_000 });
		const me = () => hire.evaluate(async () => (await fetch("/api/me")).status);
		expect(await me()).toBe(200);

		await panel.getByTestId("members-search").fill("new.hire");
		const member = panel.locator('[data-testid="member"][data-email="new.hire@acme.test"]');
		await member.waitFor(within);
		const focused = (testId: string) =>
			admin.evaluate((id) => document.activeElement?.getAttribute("data-testid") === id, testId);
		// A reset link takes the focus, shown; a confirmation cancelled with Escape gives it back.
		await member.getByTestId("member-reset").click();
		await member.getByTestId("member-reset-link").waitFor(within);
		await expect.poll(() => focused("member-reset-link"), within).toBe(true);
		await member.getByTestId("member-deactivate").click();
		await member.getByTestId("member-deactivate-confirm").press("Escape");
		expect(await member.getByTestId("member-deactivate-confirm").count()).toBe(0);
		expect(await focused("member-deactivate")).toBe(true);
		// The note saying what happened is a live region there before its words: one added
		// with them may go unread.
		const note = await member.getByTestId("member-note").elementHandle(within);
		expect(
			await note?.evaluate((region) => [region.getAttribute("role"), region.textContent]),
		).toEqual(["status", ""]);
		await member.getByTestId("member-deactivate").click();
		await member.getByTestId("member-deactivate-confirm").click();
		await member.getByTestId("member-deactivated").waitFor(within);
		await expect
			.poll(() => note?.evaluate((region) => region.isConnected && region.textContent), within)
			.toBe("Nia Hire is deactivated.");
		expect(await me()).toBe(401);
		// Deactivate is gone: focus is on Activate, which took its place.
		await expect.poll(() => focused("member-activate"), within).toBe(true);
	});
});
