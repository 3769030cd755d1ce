import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loginBluesky, pollBluesky, postUrl, sendBlueskyReply } from "./bluesky.ts";
import {
	STAND_IN_APP_PASSWORD,
	type StandInBluesky,
	startBlueskyStandIn,
} from "./bluesky-stand-in.ts";
import { standInOutbound } from "./stand-in-server.ts";

const now = new Date("2026-11-26T10:00:00.000Z");
const ana = {
	did: "did:plc:ana4ana4ana4ana4ana4ana4",
	handle: "ana.bsky.social",
	displayName: "Ana",
	followersCount: 15_000,
};
const bo = { did: "did:plc:bo5bo5bo5bo5bo5bo5bo5bo5", handle: "bo.example.com", followersCount: 2 };

let pds: StandInBluesky;
beforeEach(async () => {
	pds = await startBlueskyStandIn();
});
afterEach(async () => {
	await pds.close();
});

const auth = () => ({
	service: pds.url,
	identifier: "acme.bsky.social",
	password: STAND_IN_APP_PASSWORD,
	timeoutMs: 2_000,
	outbound: standInOutbound(),
});

describe("pollBluesky", () => {
	it("turns mention, reply and quote notifications into mentions, reach from the profiles", async () => {
		const mention = pds.addPost({
			author: ana,
			text: "@acme.bsky.social hello?",
			reason: "mention",
			langs: ["en"],
		});
		pds.addPost({ author: bo, text: "liked your post", reason: "like" });
		const reply = pds.addPost({ author: bo, text: "still broken", reason: "reply" });
		const agent = await loginBluesky(auth());
		const mentions = await pollBluesky(agent, { now });
		expect(mentions).toEqual([
			{
				network: "bluesky",
				externalId: reply.uri,
				url: postUrl("bo.example.com", String(reply.uri)),
				author: { handle: "bo.example.com", name: "bo.example.com", reach: 2 },
				text: "still broken",
				thread: [],
				postedAt: (reply.record as { createdAt: string }).createdAt,
				ingestedAt: now.toISOString(),
			},
			expect.objectContaining({
				externalId: mention.uri,
				author: { handle: "ana.bsky.social", name: "Ana", reach: 15_000 },
				language: "en",
			}),
		]);
		const login = pds.server.requests[0]!;
		expect(login.url).toBe("/xrpc/com.atproto.server.createSession");
		expect(JSON.parse(login.body)).toEqual({
			identifier: "acme.bsky.social",
			password: STAND_IN_APP_PASSWORD,
		});
	});

	it("names the post a reply answers (reply.parent), which is that post's external id", async () => {
		const first = pds.addPost({
			author: ana,
			text: "@acme.bsky.social my order?",
			reason: "mention",
		});
		const answer = pds.addPost({
			author: ana,
			text: "@acme.bsky.social still nothing",
			reason: "reply",
			replyTo: first,
		});
		const agent = await loginBluesky(auth());
		const mentions = await pollBluesky(agent, { now });
		const byId = new Map(mentions.map((m) => [m.externalId, m]));
		expect(byId.get(String(answer.uri))?.inReplyTo).toBe(first.uri);
		expect(byId.get(String(first.uri))).not.toHaveProperty("inReplyTo");
	});

	it("searches keywords, skipping the account's own posts and posts already found", async () => {
		pds.addPost({ author: pds.self, text: "acme status: all good" });
		const found = pds.addPost({ author: ana, text: "acme is down for me", reason: "mention" });
		pds.addPost({ author: bo, text: "is acme down?" });
		const agent = await loginBluesky(auth());
		const mentions = await pollBluesky(agent, { now, keywords: ["acme"], mentions: true });
		expect(mentions.map((m) => m.text)).toEqual(["acme is down for me", "is acme down?"]);
		expect(mentions[0]?.externalId).toBe(found.uri);
		expect(
			pds.server.requests.some((r) => r.url.includes("app.bsky.feed.searchPosts?q=acme")),
		).toBe(true);
	});

	it("refuses a wrong app password and reports server errors with their status", async () => {
		await expect(loginBluesky({ ...auth(), password: "wrong" })).rejects.toThrow(
			/Signing in: Bluesky answered HTTP 401/,
		);
		const agent = await loginBluesky(auth());
		pds.failNext(502);
		await expect(pollBluesky(agent, { now })).rejects.toMatchObject({
			name: "SourceError",
			status: 502,
		});
	});

	it("gives up when Bluesky does not answer in time", async () => {
		// The timeout covers the sign-in too: generous enough for a busy machine, far below the delay.
		const agent = await loginBluesky({ ...auth(), timeoutMs: 2_000 });
		pds.delayMs = 20_000;
		await expect(pollBluesky(agent, { now })).rejects.toThrow(/did not answer in time/);
	});
});

describe("sendBlueskyReply", () => {
	it("replies with the mention as parent and as root when it starts the thread", async () => {
		const mention = pds.addPost({ author: ana, text: "help", reason: "mention" });
		const agent = await loginBluesky(auth());
		const sent = await sendBlueskyReply(agent, {
			targetUri: String(mention.uri),
			text: "On it!",
			language: "en",
		});
		expect(sent.url).toBe(postUrl("acme.bsky.social", sent.uri));
		const ref = { uri: mention.uri, cid: mention.cid };
		expect(pds.created).toEqual([
			{
				repo: pds.self.did,
				collection: "app.bsky.feed.post",
				record: expect.objectContaining({
					$type: "app.bsky.feed.post",
					text: "On it!",
					langs: ["en"],
					reply: { root: ref, parent: ref },
				}),
			},
		]);
	});

	it("keeps the thread's root when the mention is itself a reply", async () => {
		const first = pds.addPost({ author: bo, text: "acme?" });
		const mention = pds.addPost({
			author: ana,
			text: "same here",
			reason: "reply",
			replyTo: first,
		});
		const agent = await loginBluesky(auth());
		await sendBlueskyReply(agent, { targetUri: String(mention.uri), text: "Fixed." });
		expect(pds.created[0]?.record).toMatchObject({
			reply: {
				root: { uri: first.uri, cid: first.cid },
				parent: { uri: mention.uri, cid: mention.cid },
			},
		});
	});

	it("fails clearly when the post is gone", async () => {
		const agent = await loginBluesky(auth());
		await expect(
			sendBlueskyReply(agent, {
				targetUri: "at://did:plc:ana4ana4ana4ana4ana4ana4/app.bsky.feed.post/3lgone",
				text: "x",
			}),
		).rejects.toThrow(/does not have the post to reply to/);
		expect(pds.created).toEqual([]);
	});
});
