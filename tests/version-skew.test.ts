/**
 * Old clients are served (docs/PROTOCOL.md, "Compatibility"): the messages recorded from
 * the client of every served protocol version, replayed over a real socket, are answered
 * as commands and never `unsupported_version`; a command a version 1 client queued offline
 * in IndexedDB is sent by the upgraded client after the reload, and acknowledged.
 */
import "fake-indexeddb/auto";
import {
	type CommandAnswer,
	createSwitchboardClient,
	IndexedDbQueueStore,
	queueDatabaseName,
} from "@switchboard/client";
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, readMention } from "@switchboard/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import v1 from "../packages/domain/src/protocol-fixtures/v1.json" with { type: "json" };
import v2 from "../packages/domain/src/protocol-fixtures/v2.json" with { type: "json" };
import v3 from "../packages/domain/src/protocol-fixtures/v3.json" with { type: "json" };
import { makeMention, startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

const recorded: Record<number, string[]> = { 1: v1.messages, 2: v2.messages, 3: v3.messages };
/** Answers that would mean the server did not take the message as a command. */
const NOT_SERVED = ["unsupported_version", "malformed", "invalid"];

let server: TestServer;

/** A new conversation on the board, nobody's yet. */
async function arrive(externalId: string): Promise<string> {
	const { storage, board } = server.switchboard;
	const stored = await storage.insertMentions("acme", "main", [
		makeMention(1000, { externalId, postedAt: new Date().toISOString() }),
	]);
	await board.publish("acme", "main", stored);
	return stored[0]!.mention.id;
}

beforeAll(async () => {
	server = await startTestServer();
	// A server on disk starts in seconds, or minutes on a machine busy with other work.
}, 300_000);
afterAll(async () => {
	await server?.close();
});

describe("protocol versions", () => {
	it("covers every served version with recordings", () => {
		for (let version = MIN_PROTOCOL_VERSION; version <= PROTOCOL_VERSION; version++) {
			expect(recorded[version]?.length, `recordings of version ${version}`).toBeGreaterThan(0);
		}
	});

	for (const [version, messages] of Object.entries(recorded)) {
		it(`serves a version ${version} client's recorded commands over the socket`, async () => {
			// A mention per version: the recorded claim, release and the rest act on it. A fresh
			// one, since each version's claimNext takes the oldest open conversation.
			const mention = await arrive(`skew-v${version}`);
			const morgan = await server.board(server.members.morgan!);
			const answers: CommandAnswer[] = [];
			for (const recording of messages) {
				const sent = JSON.parse(recording) as { v: number; name: string };
				// The recording, with a fresh id (ids are idempotent), this server's ids, and a
				// snooze that still ends in the future.
				const payload = recording
					.replace(/"id":"[^"]+"/, `"id":"${crypto.randomUUID()}"`)
					.replace(
						/"until":"[^"]+"/,
						`"until":"${new Date(Date.now() + 86_400_000).toISOString()}"`,
					)
					.replaceAll('"m-1"', JSON.stringify(mention))
					.replaceAll('"member-2"', JSON.stringify(server.members.dana!.id));
				const answer = await morgan.commands.sendRaw(payload);
				answers.push(answer);
				expect(sent.v).toBe(Number(version));
				if (answer.type === "reject") {
					expect(NOT_SERVED, `${sent.name}: ${answer.message}`).not.toContain(answer.code);
				}
			}
			// The first recording is a claim: acknowledged and applied.
			expect(answers[0]).toMatchObject({ type: "ack" });
			morgan.destroy();
		}, 120_000);
	}

	it("answers a version it does not serve with unsupported_version naming the range", async () => {
		const dana = await server.board(server.members.dana!);
		const payload = JSON.stringify({
			...JSON.parse(v2.messages[0] ?? "{}"),
			id: crypto.randomUUID(),
			v: PROTOCOL_VERSION + 1,
		});
		const answer = await dana.commands.sendRaw(payload);
		expect(answer).toMatchObject({ type: "reject", code: "unsupported_version" });
		expect((answer as { message: string }).message).toContain(
			`serves versions ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}`,
		);
		dana.destroy();
	});

	it("sends a command queued offline by a version 1 client after the upgrade's reload", async () => {
		const kim = server.members.kim!;
		const mention = await arrive("skew-queued");
		// What the old release left in IndexedDB: its queue, with the command it could not send.
		const store = new IndexedDbQueueStore(queueDatabaseName("acme", "main", kim.id));
		await store.put({
			id: crypto.randomUUID(),
			seq: 1,
			createdAt: new Date().toISOString(),
			command: { name: "claim", args: { mentionId: mention } },
			v: 1,
		});

		// The upgraded page loads.
		const client = createSwitchboardClient({
			url: server.url,
			token: kim.token,
			me: { id: kim.id, orgId: "acme", role: kim.role, name: "Kim" },
			boardId: "main",
			persistence: "indexeddb",
		});
		try {
			const observer = await server.board(server.members.morgan!);
			await waitFor(
				() => readMention(observer.doc, mention)?.owner?.memberId === kim.id,
				60_000,
				"the queued claim applied on the server's board",
			);
			await waitFor(
				() => client.status.get().pendingCommands === 0,
				60_000,
				"the queue emptied by the acknowledgement",
			);
			expect(await store.load()).toEqual([]);
			observer.destroy();
		} finally {
			client.destroy();
		}
	}, 120_000);
});
