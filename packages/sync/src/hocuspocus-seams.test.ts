/**
 * Canary for hocuspocus-seams.ts: each test checks, against the installed
 * `@hocuspocus/server`, what one patch relies on. A failure here after an upgrade names the
 * patch to read again, before anything breaks quietly in production.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
	type Connection,
	Document,
	type Extension,
	Hocuspocus,
	IncomingMessage,
	MessageReceiver,
	MessageType,
	type onAwarenessUpdatePayload,
	type WebSocketLike,
} from "@hocuspocus/server";
import { CloseCodes } from "@switchboard/domain";
import * as encoding from "lib0/encoding";
import { describe, expect, it, vi } from "vitest";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import type { SocketContext } from "./context.ts";
import { attachEncodedStateCache } from "./encoded-state-cache.ts";
import { decodeFrame, SyncSteps } from "./frame-codec.ts";
import {
	AUTH_TOKEN_MESSAGE,
	CHECKED_HOCUSPOCUS_VERSION,
	hocuspocusApply,
	interceptIncoming,
	MESSAGE_HOOKS,
	MessageTypes,
	readAwarenessDirectly,
	SwitchboardHocuspocus,
	serveCachedFirstSync,
	takeOverAwarenessBroadcast,
} from "./hocuspocus-seams.ts";

function installedVersion(): string {
	const entry = createRequire(import.meta.url).resolve("@hocuspocus/server");
	const manifest = join(dirname(entry), "..", "package.json");
	return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function frame(address: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, address);
	write(encoder);
	return encoding.toUint8Array(encoder);
}

const authFrame = (address: string, token: string) =>
	frame(address, (e) => {
		encoding.writeVarUint(e, MessageTypes.auth);
		encoding.writeVarUint(e, AUTH_TOKEN_MESSAGE);
		encoding.writeVarString(e, token);
	});

const updateFrame = (address: string, update: Uint8Array) =>
	frame(address, (e) => {
		encoding.writeVarUint(e, MessageTypes.sync);
		encoding.writeVarUint(e, SyncSteps.update);
		encoding.writeVarUint8Array(e, update);
	});

/** A socket that records what Hocuspocus does with it. */
function fakeSocket(events: string[]): WebSocketLike {
	return {
		readyState: 1,
		send: () => events.push("send"),
		close: (code) => events.push(`socket close ${code}`),
	};
}

async function until(check: () => boolean, what: string): Promise<void> {
	const started = Date.now();
	while (!check()) {
		if (Date.now() - started > 20_000) throw new Error(`waited 20 s for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

function serve(extensions: Extension[]) {
	const events: string[] = [];
	const hocuspocus = new SwitchboardHocuspocus({ quiet: true, extensions });
	const context: SocketContext = {
		closeSocket: (code) => events.push(`closeSocket ${code}`),
		remoteAddress: undefined,
	};
	const client = hocuspocus.handleConnection(
		fakeSocket(events),
		new Request("http://localhost/sync"),
		context,
	);
	return { events, hocuspocus, client };
}

describe("the Hocuspocus seams", () => {
	it(`were checked against the installed @hocuspocus/server (${CHECKED_HOCUSPOCUS_VERSION})`, () => {
		// Upgrading: read each patch in hocuspocus-seams.ts against the new source, run this
		// file, then raise CHECKED_HOCUSPOCUS_VERSION.
		expect(installedVersion()).toBe(CHECKED_HOCUSPOCUS_VERSION);
	});

	it("patch 4: the pre-parser's message types are Hocuspocus' own", () => {
		expect(MessageTypes).toEqual({
			sync: MessageType.Sync,
			awareness: MessageType.Awareness,
			auth: MessageType.Auth,
			queryAwareness: MessageType.QueryAwareness,
			syncReply: MessageType.SyncReply,
			stateless: MessageType.Stateless,
			broadcastStateless: MessageType.BroadcastStateless,
			close: MessageType.CLOSE,
			syncStatus: MessageType.SyncStatus,
			ping: MessageType.Ping,
			pong: MessageType.Pong,
		});
	});

	it("patch 4: a token authentication message reaches onAuthenticate with its token", async () => {
		const tokens: string[] = [];
		const { client, events } = serve([
			{
				async onAuthenticate({ token }) {
					tokens.push(token);
				},
			},
		]);
		client.handleMessage(authFrame("draft/acme/m1", "the-token"));
		await until(() => tokens.length > 0 && events.includes("send"), "authentication");
		expect(tokens).toEqual(["the-token"]);
		client.handleClose({ code: 1000, reason: "" });
	});

	it("patch 1: a document that cannot be loaded closes the socket before permission-denied", async () => {
		const { client, events } = serve([
			{
				async onLoadDocument() {
					throw new Error("the database is down");
				},
			},
		]);
		client.handleMessage(authFrame("draft/acme/m1", "token"));
		await until(() => events.filter((event) => event === "send").length >= 2, "two answers");
		// Authenticated, then the 4503 close, then permission-denied.
		expect(events.slice(0, 3)).toEqual([
			"send",
			`closeSocket ${CloseCodes.unavailable.code}`,
			"send",
		]);
		client.handleClose({ code: 1000, reason: "" });
	});

	it("patch 9: what loading changed waits in the document's broadcast batch, and is sent to nobody", async () => {
		const stored = new Y.Doc();
		stored.getText("body").insert(0, "stored before");
		const load: Extension = {
			async onLoadDocument({ document }) {
				Y.applyUpdate(document, Y.encodeStateAsUpdate(stored));
			},
		};
		const pending = (document: Document) =>
			(document as unknown as { pendingUpdates: Uint8Array[] }).pendingUpdates.length;
		const open = (instance: Hocuspocus<SocketContext>) =>
			instance.createDocument(
				"draft/acme/m1",
				new Request("http://x"),
				"s",
				{ isAuthenticated: true, readOnly: false },
				{} as SocketContext,
			);
		// Hocuspocus alone keeps the load's update for the clients that join next.
		const kept = await open(new Hocuspocus<SocketContext>({ quiet: true, extensions: [load] }));
		expect(kept.getText("body").toString()).toBe("stored before");
		expect(pending(kept)).toBe(1);
		const loaded = await open(new SwitchboardHocuspocus({ quiet: true, extensions: [load] }));
		expect(loaded.getText("body").toString()).toBe("stored before");
		expect(pending(loaded)).toBe(0);
		// Later changes are batched for the clients as before.
		loaded.getText("body").insert(0, "later ");
		expect(pending(loaded)).toBe(1);
	});

	it("patch 3: an intercepted connection sees each frame, the very object, before handling it", async () => {
		const seen: Uint8Array[] = [];
		let intercepting = false;
		let document: Document | undefined;
		const { client } = serve([
			{
				async connected({ connection }) {
					interceptIncoming(connection, (data) => seen.push(data));
					intercepting = true;
				},
				async afterLoadDocument({ document: loaded }) {
					document = loaded;
				},
			},
		]);
		client.handleMessage(authFrame("draft/acme/m1", "token"));
		await until(() => intercepting, "the connection");
		const edit = new Y.Doc();
		edit.getText("body").insert(0, "hello");
		const sent = updateFrame("draft/acme/m1", Y.encodeStateAsUpdate(edit));
		client.handleMessage(sent);
		await until(() => document?.getText("body").toString() === "hello", "the update applied");
		expect(seen).toHaveLength(1);
		expect(seen[0]).toBe(sent);
		client.handleClose({ code: 1000, reason: "" });
	});

	it("patch 2: awareness leaves the document only through the broadcast taken over", async () => {
		const document = new Document("board/acme/main");
		const sent: Uint8Array[] = [];
		const connection = {
			messageAddress: document.name,
			send: (message: Uint8Array) => sent.push(message),
		} as unknown as Connection;
		document.addConnection(connection);
		const broadcast = takeOverAwarenessBroadcast(document);

		const remote = new Awareness(new Y.Doc());
		remote.setLocalState({ user: { name: "Dana" } });
		const update = () => encodeAwarenessUpdate(remote, [remote.clientID]);
		document.applyAwarenessUpdate(connection, update());
		document.flush();
		// Hocuspocus' unbatched path as well.
		document.flushDelay = false;
		remote.setLocalState({ user: { name: "Dana" }, viewing: "m1" });
		document.applyAwarenessUpdate(connection, update());
		await new Promise((resolve) => setImmediate(resolve));
		expect(sent).toHaveLength(0);

		broadcast([remote.clientID]);
		expect(sent).toHaveLength(1);
		const decoded = decodeFrame(sent[0] as Uint8Array);
		expect(decoded).toMatchObject({ kind: "awareness", address: "board/acme/main" });
		document.destroy();
	});

	it("patch 6: onAwarenessUpdate gets every field once per awareness message, states when read", async () => {
		const payloads: onAwarenessUpdatePayload[] = [];
		const { client } = serve([
			{
				async onAwarenessUpdate(payload) {
					payloads.push(payload);
				},
			},
		]);
		client.handleMessage(authFrame("board/acme/main", "token"));
		const remote = new Awareness(new Y.Doc());
		remote.setLocalState({ viewing: "m1" });
		const awarenessFrame = () =>
			frame("board/acme/main", (e) => {
				encoding.writeVarUint(e, MessageTypes.awareness);
				encoding.writeVarUint8Array(e, encodeAwarenessUpdate(remote, [remote.clientID]));
			});
		client.handleMessage(awarenessFrame());
		await until(() => payloads.length > 0, "the hook");
		remote.setLocalState({ viewing: "m2" });
		client.handleMessage(awarenessFrame());
		await until(() => payloads.length > 1, "the hook, again");
		await new Promise((resolve) => setTimeout(resolve, 50));
		// Once per message: Hocuspocus' own dispatcher is gone, not running beside this one.
		expect(payloads).toHaveLength(2);
		const [first, second] = payloads as [onAwarenessUpdatePayload, onAwarenessUpdatePayload];
		expect(first).toMatchObject({
			documentName: "board/acme/main",
			added: [remote.clientID],
			updated: [],
			removed: [],
			transactionOrigin: { source: "connection" },
		});
		expect(first.connection).toBeDefined();
		expect(first.document.name).toBe("board/acme/main");
		expect(first.awareness).toBe(first.document.awareness);
		expect(first.instance).toBeInstanceOf(SwitchboardHocuspocus);
		expect(second).toMatchObject({ added: [], updated: [remote.clientID] });
		// Built when first read (not at every message): the document's states as they are then.
		expect(first.states).toEqual([{ clientId: remote.clientID, viewing: "m2" }]);
		expect(second.states).toEqual([{ clientId: remote.clientID, viewing: "m2" }]);
		client.handleClose({ code: 1000, reason: "" });
	});

	it("patch 5: a first sync answered from the cache is what Hocuspocus answers, byte for byte", async () => {
		const document = new Document("board/acme/main");
		for (let i = 0; i < 50; i++) document.getMap("mentions").set(`m${i}`, { text: "x".repeat(40) });
		document.getMap("mentions").delete("m3");
		const stepOne = (stateVector: Uint8Array, type: number = MessageTypes.sync) =>
			frame(document.name, (e) => {
				encoding.writeVarUint(e, type);
				encoding.writeVarUint(e, SyncSteps.step1);
				encoding.writeVarUint8Array(e, stateVector);
			});
		/** What Hocuspocus sends for a frame, through a connection or through `reply`. */
		const answer = async (data: Uint8Array, via: "connection" | "reply") => {
			const out: { sent: Uint8Array[]; beforeSync: unknown[] } = { sent: [], beforeSync: [] };
			const connection = {
				messageAddress: document.name,
				readOnly: true,
				send: (message: Uint8Array) => out.sent.push(message),
				callbacks: {
					beforeSync: async (_: unknown, payload: unknown) => {
						out.beforeSync.push(payload);
					},
				},
			} as unknown as Connection;
			const message = new IncomingMessage(data);
			// As Connection.handleMessage does: the address read, and written into the answer.
			message.writeVarString(message.readVarString());
			await new MessageReceiver(message).apply(
				document,
				connection,
				via === "reply" ? (reply) => out.sent.push(reply) : undefined,
			);
			return out;
		};
		serveCachedFirstSync();
		const empty = new Uint8Array([0]);
		const known = Y.encodeStateVector(document);
		const frames = [stepOne(empty), stepOne(empty, MessageTypes.syncReply), stepOne(known)];
		const plain: unknown[] = [];
		for (const data of frames) {
			for (const via of ["connection", "reply"] as const) plain.push(await answer(data, via));
		}
		const cache = attachEncodedStateCache(document, { minBytes: 0 });
		const cached: unknown[] = [];
		for (const data of frames) {
			for (const via of ["connection", "reply"] as const) cached.push(await answer(data, via));
		}
		expect(cached).toEqual(plain);
		// Four of the six asked for everything: encoded once, then served.
		expect(cache.counts).toEqual({ encoded: 1, served: 3 });
		// Step 2 of the first answer holds the whole document.
		const client = new Y.Doc();
		const first = (cached[0] as { sent: Uint8Array[] }).sent.at(-1) as Uint8Array;
		const decoded = decodeFrame(first);
		expect(decoded).toMatchObject({ kind: "sync", step: SyncSteps.step2 });
		Y.applyUpdate(client, (decoded as { payload: Uint8Array }).payload);
		expect(client.getMap("mentions").toJSON()).toEqual(document.getMap("mentions").toJSON());
		document.destroy();
	});
	it("patch 8: an awareness message reaches beforeHandleAwareness and the document as through Hocuspocus' scratch", async () => {
		readAwarenessDirectly();
		const original = hocuspocusApply();
		if (!original) throw new Error("patch 8 is not installed");
		// One update with two people and a removal: Dana looks at a mention, Eve has left.
		const dana = new Awareness(new Y.Doc());
		dana.setLocalState({ user: { name: "Dana", color: "#123456" }, viewing: "m1" });
		const eve = new Awareness(new Y.Doc());
		eve.setLocalState({ user: { name: "Eve" } });
		const both = new Awareness(new Y.Doc());
		applyAwarenessUpdate(both, encodeAwarenessUpdate(dana, [dana.clientID]), null);
		applyAwarenessUpdate(both, encodeAwarenessUpdate(eve, [eve.clientID]), null);
		eve.setLocalState(null);
		applyAwarenessUpdate(both, encodeAwarenessUpdate(eve, [eve.clientID]), null);
		const update = encodeAwarenessUpdate(both, [dana.clientID, eve.clientID]);
		const people = new Set([dana.clientID, eve.clientID]);

		const run = async (apply: typeof original) => {
			const document = new Document("board/acme/main");
			const seen: [number, unknown][] = [];
			document.beforeHandleAwareness(async (_document, states, origin) => {
				expect(origin).toMatchObject({ source: "connection" });
				for (const [clientId, state] of states) seen.push([clientId, structuredClone(state)]);
				// As the awareness guard does: edit the states in place.
				for (const state of states.values()) state.user = { name: "rewritten" };
			});
			const connection = { messageAddress: document.name, send: () => {} } as unknown as Connection;
			const message = new IncomingMessage(
				frame(document.name, (e) => {
					encoding.writeVarUint(e, MessageTypes.awareness);
					encoding.writeVarUint8Array(e, update);
				}),
			);
			message.writeVarString(message.readVarString());
			await apply.call(new MessageReceiver(message), document, connection);
			const states = [...document.awareness.getStates()].filter(([id]) => people.has(id));
			const clocks = [...people].map((id) => document.awareness.meta.get(id)?.clock);
			document.destroy();
			return { seen, states, clocks };
		};
		const hocuspocus = await run(original);
		const patched = await run(MessageReceiver.prototype.apply);

		// Hocuspocus' hook also saw its scratch awareness's own empty state, and no removal.
		const scratchOwn = hocuspocus.seen.filter(([id]) => !people.has(id));
		expect(scratchOwn).toEqual([[expect.any(Number), {}]]);
		expect(patched.seen).toEqual(hocuspocus.seen.filter(([id]) => people.has(id)));
		expect(patched.seen).toEqual([
			[dana.clientID, { user: { name: "Dana", color: "#123456" }, viewing: "m1" }],
		]);
		// The document ends the same: Dana as the hook left her, at her clock; Eve unknown.
		expect(patched.states).toEqual(hocuspocus.states);
		expect(patched.states).toEqual([
			[dana.clientID, { user: { name: "rewritten" }, viewing: "m1" }],
		]);
		expect(patched.clocks).toEqual(hocuspocus.clocks);
		for (const awareness of [dana, eve, both]) awareness.destroy();
	});

	it("patch 7: Hocuspocus' defaults for the message hooks are no-ops of its configuration", async () => {
		const bare = new Hocuspocus({ quiet: true });
		const appended = bare.configuration.extensions.at(-1) as Record<string, unknown>;
		for (const name of MESSAGE_HOOKS) {
			const hook = bare.configuration[name] as (data: unknown) => unknown;
			// The extension Hocuspocus appends calls the configuration's very functions...
			expect(appended[name], name).toBe(hook);
			// ...which do nothing: skipping them changes no outcome.
			expect(await hook({}), name).toBeOneOf([null, undefined]);
		}
	});

	it("patch 7: a message runs each extension's hooks in order, one after the other, and a failure closes", async () => {
		const calls: string[] = [];
		const slowly = () => new Promise((resolve) => setTimeout(resolve, 20));
		const first: Extension = {
			extensionName: "first",
			async beforeHandleMessage() {
				calls.push("first beforeHandleMessage");
			},
			async beforeSync({ payload }) {
				await slowly();
				calls.push("first beforeSync");
				if (payload.byteLength > 100) throw new Error("too large for this test");
			},
			async onChange() {
				calls.push("first onChange");
			},
			async afterHandleMessage() {
				calls.push("first afterHandleMessage");
			},
		};
		const second: Extension = {
			extensionName: "second",
			async beforeSync() {
				calls.push("second beforeSync");
			},
			async onChange() {
				calls.push("second onChange");
			},
		};
		const { client, events, hocuspocus } = serve([first, second]);
		client.handleMessage(authFrame("draft/acme/m1", "token"));
		await until(() => hocuspocus.documents.get("draft/acme/m1") !== undefined, "the document");
		await until(() => events.includes("send"), "authentication");
		const doc = new Y.Doc();
		doc.getText("body").insert(0, "hi");
		client.handleMessage(updateFrame("draft/acme/m1", Y.encodeStateAsUpdate(doc)));
		await until(() => calls.includes("first afterHandleMessage"), "the message handled");
		await until(() => calls.filter((call) => call.endsWith("onChange")).length === 2, "onChange");
		// Hocuspocus does not wait for onChange: its hooks may end after afterHandleMessage.
		expect(calls.filter((call) => !call.endsWith("onChange"))).toEqual([
			"first beforeHandleMessage",
			"first beforeSync",
			"second beforeSync",
			"first afterHandleMessage",
		]);
		expect(calls.filter((call) => call.endsWith("onChange"))).toEqual([
			"first onChange",
			"second onChange",
		]);
		const document = hocuspocus.documents.get("draft/acme/m1");
		expect(document?.getText("body").toString()).toBe("hi");
		// A hook that throws stops the ones after it, and Hocuspocus closes the document's
		// connection. The document may be unloaded by then (its last connection closed): read
		// the one that was served.
		calls.length = 0;
		doc.getText("body").insert(2, "x".repeat(200));
		const error = vi.spyOn(console, "error").mockImplementation(() => {});
		try {
			client.handleMessage(updateFrame("draft/acme/m1", Y.encodeStateAsUpdate(doc)));
			await until(() => calls.includes("first afterHandleMessage"), "the failed message");
		} finally {
			error.mockRestore();
		}
		expect(calls).toEqual([
			"first beforeHandleMessage",
			"first beforeSync",
			"first afterHandleMessage",
		]);
		expect(document?.getText("body").toString()).toBe("hi");
		// The served document: once its last connection is gone Hocuspocus may unload it, and
		// the map holds none to ask.
		await until(() => document?.getConnectionsCount() === 0, "the document connection closed");
		client.handleClose({ code: 1000, reason: "" });
	});
});
