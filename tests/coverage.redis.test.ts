/**
 * Coverage across two instances sharing PostgreSQL and Redis: who is online is judged from
 * every instance's connections, a lease expires only for owners connected nowhere, and a
 * breach one instance records reaches a moderator connected to the other at once.
 */
import { readBreaches, readMention } from "@switchboard/domain";
import { expect, it } from "vitest";
import { describeOnPostgresAndRedis } from "./utils/postgres-and-redis.ts";
import { connectProvider, makeMention, waitFor } from "./utils/test-server.ts";
import { twoInstancesForFile } from "./utils/two-instances.ts";

const MINUTE = 60_000;

describeOnPostgresAndRedis("coverage across two instances", () => {
	const ORG = "coverage";
	const two = twoInstancesForFile(ORG, [
		["Dana", "ambassador"],
		["Sam", "ambassador"],
		["Morgan", "moderator"],
	]);

	it("releases only what owners connected to no instance hold, and shows breaches everywhere", async () => {
		const t0 = new Date();
		const stored = await two.a.storage.insertMentions(ORG, "main", [
			makeMention(1, { postedAt: t0.toISOString(), ingestedAt: t0.toISOString() }),
			makeMention(2, { postedAt: t0.toISOString(), ingestedAt: t0.toISOString() }),
			makeMention(3, {
				postedAt: t0.toISOString(),
				ingestedAt: t0.toISOString(),
				priority: "high",
			}),
		]);
		const [kept, released, late] = stored.map(({ mention }) => mention.id);
		await two.a.board.publish(ORG, "main", stored);

		// Dana works on instance A, Sam on B; the moderator watches on A.
		const dana = await connectProvider(two.ws(two.a), `board/${ORG}/main`, two.tokens.Dana!);
		const sam = await connectProvider(two.ws(two.b), `board/${ORG}/main`, two.tokens.Sam!);
		const morgan = await connectProvider(two.ws(two.a), `board/${ORG}/main`, two.tokens.Morgan!);
		expect(await dana.commands.send({ name: "claim", args: { mentionId: kept! } })).toMatchObject({
			type: "ack",
		});
		expect(
			await sam.commands.send({ name: "claim", args: { mentionId: released! } }),
		).toMatchObject({ type: "ack" });
		sam.destroy();
		await waitFor(
			() => readMention(morgan.doc, released!)?.owner?.memberId === two.ids.Sam,
			5000,
			"Sam's claim on A",
		);
		// B saw Sam leave; A still holds Dana's connection.
		for (let i = 0; ; i++) {
			const rows = await two.b.storage.listPresence(ORG);
			if (rows.some((r) => r.memberId === two.ids.Sam && r.connections === 0)) break;
			if (i > 200) throw new Error("Sam's disconnect was not recorded");
			await new Promise((resolve) => setTimeout(resolve, 20));
		}

		// Twenty minutes later. A's heartbeat says Dana is still there; B judges the leases.
		const later = new Date(Date.now() + 20 * MINUTE);
		await two.a.coverage.extension.heartbeat(later);
		const round = await two.b.coverage.watcher.runOnce(later);
		expect(round.released.map((r) => r.mentionId)).toEqual([released]);
		expect(round.breaches.map((r) => [r.mentionId, r.kind])).toContainEqual([late, "claim"]);

		// A client of A sees both results of B's round, through Redis.
		await waitFor(
			() => readMention(morgan.doc, released!)?.owner === null,
			5000,
			"the release on A",
		);
		await waitFor(
			() => readBreaches(morgan.doc).some((b) => b.mentionId === late && b.kind === "claim"),
			5000,
			"the breach on A",
		);
		expect(readMention(morgan.doc, kept!)?.owner?.memberId).toBe(two.ids.Dana);
		// A's own round finds nothing left to do.
		const again = await two.a.coverage.watcher.runOnce(later);
		expect(again.released).toEqual([]);
		expect(again.breaches.filter((r) => r.mentionId === late)).toEqual([]);
		for (const client of [dana, morgan]) client.destroy();
	});
});
