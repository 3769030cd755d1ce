/**
 * The client SDK against a real Switchboard: the board store with pending commands on
 * top, races, the offline queue across reconnects and reloads, sync status, presence.
 * IndexedDB is fake-indexeddb's, shared by every client in this file as one browser
 * profile would be.
 */
import "fake-indexeddb/auto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import type { Duplex } from "node:stream";
import {
	type BoardMention,
	type ClientOptions,
	type CommandResult,
	clearLocalData,
	createSwitchboardClient,
	describeRefusal,
	localDocumentName,
	type Me,
	type SwitchboardClient,
} from "@switchboard/client";
import { memoryLocalStorage } from "@switchboard/client/testing";
import { type AppError, boardDocumentName } from "@switchboard/domain";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	makeMention,
	startTestServer,
	type TestMember,
	type TestServer,
	waitFor,
} from "./utils/test-server.ts";

let server: TestServer;
const clients: SwitchboardClient[] = [];

// One browser profile's localStorage (where the unsent drafts are written down), if Node
// has none; taken back after the file, whose worker runs other files next.
const restoreLocalStorage = memoryLocalStorage();

beforeAll(async () => {
	server = await startTestServer();
});
afterEach(() => {
	for (const client of clients.splice(0)) client.destroy();
});
afterAll(async () => {
	await server?.close();
	restoreLocalStorage();
});

const mentionId = (i: number) => server.mentions[i]!.mention.id;

function meOf(key: string): Me {
	const member = server.members[key] as TestMember;
	return {
		id: member.id,
		orgId: member.orgId,
		role: member.role,
		name: key[0]!.toUpperCase() + key.slice(1),
	};
}

function open(key: string, options: Partial<ClientOptions> = {}): SwitchboardClient {
	const client = createSwitchboardClient({
		url: server.url,
		token: server.members[key]!.token,
		me: meOf(key),
		boardId: "main",
		persistence: "indexeddb",
		...options,
	});
	clients.push(client);
	return client;
}

function mentionOn(client: SwitchboardClient, id: string): BoardMention | undefined {
	return client.board.get().mentions.find((mention) => mention.id === id);
}

/** A client whose board arrived and whose socket is authenticated. */
/** Waits until Sam, a teammate on another client, reads `text` in the draft of mention `n`. */
async function teammateReads(n: number, text: string, what: string): Promise<void> {
	const sam = await openReady("sam");
	const theirs = sam.openDraft(mentionId(n));
	await waitFor(() => theirs.doc.getText("body").toString() === text, 5000, what);
	theirs.close();
}

async function openReady(
	key: string,
	options: Partial<ClientOptions> = {},
): Promise<SwitchboardClient> {
	const client = open(key, options);
	await waitFor(
		() => client.board.get().ready && client.board.get().mentions.length === 6,
		5000,
		`${key}'s board`,
	);
	await waitFor(() => client.status.get().online, 5000, `${key} online`);
	return client;
}

/** A client of `key`'s on this device with no network: its board comes from IndexedDB alone. */
async function offlineBoard(key: string): Promise<SwitchboardClient> {
	// Nothing listens there: the socket never opens.
	const offline = open(key, { url: "http://127.0.0.1:9" });
	await waitFor(() => offline.board.get().ready, 5000, "board from IndexedDB");
	return offline;
}

/** Every update in a y-indexeddb database, as y-indexeddb reads them back. */
async function localUpdates(name: string): Promise<Uint8Array[]> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open(name);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	try {
		if (!db.objectStoreNames.contains("updates")) return [];
		const all = db.transaction("updates", "readonly").objectStore("updates").getAll();
		return await new Promise<Uint8Array[]>((resolve, reject) => {
			all.onsuccess = () => resolve(all.result as Uint8Array[]);
			all.onerror = () => reject(all.error);
		});
	} finally {
		db.close();
	}
}

/** Resolves once the board's local copy on this device has content; 5 s at most. */
async function localCopyWritten(me: Me): Promise<void> {
	const name = localDocumentName(me.id, boardDocumentName(me.orgId, "main"));
	const started = Date.now();
	for (;;) {
		const doc = new Y.Doc();
		for (const update of await localUpdates(name)) Y.applyUpdate(doc, update);
		const written = doc.store.clients.size > 0;
		doc.destroy();
		if (written) return;
		if (Date.now() - started > 5000) throw new Error("timed out waiting for the local copy");
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

async function goOffline(client: SwitchboardClient): Promise<void> {
	client.disconnect();
	await waitFor(() => !client.status.get().online, 5000, "offline");
}

/** Writes `text` into a draft while offline; resolves once the client counts the draft unsent. */
async function writeUnsent(client: SwitchboardClient, mention: string, text: string) {
	const draft = client.openDraft(mention);
	draft.doc.getText("body").insert(0, text);
	await waitFor(() => client.status.get().unsyncedDrafts === 1, 5000, "unsent draft");
	return draft;
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 200));

describe("the board store", () => {
	it("shows a claim as pending with me as owner at once, and the server's owner after the ack", async () => {
		const client = await openReady("dana");
		const dana = meOf("dana");
		const id = mentionId(0);
		expect(mentionOn(client, id)).toMatchObject({ status: "new", owner: null, pending: [] });

		const answer = client.send({ name: "claim", args: { mentionId: id } });
		await Promise.resolve();
		const optimistic = mentionOn(client, id);
		expect(optimistic?.pending).toHaveLength(1);
		expect(optimistic?.pending[0]?.command).toEqual({ name: "claim", args: { mentionId: id } });
		expect(optimistic).toMatchObject({ status: "claimed", owner: { memberId: dana.id } });
		expect(client.status.get().pendingCommands).toBe(1);

		const result = await answer;
		expect(result).toMatchObject({ ok: true });
		await waitFor(() => mentionOn(client, id)?.pending.length === 0, 5000, "pending gone");
		expect(mentionOn(client, id)).toMatchObject({
			status: "claimed",
			owner: { memberId: dana.id },
			pending: [],
		});
		expect(client.status.get().pendingCommands).toBe(0);
		const stored = await server.switchboard.storage.getMention("acme", id);
		expect(stored?.mention.owner?.memberId).toBe(dana.id);
	});

	it("lists member cards and settings from the board", async () => {
		const client = await openReady("sam");
		const names = client.board.get().members.map((member) => member.name);
		expect(names).toEqual(["Dana", "Kim", "Morgan", "Sam"]);
		expect(client.board.get().settings.replyLimits.twitter).toBeGreaterThan(0);
	});
});

describe("the board's first load", () => {
	/** A socket that counts the bytes it receives into `received`. */
	function countingSocket(received: { bytes: number }) {
		return class extends WebSocket {
			constructor(url: string | URL, protocols?: string | string[]) {
				super(url, protocols);
				this.addEventListener("message", ({ data }) => {
					received.bytes += data instanceof ArrayBuffer ? data.byteLength : String(data).length;
				});
			}
		};
	}

	it("comes over HTTP with nothing of the board here, and the socket then carries only the rest", async () => {
		// A teammate keeps the board open, so that it stays as loaded between the clients below.
		await openReady("kim", { persistence: "memory", loadBoardOverHttp: false });
		const response = await fetch(`${server.url}/api/boards/main/state`, {
			headers: { authorization: `Bearer ${server.members.morgan!.token}` },
		});
		const stateBytes = (await response.arrayBuffer()).byteLength;

		const overHttp = { bytes: 0 };
		const first = await openReady("morgan", {
			persistence: "memory",
			WebSocketPolyfill: countingSocket(overHttp),
		});
		const socketOnly = { bytes: 0 };
		const second = await openReady("morgan", {
			persistence: "memory",
			loadBoardOverHttp: false,
			WebSocketPolyfill: countingSocket(socketOnly),
		});
		expect(first.board.get().mentions).toEqual(second.board.get().mentions);
		// Over the socket alone, the whole board came in its first sync.
		expect(socketOnly.bytes).toBeGreaterThan(stateBytes);
		// After the HTTP load, the socket's sync carried the state vectors and nothing else.
		expect(overHttp.bytes).toBeLessThan(socketOnly.bytes - stateBytes / 2);
	});

	it("gets over the socket what changed since the state it was served", async () => {
		// States are served for a minute whatever changes: the next one after the first below
		// is the one served before the board changed.
		const late = await startTestServer({}, { boardStates: { maxAgeMs: 60_000 } });
		const opened: SwitchboardClient[] = [];
		try {
			// A teammate keeps the board loaded; a moderator reads its state.
			await late.board(late.members.kim!);
			const morgan = late.members.morgan!;
			const read = async () =>
				Buffer.from(
					await (
						await late.request("/api/boards/main/state", { token: morgan.token })
					).arrayBuffer(),
				);
			const before = await read();
			const [stored] = await late.switchboard.storage.insertMentions("acme", "main", [
				makeMention(900, { text: "@acme my parcel went to the wrong town" }),
			]);
			await late.switchboard.board.publish("acme", "main", [stored!]);
			expect((await read()).equals(before)).toBe(true);

			const client = createSwitchboardClient({
				url: late.url,
				token: morgan.token,
				me: { id: morgan.id, orgId: "acme", role: morgan.role, name: "Morgan" },
				boardId: "main",
				persistence: "memory",
			});
			opened.push(client);
			await waitFor(
				() => client.board.get().mentions.some(({ id }) => id === stored!.mention.id),
				5000,
				"the mention stored after the state was made",
			);
			expect(client.board.get().mentions).toHaveLength(late.mentions.length + 1);
		} finally {
			for (const client of opened) client.destroy();
			await late.close();
		}
	});

	it("comes over the socket from a server without the state route, as an older one", async () => {
		// Every HTTP request answers 404; the socket goes through.
		const older = await inFront(server.url, async (_request, response) => {
			response.writeHead(404, { "content-type": "application/json" });
			response.end(JSON.stringify({ error: { code: "not_found", message: "No such route." } }));
		});
		try {
			const client = await openReady("sam", { persistence: "memory", url: older.url });
			expect(
				client.board
					.get()
					.mentions.map((mention) => mention.id)
					.sort(),
			).toEqual(server.mentions.map(({ mention }) => mention.id).sort());
		} finally {
			await older.close();
		}
	});

	it("says connecting, not offline, while a slow network brings the board's state", async () => {
		// The state takes longer than the client waits for a connection; the socket is quick.
		const slow = await inFront(server.url, async (request, response) => {
			await new Promise((resolve) => setTimeout(resolve, 900));
			const answer = await fetch(`${server.url}${request.url}`, {
				headers: { authorization: request.headers.authorization ?? "" },
			});
			response.writeHead(answer.status, { "content-type": "application/octet-stream" });
			response.end(Buffer.from(await answer.arrayBuffer()));
		});
		try {
			const client = open("morgan", {
				persistence: "memory",
				url: slow.url,
				connectTimeoutMs: 300,
			});
			const seen = [client.status.get().connection];
			client.status.subscribe((status) => seen.push(status.connection));
			await waitFor(() => client.status.get().online, 10_000, "online");
			expect(client.board.get().mentions).toHaveLength(server.mentions.length);
			expect(seen).not.toContain("offline");
		} finally {
			await slow.close();
		}
	});
});

/**
 * A server in front of `upstream`: HTTP requests are answered by `answer`, sockets go
 * through as they are.
 */
async function inFront(
	upstream: string,
	answer: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
	const front = createServer((request, response) => {
		answer(request, response).catch(() => response.destroy());
	});
	const target = new URL(upstream);
	const piped: Duplex[] = [];
	front.on("upgrade", (request, socket, head) => {
		const to = connect(Number(target.port), target.hostname, () => {
			const lines = [`${request.method} ${request.url} HTTP/1.1`];
			for (let i = 0; i < request.rawHeaders.length; i += 2) {
				lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
			}
			to.write(`${lines.join("\r\n")}\r\n\r\n`);
			to.write(head);
			socket.pipe(to).pipe(socket);
		});
		piped.push(socket, to);
		to.on("error", () => socket.destroy());
		socket.on("error", () => to.destroy());
	});
	await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
	const { port } = front.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		async close() {
			for (const socket of piped) socket.destroy();
			front.closeAllConnections();
			await new Promise((resolve) => front.close(resolve));
		},
	};
}

describe("commands", () => {
	it("two clients race for one conversation: one owns it, the other is told who does", async () => {
		const [dana, sam] = await Promise.all([openReady("dana"), openReady("sam")]);
		const rejects: CommandResult[] = [];
		for (const client of [dana, sam]) client.onReject((result) => rejects.push(result));
		const id = mentionId(1);
		const [a, b] = await Promise.all([
			dana.send({ name: "claim", args: { mentionId: id } }),
			sam.send({ name: "claim", args: { mentionId: id } }),
		]);
		const winner = a.ok ? "Dana" : "Sam";
		const loser = a.ok ? b : a;
		expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
		expect(loser).toMatchObject({
			ok: false,
			reject: { code: "already_claimed" },
			explanation: `Already claimed by ${winner}.`,
		});
		expect(rejects).toEqual([loser]);
		// Both boards end with the winner, without pending commands.
		const winnerId = meOf(winner.toLowerCase()).id;
		for (const client of [dana, sam]) {
			await waitFor(
				() =>
					mentionOn(client, id)?.owner?.memberId === winnerId &&
					mentionOn(client, id)?.pending.length === 0,
				5000,
				"winner on both boards",
			);
		}
	});

	it("queues a command made offline, shows it pending, and sends it on reconnect", async () => {
		const kim = await openReady("kim");
		const other = await openReady("morgan");
		const id = mentionId(2);
		await goOffline(kim);

		const answer = kim.send({ name: "claim", args: { mentionId: id } });
		await Promise.resolve();
		expect(kim.status.get()).toMatchObject({ online: false, pendingCommands: 1 });
		expect(mentionOn(kim, id)).toMatchObject({
			status: "claimed",
			owner: { memberId: meOf("kim").id },
			pending: [{ command: { name: "claim", args: { mentionId: id } } }],
		});
		await settled();
		// Not sent: nobody else sees it, and the server has no owner.
		expect(mentionOn(other, id)?.owner).toBeNull();
		expect((await server.switchboard.storage.getMention("acme", id))?.mention.owner).toBeNull();

		kim.connect();
		expect(await answer).toMatchObject({ ok: true });
		await waitFor(() => kim.status.get().online, 5000, "back online");
		expect(kim.status.get().pendingCommands).toBe(0);
		expect(mentionOn(kim, id)).toMatchObject({ owner: { memberId: meOf("kim").id }, pending: [] });
		await waitFor(
			() => mentionOn(other, id)?.owner?.memberId === meOf("kim").id,
			5000,
			"owner seen by others",
		);
	});

	it("keeps queued commands across a reload and sends them when the new page connects", async () => {
		const first = await openReady("kim");
		await goOffline(first);
		const id = mentionId(3);
		void first.send({ name: "claim", args: { mentionId: id } });
		// Owned by Dana since the first test: this one comes back as a reject.
		void first.send({ name: "claim", args: { mentionId: mentionId(0) } });
		await Promise.resolve();
		expect(first.status.get().pendingCommands).toBe(2);
		first.destroy();

		// The reload: a new client on the same IndexedDB.
		const second = open("kim");
		const rejects: CommandResult[] = [];
		second.onReject((result) => rejects.push(result));
		await waitFor(() => rejects.length === 1, 5000, "the queued reject");
		expect(rejects[0]).toMatchObject({
			ok: false,
			reject: { code: "already_claimed" },
			explanation: "Already claimed by Dana.",
		});
		await waitFor(
			() => mentionOn(second, id)?.owner?.memberId === meOf("kim").id,
			5000,
			"the queued claim applied",
		);
		expect(second.status.get().pendingCommands).toBe(0);
	});

	it("shows the board from IndexedDB after a reload without network", async () => {
		const first = await openReady("sam");
		const seen = first.board.get().mentions.map((mention) => mention.id);
		first.destroy();
		const offline = await offlineBoard("sam");
		expect(offline.board.get().mentions.map((mention) => mention.id)).toEqual(seen);
		expect(offline.status.get().online).toBe(false);
	});

	it("writes the board to IndexedDB a moment after it arrives, with the page still open", async () => {
		await clearLocalData(meOf("kim"));
		const kim = await openReady("kim");
		const seen = kim.board.get().mentions.map((mention) => mention.id);
		// The first sync waits a second before it is written, so the page takes it in alone.
		await localCopyWritten(meOf("kim"));
		const offline = await offlineBoard("kim");
		expect(offline.board.get().mentions.map((mention) => mention.id)).toEqual(seen);
	});
});

describe("sync status", () => {
	it("counts pending commands and drafts with unacknowledged edits", async () => {
		const morgan = await openReady("morgan");
		expect(morgan.status.get()).toEqual({
			online: true,
			connection: "online",
			pendingCommands: 0,
			unsyncedDrafts: 0,
		});
		const seen: number[] = [];
		morgan.status.subscribe((status) => seen.push(status.pendingCommands));
		await goOffline(morgan);
		const answers = [
			morgan.send({ name: "tag", args: { mentionId: mentionId(4), add: ["billing"] } }),
			morgan.send({ name: "setPriority", args: { mentionId: mentionId(5), priority: "high" } }),
		];
		const draft = morgan.openDraft(mentionId(4));
		await waitFor(() => draft.doc.getText("body").length === 0, 5000, "draft loaded");
		draft.doc.getText("body").insert(0, "Sorry about that!");
		await waitFor(() => morgan.status.get().unsyncedDrafts === 1, 5000, "unsynced draft");
		expect(morgan.status.get()).toEqual({
			online: false,
			connection: "offline",
			pendingCommands: 2,
			unsyncedDrafts: 1,
		});
		expect(draft.unsynced.get()).toBeGreaterThan(0);
		// Optimistic: the tag and the priority show before the server has them.
		expect(mentionOn(morgan, mentionId(4))?.tags).toContain("billing");
		expect(mentionOn(morgan, mentionId(5))?.priority).toBe("high");

		morgan.connect();
		const results = await Promise.all(answers);
		expect(results.every((result) => result.ok)).toBe(true);
		await waitFor(
			() => morgan.status.get().unsyncedDrafts === 0 && morgan.status.get().online,
			5000,
			"all synced",
		);
		expect(morgan.status.get()).toEqual({
			online: true,
			connection: "online",
			pendingCommands: 0,
			unsyncedDrafts: 0,
		});
		expect(draft.unsynced.get()).toBe(0);
		expect(seen).toContain(2);
		// The draft reached the server: a teammate sees it.
		await teammateReads(4, "Sorry about that!", "draft on another client");
		draft.close();
		expect(morgan.status.get().unsyncedDrafts).toBe(0);
	});

	it("says connecting, not offline, until the first connection, and offline when that takes too long", async () => {
		const dana = open("dana");
		expect(dana.status.get()).toMatchObject({ online: false, connection: "connecting" });
		const seen: string[] = [];
		dana.status.subscribe((status) => seen.push(status.connection));
		await waitFor(() => dana.status.get().online, 5000, "dana online");
		expect(seen).not.toContain("offline");
		expect(dana.status.get().connection).toBe("online");

		const unreachable = open("sam", { url: "http://127.0.0.1:9", connectTimeoutMs: 300 });
		expect(unreachable.status.get().connection).toBe("connecting");
		// Commands queue while connecting, as they do offline.
		void unreachable.send({ name: "tag", args: { mentionId: mentionId(3), add: ["later"] } });
		await waitFor(() => unreachable.status.get().pendingCommands === 1, 5000, "queued");
		expect(unreachable.status.get().connection).toBe("connecting");
		await waitFor(() => unreachable.status.get().connection === "offline", 5000, "given up");
		expect(unreachable.status.get()).toMatchObject({ online: false, pendingCommands: 1 });
	});

	it("says offline on disconnect(), connecting on connect(), and connecting after a drop until the grace ends", async () => {
		const dana = await openReady("dana", { onError: () => {} });
		await goOffline(dana);
		expect(dana.status.get().connection).toBe("offline");
		dana.connect();
		expect(dana.status.get().connection).toBe("connecting");
		await waitFor(() => dana.status.get().online, 5000, "dana online again");

		// A refused draft makes the server close the socket: a drop, and the socket comes back.
		const seen: string[] = [];
		dana.status.subscribe((status) => seen.push(status.connection));
		const refused = dana.openDraft("no-such-mention");
		await waitFor(() => seen.includes("connecting"), 5000, "the drop");
		await waitFor(() => dana.status.get().online, 5000, "back after the drop");
		expect(seen).not.toContain("offline");
		refused.close();

		const kim = await openReady("kim", { onError: () => {}, reconnectGraceMs: 1 });
		const kimSeen: string[] = [];
		kim.status.subscribe((status) => kimSeen.push(status.connection));
		const kimRefused = kim.openDraft("no-such-mention");
		await waitFor(() => kimSeen.includes("offline"), 5000, "offline past the grace");
		await waitFor(() => kim.status.get().online, 5000, "kim back after the drop");
		expect(kimSeen.slice(0, 2)).toEqual(["connecting", "offline"]);
		kimRefused.close();
	});

	it("says which conversation a refusal is about and that it was made offline", async () => {
		const dana = await openReady("dana");
		const morgan = await openReady("morgan");
		// Nobody owns it: anyone may set its priority, once.
		const id = mentionId(4);
		await goOffline(dana);
		const answer = dana.send({ name: "setPriority", args: { mentionId: id, priority: "low" } });
		expect(
			await morgan.send({ name: "setPriority", args: { mentionId: id, priority: "low" } }),
		).toMatchObject({ ok: true });
		dana.connect();
		const result = await answer;
		expect(result).toMatchObject({
			ok: false,
			madeOffline: true,
			command: { name: "setPriority", args: { mentionId: id } },
		});
		if (result.ok) return;
		expect(describeRefusal(result, { handleOf: () => "someone4", viewing: null })).toBe(
			"While you were offline, your priority change of the conversation with @someone4 could not be applied: The priority is already low.",
		);
	});
});

describe("drafts", () => {
	it("shares one document between handles of the same draft and carries the cursor's user", async () => {
		const dana = await openReady("dana");
		const a = dana.openDraft(mentionId(5));
		const b = dana.openDraft(mentionId(5));
		expect(b.doc).toBe(a.doc);
		expect(a.awareness.getLocalState()).toMatchObject({
			user: { name: "Dana", color: expect.stringMatching(/^#[0-9a-f]{6}$/) },
		});
		a.close();
		a.close();
		// Still open for b.
		expect(a.doc.isDestroyed).toBe(false);
		b.close();
		expect(a.doc.isDestroyed).toBe(true);
	});
});

describe("unsent drafts (issue 15, row 16)", () => {
	it("keeps a draft closed with unsent edits attached until the server has them", async () => {
		const kim = await openReady("kim");
		await goOffline(kim);
		const draft = await writeUnsent(kim, mentionId(1), "Written on the train.");
		draft.close();
		// Closing the view does not drop the edits from the count, nor from the way out.
		await settled();
		expect(kim.status.get().unsyncedDrafts).toBe(1);
		expect(draft.doc.isDestroyed).toBe(false);

		kim.connect();
		await waitFor(() => kim.status.get().unsyncedDrafts === 0, 5000, "sent without reopening");
		expect(draft.doc.isDestroyed).toBe(true);
		await teammateReads(1, "Written on the train.", "the edit on the server");
	});

	it("holds again after a reload what a page left unsent, and sends it", async () => {
		const first = await openReady("dana");
		await goOffline(first);
		const draft = first.openDraft(mentionId(3));
		await waitFor(() => draft.doc.getText("body").length === 0, 5000, "draft loaded");
		draft.doc.getText("body").insert(0, "Before the reload.");
		await waitFor(() => first.status.get().unsyncedDrafts === 1, 5000, "unsent draft");
		// Let y-indexeddb write the edit, then the page goes away with it unsent.
		await settled();
		first.destroy();

		const second = open("dana");
		expect(second.status.get().unsyncedDrafts).toBe(1);
		await waitFor(() => second.status.get().unsyncedDrafts === 0, 5000, "sent by the new page");
		await teammateReads(3, "Before the reload.", "the edit on the server");
	});

	it("clears a member's databases on this device, and only theirs", async () => {
		const sam = await openReady("sam");
		sam.openDraft(mentionId(2)).close();
		await settled();
		sam.destroy();
		const names = async () => (await indexedDB.databases()).map((db) => db.name ?? "");
		const samId = meOf("sam").id;
		expect((await names()).filter((name) => name.includes(samId)).length).toBeGreaterThan(1);
		const others = (await names()).filter((name) => !name.includes(samId));
		expect(others.length).toBeGreaterThan(0);

		await clearLocalData(meOf("sam"));
		expect((await names()).filter((name) => name.includes(samId))).toEqual([]);
		expect(await names()).toEqual(expect.arrayContaining(others));
	});

	it("clears the board's copy, its queue and unsent drafts by name where the browser cannot list databases", async () => {
		const morgan = await openReady("morgan");
		await goOffline(morgan);
		await writeUnsent(morgan, mentionId(0), "Never sent.");
		await settled();
		morgan.destroy();
		const morganId = meOf("morgan").id;
		const expected = [
			`switchboard/${morganId}/board/acme/main`,
			`switchboard-commands/acme/main/${morganId}`,
			`switchboard/${morganId}/draft/acme/${mentionId(0)}`,
		];
		const names = async () =>
			(await indexedDB.databases()).map((db) => db.name ?? "").filter((n) => expected.includes(n));
		expect((await names()).sort()).toEqual([...expected].sort());

		const databases = indexedDB.databases;
		Object.defineProperty(indexedDB, "databases", { value: undefined, configurable: true });
		try {
			await clearLocalData(meOf("morgan"), ["main"]);
		} finally {
			Object.defineProperty(indexedDB, "databases", { value: databases, configurable: true });
		}
		expect(await names()).toEqual([]);
	});
});

describe("refusals", () => {
	it("a refused draft does not take the board down with it", async () => {
		const errors: AppError[] = [];
		const dana = await openReady("dana", { onError: (error) => errors.push(error) });
		const refused = dana.openDraft("no-such-mention");
		await waitFor(() => errors.length > 0, 5000, "the refusal");
		expect(errors[0]).toMatchObject({ kind: "forbidden", message: "No such conversation." });
		// The server closed the shared socket; the client comes back without the refused draft.
		await waitFor(() => dana.status.get().online, 5000, "online again");
		const draft = dana.openDraft(mentionId(2));
		await waitFor(() => draft.provider.isSynced, 5000, "another draft synced");
		await settled();
		expect(dana.status.get().online).toBe(true);
		expect(errors).toHaveLength(1);
		refused.close();
		draft.close();
	});

	it("reports a refused token and does not keep hammering the server", async () => {
		const errors: AppError[] = [];
		const client = open("sam", { token: "not-a-token", onError: (error) => errors.push(error) });
		await waitFor(() => errors.length > 0, 5000, "the refusal");
		expect(errors[0]).toMatchObject({ kind: "unauthorized" });
		await new Promise((resolve) => setTimeout(resolve, 1500));
		// Hocuspocus alone would have reconnected (and been refused) again after a second.
		expect(errors).toHaveLength(1);
		expect(client.status.get()).toMatchObject({ online: false, connection: "offline" });
	});
});

describe("presence", () => {
	it("shows who views and types in which conversation, and who is online", async () => {
		const [dana, sam] = await Promise.all([openReady("dana"), openReady("sam")]);
		const id = mentionId(5);
		dana.setPresence({ viewing: id, typing: true });
		await waitFor(() => sam.board.get().presence.get(id), 5000, "presence on sam's board");
		const presence = sam.board.get().presence.get(id);
		expect(presence?.viewers.map((member) => member.name)).toEqual(["Dana"]);
		expect(presence?.typers.map((member) => member.name)).toEqual(["Dana"]);
		// Nobody else is on it, so Dana does not see herself.
		await settled();
		expect(dana.board.get().presence.get(id)).toBeUndefined();
		await waitFor(
			() => dana.board.get().online.some((member) => member.name === "Sam"),
			5000,
			"sam online for dana",
		);
		expect(sam.board.get().online.map((member) => member.name)).toEqual(
			expect.arrayContaining(["Dana", "Sam"]),
		);

		dana.setPresence({ viewing: null, typing: false });
		await waitFor(() => !sam.board.get().presence.has(id), 5000, "presence gone");
	});

	it("shows the others in a conversation through its draft, and nobody who only lists the draft", async () => {
		const [dana, sam, kim] = await Promise.all([
			openReady("dana"),
			openReady("sam"),
			openReady("kim"),
		]);
		const id = mentionId(4);
		const danaDraft = dana.openDraft(id);
		const samDraft = sam.openDraft(id);
		// Kim's queue lists the draft: open, but Kim is not in the conversation.
		const kimDraft = kim.openDraft(id);
		danaDraft.setPresence({ here: true, typing: false });
		samDraft.setPresence({ here: true, typing: false });
		await waitFor(
			() => samDraft.presence.get().viewers.length > 0,
			5000,
			"Dana in the conversation for Sam",
		);
		danaDraft.setPresence({ here: true, typing: true });
		await waitFor(() => samDraft.presence.get().typers.length > 0, 5000, "Dana typing for Sam");
		expect(samDraft.presence.get().viewers.map((member) => member.name)).toEqual(["Dana"]);
		expect(samDraft.presence.get().typers.map((member) => member.name)).toEqual(["Dana"]);
		await waitFor(
			() => danaDraft.presence.get().viewers.length > 0,
			5000,
			"Sam in the conversation for Dana",
		);
		expect(danaDraft.presence.get().viewers.map((member) => member.name)).toEqual(["Sam"]);
		expect(
			kimDraft.presence
				.get()
				.viewers.map((member) => member.name)
				.sort(),
		).toEqual(["Dana", "Sam"]);

		// Dana leaves the conversation: gone for Sam, though her draft stays open (held).
		danaDraft.setPresence({ here: false, typing: false });
		await waitFor(() => samDraft.presence.get().viewers.length === 0, 5000, "Dana gone for Sam");
		for (const draft of [danaDraft, samDraft, kimDraft]) draft.close();
	});
});

describe("the board's pace", () => {
	let paced: TestServer;
	beforeAll(async () => {
		paced = await startTestServer();
	});
	afterAll(async () => {
		await paced?.close();
	});

	function pacedClient(key: string, boardDeltaIntervalMs: number): SwitchboardClient {
		const member = paced.members[key] as TestMember;
		return open(key, {
			url: paced.url,
			token: member.token,
			me: { id: member.id, orgId: member.orgId, role: member.role, name: key },
			persistence: "memory",
			boardDeltaIntervalMs,
		});
	}

	async function readyBoard(client: SwitchboardClient): Promise<void> {
		await waitFor(() => client.board.get().ready, 5000, "the board");
		await waitFor(() => client.status.get().online, 5000, "online");
	}

	it("never shows a claimed conversation unowned between its answer and the board's change", async () => {
		// A long pace: the second claim's board change waits for it, its answer does not.
		const client = pacedClient("dana", 2_000);
		await readyBoard(client);
		const dana = paced.members.dana!;
		const [first, second] = [paced.mentions[1]!.mention.id, paced.mentions[2]!.mention.id];
		const shown: { sent: boolean; mention: BoardMention | undefined }[] = [];
		let sent = false;
		const stop = client.board.subscribe((board) => {
			shown.push({ sent, mention: board.mentions.find((mention) => mention.id === second) });
		});
		try {
			const claims = [first, second].map((mentionId) =>
				client.send({ name: "claim", args: { mentionId } }),
			);
			sent = true;
			expect(await Promise.all(claims)).toMatchObject([{ ok: true }, { ok: true }]);
			expect(mentionOn(client, second)).toMatchObject({
				status: "claimed",
				owner: { memberId: dana.id },
				pending: [],
			});
			expect(shown.filter(({ sent, mention }) => sent && mention?.owner === null)).toEqual([]);
		} finally {
			stop();
		}
	});

	it("shows a burst of board changes in fewer updates than changes", async () => {
		// Sam's client is not paced: each change is on the board before the next is made.
		const sam = pacedClient("sam", 0);
		await readyBoard(sam);
		// A pace far longer than the burst takes, even on a busy machine.
		const client = pacedClient("kim", 5_000);
		await readyBoard(client);
		let updates = 0;
		const stop = client.board.subscribe(() => {
			updates += 1;
		});
		try {
			const burst: string[] = [];
			for (let n = 0; n < 10; n++) {
				const [stored] = await paced.switchboard.storage.insertMentions("acme", "main", [
					makeMention(700 + n, { text: `burst ${n}` }),
				]);
				await paced.switchboard.board.publish("acme", "main", [stored!]);
				const id = stored!.mention.id;
				burst.push(id);
				await waitFor(() => mentionOn(sam, id), 30_000, `burst ${n} on Sam's board`);
			}
			await waitFor(
				() => burst.every((id) => mentionOn(client, id)),
				30_000,
				"the burst on the board",
			);
			// The first change at once, the rest together when the pace is up.
			expect(updates).toBeLessThan(5);
		} finally {
			stop();
		}
	});
});
