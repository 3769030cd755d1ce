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
import {
	draftHash,
	draftRoots,
	MIN_PROTOCOL_VERSION,
	PROTOCOL_VERSION,
	readMention,
} from "@switchboard/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import v1 from "../packages/domain/src/protocol-fixtures/v1.json" with { type: "json" };
import v2 from "../packages/domain/src/protocol-fixtures/v2.json" with { type: "json" };
import v3 from "../packages/domain/src/protocol-fixtures/v3.json" with { type: "json" };
import v4 from "../packages/domain/src/protocol-fixtures/v4.json" with { type: "json" };
import v5 from "../packages/domain/src/protocol-fixtures/v5.json" with { type: "json" };
import v6 from "../packages/domain/src/protocol-fixtures/v6.json" with { type: "json" };
import { makeMention, startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

const recorded: Record<number, string[]> = {
	1: v1.messages,
	2: v2.messages,
	3: v3.messages,
	4: v4.messages,
	5: v5.messages,
	6: v6.messages,
};
/** Answers that would mean the server did not take the message as a command. */
const NOT_SERVED = ["unsupported_version", "malformed", "invalid"];

let server: TestServer;
let admin: Awaited<ReturnType<TestServer["addMember"]>> | undefined;

/** A new conversation on the board, nobody's yet. */
async function arrive(externalId: string): Promise<string> {
	const { storage, board } = server.switchboard;
	const stored = await storage.insertMentions("acme", "main", [
		makeMention(1000, { externalId, postedAt: new Date().toISOString() }),
	]);
	await board.publish("acme", "main", stored);
	return stored[0]!.mention.id;
}

/** Replace the draft's text, and wait until the server has acknowledged it. */
async function writeDraft(
	draft: Awaited<ReturnType<TestServer["draft"]>>,
	text: string,
): Promise<void> {
	const { body } = draftRoots(draft.doc);
	draft.doc.transact(() => {
		body.delete(0, body.length);
		body.insert(0, text);
	});
	await waitFor(() => draft.provider.unsyncedChanges === 0, 30_000, `the draft "${text}" stored`);
}

/** The main board's Twitter reply limit, as an admin sets it. */
async function setTwitterLimit(limit: number): Promise<void> {
	admin ??= await server.addMember("acme", "Ada Admin", "admin");
	const read = await server.request("/api/boards/main/settings", { token: admin.token });
	const { settings } = (await read.json()) as { settings: { replyLimits: Record<string, number> } };
	const response = await server.request("/api/orgs/acme/boards/main/settings", {
		method: "PUT",
		token: admin.token,
		body: { replyLimits: { ...settings.replyLimits, twitter: limit } },
	});
	expect(response.status).toBe(200);
}

/** A recorded message of `version` with a fresh id, naming this server's conversation. */
function replay(version: number, name: string, mentionId: string, hash?: string): string {
	const recording = recorded[version]?.find((m) => JSON.parse(m).name === name);
	if (!recording) throw new Error(`no recorded ${name} of version ${version}`);
	const message = JSON.parse(recording) as { id: string; args: Record<string, unknown> };
	message.id = crypto.randomUUID();
	message.args.mentionId = mentionId;
	if (hash) message.args.hash = hash;
	return JSON.stringify(message);
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
			// The recorded review commands name the text "test": the draft the client had.
			const draft = await server.draft(server.members.morgan!, mention);
			await writeDraft(draft, "test");
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
			draft.destroy();
			morgan.destroy();
		}, 120_000);
	}

	for (const version of [1, 2]) {
		it(`holds a version ${version} client's submit and approve to the network's limit, on the draft's text`, async () => {
			// Version 1 and 2 clients send only the hash: the server reads the draft. They are told
			// with a code their version knows (invalid, whose message they show as it is).
			const mention = await arrive(`skew-limit-v${version}`);
			const morgan = await server.board(server.members.morgan!);
			const draft = await server.draft(server.members.morgan!, mention);
			const send = (name: string, text: string) =>
				morgan.commands.sendRaw(replay(version, name, mention, draftHash(text)));
			expect(await morgan.commands.sendRaw(replay(version, "claim", mention))).toMatchObject({
				type: "ack",
			});

			const long = `Hi there, ${"sorry for the wait, ".repeat(16)}`.slice(0, 316);
			await writeDraft(draft, long);
			expect(await send("submitForReview", long)).toEqual({
				type: "reject",
				id: expect.any(String),
				code: "invalid",
				message:
					"The reply is 316 characters, 36 over the limit of 280 on Twitter; shorten it first.",
			});
			await writeDraft(draft, "   ");
			expect(await send("submitForReview", "   ")).toMatchObject({
				type: "reject",
				code: "invalid",
				message: "The reply is empty; write it before it is reviewed.",
			});
			expect(readMention(morgan.doc, mention)?.status).toBe("claimed");

			// A hash the draft never reaches names a text the server cannot see: refused.
			expect(await send("submitForReview", "a text nobody wrote")).toMatchObject({
				type: "reject",
				code: "invalid",
				message: expect.stringContaining("The draft changed"),
			});
			// A text that fits goes to review; approving it after the board's limit was lowered
			// below it is refused.
			const fits = "Sorry for the wait, your parcel left today.";
			await writeDraft(draft, fits);
			expect(await send("submitForReview", fits)).toMatchObject({ type: "ack" });
			await setTwitterLimit(30);
			try {
				expect(await send("approve", fits)).toMatchObject({
					type: "reject",
					code: "invalid",
					message:
						"The reply is 43 characters, 13 over the limit of 30 on Twitter; shorten it first.",
				});
			} finally {
				await setTwitterLimit(280);
			}
			await waitFor(
				() => readMention(morgan.doc, mention)?.status === "in_review",
				5000,
				"still in review",
			);
			draft.destroy();
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
