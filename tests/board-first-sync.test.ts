/**
 * New clients of a board large enough to keep its encoded state (64 KiB and over,
 * encoded-state-cache.ts): each gets the whole board in one sync step 2 that the server
 * keeps with that state, the same bytes for every client until the board changes, instead
 * of the 6.6 MB of a 10,000-card board copied twice per client (bench/findings/04.md,
 * 2026-12-04). Real server on port 0, real providers; what the server sends is read where
 * it leaves for the socket.
 */
import { boardDocumentName, readBoard, readMention } from "@switchboard/domain";
import type { StoredMention } from "@switchboard/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	makeMention,
	startTestServer,
	type TestMember,
	type TestServer,
	waitFor,
} from "./utils/test-server.ts";

const KEPT_FROM_BYTES = 64 * 1024;

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});
afterAll(async () => {
	await server?.close();
});

describe("new clients of a board that keeps its encoded state", () => {
	it("each syncs the whole board from one kept message, and a change is in the next client's", async () => {
		const { storage, board, hocuspocus } = server.switchboard;
		const [sam, kim, dana] = [server.members.sam, server.members.kim, server.members.dana].map(
			(member) => member as TestMember,
		) as [TestMember, TestMember, TestMember];
		const name = boardDocumentName("acme", "main");
		const stored = (await storage.insertMentions(
			"acme",
			"main",
			Array.from({ length: 300 }, (_, i) =>
				makeMention(500 + i, { externalId: `first-sync-${i}` }),
			),
		)) as StoredMention[];
		await board.publish("acme", "main", stored);
		const holder = await server.board(sam);
		const last = (stored.at(-1) as StoredMention).mention.id;
		await waitFor(() => readMention(holder.doc, last), 10_000, "the holder sees the 300 mentions");
		const loaded = hocuspocus.documents.get(name) as Y.Doc;
		expect(Y.encodeStateAsUpdate(loaded).byteLength).toBeGreaterThan(KEPT_FROM_BYTES);

		// Every message of the board's size the server sends from here on.
		const whole: Uint8Array[] = [];
		const handle = hocuspocus.handleConnection.bind(hocuspocus);
		hocuspocus.handleConnection = (socket, ...rest) => {
			const send = socket.send.bind(socket);
			socket.send = (data: Uint8Array) => {
				if (data.byteLength > KEPT_FROM_BYTES) whole.push(data);
				send(data);
			};
			return handle(socket, ...rest);
		};

		const first = await server.board(kim);
		const second = await server.board(dana);
		for (const client of [first, second]) {
			expect(readBoard(client.doc)).toEqual(readBoard(loaded));
			expect(Y.encodeStateVector(client.doc)).toEqual(Y.encodeStateVector(loaded));
		}
		expect(whole).toHaveLength(2);
		// The second client got the very bytes the first got, not a copy made for it.
		expect(whole[1]).toBe(whole[0]);

		const [added] = (await storage.insertMentions("acme", "main", [
			makeMention(900, { externalId: "first-sync-after" }),
		])) as [StoredMention];
		await board.publish("acme", "main", [added]);
		await waitFor(
			() => readMention(first.doc, added.mention.id),
			10_000,
			"a client sees the change",
		);
		const third = await server.board(sam);
		expect(readMention(third.doc, added.mention.id)).toBeDefined();
		expect(readBoard(third.doc)).toEqual(readBoard(loaded));
		expect(whole).toHaveLength(3);
		expect(whole[2]).not.toEqual(whole[0]);
	});
});
