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
		const messages: string[] = [];
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
			messages.push(answer.json.error.message.replace(/:\/\/[^ ]+/, "://HOST"));
		}
		// The same words for the open port (the stand-in) and the closed ones.
		expect(new Set(messages).size).toBe(1);
		expect(messages[0]).toMatch(/could not be reached/);
		expect(messages[0]).not.toMatch(/ECONNREFUSED|HTTP/);
		expect(mastodon.server.requests).toHaveLength(0);

		const bluesky = await call(
			"/api/me/accounts/bluesky",
			dana,
			{ service: "http://169.254.169.254/", identifier: "a.example", appPassword: "x" },
			"PUT",
		);
		expect(bluesky.status).toBe(400);
		expect(bluesky.json.error.message).toMatch(/could not be reached/);
	});

	it("refuses a feed or an outgoing webhook pointed at the machine itself", async () => {
		const created = await call("/api/orgs/acme/sources", adminToken, {
			kind: "rss",
			name: "Internal",
			config: { url: `${inside.url}/feed.xml`, intervalSeconds: 60 },
		});
		expect(created.status).toBe(201);
		const id = created.json.source.id as string;
		const reports = await server.switchboard.integrations.poller.runOnce(
			new Date(Date.now() + 1000),
		);
		expect(reports.find((r) => r.sourceId === id)).toMatchObject({
			ok: false,
			error: "The feed could not be reached.",
		});

		const hook = await call("/api/orgs/acme/webhooks", adminToken, {
			url: `http://2130706433:${new URL(inside.url).port}/hook`,
			events: ["mention.claimed"],
		});
		expect(hook.status).toBe(201);
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
