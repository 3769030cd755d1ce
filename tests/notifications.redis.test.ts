/**
 * Notifications across instances: what a moderator does on one instance reaches the
 * member's socket on the other at once (Redis pub/sub), and marking read on one instance
 * tells the member's sockets on the other; a follow-up taken in on one instance reaches its
 * owner on the other, and is seen there while she has the conversation open; an owner
 * away longer than the lease is told once when both instances' watchers give her
 * conversation back at the same moment.
 */
import {
	boardDocumentName,
	draftDocumentName,
	type NotificationsMessage,
	parseServerMessage,
	readMention,
} from "@switchboard/domain";
import { afterAll, expect, it } from "vitest";
import { describeOnPostgresAndRedis } from "./utils/postgres-and-redis.ts";
import { connectProvider, makeMention, type TestClient, waitFor } from "./utils/test-server.ts";
import { twoInstancesForFile } from "./utils/two-instances.ts";

const ORG = "notifications-redis";

describeOnPostgresAndRedis("notifications across instances (PostgreSQL, Redis)", () => {
	const pair = twoInstancesForFile(ORG, [
		["Dana", "ambassador"],
		["Morgan", "moderator"],
		["Lee", "ambassador"],
	]);
	const clients: TestClient[] = [];
	// Runs before the instances close (after hooks run last registered first).
	afterAll(() => {
		for (const client of clients) client.destroy();
	});

	async function board(instance: "a" | "b", name: string) {
		const client = await connectProvider(
			pair.ws(pair[instance]),
			boardDocumentName(ORG, "main"),
			pair.tokens[name]!,
		);
		clients.push(client);
		const heard: NotificationsMessage[] = [];
		client.provider.on("stateless", ({ payload }: { payload: string }) => {
			const message = parseServerMessage(payload);
			if (message?.type === "notifications") heard.push(message);
		});
		return { client, heard };
	}

	it("tells the member on the other instance, live, and their read marks travel back", async () => {
		const [stored] = await pair.a.storage.insertMentions(ORG, "main", [makeMention(1)]);
		const mentionId = stored!.mention.id;
		const danaOnB = await board("b", "Dana");
		const danaOnA = await board("a", "Dana");
		const morganOnA = await board("a", "Morgan");

		const answer = await morganOnA.client.commands.send({
			name: "assign",
			args: { mentionId, memberId: pair.ids.Dana! },
		});
		expect(answer.type).toBe("ack");
		const told = await waitFor(() => danaOnB.heard.find((m) => m.added), 10_000, "B");
		expect(told).toMatchObject({ unread: 1, added: { kind: "assigned", mentionId } });
		await waitFor(() => danaOnA.heard.find((m) => m.added), 10_000, "A");

		const response = await fetch(`${pair.b.url}/api/me/notifications/read`, {
			method: "POST",
			headers: {
				authorization: `Bearer ${pair.tokens.Dana}`,
				"content-type": "application/json",
			},
			body: JSON.stringify({ all: true }),
		});
		expect(await response.json()).toEqual({ marked: 1, unread: 0 });
		await waitFor(() => danaOnA.heard.some((m) => m.unread === 0), 10_000, "read on A");
		expect(morganOnA.heard).toEqual([]);
	});

	it("brings a follow-up taken in on one instance to the owner on the other, seen there while she looks", async () => {
		const [stored] = await pair.a.storage.insertMentions(ORG, "main", [makeMention(2)]);
		const { mention } = stored!;
		const danaOnB = await board("b", "Dana");
		expect(
			await danaOnB.client.commands.send({ name: "claim", args: { mentionId: mention.id } }),
		).toMatchObject({ type: "ack" });
		const followUp = (externalId: string, inReplyTo: string) => ({
			...makeMention(3, { externalId, inReplyTo, text: `Any news? (${externalId})` }),
			postedAt: new Date().toISOString(),
			ingestedAt: new Date().toISOString(),
		});

		// The customer answers through instance A: on Dana's board on B, new, and in her feed.
		await pair.a.integrations.ingestor.ingest(ORG, "main", [
			followUp("redis-follow-1", mention.externalId),
		]);
		await waitFor(
			() => readMention(danaOnB.client.doc, mention.id)?.unseenFollowUps === 1,
			10_000,
			"the follow-up new on Dana's board on B",
		);
		const told = await waitFor(
			() => danaOnB.heard.find((m) => m.added?.kind === "follow_up"),
			10_000,
			"the follow-up in Dana's feed on B",
		);
		expect(told.added).toMatchObject({ mentionId: mention.id });

		// She opens it on B; the next one, taken in on A, is seen as it comes.
		const draft = await connectProvider(
			pair.ws(pair.b),
			draftDocumentName(ORG, mention.id),
			pair.tokens.Dana!,
		);
		clients.push(draft);
		await waitFor(
			() => readMention(danaOnB.client.doc, mention.id)?.unseenFollowUps === 0,
			10_000,
			"seen once opened",
		);
		await pair.a.integrations.ingestor.ingest(ORG, "main", [
			followUp("redis-follow-2", "redis-follow-1"),
		]);
		await expect
			.poll(
				async () => {
					const seen = (await pair.a.storage.getMention(ORG, mention.id))?.mention;
					return [seen?.thread.length, seen?.unseenFollowUps];
				},
				{ timeout: 10_000, interval: 50 },
			)
			.toEqual([2, 0]);
	});

	it("tells an owner away longer than the lease once, when both instances' watchers run at once", async () => {
		const [stored] = await pair.a.storage.insertMentions(ORG, "main", [makeMention(4)]);
		const mentionId = stored!.mention.id;
		const leeOnB = await board("b", "Lee");
		expect(await leeOnB.client.commands.send({ name: "claim", args: { mentionId } })).toMatchObject(
			{ type: "ack" },
		);
		leeOnB.client.destroy();
		await expect
			.poll(async () => {
				const records = await pair.a.storage.listPresence(ORG);
				const lee = records.filter((r) => r.memberId === pair.ids.Lee);
				return lee.length > 0 && lee.every((r) => r.connections === 0);
			})
			.toBe(true);

		const later = new Date(Date.now() + 16 * 60_000);
		const rounds = await Promise.all([
			pair.a.coverage.watcher.runOnce(later),
			pair.b.coverage.watcher.runOnce(later),
		]);
		expect(rounds.flatMap((round) => round.released)).toEqual([
			{ orgId: ORG, mentionId, memberId: pair.ids.Lee },
		]);
		await Promise.all([pair.a.notifier.idle(), pair.b.notifier.idle()]);
		const { notifications: feed } = await pair.b.storage.listNotifications(pair.ids.Lee!, {
			limit: 10,
		});
		// The same round finds the conversation's reply time long past, too: that is a breach.
		const released = feed.filter((n) => n.kind === "lease_expired");
		expect(released.map((n) => [n.mentionId, n.actorId, n.detail.awayMinutes])).toEqual([
			[mentionId, null, 16],
		]);
	});
});
