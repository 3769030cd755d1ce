/**
 * Notifications against a real server on port 0 (issue 13 part 3, issue 14 part 3): what a
 * teammate, a moderator or the SLA watcher does reaches the member's feed and, live, their
 * open board socket; read marks and settings are the member's own; Web Push reaches an
 * opted-in device (a local push service that verifies VAPID and decrypts the payload),
 * only for the kinds chosen, and a device whose subscription is gone is forgotten; an
 * owner away longer than the lease hears, once, that their conversation went back.
 */
import { createECDH } from "node:crypto";
import { createOutboundClient } from "@switchboard/connectors";
import {
	addNote,
	type Command,
	draftHash,
	type Notification,
	type NotificationsMessage,
	notificationText,
	parseServerMessage,
	pushPayload,
} from "@switchboard/domain";
import { PushSender } from "@switchboard/server";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PushReceiver, startPushReceiver } from "./utils/push-receiver.ts";
import {
	makeMention,
	startTestServer,
	type TestClient,
	type TestMember,
	type TestServer,
	waitFor,
} from "./utils/test-server.ts";

let server: TestServer;
let push: PushReceiver;

beforeAll(async () => {
	[server, push] = await Promise.all([startTestServer(), startPushReceiver()]);
});
afterAll(async () => {
	await server?.close();
	await push?.close();
});

async function call(member: TestMember, path: string, body?: unknown, method?: string) {
	const response = await fetch(`${server.url}${path}`, {
		method: method ?? (body === undefined ? "GET" : "POST"),
		headers: {
			authorization: `Bearer ${member.token}`,
			...(body !== undefined ? { "content-type": "application/json" } : {}),
		},
		...(body !== undefined ? { body: JSON.stringify(body) } : {}),
	});
	// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
	return { status: response.status, json: (await response.json()) as any };
}

async function feed(
	member: TestMember,
	query = "",
): Promise<{
	notifications: Notification[];
	unread: number;
	nextCursor: string | null;
}> {
	const { status, json } = await call(member, `/api/me/notifications${query}`);
	expect(status, JSON.stringify(json)).toBe(200);
	return json;
}

/** A member's board socket, with the notifications messages it received. */
async function live(member: TestMember): Promise<TestClient & { heard: NotificationsMessage[] }> {
	const client = await server.board(member);
	const heard: NotificationsMessage[] = [];
	client.provider.on("stateless", ({ payload }: { payload: string }) => {
		const message = parseServerMessage(payload);
		if (message?.type === "notifications") heard.push(message);
	});
	return Object.assign(client, { heard });
}

async function command(client: TestClient, cmd: Command, id?: string) {
	const answer = await client.commands.send(cmd, id);
	expect(answer.type, JSON.stringify(answer)).toBe("ack");
}

const mentionIds = () => server.mentions.map(({ mention }) => mention.id);

describe("the notification feed", () => {
	it("tells an assignee at once on their open board, once however often the command is sent", async () => {
		const { dana, morgan } = server.members;
		const danaBoard = await live(dana!);
		const morganBoard = await live(morgan!);
		const mentionId = mentionIds()[0]!;
		const id = crypto.randomUUID();
		const assign: Command = { name: "assign", args: { mentionId, memberId: dana!.id } };
		await command(morganBoard, assign, id);

		const message = await waitFor(() => danaBoard.heard.find((m) => m.added), 10_000, "live");
		expect(message.unread).toBe(1);
		expect(message.added).toMatchObject({
			kind: "assigned",
			mentionId,
			boardId: "main",
			actorId: morgan!.id,
			readAt: null,
			detail: { actorName: "Morgan", handle: "someone0", network: "twitter" },
		});
		const { notifications, unread } = await feed(dana!);
		expect(unread).toBe(1);
		expect(notifications).toEqual([message.added]);

		await command(morganBoard, assign, id);
		await server.switchboard.notifier.idle();
		expect((await feed(dana!)).notifications).toHaveLength(1);
		expect((await feed(morgan!)).notifications).toEqual([]);
		expect(morganBoard.heard).toEqual([]);
	});

	it("tells the teammates a note @mentions, not its writer nor anyone outside the organisation", async () => {
		const { sam, kim, gabi } = server.members;
		const kimBoard = await live(kim!);
		const mentionId = mentionIds()[1]!;
		const draft = await server.draft(sam!, mentionId);
		addNote(draft.doc, {
			id: "note-1",
			authorId: sam!.id,
			text: "@Kim can you look? cc @Sam @Gabi",
			at: new Date().toISOString(),
			mentions: [kim!.id, sam!.id, gabi!.id],
		});
		const message = await waitFor(() => kimBoard.heard.find((m) => m.added), 10_000, "live");
		expect(message.added).toMatchObject({
			kind: "mentioned",
			mentionId,
			actorId: sam!.id,
			detail: { actorName: "Sam", noteId: "note-1" },
		});
		await server.switchboard.notifier.idle();
		expect((await feed(sam!)).notifications).toEqual([]);
		expect((await feed(gabi!)).notifications).toEqual([]);
	});

	it("tells the owner of a review's decision, the member handed a conversation, and an owner of a breach", async () => {
		const { dana, sam, morgan } = server.members;
		const danaBoard = await live(dana!);
		const morganBoard = await live(morgan!);
		const mentionId = mentionIds()[2]!;
		const text = "Sorry, we are on it";
		const hash = draftHash(text);
		await command(danaBoard, { name: "claim", args: { mentionId } });
		await command(danaBoard, { name: "submitForReview", args: { mentionId, hash, text } });
		await command(morganBoard, { name: "approve", args: { mentionId, hash, text } });
		await command(danaBoard, { name: "handoff", args: { mentionId, to: sam!.id } });
		await server.switchboard.notifier.idle();
		const [decided] = (await feed(dana!)).notifications;
		expect(decided).toMatchObject({ kind: "review_decided", detail: { decision: "approved" } });
		const [handed] = (await feed(sam!)).notifications;
		expect(handed).toMatchObject({ kind: "handed_off", mentionId, actorId: dana!.id });

		// Sam now owns it: a breach of its reply time is his to hear about.
		await server.switchboard.coverage.watcher.runOnce(new Date(Date.now() + 86_400_000));
		await server.switchboard.notifier.idle();
		const breaches = (await feed(sam!)).notifications.filter((n) => n.kind === "sla_breach");
		expect(breaches.map((n) => [n.mentionId, n.actorId])).toContainEqual([mentionId, null]);
		expect(
			(await feed(server.members.kim!)).notifications.some((n) => n.kind === "sla_breach"),
		).toBe(false);
	});

	it("reads the owner's entries her own step answers: changes asked for once she submits again, the rest once the reply is recorded", async () => {
		const { morgan } = server.members;
		const { storage, notifier } = server.switchboard;
		const ada = await server.addMember("acme", "Ada", "ambassador");
		const [stored] = await storage.insertMentions("acme", "main", [
			makeMention(940, { externalId: "answered-940" }),
		]);
		const mentionId = stored!.mention.id;
		const [adaBoard, morganBoard] = await Promise.all([live(ada), live(morgan!)]);
		const unread = async () =>
			(await feed(ada)).notifications.filter((n) => n.readAt === null).map((n) => n.kind);
		const first = "Sorry about this";
		const second = "Sorry about this: a refund is on its way";
		const reply = (text: string) => ({ mentionId, hash: draftHash(text), text });

		await command(morganBoard, { name: "assign", args: { mentionId, memberId: ada.id } });
		await command(adaBoard, { name: "submitForReview", args: reply(first) });
		await command(morganBoard, {
			name: "requestChanges",
			args: { mentionId, comment: "Say what we do about it" },
		});
		await notifier.idle();
		expect(await unread()).toEqual(["review_decided", "assigned"]);
		// Ada made the changes and submitted again: what the review asked is done.
		await command(adaBoard, { name: "submitForReview", args: reply(second) });
		await notifier.idle();
		expect(await unread()).toEqual(["assigned"]);
		await command(morganBoard, { name: "approve", args: reply(second) });
		await notifier.idle();
		expect(await unread()).toEqual(["review_decided", "assigned"]);
		// The reply is out: nothing on it asks her to act any more.
		await command(adaBoard, {
			name: "markReplied",
			args: { mentionId, url: "https://twitter.com/acme/status/940", hash: draftHash(second) },
		});
		await notifier.idle();
		expect(await unread()).toEqual([]);
		expect((await feed(ada)).notifications).toHaveLength(3);
	});

	it("marks read what the member names or all, tells their other sockets, and pages newest first", async () => {
		const { dana } = server.members;
		const before = await feed(dana!);
		expect(before.unread).toBeGreaterThanOrEqual(2);
		const other = await live(dana!);
		const [newest] = before.notifications;
		const marked = await call(dana!, "/api/me/notifications/read", { ids: [newest!.id] });
		expect(marked).toEqual({ status: 200, json: { marked: 1, unread: before.unread - 1 } });
		await waitFor(() => other.heard.some((m) => m.unread === before.unread - 1), 10_000, "count");
		const unreadOnly = await feed(dana!, "?unread=true");
		expect(unreadOnly.notifications.map((n) => n.id)).not.toContain(newest!.id);

		const first = await feed(dana!, "?limit=1");
		expect(first.nextCursor).not.toBeNull();
		const second = await feed(dana!, `?limit=1&cursor=${first.nextCursor}`);
		expect(Number(second.notifications[0]!.id)).toBeLessThan(Number(first.notifications[0]!.id));

		expect((await call(dana!, "/api/me/notifications/read", { all: true })).json.unread).toBe(0);
		await waitFor(() => other.heard.some((m) => m.unread === 0), 10_000, "zero");
		expect((await call(dana!, "/api/me/notifications?cursor=x")).status).toBe(400);
		expect((await call(dana!, "/api/me/notifications/read", {})).status).toBe(400);
		expect((await call(dana!, "/api/me/notifications/read", { ids: [] })).status).toBe(400);
	});
});

describe("a customer who writes again and again", () => {
	it("is one entry in the owner's feed, counting the messages, until she reads it", async () => {
		const { dana } = server.members;
		const { storage, integrations, notifier } = server.switchboard;
		const [stored] = await storage.insertMentions("acme", "main", [makeMention(900)]);
		const { mention } = stored!;
		const board = await live(dana!);
		await command(board, { name: "claim", args: { mentionId: mention.id } });
		let previous = mention.externalId;
		// Messages sent together (one request, one poll of the network) are told together.
		const writesAgain = async (...numbers: number[]) => {
			const messages = numbers.map((n, i) => ({
				...makeMention(900 + n, {
					externalId: `again-${n}`,
					inReplyTo: i === 0 ? previous : `again-${numbers[i - 1]}`,
					text: `Hello? (${n})`,
				}),
				postedAt: new Date(Date.now() + i).toISOString(),
			}));
			const result = await integrations.ingestor.ingest("acme", "main", messages);
			expect(result).toMatchObject({ followUps: numbers.length });
			previous = `again-${numbers.at(-1)}`;
			await notifier.idle();
		};
		const followUps = async () =>
			(await feed(dana!)).notifications.filter(
				(n) => n.kind === "follow_up" && n.mentionId === mention.id,
			);
		const unreadBefore = (await feed(dana!)).unread;

		for (let n = 1; n <= 3; n++) await writesAgain(n);
		const [folded, ...rest] = await followUps();
		expect(rest).toEqual([]);
		expect(folded).toMatchObject({ readAt: null, detail: { count: 3, handle: "someone900" } });
		expect((await feed(dana!)).unread).toBe(unreadBefore + 1);
		// Live, each one came as the entry that replaces the one before, newest on top.
		const told = board.heard.filter((m) => m.added?.kind === "follow_up");
		expect(told.map((m) => m.added?.detail.count ?? 1)).toEqual([1, 2, 3]);
		expect(told.at(-1)?.added).toEqual(folded);
		expect(Number(told[2]?.added?.id)).toBeGreaterThan(Number(told[1]?.added?.id));

		// Read, it stays as it was; the next message starts a new entry.
		await call(dana!, "/api/me/notifications/read", { ids: [folded!.id] });
		await writesAgain(4);
		const after = await followUps();
		expect(after.map((n) => [n.detail.count ?? 1, n.readAt === null])).toEqual([
			[1, true],
			[3, false],
		]);
		// Two at once count two.
		await writesAgain(5, 6);
		const unread = async () => (await followUps()).filter((n) => n.readAt === null);
		expect((await unread()).map((n) => n.detail.count)).toEqual([3]);

		// She opens the conversation: seen on the board, and read in the bell.
		const draft = await server.draft(dana!, mention.id);
		await expect.poll(async () => (await unread()).length, { timeout: 10_000 }).toBe(0);
		// One that comes while she has it open is seen as it comes: nothing new in the bell.
		await writesAgain(7);
		await expect
			.poll(async () => (await storage.getMention("acme", mention.id))?.mention.thread.length, {
				timeout: 10_000,
			})
			.toBe(7);
		await expect
			.poll(async () => (await storage.getMention("acme", mention.id))?.mention.unseenFollowUps, {
				timeout: 10_000,
			})
			.toBe(0);
		await notifier.idle();
		await expect.poll(async () => (await unread()).length, { timeout: 10_000 }).toBe(0);
		draft.destroy();
	});
});

describe("a conversation taken from its owner", () => {
	it("tells the owner a moderator took it from, reads their follow-ups, and tells no owner of their own doing", async () => {
		const { morgan } = server.members;
		const { storage, integrations, notifier } = server.switchboard;
		const [lou, rin] = await Promise.all([
			server.addMember("acme", "Lou", "ambassador"),
			server.addMember("acme", "Rin", "ambassador"),
		]);
		const [stored] = await storage.insertMentions("acme", "main", [
			makeMention(950, { externalId: "taken-950" }),
		]);
		const mentionId = stored!.mention.id;
		const [louBoard, rinBoard, morganBoard] = await Promise.all([
			live(lou),
			live(rin),
			live(morgan!),
		]);
		const kinds = async (member: TestMember) =>
			(await feed(member)).notifications.map((n) => [n.kind, n.readAt === null]);

		// Lou lets it go and takes it again herself: nobody is told anything.
		await command(louBoard, { name: "claim", args: { mentionId } });
		await command(louBoard, { name: "release", args: { mentionId } });
		await command(louBoard, { name: "claim", args: { mentionId } });
		// The customer writes again: a follow-up asks Lou, its owner, to answer.
		const again = makeMention(951, { externalId: "taken-951", inReplyTo: "taken-950" });
		await integrations.ingestor.ingest("acme", "main", [again]);
		await notifier.idle();
		expect(await kinds(lou)).toEqual([["follow_up", true]]);

		// Morgan gives it to Rin: Rin hears she has it, Lou that it is gone, and her
		// follow-up no longer asks her to answer someone else's conversation.
		await command(morganBoard, { name: "assign", args: { mentionId, memberId: rin.id } });
		const told = await waitFor(
			() => louBoard.heard.find((m) => m.added?.kind === "taken_away"),
			10_000,
			"taken_away, live",
		);
		expect(told.added).toMatchObject({
			mentionId,
			actorId: morgan!.id,
			readAt: null,
			detail: {
				actorName: "Morgan",
				newOwnerId: rin.id,
				newOwnerName: "Rin",
				handle: "someone950",
			},
		});
		expect(notificationText(told.added!)).toEqual({
			title: "Morgan gave your conversation to Rin",
			body: "The conversation with @someone950",
		});
		expect(told.unread).toBe(1);
		expect(await kinds(lou)).toEqual([
			["taken_away", true],
			["follow_up", false],
		]);
		await waitFor(() => rinBoard.heard.find((m) => m.added?.kind === "assigned"), 10_000, "Rin");

		// Back to the board: Rin hears it from Morgan, and "assigned you" no longer asks her
		// to answer it.
		await command(morganBoard, { name: "unassign", args: { mentionId } });
		await notifier.idle();
		const [back] = (await feed(rin)).notifications;
		expect(notificationText(back!).title).toBe("Morgan took your conversation back to the board");
		expect(await kinds(rin)).toEqual([
			["taken_away", true],
			["assigned", false],
		]);
		expect((await feed(morgan!)).notifications).toEqual([]);
		expect(morganBoard.heard).toEqual([]);
	});
});

describe("notification settings and Web Push", () => {
	it("keeps each member's choices per kind and channel, and sends only what they chose", async () => {
		const { kim, morgan } = server.members;
		const defaults = await call(kim!, "/api/me/notification-settings");
		expect(defaults.json.settings.assigned).toEqual({ app: true, push: true });
		expect(defaults.json.settings.sla_breach).toEqual({ app: true, push: false });

		const { json: keys } = await call(kim!, "/api/me/push-devices");
		expect(keys.devices).toEqual([]);
		const phone = push.device();
		const laptop = push.device();
		for (const [device, label] of [
			[phone, "Phone"],
			[laptop, "Laptop"],
		] as const) {
			const added = await call(
				kim!,
				"/api/me/push-devices",
				{ subscription: device.subscription, label },
				"PUT",
			);
			expect(added.status, JSON.stringify(added.json)).toBe(200);
		}
		const morganBoard = await live(morgan!);
		const [first, second, third] = mentionIds().slice(3);
		await command(morganBoard, { name: "assign", args: { mentionId: first!, memberId: kim!.id } });
		await server.switchboard.notifier.idle();
		expect(push.refused).toEqual([]);
		expect(phone.received).toHaveLength(1);
		const received = phone.received[0]!;
		expect(received.vapidKey).toBe(keys.publicKey);
		expect(received.claims.aud).toBe(push.url);
		const [entry] = (await feed(kim!)).notifications;
		expect(JSON.parse(received.text)).toEqual({
			v: 1,
			id: entry!.id,
			kind: "assigned",
			mentionId: first,
			title: "Morgan assigned you a conversation",
			body: "The conversation with @someone3",
			url: `/m/${first}`,
		});
		// Nothing beyond what the notification says: no post text, no addresses.
		expect(received.text).not.toMatch(/never arrived|@acme\.test|@example/);

		// Assignments: in the app only. The phone stays quiet, the feed still has it.
		const saved = await call(
			kim!,
			"/api/me/notification-settings",
			{ assigned: { push: false } },
			"PUT",
		);
		expect(saved.json.settings.assigned).toEqual({ app: true, push: false });
		await command(morganBoard, { name: "assign", args: { mentionId: second!, memberId: kim!.id } });
		await server.switchboard.notifier.idle();
		expect(phone.received).toHaveLength(1);
		expect((await feed(kim!)).notifications[0]).toMatchObject({ mentionId: second });

		// The phone's subscription is gone (410); the laptop unsubscribed: both are forgotten.
		await call(
			kim!,
			"/api/me/notification-settings",
			{ assigned: { push: true, app: false } },
			"PUT",
		);
		phone.status = 410;
		// Capacity 2: Kim gives one back before the third assignment.
		await command(await live(kim!), { name: "release", args: { mentionId: first! } });
		const removed = await call(kim!, "/api/me/push-devices/remove", {
			endpoint: laptop.subscription.endpoint,
		});
		expect(removed.json).toEqual({ removed: true });
		await command(morganBoard, { name: "assign", args: { mentionId: third!, memberId: kim!.id } });
		await server.switchboard.notifier.idle();
		expect((await call(kim!, "/api/me/push-devices")).json.devices).toEqual([]);
		expect(laptop.received).toHaveLength(1);
		expect(phone.received).toHaveLength(1);
		expect((await feed(kim!)).notifications[0]).toMatchObject({ mentionId: second });
	});

	it("sends to push endpoints through the outbound guard: a private address is refused unless allowed", async () => {
		const device = push.device();
		const { storage } = server.switchboard;
		const { dana } = server.members;
		await storage.savePushDevice({
			memberId: dana!.id,
			endpoint: device.subscription.endpoint,
			keys: device.subscription.keys,
			label: null,
		});
		const payload = pushPayload({ id: null, kind: "follow_up", mentionId: "m-1", detail: {} });
		const keys = createECDH("prime256v1");
		keys.generateKeys();
		const strict = new PushSender({
			storage,
			outbound: createOutboundClient(),
			vapid: {
				publicKey: keys.getPublicKey().toString("base64url"),
				// 32 bytes, as VAPID wants: Node drops a private key's leading zero bytes (one key
				// in 256 came out 31 bytes and failed the test).
				privateKey: Buffer.concat([Buffer.alloc(32), keys.getPrivateKey()])
					.subarray(-32)
					.toString("base64url"),
			},
			logger: pino({ level: "silent" }),
		});
		expect(await strict.send(dana!.id, payload)).toEqual(["failed"]);
		expect(device.received).toEqual([]);
		// The test server allows 127.0.0.1 (SWITCHBOARD_OUTBOUND_ALLOW), as an operator may.
		expect(await server.switchboard.push.send(dana!.id, payload)).toEqual(["sent"]);
		expect(JSON.parse(device.received[0]?.text ?? "null")).toEqual(payload);
	});

	// Last in the file: its round, 16 minutes ahead, gives back what every offline member holds.
	it("tells an owner away longer than the lease, once, in the feed and on the phone", async () => {
		const { storage, board, coverage, notifier } = server.switchboard;
		const lee = await server.addMember("acme", "Lee", "ambassador");
		const phone = push.device();
		await call(lee, "/api/me/push-devices", { subscription: phone.subscription }, "PUT");
		const settings = await call(lee, "/api/me/notification-settings");
		expect(settings.json.settings.lease_expired).toEqual({ app: true, push: true });
		const stored = await storage.insertMentions("acme", "main", [
			makeMention(900, { externalId: "lease-notified", postedAt: new Date().toISOString() }),
		]);
		await board.publish("acme", "main", stored);
		const mentionId = stored[0]!.mention.id;
		const leeBoard = await live(lee);
		await command(leeBoard, { name: "claim", args: { mentionId } });

		// Lee closes the app; two rounds at once, as two instances' watchers could run them.
		leeBoard.destroy();
		await expect
			.poll(async () => {
				const records = await storage.listPresence("acme");
				return records.filter((r) => r.memberId === lee.id).every((r) => r.connections === 0);
			})
			.toBe(true);
		const later = new Date(Date.now() + 16 * 60_000);
		const rounds = await Promise.all([
			coverage.watcher.runOnce(later),
			coverage.watcher.runOnce(later),
		]);
		expect(rounds.flatMap((r) => r.released).filter((r) => r.mentionId === mentionId)).toEqual([
			{ orgId: "acme", mentionId, memberId: lee.id },
		]);
		await coverage.watcher.runOnce(new Date(later.getTime() + 60_000));
		await notifier.idle();

		const { notifications, unread } = await feed(lee);
		expect(unread).toBe(1);
		expect(notifications).toHaveLength(1);
		const [told] = notifications;
		expect(told).toMatchObject({
			kind: "lease_expired",
			mentionId,
			boardId: "main",
			actorId: null,
			detail: { handle: "someone900", awayMinutes: 16 },
		});
		expect(phone.received.map((received) => JSON.parse(received.text))).toEqual([
			{
				v: 1,
				id: told!.id,
				kind: "lease_expired",
				mentionId,
				title: "Your conversation went back to the board",
				body: "The conversation with @someone900, released after 16 minutes away",
				url: `/m/${mentionId}`,
			},
		]);
	});
});
