/**
 * Convergence through the real server, in the manner of Yjs' randomized tests
 * (`applyRandomTests`): 5-10 peers on one draft, each a real provider on its own socket,
 * apply thousands of random operations (text inserts and deletes, note inserts and
 * deletes, map writes) while randomly going offline and coming back. Then everyone
 * reconnects and all copies must be equal: the peers', the server's, and a fresh load
 * from storage after the document was unloaded.
 *
 * The operations come from a seeded generator: CONVERGE_SEED repeats a run (the network's
 * timing still varies), CONVERGE_OPS and CONVERGE_SEEDS size it; NIGHTLY=1 runs more.
 */
import { draftDocumentName } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { seededRandom, sleep } from "./utils/seed.ts";
import { type TestClient, testServerForFile, waitFor } from "./utils/test-server.ts";

const nightly = process.env.NIGHTLY === "1";
const OPS = Number(process.env.CONVERGE_OPS ?? (nightly ? 20_000 : 3_000));
const SEEDS = process.env.CONVERGE_SEED
	? [Number(process.env.CONVERGE_SEED)]
	: Array.from(
			{ length: Number(process.env.CONVERGE_SEEDS ?? (nightly ? 10 : 1)) },
			(_, i) => i + 1,
		);

const server = testServerForFile();

interface Peer {
	client: TestClient;
	online: boolean;
}

/** Everything a peer's copy holds, in a form two copies can be compared by. */
function contentOf(doc: Y.Doc) {
	const meta = doc.getMap("meta").toJSON();
	return {
		body: doc.getText("body").toString(),
		notes: doc.getArray("notes").toJSON(),
		// A map's keys come in the order each copy received them.
		meta: Object.fromEntries(
			Object.keys(meta)
				.sort()
				.map((key) => [key, meta[key]]),
		),
	};
}

function applyRandomOp(doc: Y.Doc, random: () => number, label: string): void {
	const pick = random();
	const body = doc.getText("body");
	const notes = doc.getArray<{ id: string }>("notes");
	const meta = doc.getMap<unknown>("meta");
	if (pick < 0.4) {
		const at = Math.floor(random() * (body.length + 1));
		body.insert(at, `${label}${Math.floor(random() * 1000)} `);
	} else if (pick < 0.55) {
		if (body.length === 0) return;
		const at = Math.floor(random() * body.length);
		body.delete(at, Math.min(body.length - at, 1 + Math.floor(random() * 6)));
	} else if (pick < 0.7) {
		notes.insert(Math.floor(random() * (notes.length + 1)), [{ id: `${label}-${random()}` }]);
	} else if (pick < 0.8) {
		if (notes.length > 0) notes.delete(Math.floor(random() * notes.length), 1);
	} else if (pick < 0.9) {
		meta.set(`check:${Math.floor(random() * 8)}`, random() < 0.5);
	} else {
		doc.transact(() => {
			meta.set("template", `t${Math.floor(random() * 4)}`);
			body.insert(0, "!");
		});
	}
}

describe("randomized convergence through the server", () => {
	for (const seed of SEEDS) {
		it(`converges after ${OPS} random operations with random disconnects (seed ${seed})`, {
			timeout: 180_000,
		}, async () => {
			const random = seededRandom(seed);
			const mention = server.mentions[seed % server.mentions.length]!.mention.id;
			const name = draftDocumentName("acme", mention);
			const members = [server.members.dana!, server.members.sam!, server.members.kim!];
			const peerCount = 5 + Math.floor(random() * 6);
			const peers: Peer[] = [];
			for (let i = 0; i < peerCount; i++) {
				const member = members[i % members.length]!;
				peers.push({ client: await server.connect(member, name), online: true });
			}
			let disconnects = 0;
			for (let op = 0; op < OPS; op++) {
				const peer = peers[Math.floor(random() * peers.length)]!;
				const roll = random();
				if (roll < 0.03 && peer.online) {
					peer.client.socket.disconnect();
					peer.online = false;
					disconnects += 1;
				} else if (roll < 0.07 && !peer.online) {
					void peer.client.socket.connect();
					peer.online = true;
				} else {
					applyRandomOp(peer.client.doc, random, `p${peers.indexOf(peer)}o${op}`);
				}
				// Let the network move now and then, so operations interleave with delivery.
				if (random() < 0.05) await sleep(Math.floor(random() * 15));
			}
			// Everyone back: `connect()` does nothing on a connected socket.
			const reconnect = () => {
				for (const peer of peers) void peer.client.socket.connect();
			};
			reconnect();
			const poke = setInterval(reconnect, 2_000);
			const serverDoc = () => server.switchboard.hocuspocus.documents.get(name);
			// The state vector does not see deletions; the content does.
			const stateOf = (doc: Y.Doc) =>
				JSON.stringify([
					[...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(([a], [b]) => a - b),
					contentOf(doc),
				]);
			await waitFor(
				() => {
					const reference = serverDoc();
					if (!reference) return false;
					const expected = stateOf(reference);
					return peers.every(
						(peer) =>
							stateOf(peer.client.doc) === expected && peer.client.provider.unsyncedChanges === 0,
					);
				},
				60_000,
				"every peer to hold the server's state",
			).finally(() => clearInterval(poke));
			const expected = contentOf(serverDoc()!);
			for (const peer of peers) expect(contentOf(peer.client.doc)).toEqual(expected);

			// The stored document is the same as what everyone holds.
			for (const peer of peers) peer.client.destroy();
			await waitFor(
				() => !server.switchboard.hocuspocus.documents.has(name),
				20_000,
				"the document to unload",
			);
			const fresh = await server.connect(members[0]!, name);
			expect(contentOf(fresh.doc)).toEqual(expected);
			fresh.destroy();
			console.log(
				`[reliability] convergence: ${JSON.stringify({
					seed,
					peers: peerCount,
					operations: OPS,
					disconnects,
					bodyLength: expected.body.length,
					notes: expected.notes.length,
				})}`,
			);
		});
	}
});
