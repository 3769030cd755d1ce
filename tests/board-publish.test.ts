/**
 * Projecting mentions onto a board (what every webhook's ingest does before its 202) does
 * not wait for the board's store, the compaction of the whole board into its snapshot:
 * against a real server on port 0 whose stores are held (bench/findings/06.md).
 */
import { boardDocumentName, readMention } from "@switchboard/domain";
import type { StoredMention } from "@switchboard/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMention, startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

let server: TestServer;

beforeAll(async () => {
	// `maxDebounce` 0: every change is due for its store at once, as a busy board's is once
	// 30 s have passed since its last store.
	server = await startTestServer({}, { store: { debounceMs: 60_000, maxDebounceMs: 0 } });
});
afterAll(async () => {
	release();
	await server?.close();
});

let release = () => {};

describe("a board write", () => {
	it("is answered while the board's store is still running", async () => {
		const { storage, board, hocuspocus } = server.switchboard;
		const name = boardDocumentName("acme", "main");
		const held = new Promise<void>((resolve) => {
			release = resolve;
		});
		let storesStarted = 0;
		const compact = storage.compactDocument.bind(storage);
		storage.compactDocument = async (documentName, ...rest) => {
			if (documentName === name) {
				storesStarted += 1;
				await held;
			}
			return compact(documentName, ...rest);
		};

		const [first] = (await storage.insertMentions("acme", "main", [
			makeMention(200, { externalId: "held-store-1" }),
		])) as [StoredMention];
		let published = false;
		void board.publish("acme", "main", [first]).then(() => {
			published = true;
		});
		await waitFor(() => published, 30_000, "the first write answered");
		expect(readMention(hocuspocus.documents.get(name)!, first.mention.id)).toBeDefined();

		// The first write's store is running (held); the next write's store is due too.
		await waitFor(() => storesStarted > 0, 30_000, "the board's store started");
		const [second] = (await storage.insertMentions("acme", "main", [
			makeMention(201, { externalId: "held-store-2" }),
		])) as [StoredMention];
		published = false;
		void board.publish("acme", "main", [second]).then(() => {
			published = true;
		});
		await waitFor(() => published, 30_000, "the second write answered while the store is held");
		expect(readMention(hocuspocus.documents.get(name)!, second.mention.id)).toBeDefined();
		release();
	});
});
