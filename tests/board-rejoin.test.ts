/**
 * A member who opens the board while its last client's leave is still storing it (the
 * compaction of the whole board, 1-3 s on a large one, bench/findings/06.md): the store is
 * held at a promise the test releases, against a real server on port 0 and real providers.
 */
import { boardDocumentName, readBoard, readMention } from "@switchboard/domain";
import type { StoredMention } from "@switchboard/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	makeMention,
	startTestServer,
	type TestClient,
	type TestServer,
	waitFor,
} from "./utils/test-server.ts";

let server: TestServer;
let release = () => {};

beforeAll(async () => {
	server = await startTestServer();
});
afterAll(async () => {
	release();
	await server?.close();
});

describe("a board opened while its last client's leave stores it", () => {
	it("syncs the new client, keeps the copy it joined loaded, and shows later writes", async () => {
		const { storage, board, hocuspocus } = server.switchboard;
		const member = server.members.sam!;
		const name = boardDocumentName("acme", "main");
		/** Store a mention, project it onto the board, wait until `doc` shows it. */
		const publish = async (i: number, doc: Y.Doc, what: string) => {
			const [stored] = (await storage.insertMentions("acme", "main", [
				makeMention(i, { externalId: `rejoin-${i}` }),
			])) as [StoredMention];
			await board.publish("acme", "main", [stored]);
			await waitFor(() => readMention(doc, stored.mention.id), 10_000, what);
			return stored;
		};
		const first = await server.board(member);
		const early = await publish(300, first.doc, "the first client sees it");

		const held = new Promise<void>((resolve) => {
			release = resolve;
		});
		let storesStarted = 0;
		let storesDone = 0;
		const compact = storage.compactDocument.bind(storage);
		storage.compactDocument = async (documentName, ...rest) => {
			if (documentName !== name) return compact(documentName, ...rest);
			storesStarted += 1;
			await held;
			try {
				return await compact(documentName, ...rest);
			} finally {
				storesDone += 1;
			}
		};

		first.destroy();
		await waitFor(() => storesStarted > 0, 10_000, "the leave's store started (and is held)");
		const loaded = hocuspocus.documents.get(name);
		expect(loaded, "the board stays loaded while its store runs").toBeDefined();

		let second: TestClient | undefined;
		void server.board(member).then((client) => {
			second = client;
		});
		const client = await waitFor(
			() => second,
			10_000,
			"the new client synced while the store is held",
		);
		expect(loaded?.getConnectionsCount()).toBe(1);

		release();
		await waitFor(() => storesDone > 0, 10_000, "the held store finished");
		await waitFor(
			() =>
				!loaded?.saveMutex.isLocked() &&
				!hocuspocus.debouncer.isCurrentlyExecuting(`onStoreDocument-${name}`),
			10_000,
			"the store's hooks finished",
		);
		// The store's unload check runs in a timer it set as it finished: this one runs after.
		await new Promise((resolve) => setTimeout(resolve, 0));
		await hocuspocus.unloadingDocuments.get(name);
		expect(hocuspocus.documents.get(name), "the copy the new client is on").toBe(loaded);
		expect(loaded?.isDestroyed).toBe(false);

		expect(readMention(client.doc, early.mention.id)).toBeDefined();
		await publish(301, client.doc, "a later write reaches it");
		expect(readBoard(client.doc).mentions.length).toBe(server.mentions.length + 2);
		client.destroy();
	});
});

describe("a board reopened by a member who has a copy of it", () => {
	it("sends them what changed, not the loaded board once more", async () => {
		const { storage, board, hocuspocus } = server.switchboard;
		const member = server.members.kim!;
		const name = boardDocumentName("acme", "main");
		const first = await server.board(member);
		const copy = Y.encodeStateAsUpdate(first.doc);
		first.destroy();
		await waitFor(() => !hocuspocus.documents.has(name), 10_000, "the board unloaded");

		// The copy a phone keeps in IndexedDB; its socket is the one that loads the board.
		const doc = new Y.Doc();
		Y.applyUpdate(doc, copy);
		const reopened = await server.connect(member, name, { document: doc, noWait: true });
		let received = 0;
		reopened.provider.on("message", ({ event }: { event: MessageEvent<ArrayBuffer> }) => {
			received += event.data.byteLength;
		});
		await waitFor(() => reopened.provider.isSynced, 10_000, "the reopened board synced");
		// Anything the load still had to send reaches the socket before a later write does.
		const [stored] = (await storage.insertMentions("acme", "main", [
			makeMention(302, { externalId: "rejoin-302" }),
		])) as [StoredMention];
		const before = received;
		await board.publish("acme", "main", [stored]);
		await waitFor(() => readMention(doc, stored.mention.id), 10_000, "a later write arrived");
		const write = received - before;
		reopened.destroy();
		// The sync itself: the state vectors, the auth answer, a few hundred bytes.
		expect(received - write).toBeLessThan(copy.byteLength / 4);
	});
});
