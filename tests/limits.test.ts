/**
 * Every limit of a sync socket, exceeded on purpose: each closes the offender with its own
 * close code (docs/PROTOCOL.md) and leaves documents and other clients as they were. The
 * server runs with lowered limits so the test stays small; the defaults are in
 * `defaultSyncLimits`.
 */
import { boardDocumentName, draftDocumentName } from "@switchboard/domain";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import {
	authFrame,
	awarenessFrame,
	awarenessUpdate,
	closedWithin,
	frame,
	openRawClient,
	type RawClient,
	syncFrame,
	Types,
} from "./utils/raw-client.ts";
import { testServerForFile, waitFor } from "./utils/test-server.ts";

const LIMITS = {
	maxUpdateBytes: 256 * 1024,
	maxDocumentBytes: 512 * 1024,
	maxDocumentsPerSocket: 4,
	maxUnauthenticatedMessages: 50,
	messageRate: { burst: 200, perSecond: 100 },
	awarenessRate: { burst: 20, perSecond: 10 },
	maxBufferedBytes: 1024 * 1024,
};

/**
 * The edge's socket limits, lowered likewise. Sockets are told apart by address through
 * `X-Forwarded-For` behind one trusted proxy; the other tests' sockets come from loopback
 * and stay well within the per-address budget.
 */
const RATE_LIMITS = {
	socketsPerMember: 3,
	socketsPerIp: { points: 40, seconds: 600 },
	trustedProxies: 1,
};

const server = testServerForFile({ rateLimits: RATE_LIMITS }, { limits: LIMITS });
const draft = (i: number) => draftDocumentName("acme", server.mentions[i]!.mention.id);

async function authenticated(name: string): Promise<RawClient> {
	const client = await openRawClient(server.wsUrl);
	expect(await client.authenticate(name, server.members.dana!.token)).toBe("authenticated");
	return client;
}

function update(bytes: number): Uint8Array {
	const doc = new Y.Doc();
	doc.getText("body").insert(0, "x".repeat(bytes));
	return Y.encodeStateAsUpdate(doc);
}

describe("limits", () => {
	it("closes with 4413 on an update above the update limit, and stores nothing of it", async () => {
		const client = await authenticated(draft(0));
		const before = await server.switchboard.storage.loadDocument(draft(0));
		client.send(syncFrame(draft(0), 2, update(300 * 1024)));
		expect(await closedWithin(client, 30_000)).toBe(4413);
		const after = await server.switchboard.storage.loadDocument(draft(0));
		expect(after.updates.length).toBe(before.updates.length);
	});

	it("closes with 1009 on a WebSocket frame above 2 MiB", async () => {
		const client = await openRawClient(server.wsUrl);
		client.send(new Uint8Array(3 * 1024 * 1024));
		expect(await closedWithin(client, 30_000)).toBe(1009);
	});

	it("closes with 4414 when a draft would grow past the document limit, and stores nothing of it", async () => {
		const writer = await server.draft(server.members.sam!, server.mentions[1]!.mention.id);
		const closes: number[] = [];
		writer.socket.on("close", ({ event }: { event: { code: number } }) => closes.push(event.code));
		const body = writer.doc.getText("body");
		for (let i = 0; i < 10; i++) body.insert(body.length, `${i}`.repeat(64 * 1024));
		await waitFor(() => closes.includes(4414), 10_000, "a 4414 close");
		// The edit that did not fit is not acknowledged; the provider keeps it.
		expect(writer.provider.unsyncedChanges).toBeGreaterThan(0);
		const stored = await server.switchboard.storage.loadDocument(draft(1));
		const doc = new Y.Doc();
		if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
		for (const logged of stored.updates) Y.applyUpdate(doc, logged);
		expect(Y.encodeStateAsUpdate(doc).byteLength).toBeLessThanOrEqual(LIMITS.maxDocumentBytes);
		writer.destroy();
	});

	it("closes with 4431 when a socket opens too many documents", async () => {
		const client = await openRawClient(server.wsUrl);
		for (let i = 0; i < LIMITS.maxDocumentsPerSocket + 1; i++) {
			client.send(authFrame(draft(i), server.members.dana!.token));
		}
		expect(await closedWithin(client, 30_000)).toBe(4431);
	});

	it("closes with 4432 when too much waits for authentication", async () => {
		const client = await openRawClient(server.wsUrl);
		const query = frame(draft(2), (e) => encoding.writeVarUint(e, Types.queryAwareness));
		for (let i = 0; i <= LIMITS.maxUnauthenticatedMessages; i++) client.send(query);
		expect(await closedWithin(client, 30_000)).toBe(4432);
	});

	it("closes with 4429 past the message rate and 4430 past the awareness rate", async () => {
		const flooder = await authenticated(draft(3));
		const query = frame(draft(3), (e) => encoding.writeVarUint(e, Types.queryAwareness));
		for (let i = 0; i < 400; i++) flooder.send(query);
		expect(await closedWithin(flooder, 30_000)).toBe(4429);

		const chatty = await authenticated(draft(3));
		for (let clock = 1; clock <= 40; clock++) {
			chatty.send(awarenessFrame(draft(3), awarenessUpdate([[4242, clock, { cursor: clock }]])));
		}
		expect(await closedWithin(chatty, 30_000)).toBe(4430);
	});

	it("closes a reader that does not read (4433) instead of buffering for it without bound", {
		timeout: 60_000,
	}, async () => {
		const name = draft(4);
		const slow = await authenticated(name);
		const writer = await server.draft(server.members.sam!, server.mentions[4]!.mention.id);
		// The slow reader stops reading: the kernel's buffers fill, then the server's.
		const socket = (slow.ws as unknown as { _socket: import("node:net").Socket })._socket;
		socket.pause();
		const body = writer.doc.getText("body");
		const chunk = "y".repeat(200 * 1024);
		const connections = () =>
			server.switchboard.hocuspocus.documents.get(name)?.getConnectionsCount();
		expect(connections()).toBe(2);
		let sent = 0;
		// Up to 40 MiB through a small document (each chunk is written, then deleted again),
		// until the server lets go of the reader.
		for (let i = 0; i < 200 && connections() === 2; i++) {
			body.insert(0, chunk);
			body.delete(0, chunk.length);
			sent += chunk.length;
			if (i % 5 === 4) {
				await waitFor(() => writer.provider.unsyncedChanges === 0, 10_000, "writer acknowledged");
			}
		}
		expect(connections(), "the server closed the reader").toBe(1);
		let received = 0;
		slow.ws.on("message", (data: Buffer) => {
			received += data.byteLength;
		});
		socket.resume();
		expect(await closedWithin(slow, 10_000)).toBe(4433);
		// What the server held for the reader: its limit, one message and the kernel's buffers.
		expect(received).toBeLessThan(LIMITS.maxBufferedBytes + 16 * 1024 * 1024);
		expect(writer.socket.status).toBe("connected");
		console.log(
			`[reliability] backpressure: ${JSON.stringify({ sentBytes: sent, slowReaderReceived: received, limit: LIMITS.maxBufferedBytes })}`,
		);
		writer.destroy();
	});
});

describe("socket limits at the edge", () => {
	const board = () => boardDocumentName("acme", "main");

	it("closes a member's socket past the per-member cap with 4429 and says why; others are not held back", async () => {
		const kim = server.members.kim!;
		const open: RawClient[] = [];
		for (let i = 0; i < RATE_LIMITS.socketsPerMember; i++) {
			const client = await openRawClient(server.wsUrl);
			expect(await client.authenticate(board(), kim.token)).toBe("authenticated");
			open.push(client);
		}
		const extra = await openRawClient(server.wsUrl);
		const closing = new Promise<string>((resolve) =>
			extra.ws.once("close", (code, reason) => resolve(`${code} ${reason.toString()}`)),
		);
		await extra.authenticate(board(), kim.token);
		expect(await closing).toMatch(
			/^4429 Too Many Connections: 3 of this member's connections are open here already; close a tab or a device$/,
		);
		// A socket that opens several documents is one socket.
		const several = open[0]!;
		expect(await several.authenticate(draft(5), kim.token)).toBe("authenticated");
		// Another member is not counted with Kim.
		const gabi = await openRawClient(server.wsUrl);
		expect(
			await gabi.authenticate(boardDocumentName("globex", "main"), server.members.gabi!.token),
		).toBe("authenticated");
		// A closed socket frees its place (once the server has seen it close).
		const leaving = open.pop()!;
		leaving.close();
		await leaving.closed;
		let answer = "";
		for (let attempt = 0; attempt < 100 && answer !== "authenticated"; attempt++) {
			const again = await openRawClient(server.wsUrl);
			answer = await again.authenticate(board(), kim.token);
			if (answer === "authenticated") open.push(again);
			else await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(answer).toBe("authenticated");
		for (const client of [...open, gabi]) client.close();
	});

	it("answers upgrades past the per-address rate with HTTP 429 and Retry-After, before any work", async () => {
		const from = { "x-forwarded-for": "192.0.2.50" };
		const attempts = Array.from({ length: RATE_LIMITS.socketsPerIp.points }, () =>
			openRawClient(server.wsUrl, from),
		);
		for (const client of await Promise.all(attempts)) client.close();
		const refused = await new Promise<{ status?: number; retryAfter?: string }>(
			(resolve, reject) => {
				const ws = new WebSocket(server.wsUrl, { headers: from });
				ws.once("open", () => reject(new Error("the upgrade past the rate was accepted")));
				ws.once("unexpected-response", (_request, response) =>
					resolve({
						...(response.statusCode ? { status: response.statusCode } : {}),
						...(typeof response.headers["retry-after"] === "string"
							? { retryAfter: response.headers["retry-after"] }
							: {}),
					}),
				);
				ws.once("error", () => undefined);
			},
		);
		expect(refused.status).toBe(429);
		expect(Number(refused.retryAfter)).toBeGreaterThan(500);
		// Another address still connects.
		const other = await openRawClient(server.wsUrl, { "x-forwarded-for": "192.0.2.51" });
		other.close();
	});
});
