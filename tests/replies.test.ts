/**
 * Replies out and outgoing webhooks against a real server on port 0: a member connects
 * Mastodon and Bluesky accounts (stand-ins), sends the reply of a conversation they own,
 * sees a failed send kept with its error and retried; an organisation's webhook receives
 * signed events, retried with backoff by a receiver that fails the first attempts.
 */
import { randomUUID } from "node:crypto";
import { pollMastodon, verifySignature } from "@switchboard/connectors";
import {
	STAND_IN_APP_PASSWORD,
	STAND_IN_CUSTOMER,
	STAND_IN_TOKEN,
	type StandInServer,
	standInOutbound,
	startBlueskyStandIn,
	startMastodonStandIn,
	startStandIn,
} from "@switchboard/connectors/testing";
import { type Command, draftHash, readMention } from "@switchboard/domain";
import { WebhookDispatcher } from "@switchboard/server";
import type { KyselyStorage } from "@switchboard/storage";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forFile } from "./utils/for-file.ts";
import {
	type TestClient,
	testServerForFile,
	waitFor,
	waitForSameBody,
} from "./utils/test-server.ts";

const server = testServerForFile();
const mastodon = forFile(() => startMastodonStandIn());
const bluesky = forFile(() => startBlueskyStandIn());
let adminToken: string;
let board: TestClient;

const ana = { id: "7", username: "ana", display_name: "Ana", followers_count: 50 };

async function call(path: string, token: string, body?: unknown, method?: string) {
	const response = await server.request(path, { token, body, ...(method ? { method } : {}) });
	return { status: response.status, json: await response.json() };
}

async function run(memberKey: string, command: Command) {
	const member = server.members[memberKey]!;
	const outcome = await server.switchboard.storage.executeCommand({
		orgId: "acme",
		boardId: "main",
		actorId: member.id,
		commandId: randomUUID(),
		command,
		now: new Date().toISOString(),
	});
	if (!outcome.ok) throw new Error(`${command.name}: ${outcome.message}`);
}

/** A Mastodon mention ingested as the Mastodon source would, claimed by Dana. */
async function mastodonMention(text: string) {
	const status = mastodon.addStatus({ account: ana, text, mention: true });
	// Read as the Mastodon source reads it.
	const { mentions } = await pollMastodon({
		outbound: standInOutbound(),
		instanceUrl: mastodon.url,
		accessToken: STAND_IN_TOKEN,
		now: new Date(),
	});
	const { stored } = await server.switchboard.integrations.ingestor.ingest(
		"acme",
		"main",
		mentions.filter((m) => m.externalId === status.uri),
	);
	const id = stored[0]!.mention.id;
	await run("dana", { name: "claim", args: { mentionId: id } });
	return { status, id };
}

beforeAll(async () => {
	adminToken = (await server.addMember("acme", "Ada Admin", "admin")).token;
	board = await server.board(server.members.dana!);
});

describe("connected accounts", () => {
	it("connects a Mastodon account after checking its token, and keeps the token sealed", async () => {
		const dana = server.members.dana!.token;
		const refused = await call(
			"/api/me/accounts/mastodon",
			dana,
			{
				instanceUrl: mastodon.url,
				accessToken: "wrong",
			},
			"PUT",
		);
		expect(refused.status).toBe(400);
		expect(refused.json.error.message).toMatch(/could not be connected.*HTTP 401/);

		const connected = await call(
			"/api/me/accounts/mastodon",
			dana,
			{
				instanceUrl: mastodon.url,
				accessToken: STAND_IN_TOKEN,
			},
			"PUT",
		);
		expect(connected).toMatchObject({
			status: 200,
			json: {
				account: { network: "mastodon", handle: `acme@${mastodon.host}`, serverUrl: mastodon.url },
			},
		});
		expect(JSON.stringify(connected.json)).not.toContain(STAND_IN_TOKEN);
		const listed = await call("/api/me/accounts", dana);
		expect(listed.json.accounts).toHaveLength(1);
		const storage = server.switchboard.storage as KyselyStorage;
		const row = await storage.db
			.selectFrom("connected_accounts")
			.select("sealed_credential")
			.where("member_id", "=", server.members.dana!.id)
			.executeTakeFirstOrThrow();
		expect(row.sealed_credential).not.toContain(STAND_IN_TOKEN);
		// Another member sees only their own.
		expect((await call("/api/me/accounts", server.members.sam!.token)).json.accounts).toEqual([]);
	});

	it("connects a Bluesky account with an app password", async () => {
		const connected = await call(
			"/api/me/accounts/bluesky",
			server.members.dana!.token,
			{
				service: bluesky.url,
				identifier: "acme.bsky.social",
				appPassword: STAND_IN_APP_PASSWORD,
			},
			"PUT",
		);
		expect(connected.json.account).toMatchObject({
			network: "bluesky",
			handle: "acme.bsky.social",
		});
		expect(
			(await call("/api/me/accounts/twitter", server.members.dana!.token, {}, "PUT")).status,
		).toBe(404);
	});
});

describe("send", () => {
	it("keeps a failed send with its error, retries it, and marks the conversation replied", async () => {
		const dana = server.members.dana!.token;
		const { status, id } = await mastodonMention("my parcel never came");

		mastodon.failNext(503);
		const failed = await call(`/api/mentions/${id}/send`, dana, { text: "Sorry! We are on it." });
		expect(failed.status).toBe(502);
		expect(failed.json.error.message).toMatch(
			/Finding the post to reply to: the instance answered HTTP 503/,
		);
		expect(failed.json.send).toMatchObject({ status: "failed", attempts: 1, url: null });
		expect(mastodon.posted).toEqual([]);
		const listed = await call(`/api/mentions/${id}/sends`, server.members.morgan!.token);
		expect(listed.json.sends).toEqual([
			expect.objectContaining({ id: failed.json.send.id, status: "failed" }),
		]);
		expect((await server.switchboard.storage.getMention("acme", id))?.mention.status).toBe(
			"claimed",
		);

		// Only its member retries it.
		expect(
			(await call(`/api/sends/${failed.json.send.id}/retry`, server.members.sam!.token, {})).status,
		).toBe(404);
		const retried = await call(`/api/sends/${failed.json.send.id}/retry`, dana, {});
		expect(retried.status).toBe(200);
		expect(retried.json.send).toMatchObject({ status: "sent", attempts: 2, error: null });
		const url = retried.json.send.url as string;
		expect(url).toMatch(new RegExp(`^${mastodon.url}/@acme/`));
		expect(mastodon.posted).toEqual([
			{
				body: expect.objectContaining({
					status: `@ana@${mastodon.host} Sorry! We are on it.`,
					in_reply_to_id: status.id,
				}),
				idempotencyKey: failed.json.send.id,
			},
		]);
		expect(retried.json.mention).toMatchObject({
			status: "replied",
			reply: { url, hash: draftHash("Sorry! We are on it."), by: server.members.dana!.id },
		});
		// The board the team has open shows it replied.
		await waitFor(
			() => readMention(board.doc, id)?.status === "replied",
			5000,
			"replied on the board",
		);
		const activity = await server.switchboard.storage.listActivity("acme", {
			mentionId: id,
			limit: 1,
		});
		expect(activity[0]).toMatchObject({ action: "markReplied", commandId: failed.json.send.id });
		// A sent send is not sent again.
		expect((await call(`/api/sends/${failed.json.send.id}/retry`, dana, {})).status).toBe(409);
	});

	it("adds the sent reply to the thread, and the customer's answer to it reopens the conversation", async () => {
		const dana = server.members.dana!;
		const { id } = await mastodonMention("the app logs me out");
		const draft = await server.draft(dana, id);
		const watcher = await server.draft(dana, id);
		draft.doc.getText("body").insert(0, "Update the app, please.");
		await waitForSameBody(draft, watcher, 0, 5000, "the draft on the server");
		const sent = await call(`/api/mentions/${id}/send`, dana.token, {
			text: "Update the app, please.",
		});
		expect(sent.status).toBe(200);
		// Posted: the draft is ready for the next answer.
		await waitFor(() => draft.doc.getText("body").length === 0 || undefined, 5000, "draft emptied");
		draft.destroy();
		watcher.destroy();
		const ours = mastodon.posted.at(-1);
		const replied = (await server.switchboard.storage.getMention("acme", id))?.mention;
		const thread = replied?.thread;
		expect(thread).toEqual([
			expect.objectContaining({
				fromOrganisation: true,
				text: "Update the app, please.",
				handle: `acme@${mastodon.host}`,
				externalId: expect.stringMatching(new RegExp(`^${mastodon.url}/users/acme/statuses/`)),
				// The reply's link: what was answered is found by it.
				url: replied?.reply?.url,
			}),
		]);
		expect(ours).toBeDefined();

		// The customer answers our reply: the Mastodon source reads it, naming our reply.
		const ourStatus = { id: thread?.[0]?.externalId?.split("/").at(-1), account: { id: "1" } };
		const answer = mastodon.addStatus({
			account: ana,
			text: "still logged out",
			mention: true,
			inReplyTo: ourStatus,
		});
		const { mentions } = await pollMastodon({
			outbound: standInOutbound(),
			instanceUrl: mastodon.url,
			accessToken: STAND_IN_TOKEN,
			now: new Date(),
		});
		const result = await server.switchboard.integrations.ingestor.ingest(
			"acme",
			"main",
			mentions.filter((m) => m.externalId === answer.uri),
		);
		expect(result).toMatchObject({ accepted: 0, followUps: 1, mentionIds: [id] });
		const live = await waitFor(
			() => {
				const m = readMention(board.doc, id);
				return m?.status === "claimed" && m.unseenFollowUps === 1 ? m : undefined;
			},
			5000,
			"reopened to Dana on the board",
		);
		expect(live.owner?.memberId).toBe(dana.id);
		expect(live.thread.map((m) => m.text).sort()).toEqual([
			"@acme still logged out",
			"Update the app, please.",
		]);
	});

	it("adds a reply recorded by hand to the thread and empties its draft, unless the draft changed since", async () => {
		const dana = server.members.dana!;
		const { id } = await mastodonMention("where is my refund?");
		const draft = await server.draft(dana, id);
		const watcher = await server.draft(dana, id);
		const body = draft.doc.getText("body");
		const text = "Your refund left today.\n";
		body.insert(0, text);
		await waitForSameBody(draft, watcher, 0, 5000, "the draft on the server");
		const url = "https://social.example/@acme/101";
		const recorded = await board.commands.send({
			name: "markReplied",
			args: { mentionId: id, url, hash: draftHash(text) },
		});
		expect(recorded.type).toBe("ack");
		const live = await waitFor(
			() => readMention(board.doc, id)?.thread.find((m) => m.fromOrganisation),
			5000,
			"our reply in the thread on the board",
		);
		expect(live).toEqual({
			handle: "Dana",
			fromOrganisation: true,
			text: "Your refund left today.",
			postedAt: readMention(board.doc, id)?.reply?.sentAt,
			by: dana.id,
			url,
		});
		await waitFor(() => body.length === 0 || undefined, 5000, "the draft emptied");
		expect(watcher.doc.getText("body").toString()).toBe("");
		draft.destroy();
		watcher.destroy();

		// Someone adds a line after the hash was taken: the draft keeps it, nothing is guessed.
		const second = await mastodonMention("and my other refund?");
		const other = await server.draft(dana, second.id);
		const otherWatcher = await server.draft(dana, second.id);
		const first = "Also on its way.";
		other.doc.getText("body").insert(0, `${first} P.S. sorry`);
		await waitForSameBody(other, otherWatcher, first.length, 5000, "the edited draft");
		const stale = await board.commands.send({
			name: "markReplied",
			args: { mentionId: second.id, url, hash: draftHash(first) },
		});
		expect(stale.type).toBe("ack");
		// The server waits up to its settle time (2 s) for the named text, then leaves all be.
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(readMention(board.doc, second.id)?.thread).toEqual([]);
		expect(other.doc.getText("body").toString()).toBe(`${first} P.S. sorry`);
		other.destroy();
		otherWatcher.destroy();
	});

	it("sends only for the owner, only the approved text, and only with a connected account", async () => {
		const { id } = await mastodonMention("is there an outage?");
		// Drafts often end with a new line: the approval is of the draft as written.
		const text = "No outage, a local issue: restart your router.\n";
		await run("dana", {
			name: "submitForReview",
			args: { mentionId: id, hash: draftHash(text), text },
		});
		await run("morgan", { name: "approve", args: { mentionId: id, hash: draftHash(text), text } });

		const sam = await call(`/api/mentions/${id}/send`, server.members.sam!.token, { text });
		expect(sam).toMatchObject({ status: 403, json: { error: { code: "forbidden" } } });
		const changed = await call(`/api/mentions/${id}/send`, server.members.dana!.token, {
			text: `${text}!`,
		});
		expect(changed.status).toBe(409);
		expect(changed.json.error.message).toMatch(/not the one approved/);
		const empty = await call(`/api/mentions/${id}/send`, server.members.dana!.token, {
			text: "  ",
		});
		expect(empty.status).toBe(400);

		const twitter = server.mentions[0]!.mention.id;
		await run("kim", { name: "claim", args: { mentionId: twitter } });
		const noConnector = await call(`/api/mentions/${twitter}/send`, server.members.kim!.token, {
			text,
		});
		expect(noConnector.status).toBe(409);
		expect(noConnector.json.error.message).toMatch(
			/No connector posts to twitter; post the reply by hand/,
		);

		const sent = await call(`/api/mentions/${id}/send`, server.members.dana!.token, { text });
		expect(sent.json.mention).toMatchObject({ status: "replied" });
		// Posted without the trailing new line.
		expect(mastodon.posted.at(-1)?.body).toMatchObject({
			status: expect.stringMatching(/restart your router\.$/),
		});
		expect(await server.switchboard.storage.listReplySends("acme", { mentionId: id })).toEqual([
			expect.objectContaining({ status: "sent", attempts: 1 }),
		]);
	});

	it("replies on Bluesky with reply references to the mention", async () => {
		const carla = STAND_IN_CUSTOMER;
		const post = bluesky.addPost({
			author: carla,
			text: "@acme.bsky.social help",
			reason: "mention",
			langs: ["en"],
		});
		const { stored } = await server.switchboard.integrations.ingestor.ingest("acme", "main", [
			{
				network: "bluesky",
				externalId: String(post.uri),
				url: "https://bsky.app/profile/carla.bsky.social/post/x",
				author: { handle: carla.handle, name: carla.handle, reach: 77 },
				text: "help",
				thread: [],
				postedAt: new Date().toISOString(),
				ingestedAt: new Date().toISOString(),
			},
		]);
		const id = stored[0]!.mention.id;
		await run("dana", { name: "claim", args: { mentionId: id } });
		const sent = await call(`/api/mentions/${id}/send`, server.members.dana!.token, {
			text: "Here to help.",
		});
		expect(sent.status).toBe(200);
		const ref = { uri: post.uri, cid: post.cid };
		expect(bluesky.created[0]?.record).toMatchObject({
			text: "Here to help.",
			reply: { root: ref, parent: ref },
		});
		expect(sent.json.send.url).toMatch(/^https:\/\/bsky\.app\/profile\/acme\.bsky\.social\/post\//);
		expect(sent.json.mention.status).toBe("replied");
	});
});

describe("outgoing webhooks", () => {
	let receiver: StandInServer;
	let secret: string;
	let webhookId: string;
	/** The receiver fails each delivery's first two attempts. */
	const attempts = new Map<string, number>();

	beforeAll(async () => {
		receiver = await startStandIn((request, response) => {
			const id = String(request.headers["x-switchboard-delivery"]);
			const count = (attempts.get(id) ?? 0) + 1;
			attempts.set(id, count);
			response.writeHead(count <= 2 ? 500 : 200);
			response.end();
		});
		const created = await call("/api/orgs/acme/webhooks", adminToken, {
			url: `${receiver.url}/hook`,
			events: [
				"mention.high_priority",
				"mention.claimed",
				"mention.replied",
				"mention.sla_breached",
			],
		});
		expect(created.status).toBe(201);
		secret = created.json.secret;
		webhookId = created.json.webhook.id;
		expect((await call("/api/orgs/acme/webhooks", server.members.dana!.token)).status).toBe(403);
	});
	afterAll(async () => {
		await receiver.close();
	});

	it("delivers signed events, retrying with backoff until the receiver accepts", async () => {
		const { integrations } = server.switchboard;
		const { stored } = await integrations.ingestor.ingest("acme", "main", [
			{
				network: "other",
				externalId: `hook-${randomUUID()}`,
				url: null,
				author: { handle: "vip", name: "VIP", reach: 1_000_000 },
				text: "Your service is terrible",
				thread: [],
				postedAt: new Date().toISOString(),
				ingestedAt: new Date().toISOString(),
			},
		]);
		const mentionId = stored[0]!.mention.id;
		expect(stored[0]!.mention.priority).toBe("high");
		await run("sam", { name: "claim", args: { mentionId } });
		await integrations.dispatcher.slaBreached({
			orgId: "acme",
			boardId: "main",
			mention: stored[0]!.mention,
			kind: "reply",
			dueAt: new Date().toISOString(),
		});

		const t0 = Date.now() + 1000;
		const first = await integrations.dispatcher.runOnce(new Date(t0));
		expect(first).toEqual({ delivered: 0, failed: 3 });
		// Not due again before the backoff: 30 s after the first failure, 60 s after the second.
		const rounds = [
			{ after: 29_000, delivered: 0, failed: 0 },
			{ after: 30_000, delivered: 0, failed: 3 },
			{ after: 89_000, delivered: 0, failed: 0 },
			{ after: 90_000, delivered: 3, failed: 0 },
		];
		for (const { after, ...outcome } of rounds) {
			expect(await integrations.dispatcher.runOnce(new Date(t0 + after)), `${after} ms`).toEqual(
				outcome,
			);
		}

		const delivered = receiver.requests.filter(
			(r) => attempts.get(String(r.headers["x-switchboard-delivery"])) === 3,
		);
		const last = receiver.requests.slice(-3);
		const events = last.map(
			(r) => JSON.parse(r.body) as { event: string; data: { mentionId: string } },
		);
		expect(events.map((e) => e.event).sort()).toEqual([
			"mention.claimed",
			"mention.high_priority",
			"mention.sla_breached",
		]);
		expect(events.every((e) => e.data.mentionId === mentionId)).toBe(true);
		for (const request of last) {
			expect(request.headers["x-switchboard-event"]).toBe(JSON.parse(request.body).event);
			expect(
				verifySignature({
					secret,
					rawBody: request.body,
					signature: String(request.headers["x-switchboard-signature"]),
					timestamp: String(request.headers["x-switchboard-timestamp"]),
				}),
			).toEqual({ ok: true });
		}
		expect(delivered.length).toBeGreaterThan(0);

		const listed = await call(`/api/orgs/acme/webhooks/${webhookId}/deliveries`, adminToken);
		expect(
			listed.json.deliveries.filter((d: { status: string }) => d.status === "delivered"),
		).toHaveLength(3);
		expect(listed.json.deliveries[0]).toMatchObject({
			attempts: 3,
			lastStatus: 200,
			lastError: null,
		});
	});

	it("gives up after the last attempt, keeps the error visible, and retries by hand", async () => {
		const { storage, integrations } = server.switchboard;
		const impatient = new WebhookDispatcher({
			storage,
			secrets: integrations.secrets,
			outbound: integrations.outbound,
			logger: pino({ level: "silent" }),
			maxAttempts: 2,
			backoffBaseMs: 10,
		});
		await storage.enqueueWebhookEvent({
			orgId: "acme",
			event: "mention.sla_breached",
			dedupeKey: `sla:${randomUUID()}:claim`,
			payload: { mentionId: "m" },
			now: new Date().toISOString(),
		});
		const t0 = Date.now() + 1000;
		expect(await impatient.runOnce(new Date(t0))).toMatchObject({ failed: 1 });
		expect(await impatient.runOnce(new Date(t0 + 10))).toMatchObject({ failed: 1 });
		expect(await impatient.runOnce(new Date(t0 + 1000))).toEqual({ delivered: 0, failed: 0 });
		const failed = await call(
			`/api/orgs/acme/webhooks/${webhookId}/deliveries?status=failed`,
			adminToken,
		);
		expect(failed.json.deliveries).toEqual([
			expect.objectContaining({
				status: "failed",
				attempts: 2,
				lastError: "The endpoint answered HTTP 500.",
				lastStatus: 500,
			}),
		]);
		const deliveryId = failed.json.deliveries[0].id;
		// Through another webhook's path: refused before the delivery is touched.
		const elsewhere = await call(
			`/api/orgs/acme/webhooks/another-webhook/deliveries/${deliveryId}/retry`,
			adminToken,
			{},
		);
		expect(elsewhere.status).toBe(404);
		const untouched = await call(
			`/api/orgs/acme/webhooks/${webhookId}/deliveries?status=failed`,
			adminToken,
		);
		expect(untouched.json.deliveries).toEqual([
			expect.objectContaining({ id: deliveryId, status: "failed", attempts: 2 }),
		]);
		const retried = await call(
			`/api/orgs/acme/webhooks/${webhookId}/deliveries/${deliveryId}/retry`,
			adminToken,
			{},
		);
		expect(retried.json.delivery).toMatchObject({ status: "pending", attempts: 0 });
		const [entry] = await server.switchboard.storage.listAuditEntries("acme", {
			actions: ["webhook.delivery_retried"],
			limit: 5,
		});
		expect(entry).toMatchObject({
			target: { type: "webhook", id: webhookId },
			details: { delivery: deliveryId, event: expect.any(String) },
		});
		expect(await impatient.runOnce(new Date(Date.now() + 1000))).toEqual({
			delivered: 1,
			failed: 0,
		});
	});
});
