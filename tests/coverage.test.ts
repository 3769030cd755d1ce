/**
 * The moderator's view against a real server on port 0 and real providers: the coverage
 * watcher, driven with `runOnce(now)` at chosen times, records SLA breaches once, shows
 * them on the board and queues the webhook event; it gives back the conversations of
 * owners offline longer than the lease, and only theirs; reports and board settings
 * over HTTP, with their permissions.
 */
import { randomUUID } from "node:crypto";
import {
	boardRoots,
	type Command,
	readBreaches,
	readMention,
	readSettings,
} from "@switchboard/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	makeMention,
	startTestServer,
	type TestClient,
	type TestServer,
	waitFor,
} from "./utils/test-server.ts";

let server: TestServer;
let adminToken: string;
const MINUTE = 60_000;

beforeAll(async () => {
	server = await startTestServer();
	adminToken = (await server.addMember("acme", "Alex", "admin")).token;
});
afterAll(async () => {
	await server?.close();
});

async function call(path: string, token: string, body?: unknown, method?: string) {
	const response = await server.request(path, { token, body, ...(method ? { method } : {}) });
	const text = await response.text();
	let json: unknown = null;
	try {
		json = JSON.parse(text);
	} catch {
		// CSV
	}
	return {
		status: response.status,
		text,
		json: json as Record<string, unknown>,
		headers: response.headers,
	};
}

/** A fresh conversation that arrived at `at`, projected onto the board. */
async function arrive(at: Date, overrides: Record<string, unknown> = {}) {
	const { storage, board } = server.switchboard;
	const stored = await storage.insertMentions("acme", "main", [
		makeMention(Math.floor(Math.random() * 1e9), {
			externalId: `cov-${randomUUID()}`,
			postedAt: at.toISOString(),
			ingestedAt: at.toISOString(),
			...overrides,
		}),
	]);
	await board.publish("acme", "main", stored);
	return stored[0]!.mention.id;
}

/** One round of the coverage watcher, run as if `minutes` had passed since `start`. */
function roundAfter(start: Date, minutes: number) {
	return server.switchboard.coverage.watcher.runOnce(new Date(start.getTime() + minutes * MINUTE));
}

/** The member closes the app: resolves, once the server counts them offline, with the time. */
async function leave(board: TestClient, memberId: string): Promise<Date> {
	board.destroy();
	await gone(memberId);
	return new Date();
}

/** Wait until the server has recorded that the member has no board connection left. */
async function gone(memberId: string): Promise<void> {
	const deadline = Date.now() + 5000;
	for (;;) {
		const records = await server.switchboard.storage.listPresence("acme");
		const mine = records.filter((r) => r.memberId === memberId);
		if (mine.length > 0 && mine.every((r) => r.connections === 0)) return;
		if (Date.now() > deadline) throw new Error(`${memberId} still connected`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

async function send(client: TestClient, command: Command) {
	const answer = await client.commands.send(command);
	if (answer.type !== "ack") throw new Error(`${command.name}: ${JSON.stringify(answer)}`);
}

describe("SLA breaches", () => {
	it("are found by the server, recorded once, shown on the board and sent to the webhook", async () => {
		const { storage } = server.switchboard;
		const hook = await call("/api/orgs/acme/webhooks", adminToken, {
			url: "http://127.0.0.1:9/hook",
			events: ["mention.sla_breached"],
		});
		expect(hook.status).toBe(201);
		const webhookId = (hook.json.webhook as { id: string }).id;
		const moderator = await server.board(server.members.morgan!);
		const t0 = new Date();
		const id = await arrive(t0, { priority: "high" });
		await waitFor(() => readMention(moderator.doc, id), 5000, "the mention on the board");

		// High priority: claim within 15 minutes, reply within an hour.
		const before = await roundAfter(t0, 14);
		expect(before.breaches.filter((b) => b.mentionId === id)).toEqual([]);

		const round = await roundAfter(t0, 16);
		expect(round.breaches.filter((b) => b.mentionId === id)).toEqual([
			expect.objectContaining({ mentionId: id, kind: "claim" }),
		]);
		const shown = await waitFor(
			() => readBreaches(moderator.doc).find((b) => b.mentionId === id),
			5000,
			"the breach on the moderator's board",
		);
		expect(shown).toMatchObject({
			kind: "claim",
			dueAt: new Date(t0.getTime() + 15 * MINUTE).toISOString(),
		});
		const activity = await storage.listActivity("acme", { mentionId: id });
		expect(activity.map((a) => [a.action, a.actorId, a.detail.kind])).toEqual([
			["sla_breached", null, "claim"],
		]);
		const deliveries = await storage.listWebhookDeliveries("acme", { endpointId: webhookId });
		expect(
			deliveries.filter((d) => (d.payload as { mentionId?: string }).mentionId === id),
		).toEqual([
			expect.objectContaining({
				event: "mention.sla_breached",
				payload: expect.objectContaining({ kind: "claim", mentionId: id }),
			}),
		]);

		// Rounds after it record nothing twice; the reply target is its own breach.
		const again = await roundAfter(t0, 17);
		expect(again.breaches.filter((b) => b.mentionId === id)).toEqual([]);
		const later = await roundAfter(t0, 61);
		expect(later.breaches.filter((b) => b.mentionId === id).map((b) => b.kind)).toEqual(["reply"]);
		expect(
			(await storage.listActivity("acme", { mentionId: id })).filter(
				(a) => a.action === "sla_breached",
			),
		).toHaveLength(2);
		await waitFor(
			() => readBreaches(moderator.doc).filter((b) => b.mentionId === id).length === 2,
			5000,
			"both breaches on the board",
		);
	});

	it("are on a board loaded afresh from the database", async () => {
		const t0 = new Date();
		const id = await arrive(t0, { priority: "high" });
		await roundAfter(t0, 20);
		// A second board copy syncs from the server's document; breaches come with it.
		const fresh = await server.board(server.members.kim!);
		expect(readBreaches(fresh.doc).some((b) => b.mentionId === id && b.kind === "claim")).toBe(
			true,
		);
		expect(boardRoots(fresh.doc).breaches.length).toBeGreaterThan(0);
		fresh.destroy();
	});
});

describe("leases", () => {
	it("give back what an offline owner holds after the lease, keeping what online owners hold", async () => {
		const { storage } = server.switchboard;
		const t0 = new Date();
		const [stays, goes] = [await arrive(t0), await arrive(t0)];
		const dana = await server.board(server.members.dana!);
		const sam = await server.board(server.members.sam!);
		await send(dana, { name: "claim", args: { mentionId: stays } });
		await send(sam, { name: "claim", args: { mentionId: goes } });
		// Sam closes the app; Dana stays.
		const left = await leave(sam, server.members.sam!.id);

		const early = await roundAfter(left, 14);
		expect(early.released.map((r) => r.mentionId)).not.toContain(goes);

		const round = await roundAfter(left, 16);
		const released = round.released.map((r) => r.mentionId);
		expect(released).toContain(goes);
		expect(released).not.toContain(stays);
		await waitFor(() => readMention(dana.doc, goes)?.owner === null, 5000, "released on the board");
		expect(readMention(dana.doc, stays)?.owner?.memberId).toBe(server.members.dana!.id);

		const [record] = await storage.listActivity("acme", { mentionId: goes, limit: 1 });
		expect(record).toMatchObject({
			action: "lease_expired",
			actorId: null,
			fromStatus: "claimed",
			toStatus: "new",
			detail: {
				reason: "lease_expired",
				previousOwner: server.members.sam!.id,
				leaseMinutes: 15,
			},
		});
		// Sam's capacity is free again: the released conversation counts no more.
		const again = await server.board(server.members.sam!);
		await send(again, { name: "claim", args: { mentionId: goes } });
	});

	it("follow the board's lease, which an admin sets", async () => {
		const moderator = await server.board(server.members.morgan!);
		const saved = await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{ leaseMinutes: 30 },
			"PUT",
		);
		expect(saved.status).toBe(200);
		await waitFor(
			() => readSettings(moderator.doc).leaseMinutes === 30,
			5000,
			"the new lease on the board",
		);

		const t0 = new Date();
		const id = await arrive(t0);
		const kim = await server.board(server.members.kim!);
		await send(kim, { name: "claim", args: { mentionId: id } });
		const left = await leave(kim, server.members.kim!.id);
		const within = await roundAfter(left, 20);
		expect(within.released.map((r) => r.mentionId)).not.toContain(id);
		const after = await roundAfter(left, 31);
		expect(after.released.map((r) => r.mentionId)).toContain(id);
		await call("/api/orgs/acme/boards/main/settings", adminToken, { leaseMinutes: 15 }, "PUT");
	});
});

describe("snoozes", () => {
	it("end by themselves: the conversation is back on the board as new, and a later snooze stays", async () => {
		const { storage } = server.switchboard;
		const t0 = new Date();
		const [short, long] = [await arrive(t0), await arrive(t0)];
		const sam = await server.board(server.members.sam!);
		const until = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE).toISOString();
		await send(sam, { name: "snooze", args: { mentionId: short, until: until(60) } });
		await send(sam, { name: "snooze", args: { mentionId: long, until: until(240) } });

		const early = await roundAfter(t0, 59);
		expect(early.woken.map((w) => w.mentionId)).not.toContain(short);
		const round = await roundAfter(t0, 61);
		const woken = round.woken.map((w) => w.mentionId);
		expect(woken).toContain(short);
		expect(woken).not.toContain(long);
		await waitFor(() => readMention(sam.doc, short)?.status === "new", 5000, "back on the board");
		expect(readMention(sam.doc, short)?.snoozedUntil).toBeNull();
		expect(readMention(sam.doc, long)?.status).toBe("snoozed");
		const [record] = await storage.listActivity("acme", { mentionId: short, limit: 1 });
		expect(record).toMatchObject({
			action: "snooze_ended",
			actorId: null,
			fromStatus: "snoozed",
			toStatus: "new",
		});
	});
});

describe("reports and settings over HTTP", () => {
	it("serve reports to moderators and admins of the organisation, as JSON or CSV", async () => {
		const { morgan, dana, gabi } = server.members;
		const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
		const to = new Date(Date.now() + 3_600_000).toISOString();
		const json = await call(`/api/orgs/acme/reports/summary?from=${from}&to=${to}`, morgan!.token);
		expect(json.status).toBe(200);
		expect(json.json).toMatchObject({ report: "summary", from, to, timeZone: "UTC" });
		const rows = json.json.rows as Record<string, number>[];
		expect(rows).toHaveLength(1);
		expect(rows[0]!.new).toBeGreaterThanOrEqual(6);
		expect(rows[0]!.breaches).toBeGreaterThan(0);

		const csv = await call(
			`/api/orgs/acme/reports/ambassadors?from=${from}&to=${to}&format=csv`,
			adminToken,
		);
		expect(csv.status).toBe(200);
		expect(csv.headers.get("content-type")).toContain("text/csv");
		expect(csv.headers.get("content-disposition")).toMatch(
			/attachment; filename="switchboard-ambassadors-/,
		);
		const [header, ...lines] = csv.text.trim().split("\r\n");
		expect(header?.startsWith("member_id,ambassador,claimed,replied")).toBe(true);
		expect(lines.some((line) => line.includes(",Dana,"))).toBe(true);

		expect((await call("/api/orgs/acme/reports/summary", dana!.token)).status).toBe(403);
		expect((await call("/api/orgs/acme/reports/summary", gabi!.token)).status).toBe(403);
		expect((await call("/api/orgs/acme/reports/nonsense", morgan!.token)).status).toBe(404);
		const bad = await call(`/api/orgs/acme/reports/daily?from=${to}&to=${from}`, morgan!.token);
		expect(bad).toMatchObject({ status: 400 });
		expect(
			(await call("/api/orgs/acme/reports/hourly?from=2026-01-01&to=2026-03-01", morgan!.token))
				.status,
		).toBe(400);
		expect((await call("/api/orgs/acme/reports/daily?tz=Mars/Olympus", morgan!.token)).status).toBe(
			400,
		);
	});

	it("let every member read the board's settings and only admins change them", async () => {
		const { morgan, dana } = server.members;
		const read = await call("/api/boards/main/settings", dana!.token);
		expect(read.status).toBe(200);
		expect(read.json.settings).toMatchObject({ slaClaimMinutes: { high: 15 } });
		expect(
			(await call("/api/orgs/acme/boards/main/settings", morgan!.token, { leaseMinutes: 5 }, "PUT"))
				.status,
		).toBe(403);
		const invalid = await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{ slaClaimMinutes: { high: -1, normal: 60, low: 240 } },
			"PUT",
		);
		expect(invalid.status).toBe(400);
		// A first-reply target below its claim target: both count from when it came in, so
		// every conversation claimed on time would miss it. Refused given together, and given
		// alone against the stored claim targets (15 / 60 / 240 min).
		const backwards = await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{
				slaClaimMinutes: { high: 15, normal: 60, low: 240 },
				slaReplyMinutes: { high: 10, normal: 240, low: 1440 },
			},
			"PUT",
		);
		expect(backwards.status).toBe(400);
		expect((backwards.json.error as { message: string }).message).toContain(
			"slaReplyMinutes.high: must be at least the claim target (15 min)",
		);
		const replyAlone = await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{ slaReplyMinutes: { high: 60, normal: 30, low: 1440 } },
			"PUT",
		);
		expect(replyAlone.status).toBe(400);
		expect((replyAlone.json.error as { message: string }).message).toContain(
			"slaReplyMinutes.normal: must be at least the claim target (60 min)",
		);
		const unchanged = await call("/api/boards/main/settings", dana!.token);
		expect(unchanged.json.settings).toMatchObject({ slaReplyMinutes: { high: 60, normal: 240 } });
		// No reply limit above the longest post its network takes.
		const { replyLimits } = read.json.settings as { replyLimits: Record<string, number> };
		const tooLong = await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{ replyLimits: { ...replyLimits, bluesky: 500 } },
			"PUT",
		);
		expect(tooLong.status).toBe(400);
		expect((tooLong.json.error as { message: string }).message).toContain(
			"replyLimits.bluesky: must be a whole number of characters from 1 to 300, the longest post on Bluesky",
		);
		const rules = await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{ approval: { priorities: ["high"], tags: ["legal"], newMembers: [] } },
			"PUT",
		);
		expect(rules.status).toBe(200);
		expect(rules.json.settings).toMatchObject({
			approval: { priorities: ["high"], tags: ["legal"], newMembers: [] },
			leaseMinutes: 15,
		});
		await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{ approval: { priorities: [], tags: [], newMembers: [] } },
			"PUT",
		);
	});
});

describe("business hours", () => {
	const office = { start: "09:00", end: "17:30" };
	const hours = {
		timeZone: "Europe/Berlin",
		weekly: { mon: [office], tue: [office], wed: [office], thu: [office], fri: [office] },
		holidays: ["2026-12-25"],
	};

	it("refuse a time zone or intervals that cannot be, with a sentence that says why", async () => {
		const save = (businessHours: unknown) =>
			call("/api/orgs/acme/boards/main/settings", adminToken, { businessHours }, "PUT");
		const zone = await save({ ...hours, timeZone: "Europe/Atlantis" });
		expect(zone.status).toBe(400);
		expect(zone.text).toContain('\\"Europe/Atlantis\\" is not a time zone');
		const overlap = await save({
			...hours,
			weekly: { mon: [office, { start: "12:00", end: "20:00" }] },
		});
		expect(overlap.status).toBe(400);
		expect(overlap.text).toContain("Monday 09:00–17:30 overlaps 12:00–20:00.");
		const inverted = await save({ ...hours, weekly: { tue: [{ start: "17:00", end: "09:00" }] } });
		expect(inverted.status).toBe(400);
		expect(inverted.text).toContain("Tuesday 17:00–09:00 ends before it starts");
	});

	it("make the server count SLA targets in working time: Friday 17:00 is due on Monday", async () => {
		const { coverage } = server.switchboard;
		const saved = await call(
			"/api/orgs/acme/boards/main/settings",
			adminToken,
			{ businessHours: hours },
			"PUT",
		);
		expect(saved.status).toBe(200);
		expect(saved.json.settings).toMatchObject({ businessHours: { timeZone: "Europe/Berlin" } });
		try {
			const report = await call("/api/orgs/acme/reports/summary", adminToken);
			expect(report.json.workingTimeBoards).toEqual(["main"]);
			expect(report.json.columns).toContainEqual({
				key: "median_claim_seconds",
				label: "Median time to claim (working time)",
				unit: "seconds",
			});
			const moderator = await server.board(server.members.morgan!);
			await waitFor(
				() => readSettings(moderator.doc).businessHours?.timeZone === "Europe/Berlin",
				5000,
				"the hours in the board's settings",
			);
			// Friday 4 December 2026, 17:00 in Berlin; normal priority: an hour to claim, four
			// to reply. Working time: 30 minutes on Friday, the rest from Monday 09:00.
			const friday = new Date("2026-12-04T16:00:00Z");
			const id = await arrive(friday, { priority: "normal" });
			const mine = (round: { breaches: { mentionId: string; kind: string; dueAt: string }[] }) =>
				round.breaches.filter((b) => b.mentionId === id).map((b) => [b.kind, b.dueAt]);
			// Round the clock the claim would be late at 18:01; with the hours, not all weekend.
			expect(mine(await coverage.watcher.runOnce(new Date("2026-12-04T17:01:00Z")))).toEqual([]);
			expect(mine(await coverage.watcher.runOnce(new Date("2026-12-06T20:00:00Z")))).toEqual([]);
			expect(mine(await coverage.watcher.runOnce(new Date("2026-12-07T08:29:00Z")))).toEqual([]);
			expect(mine(await coverage.watcher.runOnce(new Date("2026-12-07T08:31:00Z")))).toEqual([
				["claim", "2026-12-07T08:30:00.000Z"],
			]);
			expect(mine(await coverage.watcher.runOnce(new Date("2026-12-07T11:31:00Z")))).toEqual([
				["reply", "2026-12-07T11:30:00.000Z"],
			]);
			await waitFor(
				() =>
					readBreaches(moderator.doc).some(
						(b) => b.mentionId === id && b.dueAt === "2026-12-07T08:30:00.000Z",
					),
				5000,
				"the breach with its working-time due on the board",
			);
			moderator.destroy();
		} finally {
			await call("/api/orgs/acme/boards/main/settings", adminToken, { businessHours: null }, "PUT");
		}
	});
});
