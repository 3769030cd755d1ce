/**
 * Outbound requests on a server without an allowlist (the default): a member connecting
 * an account, or an admin adding a feed or an outgoing webhook, cannot make the server
 * talk to its own machine or network, and the errors do not tell open ports from closed.
 */
import { startMastodonStandIn, startStandIn } from "@switchboard/connectors/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { forFile } from "./utils/for-file.ts";
import { testServerForFile } from "./utils/test-server.ts";

const server = testServerForFile({ outboundAllow: "" });
const mastodon = forFile(() => startMastodonStandIn());
const inside = forFile(() =>
	startStandIn((_request, response) => {
		response.end("internal");
	}),
);
let adminToken: string;

const whyPrivate = (host: string, what = "a private address") =>
	`${host} is ${what}: this server fetches only public addresses unless its operator allows this one (SWITCHBOARD_OUTBOUND_ALLOW).`;

async function call(path: string, token: string, body?: unknown, method?: string) {
	const response = await server.request(path, { token, body, ...(method ? { method } : {}) });
	return { status: response.status, json: await response.json() };
}

beforeAll(async () => {
	adminToken = (await server.addMember("acme", "Ada Admin", "admin")).token;
});

describe("outbound requests without an allowlist", () => {
	it("refuses a member's Mastodon or Bluesky account on a loopback address, open port or closed alike", async () => {
		const dana = server.members.dana!.token;
		const closed = await startStandIn(() => {});
		await closed.close();
		const messages = new Map<string, string>();
		for (const instanceUrl of [
			mastodon.url,
			closed.url,
			"http://0x7f000001:9/",
			"http://[::1]:9/",
		]) {
			const answer = await call(
				"/api/me/accounts/mastodon",
				dana,
				{ instanceUrl, accessToken: "secret-token" },
				"PUT",
			);
			expect(answer.status, instanceUrl).toBe(400);
			messages.set(instanceUrl, answer.json.error.message);
		}
		// The address the member typed is refused saying why, the same for the open port (the
		// stand-in) and the closed ones: nothing was tried.
		expect(messages.get(mastodon.url)).toBe(
			`The account could not be connected. ${whyPrivate("127.0.0.1")}`,
		);
		expect(messages.get(closed.url)).toBe(messages.get(mastodon.url));
		expect(messages.get("http://0x7f000001:9/")).toBe(messages.get(mastodon.url));
		expect(messages.get("http://[::1]:9/")).toMatch(
			/^The account could not be connected\. \[::1\] is a private address/,
		);
		expect(mastodon.server.requests).toHaveLength(0);

		const bluesky = await call(
			"/api/me/accounts/bluesky",
			dana,
			{ service: "http://169.254.169.254/", identifier: "a.example", appPassword: "x" },
			"PUT",
		);
		expect(bluesky.status).toBe(400);
		expect(bluesky.json.error.message).toBe(
			`The account could not be connected. ${whyPrivate("169.254.169.254")}`,
		);
	});

	it("refuses to save a feed, Mastodon or Bluesky source at a private address, saying why at its field", async () => {
		const port = new URL(inside.url).port;
		for (const [kind, config, field, host] of [
			["rss", { url: `${inside.url}/feed.xml` }, "url", "127.0.0.1"],
			["rss", { url: `http://2130706433:${port}/feed.xml` }, "url", "127.0.0.1"],
			["mastodon", { instanceUrl: "http://[fd00::1]/" }, "instanceUrl", "[fd00::1]"],
			["bluesky", { service: "http://10.0.0.1/", identifier: "a.example" }, "service", "10.0.0.1"],
		] as const) {
			const refused = await call("/api/orgs/acme/sources", adminToken, {
				kind,
				name: "Internal",
				config,
				credential: "x",
			});
			expect(refused, host).toMatchObject({
				status: 400,
				json: { error: { message: `config.${field}: ${whyPrivate(host)}` } },
			});
		}
		expect(await call("/api/orgs/acme/sources", adminToken, undefined, "GET")).toMatchObject({
			json: { sources: [] },
		});
		// Nor may a saved feed be pointed there.
		const saved = await call("/api/orgs/acme/sources", adminToken, {
			kind: "rss",
			name: "Status",
			config: { url: "https://status.example/feed.xml" },
		});
		expect(saved.status).toBe(201);
		const id = saved.json.source.id as string;
		const moved = await call(
			`/api/orgs/acme/sources/${id}`,
			adminToken,
			{ config: { url: "http://localhost/feed.xml" } },
			"PATCH",
		);
		expect(moved).toMatchObject({
			status: 400,
			json: {
				error: {
					message: `config.url: ${whyPrivate("localhost", "this server's own name")}`,
				},
			},
		});
		expect(
			await call(`/api/orgs/acme/sources/${id}`, adminToken, undefined, "DELETE"),
		).toMatchObject({
			status: 200,
		});
	});

	it("says why a feed saved at a private address fails, and refuses an outgoing webhook there when saved and when sent", async () => {
		// Saved before saving checked it, or straight into the database.
		const source = await server.switchboard.storage.createSource({
			orgId: "acme",
			boardId: "main",
			kind: "rss",
			name: "Internal",
			config: { url: `${inside.url}/feed.xml`, intervalSeconds: 60 },
			sealedSecret: null,
			nextPollAt: new Date().toISOString(),
		});
		const reports = await server.switchboard.integrations.poller.runOnce(
			new Date(Date.now() + 1000),
		);
		expect(reports.find((r) => r.sourceId === source.id)).toMatchObject({
			ok: false,
			error: whyPrivate("127.0.0.1"),
		});

		const url = `http://2130706433:${new URL(inside.url).port}/hook`;
		const hook = await call("/api/orgs/acme/webhooks", adminToken, {
			url,
			events: ["mention.claimed"],
		});
		expect(hook).toMatchObject({
			status: 400,
			json: { error: { message: `url: ${whyPrivate("127.0.0.1")}` } },
		});
		const saved = await call("/api/orgs/acme/webhooks", adminToken, {
			url: "https://hooks.example/switchboard",
			events: ["mention.claimed"],
		});
		expect(saved.status).toBe(201);
		expect(
			await call(`/api/orgs/acme/webhooks/${saved.json.webhook.id}`, adminToken, { url }, "PATCH"),
		).toMatchObject({
			status: 400,
			json: { error: { message: `url: ${whyPrivate("127.0.0.1")}` } },
		});
		await call(`/api/orgs/acme/webhooks/${saved.json.webhook.id}`, adminToken, undefined, "DELETE");
		// One saved before saving checked it delivers nothing there either.
		const { storage, integrations } = server.switchboard;
		await storage.createWebhookEndpoint({
			orgId: "acme",
			url,
			events: ["mention.claimed"],
			sealedSecret: integrations.secrets.seal("hook secret"),
		});
		await server.switchboard.storage.enqueueWebhookEvent({
			orgId: "acme",
			event: "mention.claimed",
			dedupeKey: `claim:${Date.now()}`,
			payload: { mentionId: "m" },
			now: new Date().toISOString(),
		});
		const round = await server.switchboard.integrations.dispatcher.runOnce(
			new Date(Date.now() + 1000),
		);
		expect(round).toMatchObject({ delivered: 0, failed: 1 });
		expect(inside.requests).toHaveLength(0);
	});
});
