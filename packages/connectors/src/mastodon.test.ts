import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pollMastodon, sendMastodonReply, verifyMastodonAccount } from "./mastodon.ts";
import { STAND_IN_TOKEN, type StandInMastodon, startMastodonStandIn } from "./mastodon-stand-in.ts";
import { standInOutbound } from "./stand-in-server.ts";

const now = new Date("2026-11-26T10:00:00.000Z");
const ana = { id: "7", username: "ana", display_name: "Ana", followers_count: 4321 };
const bo = { id: "8", username: "bo", display_name: "", followers_count: 3 };

let instance: StandInMastodon;
beforeEach(async () => {
	instance = await startMastodonStandIn();
});
afterEach(async () => {
	await instance.close();
});

const auth = () => ({
	instanceUrl: instance.url,
	accessToken: STAND_IN_TOKEN,
	timeoutMs: 2_000,
	outbound: standInOutbound(),
});

describe("pollMastodon", () => {
	it("turns mention notifications into mentions with the author's followers as reach", async () => {
		const status = instance.addStatus({
			account: ana,
			text: "my order <never> arrived & nobody answers",
			mention: true,
			language: "en",
		});
		const { mentions, cursor } = await pollMastodon({ ...auth(), now });
		expect(mentions).toEqual([
			{
				network: "mastodon",
				externalId: status.uri,
				url: status.url,
				author: { handle: `ana@${instance.host}`, name: "Ana", reach: 4321 },
				text: "@acme my order <never> arrived & nobody answers",
				thread: [],
				postedAt: status.created_at,
				ingestedAt: now.toISOString(),
				language: "en",
			},
		]);
		const request = instance.server.requests[0]!;
		expect(request.url).toContain("/api/v1/notifications");
		expect(decodeURIComponent(request.url)).toContain("types[]=mention");
		expect(request.headers.authorization).toBe(`Bearer ${STAND_IN_TOKEN}`);

		// The next poll asks only for what is newer, and finds nothing new.
		const again = await pollMastodon({ ...auth(), now, cursor });
		expect(again.mentions).toEqual([]);
		expect(instance.server.requests[1]?.url).toContain(`since_id=${cursor.notificationsSinceId}`);
		expect(again.cursor).toEqual(cursor);
	});

	it("names the status a reply answers by its URI, whether it came in the same poll or not", async () => {
		const first = instance.addStatus({ account: ana, text: "where is my order?", mention: true });
		const answer = instance.addStatus({
			account: ana,
			text: "hello?",
			mention: true,
			inReplyTo: first,
		});
		const { mentions, cursor } = await pollMastodon({ ...auth(), now });
		const byUri = new Map(mentions.map((m) => [m.externalId, m]));
		expect(byUri.get(String(answer.uri))?.inReplyTo).toBe(first.uri);
		expect(byUri.get(String(first.uri))).not.toHaveProperty("inReplyTo");

		// Our reply, posted earlier, is not in this poll: the instance is asked for it.
		const ours = await sendMastodonReply({
			...auth(),
			target: { url: String(answer.url), authorHandle: "ana" },
			text: "We are on it.",
			idempotencyKey: "send-1",
		});
		const later = instance.addStatus({
			account: ana,
			text: "thanks, it came",
			mention: true,
			inReplyTo: { id: ours.id, account: { id: "1" } },
		});
		const again = await pollMastodon({ ...auth(), now, cursor });
		expect(again.mentions.map((m) => [m.externalId, m.inReplyTo])).toEqual([[later.uri, ours.uri]]);
		expect(instance.server.requests.some((r) => r.url === `/api/v1/statuses/${ours.id}`)).toBe(
			true,
		);
	});

	it("leaves out a parent the instance no longer has", async () => {
		const orphan = instance.addStatus({
			account: ana,
			text: "answering a deleted post",
			mention: true,
			inReplyTo: { id: "999999", account: { id: "9" } },
		});
		const { mentions } = await pollMastodon({ ...auth(), now });
		expect(mentions.map((m) => m.externalId)).toEqual([orphan.uri]);
		expect(mentions[0]).not.toHaveProperty("inReplyTo");
	});

	it("searches statuses for each keyword, once per status, skipping reblogs", async () => {
		instance.addStatus({ account: bo, text: "acme routers are flaky", language: null });
		instance.addStatus({ account: ana, text: "acme routers rock", reblog: true });
		const mentioned = instance.addStatus({ account: ana, text: "routers again", mention: true });
		const { mentions } = await pollMastodon({ ...auth(), keywords: ["routers", "flaky"], now });
		expect(mentions.map((m) => m.text)).toEqual([
			"@acme routers again",
			"@acme acme routers are flaky",
		]);
		expect(mentions[0]?.externalId).toBe(mentioned.uri);
		// A display name left empty falls back to the username; no language stays unknown.
		expect(mentions[1]).toMatchObject({ author: { name: "bo", reach: 3 } });
		expect(mentions[1]).not.toHaveProperty("language");
		const searches = instance.server.requests.filter((r) => r.url.startsWith("/api/v2/search"));
		expect(searches.map((r) => new URL(r.url, instance.url).searchParams.get("q"))).toEqual([
			"routers",
			"flaky",
		]);
	});

	it("reports a refused token and a server error with the instance's status", async () => {
		await expect(pollMastodon({ ...auth(), accessToken: "wrong", now })).rejects.toMatchObject({
			name: "SourceError",
			status: 401,
		});
		instance.failNext(503);
		await expect(pollMastodon({ ...auth(), now })).rejects.toThrow(
			/Reading mentions: the instance answered HTTP 503/,
		);
	});

	it("gives up on an instance that does not answer in time", async () => {
		instance.delayMs = 1_000;
		await expect(pollMastodon({ ...auth(), timeoutMs: 100, now })).rejects.toThrow(
			/did not answer in time/,
		);
	});
});

describe("sendMastodonReply", () => {
	it("resolves the mention on the member's instance and replies to it, addressing the author", async () => {
		const status = instance.addStatus({ account: ana, text: "help!", mention: true });
		const sent = await sendMastodonReply({
			...auth(),
			target: { url: String(status.url), authorHandle: `ana@${instance.host}` },
			text: "Sorry about that, we are on it.",
			idempotencyKey: "send-1",
		});
		expect(sent.url).toMatch(new RegExp(`^${instance.url}/@acme/\\d+$`));
		expect(instance.posted).toEqual([
			{
				body: expect.objectContaining({
					status: `@ana@${instance.host} Sorry about that, we are on it.`,
					in_reply_to_id: status.id,
				}),
				idempotencyKey: "send-1",
			},
		]);
		const lookup = instance.server.requests.find((r) => r.url.startsWith("/api/v2/search"));
		expect(new URL(lookup!.url, instance.url).searchParams.get("resolve")).toBe("true");
	});

	it("keeps a text that already addresses the author, and posts once per idempotency key", async () => {
		const status = instance.addStatus({ account: ana, text: "help!", mention: true });
		const reply = {
			...auth(),
			target: { url: String(status.url), authorHandle: `ana@${instance.host}` },
			text: `@ana@${instance.host} fixed now`,
			idempotencyKey: "send-2",
		};
		const first = await sendMastodonReply(reply);
		const second = await sendMastodonReply(reply);
		expect(instance.posted).toHaveLength(1);
		expect(instance.posted[0]?.body.status).toBe(reply.text);
		expect(second.url).not.toBe("");
		expect(first.url).toBeTruthy();
	});

	it("fails clearly when the post cannot be found or posting fails", async () => {
		await expect(
			sendMastodonReply({
				...auth(),
				target: { url: `${instance.url}/@ana/999`, authorHandle: "ana" },
				text: "hi",
				idempotencyKey: "k",
			}),
		).rejects.toThrow(/could not find the post to reply to/);
		expect(instance.posted).toEqual([]);
	});
});

describe("verifyMastodonAccount", () => {
	it("names the account of a working token and refuses a bad one", async () => {
		expect(await verifyMastodonAccount(auth())).toMatchObject({
			accountId: "1",
			handle: `acme@${instance.host}`,
		});
		await expect(verifyMastodonAccount({ ...auth(), accessToken: "nope" })).rejects.toThrow(
			/HTTP 401/,
		);
	});
});
