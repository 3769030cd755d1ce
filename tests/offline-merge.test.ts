/**
 * 20 clients go offline, make hundreds of edits each (notes and words typed into the
 * reply), and all reconnect at the same moment. Everyone converges to one draft in which
 * every note and every word appears exactly once, and that is what is stored.
 * OFFLINE_CLIENTS and OFFLINE_EDITS size it.
 */
import { draftDocumentName } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { noteIds } from "./utils/ack-tracker.ts";
import { seededRandom } from "./utils/seed.ts";
import { type TestClient, testServerForFile, waitFor } from "./utils/test-server.ts";

const CLIENTS = Number(process.env.OFFLINE_CLIENTS ?? 20);
const EDITS = Number(process.env.OFFLINE_EDITS ?? 200);

const server = testServerForFile();

/** Every `[w…]` word of a text, duplicates kept. */
const wordsOf = (text: string) => text.match(/\[w[0-9]+-[0-9]+\]/g) ?? [];

describe("offline merge", () => {
	it(`merges ${CLIENTS} clients with ${EDITS} offline edits each, reconnecting at once`, {
		timeout: 120_000,
	}, async () => {
		const name = draftDocumentName("acme", server.mentions[5]!.mention.id);
		const members = [server.members.dana!, server.members.sam!, server.members.kim!];
		const clients: TestClient[] = [];
		for (let i = 0; i < CLIENTS; i++) {
			clients.push(await server.connect(members[i % members.length]!, name));
		}
		clients[0]!.doc.getText("body").insert(0, "Dear customer, ");
		await waitFor(
			() => clients.every((client) => client.doc.getText("body").length > 0),
			10_000,
			"the shared start",
		);
		for (const client of clients) client.socket.disconnect();
		await waitFor(
			() => clients.every((client) => client.socket.status === "disconnected"),
			10_000,
			"everyone offline",
		);

		const started = Date.now();
		const random = seededRandom(7);
		const expectedNotes: string[] = [];
		const expectedWords: string[] = [];
		for (const [i, client] of clients.entries()) {
			const body = client.doc.getText("body");
			const notes = client.doc.getArray<{ id: string }>("notes");
			for (let edit = 0; edit < EDITS; edit++) {
				if (edit % 3 === 0) {
					const id = `n${i}-${edit}`;
					notes.insert(Math.floor(random() * (notes.length + 1)), [{ id }]);
					expectedNotes.push(id);
				} else {
					const word = `[w${i}-${edit}]`;
					// Between words, never inside one: after the next "]" from a random place.
					const text = body.toString();
					const close = text.indexOf("]", Math.floor(random() * (text.length + 1)));
					body.insert(close === -1 ? text.length : close + 1, word);
					expectedWords.push(word);
				}
			}
		}
		await Promise.all(clients.map((client) => client.socket.connect()));
		const serverDoc = () => server.switchboard.hocuspocus.documents.get(name);
		await waitFor(
			() => {
				const reference = serverDoc();
				if (!reference) return false;
				const text = reference.getText("body").toString();
				return clients.every(
					(client) =>
						client.provider.unsyncedChanges === 0 &&
						client.doc.getText("body").toString() === text &&
						client.doc.getArray("notes").length === reference.getArray("notes").length,
				);
			},
			90_000,
			"everyone to converge",
		);
		const mergedInMs = Date.now() - started;
		const reference = serverDoc()!;
		const words = wordsOf(reference.getText("body").toString());
		expect(words.length).toBe(expectedWords.length);
		expect(new Set(words)).toEqual(new Set(expectedWords));
		const notes = noteIds(reference);
		expect(notes.length).toBe(expectedNotes.length);
		expect(new Set(notes)).toEqual(new Set(expectedNotes));
		for (const client of clients) {
			expect(client.doc.getArray("notes").toJSON()).toEqual(reference.getArray("notes").toJSON());
		}
		const body = reference.getText("body").toString();

		// What is stored is the same draft.
		for (const client of clients) client.destroy();
		await waitFor(() => !server.switchboard.hocuspocus.documents.has(name), 20_000, "unload");
		const stored = await server.switchboard.storage.loadDocument(name);
		const reloaded = new Y.Doc();
		if (stored.snapshot) Y.applyUpdate(reloaded, stored.snapshot);
		for (const update of stored.updates) Y.applyUpdate(reloaded, update);
		expect(reloaded.getText("body").toString()).toBe(body);
		expect(noteIds(reloaded)).toEqual(notes);
		console.log(
			`[reliability] offline-merge: ${JSON.stringify({
				clients: CLIENTS,
				editsEach: EDITS,
				notes: notes.length,
				words: words.length,
				mergedInMs,
			})}`,
		);
	});
});
