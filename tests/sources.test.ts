/**
 * Sources, triage and the admin API against a real server on port 0: the signed webhook
 * (with a board client watching the mention arrive live), RSS/Atom polling, Mastodon and
 * Bluesky sources against local stand-ins, and triage rules on every path.
 */
import { randomUUID } from "node:crypto";
import { signatureHeaders, signBody } from "@switchboard/connectors";
import {
	STAND_IN_APP_PASSWORD,
	STAND_IN_CUSTOMER,
	STAND_IN_TOKEN,
	type StandInBluesky,
	type StandInMastodon,
	type StandInServer,
	startBlueskyStandIn,
	startMastodonStandIn,
	startStandIn,
} from "@switchboard/connectors/testing";
import { draftDocumentName, readMention } from "@switchboard/domain";
import type { KyselyStorage } from "@switchboard/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	type ApiRequest,
	PASSWORD,
	startTestServer,
	type TestServer,
	waitFor,
} from "./utils/test-server.ts";

let server: TestServer;
let adminToken: string;
let danaToken: string;

async function call(path: string, options: ApiRequest = {}) {
	const response = await server.request(path, options);
	const text = await response.text();
	return { status: response.status, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
	// Every refusal recorded, not one per 10 s: each test reads the one it made.
	server = await startTestServer({}, { integrations: { webhookDeliveries: { windowMs: 0 } } });
	adminToken = (await server.addMember("acme", "Ada Admin", "admin")).token;
	danaToken = server.members.dana!.token;
	void PASSWORD;
});
afterAll(async () => {
	await server?.close();
});

describe("triage rules API", () => {
	it("lets an admin read and replace the rules, and nobody else", async () => {
		expect(await call("/api/orgs/acme/rules", { token: adminToken })).toEqual({
			status: 200,
			json: { rules: [] },
		});
		const rules = [
			{
				id: "refund",
				match: { keyword: "refund" },
				apply: { tags: ["billing"], skill: "finance" },
			},
			{ id: "down", match: { phrase: "is down" }, apply: { priority: "high", tags: ["outage"] } },
		];
		const put = await call("/api/orgs/acme/rules", {
			method: "PUT",
			token: adminToken,
			body: { rules },
		});
		expect(put).toEqual({ status: 200, json: { rules } });

		const bad = await call("/api/orgs/acme/rules", {
			method: "PUT",
			token: adminToken,
			body: {
				rules: [{ id: "x", match: { keyword: "a", phrase: "b c" }, apply: { priority: "high" } }],
			},
		});
		expect(bad.status).toBe(400);
		expect(bad.json.error.message).toMatch(/either a keyword or a phrase/);

		expect((await call("/api/orgs/acme/rules", { token: danaToken })).status).toBe(403);
		expect((await call("/api/orgs/globex/rules", { token: adminToken })).status).toBe(403);
		expect((await call("/api/orgs/acme/rules")).status).toBe(401);
	});
});

describe("signed webhook source", () => {
	let sourceId: string;
	let secret: string;

	const mention = (externalId: string, text = "Hello @acme") => ({
		network: "other",
		externalId,
		url: `https://forum.example/t/${externalId}`,
		author: { handle: "jo", name: "Jo", reach: 42 },
		text,
		postedAt: new Date(Date.now() - 3_600_000).toISOString(),
	});

	function post(body: string, headers: Record<string, string>, id = sourceId) {
		return fetch(`${server.url}/api/orgs/acme/sources/${id}/webhook`, {
			method: "POST",
			headers: { "content-type": "application/json", ...headers },
			body,
		}).then(async (response) => ({ status: response.status, json: await response.json() }));
	}

	/** The source's status as its admin reads it. */
	async function status() {
		const listed = await call("/api/orgs/acme/sources", { token: adminToken });
		return listed.json.sources.find((source: { id: string }) => source.id === sourceId).status;
	}

	beforeAll(async () => {
		const created = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: { kind: "webhook", name: "Forum bridge" },
		});
		expect(created.status).toBe(201);
		sourceId = created.json.source.id;
		secret = created.json.secret;
		expect(secret).toMatch(/^whsec_/);
		expect(created.json.webhookUrl).toBe(`/api/orgs/acme/sources/${sourceId}/webhook`);
	});

	it("shows the secret only once, and stores it sealed", async () => {
		const listed = await call("/api/orgs/acme/sources", { token: adminToken });
		expect(JSON.stringify(listed.json)).not.toContain(secret);
		expect(listed.json.sources).toContainEqual(
			expect.objectContaining({
				id: sourceId,
				kind: "webhook",
				name: "Forum bridge",
				enabled: true,
			}),
		);
		const storage = server.switchboard.storage as KyselyStorage;
		const row = await storage.db
			.selectFrom("sources")
			.select("sealed_secret")
			.where("id", "=", sourceId)
			.executeTakeFirstOrThrow();
		expect(row.sealed_secret).not.toContain(secret.slice(6));
	});

	it("accepts a signed mention with 202, onto the live board, triaged by the rules", async () => {
		const board = await server.board(server.members.dana!);
		const body = JSON.stringify(mention("w1", "Our checkout is down, I want a refund"));
		expect(await status()).toMatchObject({ lastDeliveryAt: null, lastRefusal: null });
		const answer = await post(body, signatureHeaders(secret, body));
		expect(answer).toMatchObject({ status: 202, json: { accepted: 1, duplicates: 0 } });
		expect(Date.parse((await status()).lastDeliveryAt)).toBeGreaterThan(Date.now() - 60_000);
		const id = answer.json.mentionIds[0] as string;
		// The board a member has open shows it without a reload.
		const live = await waitFor(() => readMention(board.doc, id), 5000, "the mention on the board");
		expect(live).toMatchObject({
			network: "other",
			externalId: "w1",
			priority: "high",
			tags: ["billing", "outage", "finance"],
			language: "en",
		});
	});

	it("takes a batch, and the same mention twice is one card", async () => {
		const body = JSON.stringify({ mentions: [mention("w2"), mention("w3"), mention("w1")] });
		expect(await post(body, signatureHeaders(secret, body))).toMatchObject({
			status: 202,
			json: { accepted: 2, duplicates: 1 },
		});
		const again = await post(body, signatureHeaders(secret, body));
		expect(again.json).toMatchObject({ accepted: 0, duplicates: 3 });
	});

	it("answers twenty requests at once each for its own mention, and the open board shows all", async () => {
		const board = await server.board(server.members.dana!);
		const ids = Array.from({ length: 20 }, (_, i) => `together-${i}`);
		// The first mention is also sent again by a twenty-first request, at the same time.
		const answers = await Promise.all(
			[...ids, ids[0]!].map((id) => {
				const body = JSON.stringify(mention(id));
				return post(body, signatureHeaders(secret, body));
			}),
		);
		expect(answers.every((answer) => answer.status === 202)).toBe(true);
		const accepted = answers.filter((answer) => answer.json.accepted === 1);
		expect(accepted).toHaveLength(20);
		expect(answers.filter((answer) => answer.json.duplicates === 1)).toHaveLength(1);
		const mentionIds = accepted.map((answer) => answer.json.mentionIds[0] as string);
		expect(new Set(mentionIds).size).toBe(20);
		await waitFor(
			() => mentionIds.every((id) => readMention(board.doc, id) !== null),
			5000,
			"the twenty mentions on the board",
		);
	});

	describe("follow-ups (inReplyTo)", () => {
		const signed = (payload: unknown) => {
			const body = JSON.stringify(payload);
			return post(body, signatureHeaders(secret, body));
		};
		const followUp = (externalId: string, inReplyTo: string, text: string, minutesAgo: number) => ({
			...mention(externalId, text),
			inReplyTo,
			postedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
		});
		/** A conversation Dana answered, as the webhook brought it. */
		async function replied(externalId: string): Promise<string> {
			const first = await signed(mention(externalId, "My parcel never came"));
			const id = first.json.mentionIds[0] as string;
			const { storage } = server.switchboard;
			for (const command of [
				{ name: "claim", args: { mentionId: id } },
				{ name: "markReplied", args: { mentionId: id, url: "https://forum.example/r/1" } },
			] as const) {
				const outcome = await storage.executeCommand({
					orgId: "acme",
					boardId: "main",
					actorId: server.members.dana!.id,
					commandId: randomUUID(),
					command,
					now: new Date().toISOString(),
				});
				expect(outcome.ok).toBe(true);
			}
			return id;
		}

		it("reaches the owner's open board and feed live, reopened, and is idempotent", async ({
			annotate,
		}) => {
			const id = await replied("thread-1");
			const board = await server.board(server.members.dana!);

			const sent = performance.now();
			const answer = await signed(followUp("thread-1-a", "thread-1", "It still has not come", 10));
			expect(answer).toEqual({
				status: 202,
				json: { accepted: 0, duplicates: 0, followUps: 1, mentionIds: [id] },
			});
			// Waited on, not timed: how soon it arrives is reported (annotation), not asserted, so
			// a busy machine does not fail it. The limit only ends a wait for what never comes.
			const live = await waitFor(
				() => {
					const m = readMention(board.doc, id);
					return m?.unseenFollowUps === 1 ? m : undefined;
				},
				30_000,
				"the follow-up on the owner's open board",
			);
			const onBoard = performance.now() - sent;
			expect(live).toMatchObject({
				status: "claimed",
				owner: { memberId: server.members.dana!.id },
			});
			expect(live.thread.map((m) => [m.externalId, m.text])).toEqual([
				["thread-1-a", "It still has not come"],
			]);
			// And Dana's notification feed says so.
			await expect
				.poll(
					async () =>
						(await call("/api/me/notifications", { token: danaToken })).json.notifications.some(
							(n: { kind: string; mentionId: string }) =>
								n.kind === "follow_up" && n.mentionId === id,
						),
					{ timeout: 30_000, interval: 20 },
				)
				.toBe(true);
			const inFeed = performance.now() - sent;
			await annotate(
				`follow-up from the webhook's request: on the owner's board in ${Math.round(onBoard)} ms, in the feed in ${Math.round(inFeed)} ms`,
			);

			// Replayed: a duplicate, nothing added.
			expect(
				(await signed(followUp("thread-1-a", "thread-1", "It still has not come", 10))).json,
			).toMatchObject({
				accepted: 0,
				duplicates: 1,
				followUps: 0,
			});
			// A follow-up of the follow-up joins the same conversation.
			expect((await signed(followUp("thread-1-b", "thread-1-a", "Hello?", 5))).json).toMatchObject({
				followUps: 1,
				mentionIds: [id],
			});
			await waitFor(() => readMention(board.doc, id)?.unseenFollowUps === 2, 5000, "2 new");

			// Dana opens the conversation: the follow-ups are seen.
			const draft = await server.draft(server.members.dana!, id);
			await waitFor(() => readMention(board.doc, id)?.unseenFollowUps === 0, 5000, "seen");
			draft.destroy();
			board.destroy();
		});

		it("is seen as it arrives by the owner looking at the conversation, not by anyone else", async () => {
			const id = await replied("thread-open");
			const dana = server.members.dana!;
			const board = await server.board(dana);
			const morganDraft = await server.draft(server.members.morgan!, id);

			// Morgan (not the owner) has it open: the follow-up stays new for Dana.
			await signed(followUp("thread-open-a", "thread-open", "Any news?", 3));
			await waitFor(
				() => readMention(board.doc, id)?.unseenFollowUps === 1,
				30_000,
				"the follow-up counted new while only Morgan looks at it",
			);

			// Dana opens it: seen. Then, while she is looking, another one comes.
			const danaDraft = await server.draft(dana, id);
			await waitFor(() => readMention(board.doc, id)?.unseenFollowUps === 0, 30_000, "seen");
			await signed(followUp("thread-open-b", "thread-open-a", "Hello again", 1));
			const latest = await waitFor(
				() => {
					const m = readMention(board.doc, id);
					return m?.thread.some((t) => t.externalId === "thread-open-b") && m.unseenFollowUps === 0
						? m
						: undefined;
				},
				30_000,
				"the second follow-up on the board, seen without opening the conversation again",
			);
			expect(latest.thread.map((m) => m.externalId)).toEqual(["thread-open-a", "thread-open-b"]);
			// Seen in the database too, not only on this board.
			expect(
				(await server.switchboard.storage.getMention("acme", id))?.mention.unseenFollowUps,
			).toBe(0);

			// Once she closed it, a follow-up counts new again.
			danaDraft.destroy();
			morganDraft.destroy();
			// The server has heard both leave once the draft is unloaded (after its disconnect hooks).
			await waitFor(
				() => !server.switchboard.hocuspocus.documents.has(draftDocumentName("acme", id)),
				30_000,
				"the draft unloaded after both closed it",
			);
			await signed(followUp("thread-open-c", "thread-open-b", "Still there?", 0));
			await waitFor(
				() => readMention(board.doc, id)?.unseenFollowUps === 1,
				30_000,
				"the follow-up new again after Dana closed the conversation",
			);
			board.destroy();
		});

		it("takes a parent and its follow-ups in any order, and a mention sent again with a longer thread", async () => {
			const batch = await signed({
				mentions: [
					followUp("thread-2-c", "thread-2-b", "third", 1),
					followUp("thread-2-b", "thread-2", "second", 2),
					mention("thread-2", "first"),
					followUp("thread-orphan", "never-seen", "who?", 1),
				],
			});
			expect(batch.json).toMatchObject({ accepted: 2, duplicates: 0, followUps: 2 });
			const [conversation, orphan] = batch.json.mentionIds as string[];
			const { storage } = server.switchboard;
			const stored = await storage.getMention("acme", conversation ?? "");
			expect(stored?.mention).toMatchObject({ externalId: "thread-2" });
			expect(stored?.mention.thread.map((m) => m.text)).toEqual(["second", "third"]);
			// A follow-up whose parent nobody knows is a conversation of its own.
			expect((await storage.getMention("acme", orphan ?? ""))?.mention.externalId).toBe(
				"thread-orphan",
			);

			const longer = {
				...mention("thread-2", "first"),
				thread: [
					{
						externalId: "thread-2-b",
						handle: "jo",
						text: "second",
						postedAt: new Date().toISOString(),
					},
					{
						externalId: "thread-2-d",
						handle: "jo",
						text: "fourth",
						postedAt: new Date().toISOString(),
					},
				],
			};
			expect((await signed(longer)).json).toMatchObject({
				accepted: 0,
				duplicates: 0,
				followUps: 1,
			});
			expect((await signed(longer)).json).toMatchObject({ duplicates: 1, followUps: 0 });
			const grown = await storage.getMention("acme", conversation ?? "");
			expect(grown?.mention.thread.map((m) => m.text)).toEqual(["second", "third", "fourth"]);
		});
	});

	it("refuses a bad signature, a replay after five minutes and a missing signature with 401, and records why", async () => {
		const body = JSON.stringify(mention("w4"));
		const forged = await post(body, signatureHeaders("whsec_wrong", body));
		expect((await status()).lastRefusal).toMatchObject({
			reason: "bad_signature",
			message: "The signature did not match the source's secret.",
		});
		expect(forged).toEqual({
			status: 401,
			json: {
				error: {
					code: "unauthorized",
					reason: "bad_signature",
					message: "The signature does not match the body and timestamp.",
				},
			},
		});
		const old = Math.floor(Date.now() / 1000) - 301;
		const replay = await post(body, {
			"x-switchboard-timestamp": String(old),
			"x-switchboard-signature": signBody(secret, old, body),
		});
		expect(replay.status).toBe(401);
		expect(replay.json.error).toMatchObject({ code: "unauthorized", reason: "stale_timestamp" });
		expect((await status()).lastRefusal.message).toMatch(
			/^The timestamp was 5 minutes \d+ seconds? old; the limit is 5 minutes\.$/,
		);
		expect((await post(body, {})).json.error.reason).toBe("missing_signature");
		// A signed body changed afterwards.
		const headers = signatureHeaders(secret, body);
		expect((await post(body.replace("w4", "w5"), headers)).json.error.reason).toBe("bad_signature");
	});

	it("answers 400 for JSON that is not a mention, naming the field, and 413 for a huge body, and records why", async () => {
		const notJson = "{not json";
		expect((await post(notJson, signatureHeaders(secret, notJson))).json).toEqual({
			error: {
				code: "invalid",
				reason: "malformed_json",
				message: "The body is not JSON (UTF-8).",
			},
		});
		const body = JSON.stringify({ ...mention("w6"), postedAt: "yesterday" });
		expect(await post(body, signatureHeaders(secret, body))).toEqual({
			status: 400,
			json: {
				error: {
					code: "invalid",
					reason: "invalid_payload",
					message: "postedAt: must be an ISO 8601 timestamp",
				},
			},
		});
		expect((await status()).lastRefusal.message).toBe(
			"The body was not a mention: postedAt: must be an ISO 8601 timestamp",
		);
		const huge = JSON.stringify({ ...mention("w7"), text: "x".repeat(1_100_000) });
		const tooLarge = await post(huge, signatureHeaders(secret, huge));
		expect(tooLarge.status).toBe(413);
		expect(tooLarge.json.error.code).toBe("too_large");
		// Refused at the edge, before the route read the source: recorded on it all the same.
		expect((await status()).lastRefusal).toMatchObject({
			reason: "too_large",
			message: "The body was over the 1 MiB limit.",
		});
		const latin1 = new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x7d]);
		const notUtf8 = await fetch(`${server.url}/api/orgs/acme/sources/${sourceId}/webhook`, {
			method: "POST",
			headers: { "content-type": "application/json", ...signatureHeaders(secret, latin1) },
			body: latin1,
		});
		expect(notUtf8.status).toBe(400);
		expect((await status()).lastRefusal.reason).toBe("invalid_text");
	});

	it("answers 404 for an unknown source and 403 for a disabled one", async () => {
		const body = JSON.stringify(mention("w8"));
		expect((await post(body, signatureHeaders(secret, body), "nope")).status).toBe(404);
		await call(`/api/orgs/acme/sources/${sourceId}`, {
			method: "PATCH",
			token: adminToken,
			body: { enabled: false },
		});
		expect((await post(body, signatureHeaders(secret, body))).status).toBe(403);
		await call(`/api/orgs/acme/sources/${sourceId}`, {
			method: "PATCH",
			token: adminToken,
			body: { enabled: true },
		});
	});

	it("rotates the secret: the old one stops working", async () => {
		const rotated = await call(`/api/orgs/acme/sources/${sourceId}/rotate-secret`, {
			token: adminToken,
			body: {},
		});
		const body = JSON.stringify(mention("w9"));
		expect((await post(body, signatureHeaders(secret, body))).status).toBe(401);
		secret = rotated.json.secret;
		expect((await post(body, signatureHeaders(secret, body))).status).toBe(202);
	});
});

describe("source admin API", () => {
	it("validates each kind's config and credential, and deletes", async () => {
		const bad = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: { kind: "rss", name: "x", config: { url: "ftp://x", keywords: [] } },
		});
		expect(bad).toMatchObject({
			status: 400,
			json: { error: { message: "config: url: must be an http(s) URL" } },
		});
		// The test server's operator allows 127.0.0.1 (the stand-ins), and no other private address.
		const feedAt = (url: string) =>
			call("/api/orgs/acme/sources", {
				token: adminToken,
				body: { kind: "rss", name: "Intranet", config: { url }, enabled: false },
			});
		expect((await feedAt("http://10.1.2.3/feed.xml")).json.error.message).toBe(
			"config.url: 10.1.2.3 is a private address: this server fetches only public addresses unless its operator allows this one (SWITCHBOARD_OUTBOUND_ALLOW).",
		);
		const allowed = await feedAt("http://127.0.0.1:9/feed.xml");
		expect(allowed.status).toBe(201);
		await call(`/api/orgs/acme/sources/${allowed.json.source.id}`, {
			method: "DELETE",
			token: adminToken,
		});
		const noToken = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: { kind: "mastodon", name: "m", config: { instanceUrl: "https://social.example" } },
		});
		expect(noToken.json.error.message).toMatch(/needs an access token/);
		const noBoard = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: { kind: "webhook", name: "w", boardId: "nope" },
		});
		expect(noBoard.status).toBe(400);
		const created = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: { kind: "webhook", name: "temporary" },
		});
		const id = created.json.source.id;
		expect(
			(await call(`/api/orgs/acme/sources/${id}`, { method: "DELETE", token: adminToken })).status,
		).toBe(200);
		expect(
			(await call(`/api/orgs/acme/sources/${id}`, { method: "DELETE", token: adminToken })).status,
		).toBe(404);
		expect(
			(
				await call("/api/orgs/acme/sources", {
					token: danaToken,
					body: { kind: "webhook", name: "n" },
				})
			).status,
		).toBe(403);
	});
});

describe("RSS and Atom polling", () => {
	let feed: StandInServer;
	let mode: "ok" | "error" | "malformed" = "ok";
	const items = [
		{ guid: "f1", title: "Acme router reboots", body: "since the update" },
		{ guid: "f2", title: "Pizza", body: "nothing to see" },
	];
	const xml = () =>
		`<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title><language>en</language>${items
			.map(
				(item) =>
					`<item><guid>${item.guid}</guid><title>${item.title}</title><link>https://forum.example/${item.guid}</link><description>${item.body}</description></item>`,
			)
			.join("")}</channel></rss>`;

	beforeAll(async () => {
		feed = await startStandIn((request, response) => {
			if (mode === "error") {
				response.writeHead(500);
				response.end();
				return;
			}
			if (mode === "malformed") {
				response.writeHead(200, { "content-type": "application/rss+xml" });
				response.end("<rss><channel><item>");
				return;
			}
			const etag = `"${items.length}"`;
			if (request.headers["if-none-match"] === etag) {
				response.writeHead(304);
				response.end();
				return;
			}
			response.writeHead(200, { "content-type": "application/rss+xml", etag });
			response.end(xml());
		});
	});
	afterAll(async () => {
		await feed.close();
	});

	it("polls on schedule, filters by keyword, uses the ETag, backs off on errors and records them", async () => {
		const created = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: {
				kind: "rss",
				name: "Forum feed",
				config: { url: `${feed.url}/feed.xml`, keywords: ["acme"], intervalSeconds: 60 },
			},
		});
		expect(created.status).toBe(201);
		const id = created.json.source.id as string;
		const { poller } = server.switchboard.integrations;
		const source = async () =>
			(await call(`/api/orgs/acme/sources/${id}`, { token: adminToken })).json.source;
		const mine = <T extends { sourceId: string }>(reports: T[]) =>
			reports.filter((r) => r.sourceId === id);

		let t = Date.now() + 1000;
		/** `seconds` after the previous call's time. */
		const at = (seconds: number) => {
			t += seconds * 1000;
			return new Date(t);
		};

		expect(mine(await poller.runOnce(at(0)))).toEqual([
			{ sourceId: id, ok: true, accepted: 1, duplicates: 0, error: null },
		]);
		const stored = await server.switchboard.storage.listMentions("acme", "main");
		expect(stored.find((s) => s.mention.externalId === "f1")?.mention).toMatchObject({
			network: "rss",
			language: "en",
			text: "Acme router reboots\n\nsince the update",
		});
		expect(stored.some((s) => s.mention.externalId === "f2")).toBe(false);
		// Not due again before its interval.
		expect(mine(await poller.runOnce(at(30)))).toEqual([]);

		// Unchanged: the ETag comes back and the feed answers 304.
		expect(mine(await poller.runOnce(at(31)))).toEqual([
			{ sourceId: id, ok: true, accepted: 0, duplicates: 0, error: null },
		]);
		expect(feed.requests.at(-1)?.headers["if-none-match"]).toBe('"2"');

		mode = "error";
		const failedAt = at(61);
		expect(mine(await poller.runOnce(failedAt))[0]).toMatchObject({
			ok: false,
			error: "The feed answered HTTP 500 Internal Server Error.",
		});
		expect(await source()).toMatchObject({
			status: {
				lastError: "The feed answered HTTP 500 Internal Server Error.",
				failures: 1,
				nextPollAt: new Date(failedAt.getTime() + 60_000).toISOString(),
			},
		});
		mode = "malformed";
		const second = at(61);
		expect(mine(await poller.runOnce(second))[0]?.error).toMatch(/not well-formed XML/);
		// Backoff doubles: two minutes after the second failure.
		expect((await source()).status).toMatchObject({
			failures: 2,
			nextPollAt: new Date(second.getTime() + 120_000).toISOString(),
		});
		expect(mine(await poller.runOnce(at(61)))).toEqual([]);

		mode = "ok";
		items.push({ guid: "f3", title: "ACME support is slow", body: "" });
		expect(mine(await poller.runOnce(at(60)))).toEqual([
			{ sourceId: id, ok: true, accepted: 1, duplicates: 1, error: null },
		]);
		expect((await source()).status).toMatchObject({ lastError: null, failures: 0 });
	});
});

describe("network sources", () => {
	let mastodon: StandInMastodon;
	let bluesky: StandInBluesky;

	beforeAll(async () => {
		mastodon = await startMastodonStandIn();
		bluesky = await startBlueskyStandIn();
	});
	afterAll(async () => {
		await mastodon.close();
		await bluesky.close();
	});

	it("ingests Mastodon mentions and keyword matches with followers as reach", async () => {
		const ana = { id: "7", username: "ana", display_name: "Ana", followers_count: 25_000 };
		const mentioned = mastodon.addStatus({
			account: ana,
			text: "thanks for the quick fix!",
			mention: true,
		});
		mastodon.addStatus({
			account: { ...ana, id: "9", username: "bo", followers_count: 10 },
			text: "anyone else seeing acmecloud errors",
		});
		const created = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: {
				kind: "mastodon",
				name: "Acme on Mastodon",
				config: { instanceUrl: mastodon.url, keywords: ["acmecloud"] },
				credential: STAND_IN_TOKEN,
			},
		});
		expect(created.status).toBe(201);
		const reports = await server.switchboard.integrations.poller.runOnce(
			new Date(Date.now() + 1000),
		);
		expect(reports.find((r) => r.sourceId === created.json.source.id)).toMatchObject({
			ok: true,
			accepted: 2,
		});
		const stored = await server.switchboard.storage.listMentions("acme", "main");
		expect(stored.find((s) => s.mention.externalId === mentioned.uri)?.mention).toMatchObject({
			network: "mastodon",
			author: { handle: `ana@${mastodon.host}`, reach: 25_000 },
			// Praise, but the author reaches many people.
			priority: "high",
		});
	});

	it("ingests Bluesky mentions and records a refused app password on the source", async () => {
		const carla = STAND_IN_CUSTOMER;
		const post = bluesky.addPost({
			author: carla,
			text: "@acme.bsky.social I want a refund",
			reason: "mention",
		});
		const created = await call("/api/orgs/acme/sources", {
			token: adminToken,
			body: {
				kind: "bluesky",
				name: "Acme on Bluesky",
				config: { service: bluesky.url, identifier: "acme.bsky.social" },
				credential: "wrong-password",
			},
		});
		const id = created.json.source.id as string;
		const poller = server.switchboard.integrations.poller;
		let report = (await poller.runOnce(new Date(Date.now() + 1000))).find((r) => r.sourceId === id);
		expect(report?.error).toMatch(/Signing in: Bluesky answered HTTP 401/);

		await call(`/api/orgs/acme/sources/${id}`, {
			method: "PATCH",
			token: adminToken,
			body: { credential: STAND_IN_APP_PASSWORD },
		});
		report = (await poller.runOnce(new Date(Date.now() + 2000))).find((r) => r.sourceId === id);
		expect(report).toMatchObject({ ok: true, accepted: 1 });
		const stored = await server.switchboard.storage.listMentions("acme", "main");
		expect(stored.find((s) => s.mention.externalId === post.uri)?.mention).toMatchObject({
			network: "bluesky",
			author: { handle: "carla.bsky.social", reach: 77 },
			tags: ["billing", "finance"],
		});
		const listed = await call("/api/orgs/acme/sources", { token: adminToken });
		expect(listed.json.sources.find((s: { id: string }) => s.id === id).status).toMatchObject({
			lastError: null,
			failures: 0,
		});
	});
});
