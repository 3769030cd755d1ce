/**
 * A network partition that drops packets silently, for 10 s, between two instances and
 * both PostgreSQL and Redis. Unlike a stopped database (database-outage.pg.test.ts) nothing
 * is refused or reset: connections stay open and go quiet, and only the server's own
 * deadlines can tell. Clients with the official provider keep editing two drafts from both
 * instances, and board clients send commands meanwhile. Promised:
 * - no acknowledged edit is lost: every one is in PostgreSQL once the partition heals;
 * - a command sent during the partition is answered `unavailable` within a bounded time
 *   (the database deadline, `defaultDatabaseTuning.queryTimeoutMs`), not left waiting;
 * - recovery without a restart: after the heal new commands are accepted on both instances,
 *   every edit is stored and the clients of both instances converge.
 * PostgreSQL runs in a fresh database of its own and Redis is a redis-server of the test's
 * own on a free port; both are reached through proxies the test partitions.
 */
import type { ChildProcess } from "node:child_process";
import { freePort } from "@switchboard/connectors/testing";
import { boardDocumentName, draftDocumentName } from "@switchboard/domain";
import type { Switchboard } from "@switchboard/server";
import { defaultDatabaseTuning, openStorage, type Storage } from "@switchboard/storage";
import { afterAll, expect, it } from "vitest";
import { connectNoteWriter, findLostNotes, type NoteWriter, noteIds } from "./utils/ack-tracker.ts";
import { startRedis, stopRedis } from "./utils/redis-server.ts";
import { type StoredNotes, sleep, storedNotes } from "./utils/seed.ts";
import { startTcpProxy, type TcpProxy } from "./utils/tcp-proxy.ts";
import { connectProvider, makeMention, type TestClient, waitFor } from "./utils/test-server.ts";
import { startTwoInstances, type TwoInstances } from "./utils/two-instances.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
const PARTITION_MS = Number(process.env.PARTITION_MS ?? 10_000);
/** Each writer adds a note this often, through the whole test. */
const WRITE_EVERY_MS = 250;
const ORG = "partition";

let redis: ChildProcess | undefined;
const proxies: TcpProxy[] = [];
let two: TwoInstances | undefined;
let storage: Storage | undefined;
const writers: NoteWriter[] = [];
const boards: TestClient[] = [];
let writing: NodeJS.Timeout | undefined;

afterAll(async () => {
	clearInterval(writing);
	for (const writer of writers) writer.destroy();
	for (const board of boards) board.destroy();
	for (const proxy of proxies) proxy.heal();
	await two?.close();
	await storage?.close();
	for (const proxy of proxies) await proxy.close();
	if (redis) await stopRedis(redis);
});

it.skipIf(!adminUrl)(
	"loses no acknowledged edit, answers commands unavailable in bounded time, and recovers by itself",
	{ timeout: 180_000 },
	async () => {
		const redisPort = await freePort();
		redis = await startRedis(redisPort);
		const redisProxy = await startTcpProxy(redisPort);
		const admin = new URL(adminUrl!);
		const pgProxy = await startTcpProxy(Number(admin.port || 5432), admin.hostname);
		proxies.push(pgProxy, redisProxy);
		two = await startTwoInstances({
			databaseUrl: adminUrl!,
			redisUrl: `redis://127.0.0.1:${redisProxy.port}`,
			orgId: ORG,
			members: [
				["Ada", "ambassador"],
				["Bo", "ambassador"],
			],
			route: (url) => {
				const viaProxy = new URL(url);
				viaProxy.host = `127.0.0.1:${pgProxy.port}`;
				return viaProxy.href;
			},
		});
		const { a, b, ids, tokens } = two;
		// The test's own view of the database goes around the proxy.
		storage = await openStorage({ databaseUrl: two.database.url });
		const stored = await storage.insertMentions(
			ORG,
			"main",
			[1, 2, 3, 4, 5, 6].map((i) => makeMention(i)),
		);
		const mentionIds = stored.map((row) => row.mention.id);
		const drafts = mentionIds.slice(0, 2).map((id) => draftDocumentName(ORG, id));

		// Two writers per draft, one on each instance: their edits meet only through Redis.
		const sides: [Switchboard, "Ada" | "Bo"][] = [
			[a, "Ada"],
			[b, "Bo"],
		];
		for (const [d, documentName] of drafts.entries()) {
			for (const [s, [instance, name]] of sides.entries()) {
				writers.push(
					connectNoteWriter({
						index: d * 2 + s,
						url: two.ws(instance),
						documentName,
						token: tokens[name]!,
						memberId: ids[name]!,
						prefix: "p",
					}),
				);
			}
		}
		for (const [instance, name] of sides) {
			boards.push(
				await connectProvider(two.ws(instance), boardDocumentName(ORG, "main"), tokens[name]!),
			);
		}
		writing = setInterval(() => {
			for (const writer of writers) writer.insert();
		}, WRITE_EVERY_MS);
		const converged = () =>
			drafts.every((documentName) => {
				const mine = writers.filter((writer) => writer.documentName === documentName);
				const expected = new Set(mine.flatMap((writer) => writer.inserted));
				return mine.every((writer) => {
					const has = new Set(noteIds(writer.doc));
					return [...expected].every((id) => has.has(id));
				});
			});
		await waitFor(
			() => writers.every((writer) => writer.ledger.acked.size >= 3),
			60_000,
			"every writer to have edits acknowledged before the partition",
		);

		// The network drops everything between the instances and their backends.
		pgProxy.partition();
		redisProxy.partition();
		const partitionedAt = Date.now();
		const ackedBefore = new Set(writers.flatMap((writer) => [...writer.ledger.acked]));
		const answers = sides.map(([, name], s) => {
			const sentAt = Date.now();
			return boards[s]!.commands.send({
				name: "claim",
				args: { mentionId: mentionIds[2 + s]! },
			}).then((answer) => ({ member: name, answer, afterMs: Date.now() - sentAt }));
		});
		const answered = await Promise.race([
			Promise.all(answers),
			sleep(PARTITION_MS * 3).then(() => null),
		]);
		expect(answered, "both commands answered while the network dropped everything").not.toBeNull();
		for (const { answer } of answered!) {
			expect(answer).toMatchObject({ type: "reject", code: "unavailable" });
		}
		const unavailableAfterMs = Math.max(...answered!.map((entry) => entry.afterMs));
		// Bounded by the database deadline (one statement, its connection already open), with
		// room for a machine busy with other work.
		expect(unavailableAfterMs).toBeLessThan(defaultDatabaseTuning.queryTimeoutMs * 2);
		await sleep(Math.max(0, PARTITION_MS - (Date.now() - partitionedAt)));
		const ackedDuring = writers.flatMap((writer) =>
			[...writer.ledger.acked].filter((id) => !ackedBefore.has(id)),
		);

		pgProxy.heal();
		redisProxy.heal();
		const healedAt = Date.now();

		// New commands are accepted on both instances, without a restart.
		const accepted = await Promise.all(
			sides.map(async ([, name], s) => {
				for (;;) {
					const answer = await boards[s]!.commands.send({
						name: "claim",
						args: { mentionId: mentionIds[4 + s]! },
					});
					if (answer.type === "ack") return Date.now() - healedAt;
					expect(answer, `${name}'s claim after the heal`).toMatchObject({ code: "unavailable" });
					await sleep(200);
				}
			}),
		);
		const commandsAfterMs = Math.max(...accepted);
		clearInterval(writing);
		await waitFor(
			() => writers.every((writer) => writer.ledger.settled),
			120_000,
			`every writer's edits stored after the heal (settled: ${writers.map((w) => w.ledger.settled)})`,
		);
		await waitFor(converged, 120_000, "the clients of both instances to converge");
		const convergedAfterMs = Date.now() - healedAt;

		const inDatabase = new Map<string, StoredNotes>();
		for (const name of drafts) inDatabase.set(name, await storedNotes(storage, name));
		const acked = new Set(writers.flatMap((writer) => [...writer.ledger.acked]));
		const report = findLostNotes(writers, acked, inDatabase);
		expect(report.lost, "acknowledged notes missing from PostgreSQL").toEqual([]);
		const inserted = writers.flatMap((writer) => writer.inserted);
		const visible = new Set([...inDatabase.values()].flatMap((notes) => notes.visible));
		expect(
			inserted.filter((id) => !visible.has(id)),
			"notes missing at the end",
		).toEqual([]);
		for (const notes of inDatabase.values()) {
			expect(notes.visible.length, "each note stored once").toBe(new Set(notes.visible).size);
		}
		console.log(
			`[reliability] partition: ${JSON.stringify({
				partitionMs: healedAt - partitionedAt,
				unavailableAfterMs,
				ackedDuringPartition: ackedDuring.length,
				commandsAcceptedAfterHealMs: commandsAfterMs,
				convergedAfterHealMs: convergedAfterMs,
				inserted: inserted.length,
				acknowledged: acked.size,
				lost: report.lost.length,
			})}`,
		);
	},
);
