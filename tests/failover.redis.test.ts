/**
 * Two instances on PostgreSQL and Redis behind a load balancer (a TCP proxy the test
 * controls). Clients on both instances co-edit two drafts and claim conversations; one
 * instance is killed with SIGKILL and the balancer sends its clients to the other.
 * Nothing acknowledged is lost, every note ends up stored exactly once, and every client
 * converges: the same notes in each draft, the same owners on each board.
 */
import { join } from "node:path";
import { freePort } from "@switchboard/connectors/testing";
import { boardDocumentName, readMention } from "@switchboard/domain";
import { afterAll, expect, it } from "vitest";
import { connectNoteWriter, findLostNotes, type NoteWriter, noteIds } from "./utils/ack-tracker.ts";
import { type ChildServer, startChildServer } from "./utils/child-server.ts";
import { describeOnPostgresAndRedis } from "./utils/postgres-and-redis.ts";
import { childEnv, type SeededScratch, seededScratch, sleep } from "./utils/seed.ts";
import { startTcpProxy, type TcpProxy } from "./utils/tcp-proxy.ts";
import { connectProvider, type TestClient, waitFor } from "./utils/test-server.ts";

const WRITERS_PER_INSTANCE = 6;

type Answer = Awaited<ReturnType<TestClient["commands"]["send"]>>;

/** Send until answered: a command in flight on a dying instance is sent again, same id. */
async function sendUntilAnswered(
	client: TestClient,
	command: Parameters<TestClient["commands"]["send"]>[0],
): Promise<Answer> {
	const id = crypto.randomUUID();
	for (;;) {
		const answer = await Promise.race([
			client.commands.send(command, id),
			sleep(2_000).then(() => null),
		]);
		if (answer) return answer;
	}
}

describeOnPostgresAndRedis("two instances, one killed", ({ databaseUrl, redisUrl }) => {
	let scratch: SeededScratch | undefined;
	let balancer: TcpProxy | undefined;
	const servers: ChildServer[] = [];
	const writers: NoteWriter[] = [];
	const boards: TestClient[] = [];

	afterAll(async () => {
		for (const writer of writers) writer.destroy();
		for (const board of boards) board.destroy();
		for (const server of servers) await server.kill("SIGKILL");
		await balancer?.close();
		await scratch?.close();
	});

	it("loses nothing acknowledged and converges on the surviving instance", {
		timeout: 120_000,
	}, async () => {
		const orgId = `failover${Date.now().toString(36)}`;
		scratch = await seededScratch(
			databaseUrl,
			{ members: 4, mentions: 12, capacity: 12, orgId },
			"failover",
		);
		const { seeded, storage, dataDir } = scratch;
		const [portA, portB] = [await freePort(), await freePort()];
		const [a, b] = await Promise.all(
			[portA, portB].map((port) =>
				startChildServer(
					childEnv(scratch!.databaseUrl, join(dataDir, String(port)), {
						PORT: String(port),
						REDIS_URL: redisUrl,
					}),
				),
			),
		);
		servers.push(a!, b!);
		balancer = await startTcpProxy(portA);
		const viaBalancer = `ws://127.0.0.1:${balancer.port}/sync`;
		const direct = `ws://127.0.0.1:${portB}/sync`;

		for (let i = 0; i < WRITERS_PER_INSTANCE * 2; i++) {
			const member = seeded.members[i % seeded.members.length]!;
			writers.push(
				connectNoteWriter({
					index: i,
					url: i < WRITERS_PER_INSTANCE ? viaBalancer : direct,
					documentName: seeded.draftNames[i % 2]!,
					token: member.token,
					memberId: member.id,
				}),
			);
		}
		const boardName = boardDocumentName(orgId, "main");
		const [onA, onB] = [
			await connectProvider(viaBalancer, boardName, seeded.members[0]!.token),
			await connectProvider(direct, boardName, seeded.members[1]!.token),
		];
		boards.push(onA, onB);

		let writing = true;
		const loops = writers.map(async (writer) => {
			while (writing) {
				writer.insert();
				await sleep(40 + Math.random() * 120);
			}
		});
		// Claims from both sides, two of them contested, through the kill.
		const claims = seeded.mentionIds.slice(0, 10).flatMap((mentionId, i) => {
			const contested = i < 2;
			const sides = contested ? [onA, onB] : [i % 2 === 0 ? onA : onB];
			return sides.map(async (client) => {
				await sleep(i * 250);
				const answer = await sendUntilAnswered(client, { name: "claim", args: { mentionId } });
				return { mentionId, client, answer };
			});
		});

		await sleep(1_500);
		expect(await a!.kill("SIGKILL")).toBeNull();
		// The balancer notices and sends A's clients to B.
		balancer.retarget(portB);
		await sleep(1_500);
		writing = false;
		await Promise.all(loops);
		const answers = await Promise.all(claims);

		await waitFor(() => writers.every((writer) => writer.ledger.settled), 30_000, "settled");
		const stored = await scratch.storedDrafts(seeded.draftNames.slice(0, 2));
		const acked = new Set(writers.flatMap((writer) => [...writer.ledger.acked]));
		expect(findLostNotes(writers, acked, stored).lost).toEqual([]);
		const inserted = writers.flatMap((writer) => writer.inserted);
		const visible = [...stored.values()].flatMap((notes) => notes.visible);
		expect(visible.length, "every note once").toBe(inserted.length);
		expect(new Set(visible)).toEqual(new Set(inserted));
		for (const writer of writers) {
			await waitFor(
				() => noteIds(writer.doc).length === stored.get(writer.documentName)?.visible.length,
				15_000,
				`writer ${writer.index} to converge`,
			);
			expect(new Set(noteIds(writer.doc))).toEqual(
				new Set(stored.get(writer.documentName)?.visible),
			);
		}

		// Claims: each acknowledged one holds in the database, each conversation has one
		// owner at most, and both boards show the database's owners.
		const owners = new Map(
			(await storage.listMentions(orgId, "main")).map(({ mention }) => [
				mention.id,
				mention.owner?.memberId ?? null,
			]),
		);
		const memberOf = (client: TestClient) =>
			client === onA ? seeded.members[0]!.id : seeded.members[1]!.id;
		for (const { mentionId, client, answer } of answers) {
			if (answer.type === "ack") expect(owners.get(mentionId)).toBe(memberOf(client));
			else expect(answer.code).toBe("already_claimed");
		}
		for (const mentionId of seeded.mentionIds.slice(0, 2)) {
			const acks = answers.filter((x) => x.mentionId === mentionId && x.answer.type === "ack");
			expect(acks, "one winner per contested claim").toHaveLength(1);
		}
		for (const board of [onA, onB]) {
			await waitFor(
				() =>
					seeded.mentionIds.every(
						(id) => (readMention(board.doc, id)?.owner?.memberId ?? null) === owners.get(id),
					),
				15_000,
				"boards to show the stored owners",
			);
		}
		console.log(
			`[reliability] failover: ${JSON.stringify({
				writers: writers.length,
				inserted: inserted.length,
				acknowledged: acked.size,
				claims: answers.length,
				claimsAcknowledged: answers.filter((x) => x.answer.type === "ack").length,
			})}`,
		);
	});
});
