import { equalityDeep } from "lib0/function";
import * as prng from "lib0/prng";
import { encodeUtf8 } from "lib0/string";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { needsApproval, reviewStanding } from "./approval.ts";
import {
	type BoardWork,
	boardRevisions,
	boardRoots,
	breachKey,
	compactBoard,
	isActiveMember,
	type MemberCard,
	memberCard,
	mentionRevision,
	messageEntryKey,
	readBoard,
	readBreaches,
	readMention,
	readSettings,
	removeBreaches,
	removeMember,
	removeMention,
	removeMentions,
	workFromBoard,
	writeBreaches,
	writeMember,
	writeMention,
	writeMentions,
	writeSettings,
	writeWork,
} from "./board-doc.ts";
import { MentionSchema } from "./http/wire.ts";
import { readEntry, setEntry } from "./keyed-list.ts";
import { decide } from "./lifecycle.ts";
import {
	DEFAULT_BOARD_SETTINGS,
	type Member,
	type Mention,
	type MentionContent,
	type MentionWork,
	type ThreadMessage,
} from "./model.ts";
import type { Command } from "./protocol.ts";
import { slaState } from "./sla.ts";
import {
	at,
	contentOf,
	makeMember,
	makeMention,
	randomMention,
	randomWorkChange,
	TestNetwork,
	workOf,
} from "./test-fixtures.ts";

const SERVER = { source: "local", context: { writer: "test" } } as const;
const MEMBER_IDS = ["dana", "eli", "fatima", "goran", "hana", "ines"];

function card(id: string, overrides: Partial<MemberCard> = {}): MemberCard {
	return {
		id,
		name: id,
		role: "ambassador",
		capacity: 3,
		skills: [],
		languages: ["en"],
		...overrides,
	};
}

/** A client's doc: it only ever receives updates. Counts the updates it makes itself. */
function watchLocalWrites(doc: Y.Doc): () => number {
	let local = 0;
	doc.on("update", (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
		if (tr.local) local++;
	});
	return () => local;
}

/** A message from the public that joined a conversation. */
function followUp(externalId: string, postedAt: string, text = "Any news on this?"): ThreadMessage {
	return { externalId, handle: "@someone@social.example", fromOrganisation: false, text, postedAt };
}

function hasWritten(doc: Y.Doc): boolean {
	return Y.decodeStateVector(Y.encodeStateVector(doc)).has(doc.clientID);
}

/**
 * The shape this module exists to avoid: one nested Y.Map per mention, fields
 * overwritten in place. Kept here as the comparison the size test reports.
 */
class NaiveBoard {
	readonly doc = new Y.Doc();
	readonly #mentions = this.doc.getMap<Y.Map<unknown>>("mentions");

	add(mention: Mention): void {
		const fields = new Y.Map<unknown>();
		for (const [key, value] of Object.entries(mention)) fields.set(key, value);
		this.#mentions.set(mention.id, fields);
	}

	/** Set the work fields that changed, as a careful writer would. */
	write(id: string, work: MentionWork): void {
		const fields = this.#mentions.get(id);
		if (!fields) throw new Error(`no mention ${id}`);
		this.doc.transact(() => {
			for (const [key, value] of Object.entries(work)) {
				if (!equalityDeep(fields.get(key), value)) fields.set(key, value);
			}
		});
	}

	mentions(): Mention[] {
		return [...this.#mentions.values()].map((fields) => fields.toJSON() as Mention);
	}
}

describe("board document", () => {
	it("stays proportional to the live board after 10,000 changes, unlike nested Y.Maps", () => {
		const gen = prng.create(42);
		const doc = new Y.Doc();
		const naive = new NaiveBoard();
		const mentions = Array.from({ length: 500 }, (_, i) => randomMention(gen, i));
		const revs = mentions.map(() => 1);
		const works = mentions.map(workOf);
		doc.transact(() => {
			for (const mention of mentions) writeMention(doc, contentOf(mention), workOf(mention), 1);
		}, SERVER);
		for (const mention of mentions) naive.add(mention);
		let written = 0;
		for (let change = 0; change < 10_000; change++) {
			const i = prng.int32(gen, 0, mentions.length - 1);
			const work = randomWorkChange(gen, works[i] as MentionWork, MEMBER_IDS, at(change));
			works[i] = work;
			revs[i] = (revs[i] as number) + 1;
			if (writeWork(doc, `m${i}`, work, revs[i] as number, SERVER)) written++;
			naive.write(`m${i}`, work);
		}
		expect(written).toBe(10_000);
		const board = readBoard(doc);
		// Both shapes hold the same state.
		const expected = mentions.map((mention, i) => ({ ...mention, ...works[i] }));
		const sorted = [...expected].sort((a, b) => a.postedAt.localeCompare(b.postedAt));
		// equalityDeep first: vitest's diffing deep equality is slow on 500 mentions.
		if (!equalityDeep(board.mentions, sorted)) expect(board.mentions).toEqual(sorted);
		const naiveMentions = naive.mentions().sort((a, b) => a.postedAt.localeCompare(b.postedAt));
		if (!equalityDeep(naiveMentions, sorted)) expect(naiveMentions).toEqual(sorted);

		// The same final state written once, in each shape: what remains is history.
		const fresh = new Y.Doc();
		for (const [i, mention] of mentions.entries()) {
			writeMention(fresh, contentOf(mention), works[i] as MentionWork, revs[i] as number, SERVER);
		}
		const freshNaive = new NaiveBoard();
		for (const mention of expected) freshNaive.add(mention);

		const json = encodeUtf8(JSON.stringify(board)).byteLength;
		const keyed = Y.encodeStateAsUpdate(doc).byteLength;
		const nested = Y.encodeStateAsUpdate(naive.doc).byteLength;
		const keyedHistory = keyed - Y.encodeStateAsUpdate(fresh).byteLength;
		const nestedHistory = nested - Y.encodeStateAsUpdate(freshNaive.doc).byteLength;
		const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
		console.info(
			`500 mentions after 10,000 changes: JSON ${kb(json)}; ` +
				`keyed lists ${kb(keyed)} = ${(keyed / json).toFixed(2)}x JSON (history ${kb(keyedHistory)}); ` +
				`nested Y.Maps ${kb(nested)} = ${(nested / json).toFixed(2)}x JSON (history ${kb(nestedHistory)})`,
		);
		expect(keyed).toBeLessThan(3 * json);
		// Nested maps keep a tombstone for every field ever overwritten; the keyed lists'
		// tombstones merge into runs.
		expect(nested).toBeGreaterThan(keyed);
		expect(nestedHistory).toBeGreaterThan(5 * keyedHistory);
		// And a reload keeps the keyed board intact.
		const reloaded = new Y.Doc();
		Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(doc));
		expect(equalityDeep(readBoard(reloaded), board)).toBe(true);
	});

	it("shows mentions with their work, by post time, and reads one by id", () => {
		const doc = new Y.Doc();
		const late = makeMention({ id: "late", postedAt: at(10) });
		const early = makeMention({ id: "early", postedAt: at(1), tags: ["billing"] });
		writeMention(doc, contentOf(late), workOf(late), 1, SERVER);
		writeMention(doc, contentOf(early), workOf(early), 1, SERVER);
		expect(readBoard(doc).mentions.map((m) => m.id)).toEqual(["early", "late"]);
		expect(readMention(doc, "early")).toEqual(early);
		expect(readMention(doc, "missing")).toBeNull();
	});

	it("skips stale work and stale mentions, and rewrites content only when it changed", () => {
		const doc = new Y.Doc();
		const mention = makeMention({ id: "m1" });
		writeMention(doc, contentOf(mention), workOf(mention), 3, SERVER);
		const claimed: MentionWork = {
			...workOf(mention),
			status: "claimed",
			owner: { memberId: "dana", since: at(1) },
			updatedAt: at(1),
		};
		expect(writeWork(doc, "m1", claimed, 3, SERVER)).toBe(false);
		expect(writeWork(doc, "m1", claimed, 4, SERVER)).toBe(true);
		expect(writeWork(doc, "m1", workOf(mention), 2, SERVER)).toBe(false);
		expect(readMention(doc, "m1")?.status).toBe("claimed");

		const { mentions } = boardRoots(doc);
		// A newer revision with the same content leaves the content entry alone…
		expect(writeMention(doc, contentOf(mention), claimed, 5, SERVER)).toBe(true);
		expect(readEntry(mentions, "m1")?.rev).toBe(3);
		// …and one with changed content replaces it.
		const edited = { ...contentOf(mention), text: "Edited at the source." };
		writeMention(doc, edited, claimed, 6, SERVER);
		expect(readEntry(mentions, "m1")?.rev).toBe(6);
		expect(readMention(doc, "m1")?.text).toBe("Edited at the source.");
		expect(boardRevisions(doc)).toEqual(new Map([["m1", 6]]));
	});

	it("removes mentions, reports revisions of complete mentions only, and compacts halves", () => {
		const doc = new Y.Doc();
		const a = makeMention({ id: "a" });
		const b = makeMention({ id: "b" });
		writeMention(doc, contentOf(a), workOf(a), 1, SERVER);
		writeMention(doc, contentOf(b), workOf(b), 1, SERVER);
		writeWork(doc, "b", { ...workOf(b), priority: "high" }, 7, SERVER);
		expect(boardRevisions(doc)).toEqual(
			new Map([
				["a", 1],
				["b", 7],
			]),
		);
		expect(removeMention(doc, "a", SERVER)).toBe(true);
		expect(removeMention(doc, "a", SERVER)).toBe(false);
		// A late work write for a removed mention (a race between instances) is invisible…
		writeWork(doc, "a", workOf(a), 2, SERVER);
		expect(readBoard(doc).mentions.map((m) => m.id)).toEqual(["b"]);
		expect(boardRevisions(doc)).toEqual(new Map([["b", 7]]));
		expect(mentionRevision(doc, "b")).toBe(7);
		expect(mentionRevision(doc, "a")).toBeUndefined();
		// …and compaction on the server deletes it.
		expect(compactBoard(doc, SERVER)).toBe(1);
		expect(boardRoots(doc).work.length).toBe(1);
		// writeMention fills in a mention whose content is missing.
		writeWork(doc, "a", workOf(a), 3, SERVER);
		writeMention(doc, contentOf(a), workOf(a), 3, SERVER);
		expect(readMention(doc, "a")).toEqual(a);
	});

	it("sends a follow-up to a long thread as the one message, not the thread again", () => {
		const server = new Y.Doc();
		const client = new Y.Doc();
		const sent: number[] = [];
		server.on("update", (update: Uint8Array) => {
			sent.push(update.byteLength);
			Y.applyUpdate(client, update);
		});
		const thread = Array.from({ length: 300 }, (_, i) =>
			followUp(`t${i}`, at(i), `Message ${i} of a long conversation, with a sentence or two.`),
		);
		let mention = makeMention({ id: "m1", thread, postedAt: at(-1) });
		writeMention(server, contentOf(mention), workOf(mention), 1, SERVER);
		const threadBytes = encodeUtf8(JSON.stringify(thread)).byteLength;
		expect(sent[0]).toBeGreaterThan(threadBytes);

		// The server gives the board the database's whole thread each time.
		for (let rev = 2; rev <= 4; rev++) {
			mention = {
				...mention,
				thread: [...mention.thread, followUp(`f${rev}`, at(400 + rev))],
				unseenFollowUps: rev - 1,
			};
			expect(writeMention(server, contentOf(mention), workOf(mention), rev, SERVER)).toBe(true);
			expect(sent.at(-1)).toBeLessThan(600);
			expect(readMention(client, "m1")).toEqual(mention);
		}
		// A message the network reports late takes its place in posted order.
		mention = { ...mention, thread: [followUp("early", at(-1)), ...mention.thread] };
		writeMention(server, contentOf(mention), workOf(mention), 5, SERVER);
		expect(readMention(client, "m1")?.thread[0]?.externalId).toBe("early");
		expect(readBoard(client).mentions).toEqual([mention]);
		expect(boardRevisions(client)).toEqual(new Map([["m1", 5]]));
		expect(readEntry(boardRoots(client).mentions, "m1")?.rev).toBe(1);
		// The same thread again writes nothing.
		expect(writeMention(server, contentOf(mention), workOf(mention), 5, SERVER)).toBe(false);

		// A change to a message the board holds (our reply's link, the text) writes the
		// content again, and its messages entries go.
		const edited = mention.thread.map((m) =>
			m.externalId === "f3" ? { ...m, text: "Edited." } : m,
		);
		mention = { ...mention, thread: edited };
		writeMention(server, contentOf(mention), workOf(mention), 6, SERVER);
		expect(readMention(client, "m1")).toEqual(mention);
		expect(boardRoots(client).messages.length).toBe(0);
		expect(readEntry(boardRoots(client).mentions, "m1")?.rev).toBe(6);

		// Removing the conversation takes its messages with it.
		mention = { ...mention, thread: [...mention.thread, followUp("f7", at(500))] };
		writeMention(server, contentOf(mention), workOf(mention), 7, SERVER);
		expect(boardRoots(client).messages.length).toBe(1);
		removeMention(server, "m1", SERVER);
		expect(boardRoots(client).messages.length).toBe(0);
		expect(readBoard(client).mentions).toEqual([]);
	});

	it("grows a thread written whole by an earlier release, and compacts messages no content needs", () => {
		const doc = new Y.Doc();
		const mention = makeMention({ id: "m1", thread: [followUp("a", at(1))] });
		// An earlier release's board: the whole thread in the content entry, no messages list.
		writeMention(doc, contentOf(mention), workOf(mention), 1, SERVER);
		const grown = { ...mention, thread: [...mention.thread, followUp("b", at(2))] };
		writeMention(doc, contentOf(grown), workOf(grown), 2, SERVER);
		expect(readEntry(boardRoots(doc).messages, messageEntryKey("m1", 0))?.v.externalId).toBe("b");
		expect(readMention(doc, "m1")).toEqual(grown);
		expect(compactBoard(doc, SERVER)).toBe(0);

		// Left by a removal racing a write on another instance: a message with no content, and
		// one the content written after it holds already.
		setEntry(boardRoots(doc).messages, messageEntryKey("gone", 0), 3, followUp("x", at(3)));
		setEntry(boardRoots(doc).mentions, "m1", 4, contentOf(grown), SERVER);
		expect(readMention(doc, "m1")).toEqual(grown);
		expect(compactBoard(doc, SERVER)).toBe(2);
		expect(boardRoots(doc).messages.length).toBe(0);
		expect(readMention(doc, "m1")).toEqual(grown);
	});

	it("keeps a deactivated member's card, marked, and unmarks it when they are reactivated", () => {
		const doc = new Y.Doc();
		const members = boardRoots(doc).members;
		const milton = makeMember({ id: "milton", name: "Milton Waddams" });
		expect(writeMember(doc, memberCard(milton), SERVER)).toBe(true);
		// An active member's card is the one written before the flag existed.
		const activeCard = readEntry(members, "milton")?.v;
		expect(activeCard).not.toHaveProperty("active");
		expect(isActiveMember(activeCard ?? {})).toBe(true);

		expect(writeMember(doc, memberCard({ ...milton, active: false }), SERVER)).toBe(true);
		expect(writeMember(doc, memberCard({ ...milton, active: false }), SERVER)).toBe(false);
		const [deactivated] = readBoard(doc).members;
		expect(deactivated).toMatchObject({ id: "milton", name: "Milton Waddams", active: false });
		expect(isActiveMember(deactivated ?? {})).toBe(false);

		expect(writeMember(doc, memberCard(milton), SERVER)).toBe(true);
		expect(readEntry(members, "milton")?.v).toEqual(activeCard);
		expect(
			readBoard(doc)
				.members.filter(isActiveMember)
				.map((m) => m.id),
		).toEqual(["milton"]);
	});

	it("writes member cards and settings only when they change", () => {
		const doc = new Y.Doc();
		let updates = 0;
		doc.on("update", () => updates++);
		expect(writeMember(doc, card("dana", { name: "Dana" }), SERVER)).toBe(true);
		expect(writeMember(doc, card("dana", { name: "Dana" }), SERVER)).toBe(false);
		expect(writeMember(doc, card("dana", { name: "Dana", capacity: 5 }), SERVER)).toBe(true);
		expect(writeMember(doc, card("ada", { name: "Ada", role: "admin" }), SERVER)).toBe(true);
		expect(updates).toBe(3);
		expect(readBoard(doc).members.map((m) => [m.name, m.capacity])).toEqual([
			["Ada", 3],
			["Dana", 5],
		]);
		expect(removeMember(doc, "ada", SERVER)).toBe(true);
		expect(readBoard(doc).members.map((m) => m.id)).toEqual(["dana"]);

		expect(readBoard(doc).settingsStored).toBe(false);
		expect(readBoard(doc).settings).toEqual(DEFAULT_BOARD_SETTINGS);
		updates = 0;
		expect(writeSettings(doc, DEFAULT_BOARD_SETTINGS, SERVER)).toBe(true);
		expect(writeSettings(doc, DEFAULT_BOARD_SETTINGS, SERVER)).toBe(false);
		expect(writeSettings(doc, { leaseMinutes: 30 }, SERVER)).toBe(true);
		expect(updates).toBe(2);
		const view = readBoard(doc);
		expect(view.settingsStored).toBe(true);
		expect(view.settings).toEqual({ ...DEFAULT_BOARD_SETTINGS, leaseMinutes: 30 });
	});

	it("falls back to defaults for malformed settings fields", () => {
		const doc = new Y.Doc();
		const settings = boardRoots(doc).settings;
		settings.set("leaseMinutes", "soon");
		settings.set("slaClaimMinutes", { high: 5, normal: "x" });
		expect(readBoard(doc).settings).toEqual({
			...DEFAULT_BOARD_SETTINGS,
			slaClaimMinutes: { ...DEFAULT_BOARD_SETTINGS.slaClaimMinutes, high: 5 },
		});
	});

	it("passes the origin to the transaction", () => {
		const doc = new Y.Doc();
		const origins: unknown[] = [];
		// What persistence sees: the origin of each update.
		doc.on("update", (_update: Uint8Array, origin: unknown) => origins.push(origin));
		const mention = makeMention({ id: "m1" });
		writeMention(doc, contentOf(mention), workOf(mention), 1, SERVER);
		writeWork(doc, "m1", { ...workOf(mention), priority: "low" }, 2, SERVER);
		writeMember(doc, card("dana"), SERVER);
		writeSettings(doc, { leaseMinutes: 5 }, SERVER);
		removeMention(doc, "m1", SERVER);
		expect(origins).toEqual([SERVER, SERVER, SERVER, SERVER, SERVER]);
	});

	it("two server docs and a client converge under random delivery; the client never writes", () => {
		for (let seed = 1; seed <= 10; seed++) {
			const gen = prng.create(seed);
			const servers = [new Y.Doc(), new Y.Doc()];
			const client = new Y.Doc();
			const localWrites = watchLocalWrites(client);
			const network = new TestNetwork([...servers, client]);
			// The "database": revisions and work per mention.
			const db = new Map<string, { rev: number; mention: Mention }>();
			const removed = new Set<string>();
			for (let step = 0; step < 120; step++) {
				const server = prng.oneOf(gen, servers);
				const op = prng.int32(gen, 0, 10);
				if (op === 10 && db.size > 0) {
					// A follow-up joins a thread: the database's whole thread, written again.
					const id = prng.oneOf(gen, [...db.keys()]);
					const row = db.get(id) as { rev: number; mention: Mention };
					row.rev++;
					row.mention = {
						...row.mention,
						thread: [...row.mention.thread, followUp(`${id}-${step}`, at(step))],
						unseenFollowUps: row.mention.unseenFollowUps + 1,
					};
					writeMention(server, contentOf(row.mention), workOf(row.mention), row.rev, SERVER);
				} else if (op < 2 || db.size === 0) {
					const mention = randomMention(gen, db.size);
					db.set(mention.id, { rev: 1, mention });
					writeMention(server, contentOf(mention), workOf(mention), 1, SERVER);
				} else if (op < 8) {
					const id = prng.oneOf(gen, [...db.keys()]);
					const row = db.get(id) as { rev: number; mention: Mention };
					row.rev++;
					row.mention = {
						...row.mention,
						...randomWorkChange(gen, workOf(row.mention), MEMBER_IDS, at(step)),
					};
					writeWork(server, id, workOf(row.mention), row.rev, SERVER);
				} else if (op < 9) {
					writeMember(server, card(prng.oneOf(gen, MEMBER_IDS), { capacity: step }), SERVER);
				} else {
					const id = prng.oneOf(gen, [...db.keys()]);
					removed.add(id);
					removeMention(server, id, SERVER);
				}
				for (let i = prng.int32(gen, 0, 3); i > 0; i--) network.deliverOne(gen);
				// The client reads after every delivery, as a UI would.
				readBoard(client);
				boardRevisions(client);
			}
			network.flush(gen);
			const board = readBoard(servers[0] as Y.Doc);
			expect(readBoard(servers[1] as Y.Doc)).toEqual(board);
			expect(readBoard(client)).toEqual(board);
			// Every mention no removal raced with shows the database's latest state.
			for (const [id, { rev, mention }] of db) {
				if (removed.has(id)) continue;
				expect(readMention(client, id)).toEqual(mention);
				expect(boardRevisions(client).get(id)).toBe(rev);
			}
			expect(localWrites()).toBe(0);
			expect(hasWritten(client)).toBe(false);
		}
	});

	it.each([
		{ higherOn: "the doc with the lower client id" },
		{ higherOn: "the doc with the higher client id" },
	])("concurrent writes of one key converge on the higher revision ($higherOn)", ({ higherOn }) => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		a.clientID = 1;
		b.clientID = 2;
		const [high, low] = higherOn.includes("lower") ? [a, b] : [b, a];
		const exchange = () => {
			Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
			Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
		};
		const mention = makeMention({ id: "m1" });
		writeMention(a, contentOf(mention), workOf(mention), 1, SERVER);
		exchange();
		writeWork(low, "m1", { ...workOf(mention), status: "claimed" }, 5, SERVER);
		writeWork(high, "m1", { ...workOf(mention), status: "dismissed" }, 7, SERVER);
		exchange();
		for (const doc of [a, b]) {
			expect(readMention(doc, "m1")?.status).toBe("dismissed");
			expect(boardRevisions(doc).get("m1")).toBe(7);
			expect(boardRoots(doc).work.length).toBe(2);
		}
		// A replay of the lower revision changes nothing.
		expect(writeWork(a, "m1", { ...workOf(mention), status: "claimed" }, 5, SERVER)).toBe(false);
		// The server compacts; after the next exchange one entry remains everywhere.
		expect(compactBoard(low, SERVER)).toBe(1);
		expect(compactBoard(high, SERVER)).toBe(1);
		exchange();
		for (const doc of [a, b]) {
			expect(boardRoots(doc).work.toArray()).toMatchObject([{ k: "m1", rev: 7 }]);
			expect(readMention(doc, "m1")?.status).toBe("dismissed");
		}
	});

	it("a client reading a board never writes to it", () => {
		const server = new Y.Doc();
		const mention = makeMention({ id: "m1" });
		writeMention(server, contentOf(mention), workOf(mention), 1, SERVER);
		writeMember(server, card("dana"), SERVER);
		// Leave a duplicate that only compaction would remove: readers must not touch it.
		const claimed: MentionWork = { ...workOf(mention), status: "claimed" };
		setEntry(boardRoots(server).work, "m1", 2, claimed);
		boardRoots(server).work.push([{ k: "m1", rev: 1, v: workOf(mention) }]);
		const client = new Y.Doc();
		const localWrites = watchLocalWrites(client);
		Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
		const before = Y.encodeStateAsUpdate(client);
		readBoard(client);
		readMention(client, "m1");
		readMention(client, "nothing");
		boardRevisions(client);
		expect(readMention(client, "m1")?.status).toBe("claimed");
		expect(localWrites()).toBe(0);
		expect(hasWritten(client)).toBe(false);
		expect(Y.encodeStateAsUpdate(client)).toEqual(before);
	});
});

describe("batched writers", () => {
	it("writeMentions puts a whole board on in one scan and matches writeMention one by one", () => {
		const batch = new Y.Doc();
		const single = new Y.Doc();
		const items = Array.from({ length: 2000 }, (_, i) => ({
			content: contentOf(makeMention({ id: `m${i}`, postedAt: at(i) })),
			work: workOf(makeMention({ id: `m${i}`, postedAt: at(i) })),
			rev: 1,
		}));
		expect(writeMentions(batch, items)).toBe(2000);
		for (const { content, work, rev } of items) writeMention(single, content, work, rev);
		expect(readBoard(batch).mentions).toEqual(readBoard(single).mentions);
		// Nothing newer: nothing written.
		expect(writeMentions(batch, items)).toBe(0);
		// A newer revision of some replaces their work without duplicates.
		const newer = items
			.slice(0, 10)
			.map((item) => ({ ...item, work: { ...item.work, status: "claimed" as const }, rev: 2 }));
		expect(writeMentions(batch, newer)).toBe(10);
		expect(boardRoots(batch).work.length).toBe(2000);
		expect(readMention(batch, items[0]!.content.id)?.status).toBe("claimed");
	});

	it("removeMentions takes many off the board at once", () => {
		const doc = new Y.Doc();
		const items = Array.from({ length: 50 }, (_, i) => ({
			content: contentOf(makeMention({ id: `m${i}` })),
			work: workOf(makeMention({ id: `m${i}` })),
			rev: 1,
		}));
		writeMentions(doc, items);
		removeMentions(
			doc,
			items.slice(0, 20).map(({ content }) => content.id),
		);
		expect(readBoard(doc).mentions).toHaveLength(30);
		expect(boardRoots(doc).mentions.length).toBe(30);
	});
});

describe("SLA breaches and approval rules on the board", () => {
	it("keeps one breach per conversation and kind, the newest revision, newest first", () => {
		const doc = new Y.Doc();
		const claim = { mentionId: "m1", kind: "claim" as const, dueAt: at(15), at: at(16) };
		const reply = { mentionId: "m1", kind: "reply" as const, dueAt: at(60), at: at(61) };
		// Found in one round with a backlog: the latest deadline first.
		const backlog = { mentionId: "m0", kind: "claim" as const, dueAt: at(-500), at: at(61) };
		expect(writeBreaches(doc, [{ breach: claim, rev: 3 }], SERVER)).toBe(1);
		expect(writeBreaches(doc, [{ breach: claim, rev: 3 }], SERVER)).toBe(0);
		writeBreaches(
			doc,
			[
				{ breach: backlog, rev: 5 },
				{ breach: reply, rev: 4 },
			],
			SERVER,
		);
		expect(readBreaches(doc)).toEqual([reply, backlog, claim]);
		expect(boardRoots(doc).breaches.length).toBe(3);
		expect(removeBreaches(doc, [breachKey("m1", "claim")], SERVER)).toBe(1);
		expect(readBreaches(doc).map((b) => b.kind)).toEqual(["reply", "claim"]);
	});

	it("reads approval rules over the defaults, dropping what is malformed", () => {
		const doc = new Y.Doc();
		expect(readSettings(doc).approval).toEqual({ priorities: [], tags: [], newMembers: [] });
		writeSettings(
			doc,
			{ approval: { priorities: ["high"], tags: ["legal"], newMembers: ["dana"] } },
			SERVER,
		);
		expect(readSettings(doc).approval).toEqual({
			priorities: ["high"],
			tags: ["legal"],
			newMembers: ["dana"],
		});
		boardRoots(doc).settings.set("approval", { priorities: ["urgent", "low"], tags: "legal" });
		expect(readSettings(doc).approval).toEqual({ priorities: ["low"], tags: [], newMembers: [] });
	});
});

describe("work entries", () => {
	const claimed = (id: string): Mention =>
		makeMention({
			id,
			status: "claimed",
			owner: { memberId: "dana", since: at(5) },
			updatedAt: at(5),
		});
	const everyField = (id: string): Mention =>
		makeMention({
			id,
			status: "approved",
			tags: ["billing"],
			owner: { memberId: "dana", since: at(5) },
			review: { state: "approved", hash: "a".repeat(64), by: "morgan", at: at(8), comment: null },
			reply: { url: "https://social.example/r/1", hash: null, by: "dana", sentAt: at(9) },
			snoozedUntil: at(7),
			approvalRequired: true,
			unseenFollowUps: 2,
			slaFrom: at(6),
			updatedAt: at(9),
		});

	it("leave out the fields at their default, and every reader gives the whole work back", () => {
		const doc = new Y.Doc();
		const bare = claimed("bare");
		const full = everyField("full");
		writeMentions(doc, [
			{ content: contentOf(bare), work: workOf(bare), rev: 1 },
			{ content: contentOf(full), work: workOf(full), rev: 1 },
		]);
		const { work } = boardRoots(doc);
		// What a claim puts on the board, and every reader decodes: the fields that say something.
		expect(Object.keys(readEntry(work, "bare")?.v ?? {}).sort()).toEqual(
			["owner", "priority", "status", "tags", "updatedAt"].sort(),
		);
		expect(Object.keys(readEntry(work, "full")?.v ?? {}).sort()).toEqual(
			Object.keys(workOf(full)).sort(),
		);
		expect(readMention(doc, "bare")).toEqual(bare);
		expect(readMention(doc, "full")).toEqual(full);
		expect(readBoard(doc).mentions).toEqual([bare, full]);
		for (const mention of readBoard(doc).mentions) {
			expect(v.safeParse(MentionSchema, mention).success).toBe(true);
		}
		// Back to the defaults: the fields leave the entry again.
		writeWork(doc, "full", workOf(bare), 2);
		expect(readEntry(work, "full")?.v).toEqual(readEntry(work, "bare")?.v);
		expect(readMention(doc, "full")).toEqual({ ...bare, ...contentOf(full) });
	});

	it("written whole (boards stored by earlier releases) read the same", () => {
		const doc = new Y.Doc();
		for (const mention of [claimed("bare"), everyField("full")]) {
			writeMention(doc, contentOf(mention), workOf(mention), 1);
			// An earlier release wrote every field, at its default or not.
			setEntry(boardRoots(doc).work, mention.id, 2, workOf(mention) as BoardWork);
			expect(Object.keys(readEntry(boardRoots(doc).work, mention.id)?.v ?? {})).toHaveLength(11);
			expect(readMention(doc, mention.id)).toEqual(mention);
		}
	});

	it("decide and show the same in an earlier release's client, which reads the entry as it is", () => {
		const gen = prng.create(17);
		const doc = new Y.Doc();
		const members = ["dana", "sam"].map((id) => makeMember({ id, capacity: 5 }));
		const rules = { priorities: ["high" as const], tags: ["legal"], newMembers: ["sam"] };
		const settings = DEFAULT_BOARD_SETTINGS;
		for (let i = 0; i < 200; i++) {
			const base = prng.bool(gen) ? claimed(`m${i}`) : everyField(`m${i}`);
			const mention: Mention = {
				...base,
				...randomWorkChange(gen, workOf(base), ["dana", "sam"], at(10)),
			};
			writeMention(doc, contentOf(mention), workOf(mention), 1);
			const content = readEntry(boardRoots(doc).mentions, mention.id)?.v as MentionContent;
			const work = readEntry(boardRoots(doc).work, mention.id)?.v as BoardWork;
			// How the earlier release's client joined the two halves.
			const earlier = { ...content, ...work } as Mention;
			const now = readMention(doc, mention.id) as Mention;
			expect(now).toEqual(mention);
			expect(slaState(earlier, settings, at(30))).toEqual(slaState(now, settings, at(30)));
			expect(needsApproval(earlier, rules)).toBe(needsApproval(now, rules));
			expect(reviewStanding(earlier.review ?? null, null)).toBe(reviewStanding(now.review, null));
			const hash = now.review?.hash ?? "b".repeat(64);
			const commands: Command[] = [
				{ name: "claim", args: { mentionId: mention.id } },
				{ name: "release", args: { mentionId: mention.id } },
				{ name: "approve", args: { mentionId: mention.id, hash } },
				{ name: "requestChanges", args: { mentionId: mention.id, comment: "Shorter." } },
				{ name: "markReplied", args: { mentionId: mention.id, url: "https://x.example/1", hash } },
				{ name: "snooze", args: { mentionId: mention.id, until: at(60) } },
			];
			for (const command of commands) {
				for (const actor of [
					members[0] as Member,
					makeMember({ id: "morgan", role: "moderator" }),
				]) {
					const decideOn = (m: Mention) => {
						const decision = decide(command, {
							actor,
							now: at(20),
							mention: m,
							member: (id) => members.find((member) => member.id === id),
							openOwnedCount: () => 1,
							approval: rules,
						});
						// What the client shows of the outcome: absent fields read as their default.
						return decision.ok ? workFromBoard(decision.work) : decision.code;
					};
					expect(decideOn(earlier), `${command.name} by ${actor.id}`).toEqual(decideOn(now));
				}
			}
		}
	});
});
