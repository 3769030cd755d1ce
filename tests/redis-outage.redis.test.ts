/**
 * Redis goes away under two instances and comes back. Each instance must keep acknowledging
 * and storing its own clients' edits meanwhile (PostgreSQL, not Redis, makes an edit
 * durable), and once Redis is back every client must converge without reloading. The test
 * runs a redis-server of its own on a free port: the shared one other files use is never
 * stopped.
 */
import type { ChildProcess } from "node:child_process";
import { freePort } from "@switchboard/connectors/testing";
import { draftDocumentName, readNotes } from "@switchboard/domain";
import { afterAll, expect, it } from "vitest";
import { startRedis, stopRedis } from "./utils/redis-server.ts";
import { loadStored, sleep } from "./utils/seed.ts";
import { connectProvider, makeMention, type TestClient, waitFor } from "./utils/test-server.ts";
import { startTwoInstances, type TwoInstances } from "./utils/two-instances.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
/**
 * How long Redis stays away. Longer than ioredis keeps queued publishes (20 reconnect
 * attempts, about 10 s): with a shorter outage the queue alone made the instances converge.
 */
const OUTAGE_MS = Number(process.env.REDIS_OUTAGE_MS ?? 12_000);

let redis: ChildProcess | undefined;
let two: TwoInstances | undefined;
const clients: TestClient[] = [];

afterAll(async () => {
	for (const client of clients) client.destroy();
	await two?.close();
	if (redis && redis.exitCode === null) await stopRedis(redis);
});

const note = (id: string) => ({
	id,
	authorId: "x",
	text: id,
	at: new Date().toISOString(),
	mentions: [],
});
const notesOf = (client: TestClient) => new Set(readNotes(client.doc).map((n) => n.id));

it.skipIf(!databaseUrl)(
	"keeps acknowledging and storing without Redis, and converges when it is back",
	async () => {
		const port = await freePort();
		redis = await startRedis(port);
		two = await startTwoInstances({
			databaseUrl: databaseUrl!,
			redisUrl: `redis://127.0.0.1:${port}`,
			orgId: "redisout",
			members: [
				["Ada", "ambassador"],
				["Bo", "ambassador"],
			],
		});
		const [stored] = await two.a.storage.insertMentions("redisout", "main", [makeMention(1)]);
		const name = draftDocumentName("redisout", stored!.mention.id);
		const onA = await connectProvider(two.ws(two.a), name, two.tokens.Ada!);
		const onB = await connectProvider(two.ws(two.b), name, two.tokens.Bo!);
		clients.push(onA, onB);
		const add = (client: TestClient, id: string) => client.doc.getArray("notes").push([note(id)]);

		add(onA, "before");
		await waitFor(() => notesOf(onB).has("before"), 30_000, "B to see A's note through Redis");

		await stopRedis(redis);
		const cutAt = Date.now();
		// Both sides write while Redis is away; each edit must be acknowledged and stored.
		const during: string[] = [];
		for (let i = 0; i < 5; i++) {
			for (const [client, side] of [
				[onA, "a"],
				[onB, "b"],
			] as const) {
				const id = `${side}-during-${i}`;
				add(client, id);
				during.push(id);
			}
			await sleep(OUTAGE_MS / 10);
		}
		for (const client of [onA, onB]) {
			await waitFor(() => client.provider.unsyncedChanges === 0, 30_000, "acknowledgements");
		}
		const inDatabase = new Set(readNotes(await loadStored(two.a.storage, name)).map((n) => n.id));
		expect(during.filter((id) => !inDatabase.has(id))).toEqual([]);
		await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));

		redis = await startRedis(port);
		const backAt = Date.now();
		const everything = ["before", ...during];
		for (const [client, side] of [
			[onA, "A"],
			[onB, "B"],
		] as const) {
			await waitFor(
				() => everything.every((id) => notesOf(client).has(id)),
				60_000,
				`${side}'s client to converge after Redis returned (has ${[...notesOf(client)].join(", ")})`,
			);
		}
		console.log(
			`[reliability] redis outage: ${JSON.stringify({
				outageMs: backAt - cutAt,
				editsDuringOutage: during.length,
				convergedMsAfterReturn: Date.now() - backAt,
			})}`,
		);
	},
);
