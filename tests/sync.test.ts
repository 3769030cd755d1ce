/**
 * The sync server end to end: a real Switchboard on port 0 and real providers.
 */
import {
	boardDocumentName,
	type CommandInput,
	draftDocumentName,
	draftHash,
	PROTOCOL_VERSION,
	readMention,
} from "@switchboard/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	connectProvider,
	startTestServer,
	type TestServer,
	waitFor,
	waitForSameBody,
} from "./utils/test-server.ts";

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer();
});
afterAll(async () => {
	await server?.close();
});

const mentionId = (i: number) => server.mentions[i]!.mention.id;

describe("commands on the board", () => {
	it("two members claim the same conversation at once: one gets an ack, the other already_claimed", async () => {
		const { dana, sam } = server.members;
		const [a, b] = await Promise.all([server.board(dana!), server.board(sam!)]);
		const id = mentionId(0);
		const answers = await Promise.all([
			a.commands.send({ name: "claim", args: { mentionId: id } }),
			b.commands.send({ name: "claim", args: { mentionId: id } }),
		]);
		const acked = answers.filter((answer) => answer.type === "ack");
		const rejected = answers.filter((answer) => answer.type === "reject");
		expect(acked).toHaveLength(1);
		expect(rejected).toHaveLength(1);
		expect(rejected[0]).toMatchObject({ code: "already_claimed" });
		const winner = answers[0]!.type === "ack" ? dana! : sam!;
		const winnerName = winner === dana ? "Dana" : "Sam";
		expect(rejected[0]).toMatchObject({ message: `Already claimed by ${winnerName}.` });
		// Both boards show the owner without anyone asking for it.
		for (const client of [a, b]) {
			await waitFor(
				() => readMention(client.doc, id)?.owner?.memberId === winner.id,
				5000,
				"owner on the board",
			);
		}
	});

	it("rejects a claim beyond the member's capacity and leaves the board unchanged", async () => {
		const kim = server.members.kim!;
		const board = await server.board(kim);
		for (const i of [1, 2]) {
			expect(
				await board.commands.send({ name: "claim", args: { mentionId: mentionId(i) } }),
			).toMatchObject({ type: "ack" });
		}
		const third = await board.commands.send({ name: "claim", args: { mentionId: mentionId(3) } });
		expect(third).toMatchObject({ type: "reject", code: "capacity_reached" });
		expect(readMention(board.doc, mentionId(3))?.owner).toBeNull();
		const owned = await server.switchboard.storage.listMentions("acme", "main", {
			ownerId: kim.id,
		});
		expect(owned).toHaveLength(2);
	});

	it("answers a repeated command id as before and applies it once", async () => {
		const morgan = server.members.morgan!;
		const board = await server.board(morgan);
		const id = crypto.randomUUID();
		const command = {
			name: "setPriority",
			args: { mentionId: mentionId(4), priority: "high" },
		} as const;
		const first = await board.commands.send(command, id);
		const again = await board.commands.send(command, id);
		expect(first).toEqual({ type: "ack", id });
		expect(again).toEqual({ type: "ack", id });
		const activity = await server.switchboard.storage.listActivity("acme", {
			mentionId: mentionId(4),
		});
		expect(activity.filter((entry) => entry.commandId === id)).toHaveLength(1);
	});

	it("shows a command's change on the board before its ack (PROTOCOL.md)", async () => {
		const morgan = server.members.morgan!;
		const board = await server.board(morgan);
		const id = mentionId(4);
		// What the board shows as each ack is read, before anything after it in the stream
		// is applied: the SDK drops a command's overlay there, so a board without the change
		// would show the old priority until the update came.
		const seenAtAck = new Map<string, string | undefined>();
		const onStateless = ({ payload }: { payload: string }) => {
			const message = JSON.parse(payload) as { type: string; id: string };
			if (message.type === "ack") seenAtAck.set(message.id, readMention(board.doc, id)?.priority);
		};
		board.provider.on("stateless", onStateless);
		for (const priority of ["low", "normal", "high"] as const) {
			const commandId = crypto.randomUUID();
			const answer = await board.commands.send(
				{ name: "setPriority", args: { mentionId: id, priority } },
				commandId,
			);
			expect(answer).toMatchObject({ type: "ack" });
			expect(seenAtAck.get(commandId)).toBe(priority);
		}
		board.provider.off("stateless", onStateless);
	});

	it("answers a malformed message with a clear reject and keeps the connection", async () => {
		const board = await server.board(server.members.sam!);
		expect(await board.commands.sendRaw("{not json")).toMatchObject({
			type: "reject",
			code: "malformed",
		});
		expect(
			await board.commands.sendRaw(
				JSON.stringify({
					type: "command",
					v: PROTOCOL_VERSION,
					id: crypto.randomUUID(),
					name: "claim",
					args: {},
				}),
			),
		).toMatchObject({
			type: "reject",
			code: "invalid",
			message: expect.stringContaining("mentionId"),
		});
		expect(
			await board.commands.sendRaw(
				JSON.stringify({
					type: "command",
					v: 99,
					id: crypto.randomUUID(),
					name: "claim",
					args: {},
				}),
			),
		).toMatchObject({ type: "reject", code: "unsupported_version" });
		// Still connected and served.
		const answer = await board.commands.send({
			name: "tag",
			args: { mentionId: mentionId(5), add: ["shipping"] },
		});
		expect(answer).toMatchObject({ type: "ack" });
		await waitFor(
			() => readMention(board.doc, mentionId(5))?.tags.includes("shipping"),
			5000,
			"tag on the board",
		);
	});

	it("refuses to submit a reply that is empty or over the network's limit (version 3)", async () => {
		const board = await server.board(server.members.morgan!);
		const id = mentionId(3);
		expect(await board.commands.send({ name: "claim", args: { mentionId: id } })).toMatchObject({
			type: "ack",
		});
		const long = `Hi there, ${"sorry for the wait, ".repeat(16)}`.slice(0, 316);
		const submit = (text: string) =>
			board.commands.send({
				name: "submitForReview",
				args: { mentionId: id, hash: draftHash(text), text },
			});
		expect(await submit(long)).toMatchObject({
			type: "reject",
			code: "text_too_long",
			message:
				"The reply is 316 characters, 36 over the limit of 280 on Twitter; shorten it first.",
		});
		expect(await submit(" ")).toMatchObject({ type: "reject", code: "text_empty" });
		expect(readMention(board.doc, id)?.status).toBe("claimed");
		// Version 1 and 2 clients, which send only the hash, are held to the same limits on
		// the draft's text: tests/version-skew.test.ts.
	});

	it("applies a bulk command item by item, answers each, and applies a repeat once", async () => {
		const board = await server.board(server.members.morgan!);
		const id = mentionId(5);
		const bulk: CommandInput = {
			name: "bulk",
			args: {
				items: [
					{ name: "close", args: { mentionId: id, reason: "Answered by DM." } },
					{ name: "close", args: { mentionId: "missing" } },
				],
			},
		};
		const commandId = crypto.randomUUID();
		const answer = await board.commands.send(bulk, commandId);
		const expected = {
			type: "ack",
			id: commandId,
			result: {
				items: [
					{ mentionId: id, ok: true },
					{ mentionId: "missing", ok: false, code: "not_found" },
				],
			},
		};
		expect(answer).toMatchObject(expected);
		await waitFor(
			() => readMention(board.doc, id)?.status === "closed",
			5000,
			"closed on the board",
		);
		expect(await board.commands.send(bulk, commandId)).toMatchObject(expected);
		const closes = await server.switchboard.storage.listActivity("acme", { mentionId: id });
		expect(closes.filter((entry) => entry.action === "close")).toHaveLength(1);

		expect(await board.commands.send({ name: "reopen", args: { mentionId: id } })).toMatchObject({
			type: "ack",
		});
		await waitFor(() => readMention(board.doc, id)?.status === "new", 5000, "back on the board");
	});

	it("does not apply a direct write to a board document, nor show it to others", async () => {
		const { dana, sam } = server.members;
		const writer = await server.board(dana!);
		const reader = await server.board(sam!);
		writer.doc.getMap("intruder").set("owner", "dana");
		writer.doc
			.getArray("work")
			.push([{ k: mentionId(5), rev: 1_000_000, v: { status: "replied" } }]);
		// The server answers the write as not applied: the provider keeps it as unsynced.
		await waitFor(() => writer.provider.unsyncedChanges > 0, 5000, "unsynced write");
		await new Promise((resolve) => setTimeout(resolve, 300));
		const serverDoc = server.switchboard.hocuspocus.documents.get(
			boardDocumentName("acme", "main"),
		);
		expect(serverDoc?.getMap("intruder").size).toBe(0);
		expect(reader.doc.getMap("intruder").size).toBe(0);
		expect(readMention(reader.doc, mentionId(5))?.status).toBe("new");
		const fresh = await server.board(server.members.kim!);
		expect(fresh.doc.getMap("intruder").size).toBe(0);
	});
});

describe("who may open which document", () => {
	const closeCode = (client: Awaited<ReturnType<typeof connectProvider>>) =>
		new Promise<number>((resolve) => {
			client.socket.on("close", ({ event }: { event: { code: number } }) => resolve(event.code));
		});

	it("refuses another organisation's document with 4403", async () => {
		const dana = server.members.dana!;
		const client = await connectProvider(
			server.wsUrl,
			boardDocumentName("globex", "main"),
			dana.token,
			{ noWait: true },
		);
		const failed = new Promise<string>((resolve) =>
			client.provider.on("authenticationFailed", ({ reason }: { reason: string }) =>
				resolve(reason),
			),
		);
		const code = closeCode(client);
		expect(await failed).toMatch(/Forbidden/);
		expect(await code).toBe(4403);
		client.destroy();
	});

	it("refuses a bad or expired token with 4401", async () => {
		const dana = server.members.dana!;
		const client = await connectProvider(
			server.wsUrl,
			boardDocumentName("acme", "main"),
			"not-a-token",
			{ noWait: true },
		);
		const code = closeCode(client);
		expect(await code).toBe(4401);
		client.destroy();
		const tampered = `${dana.token.slice(0, -4)}AAAA`;
		const second = await connectProvider(
			server.wsUrl,
			draftDocumentName("acme", mentionId(0)),
			tampered,
			{ noWait: true },
		);
		expect(await closeCode(second)).toBe(4401);
		second.destroy();
	});
});

describe("drafts", () => {
	it("two members co-edit one draft and converge", async () => {
		const id = mentionId(0);
		const a = await server.draft(server.members.dana!, id);
		const b = await server.draft(server.members.sam!, id);
		a.doc.getText("body").insert(0, "Hi there! ");
		b.doc.getText("body").insert(0, "Sorry about your order. ");
		await waitForSameBody(a, b, 30, 5000, "convergence");
		expect(a.doc.getText("body").toString()).toContain("Hi there!");
		expect(a.doc.getText("body").toString()).toContain("Sorry about your order.");
	});

	it("gives every co-editor each update whole, from a word to a long pasted text", async () => {
		// Updates whose WebSocket frames carry a 7-bit, a 16-bit and a 64-bit payload length,
		// each broadcast to three readers.
		const id = mentionId(3);
		const writer = await server.draft(server.members.dana!, id);
		const readers = [
			await server.draft(server.members.sam!, id),
			await server.draft(server.members.kim!, id),
			await server.draft(server.members.morgan!, id),
		];
		let expected = "";
		for (const [length, letter] of [
			[40, "a"],
			[3_000, "b"],
			[90_000, "c"],
		] as const) {
			const text = letter.repeat(length);
			writer.doc.getText("body").insert(expected.length, text);
			expected += text;
			await waitFor(
				() => readers.every((reader) => reader.doc.getText("body").toString() === expected),
				10_000,
				`every reader has the ${length}-character update`,
			);
		}
		for (const reader of readers) expect(reader.doc.getText("body").toString()).toBe(expected);
		for (const client of [writer, ...readers]) client.destroy();
	});

	it("merges a draft edited offline when the client reconnects", async () => {
		const id = mentionId(1);
		const a = await server.draft(server.members.dana!, id);
		const b = await server.draft(server.members.sam!, id);
		a.doc.getText("body").insert(0, "Base. ");
		await waitFor(() => b.doc.getText("body").toString() === "Base. ", 5000, "base text");
		a.socket.disconnect();
		a.doc.getText("body").insert(6, "Written offline.");
		b.doc.getText("body").insert(0, "Online edit. ");
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(b.doc.getText("body").toString()).not.toContain("Written offline.");
		await a.socket.connect();
		await waitFor(
			() =>
				a.doc.getText("body").toString() === b.doc.getText("body").toString() &&
				a.provider.unsyncedChanges === 0,
			5000,
			"merge after reconnect",
		);
		expect(b.doc.getText("body").toString()).toContain("Written offline.");
		expect(b.doc.getText("body").toString()).toContain("Online edit.");
	});
});

describe("persistence", () => {
	it("compacts a draft's update log into its snapshot after the last edit, and unloads the draft once its last client has left", async () => {
		const id = mentionId(2);
		const name = draftDocumentName("acme", id);
		const { hocuspocus, storage } = server.switchboard;
		const writer = await server.draft(server.members.dana!, id);
		for (const word of ["one ", "two ", "three "]) writer.doc.getText("body").insert(0, word);
		await waitFor(() => writer.provider.unsyncedChanges === 0, 5000, "acknowledgement");
		// The debounced store (a tenth of a second after the last edit on test servers) merges
		// the log into the snapshot while the writer is still there.
		let stored = await storage.loadDocument(name);
		for (
			const deadline = Date.now() + 10_000;
			stored.updates.length > 0 && Date.now() < deadline;
		) {
			await new Promise((resolve) => setTimeout(resolve, 50));
			stored = await storage.loadDocument(name);
		}
		expect(stored.updates).toEqual([]);
		expect(stored.snapshot).not.toBeNull();
		expect(hocuspocus.documents.has(name), "loaded while its writer is connected").toBe(true);

		writer.destroy();
		await waitFor(() => !hocuspocus.documents.has(name), 10_000, "unload");
		const reader = await server.draft(server.members.sam!, id);
		expect(reader.doc.getText("body").toString()).toBe("three two one ");
	});
});
