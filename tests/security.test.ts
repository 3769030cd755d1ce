/**
 * Doors: the read-only board, awareness that cannot speak for someone else, tokens that
 * are not what they claim, members removed while connected, and browsers on foreign
 * origins (WebSocket upgrades, cookie-authenticated requests, CSRF).
 */
import { boardDocumentName, draftDocumentName } from "@switchboard/domain";
import { KyselyStorage } from "@switchboard/storage";
import { generateKeyPair, SignJWT } from "jose";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
	awarenessFrame,
	awarenessUpdate,
	closedWithin,
	frame,
	openRawClient,
	statelessFrame,
	syncFrame,
	Types,
} from "./utils/raw-client.ts";
import { PASSWORD, testServerForFile, waitFor } from "./utils/test-server.ts";

const SECRET = "test-secret-test-secret-test-secret-0123456789";
const FOREIGN = "https://evil.example";

const server = testServerForFile(
	{ allowedOrigins: ["https://switchboard.example"] },
	{ membershipCheckMs: 200 },
);

const board = () => boardDocumentName("acme", "main");

/** A new ambassador of acme on its boards, and a token for them. */
async function ambassadorWithToken(email: string, name: string) {
	const member = await server.switchboard.storage.createMember({
		orgId: "acme",
		email,
		name,
		role: "ambassador",
		capacity: 2,
		passwordHash: "unused",
	});
	const token = await server.switchboard.tokens.sign({
		memberId: member.id,
		orgId: "acme",
		role: "ambassador",
		name,
	});
	return { member, token };
}

/** A raw socket authenticated on the board as the token's member, sending what awareness it likes. */
async function awarenessSender(token: string) {
	const client = await openRawClient(server.wsUrl);
	expect(await client.authenticate(board(), token)).toBe("authenticated");
	return {
		send: (entries: Parameters<typeof awarenessUpdate>[0]) =>
			client.send(awarenessFrame(board(), awarenessUpdate(entries))),
		close: () => client.close(),
	};
}
const stateOf = (name: string) =>
	Buffer.from(Y.encodeStateAsUpdate(server.switchboard.hocuspocus.documents.get(name)!)).toString(
		"base64",
	);

/** The sync-status answers a raw client received: true = applied. */
function syncStatuses(received: Uint8Array[]): boolean[] {
	const statuses: boolean[] = [];
	for (const bytes of received) {
		const decoder = decoding.createDecoder(bytes);
		decoding.readVarString(decoder);
		if (decoding.readVarUint(decoder) === Types.syncStatus) {
			statuses.push(decoding.readVarUint(decoder) === 1);
		}
	}
	return statuses;
}

describe("the board is read-only for every client", () => {
	it("refuses updates, sync step 2 and broadcast stateless; stateless reaches nobody", async () => {
		const observer = await server.board(server.members.sam!);
		const stateless: string[] = [];
		observer.provider.on("stateless", ({ payload }: { payload: string }) =>
			stateless.push(payload),
		);
		const before = stateOf(board());
		const writer = new Y.Doc();
		writer
			.getArray("work")
			.push([{ k: server.mentions[0]!.mention.id, rev: 1e9, v: { status: "replied" } }]);
		const write = Y.encodeStateAsUpdate(writer);

		const attacker = await openRawClient(server.wsUrl);
		expect(await attacker.authenticate(board(), server.members.dana!.token)).toBe("authenticated");
		attacker.send(syncFrame(board(), 2, write));
		attacker.send(syncFrame(board(), 1, write));
		attacker.send(statelessFrame(board(), JSON.stringify({ type: "ack", id: "forged" })));
		await waitFor(() => syncStatuses(attacker.received).length === 2, 5_000, "two answers");
		expect(syncStatuses(attacker.received)).toEqual([false, false]);
		attacker.send(
			frame(board(), (e) => {
				encoding.writeVarUint(e, Types.broadcastStateless);
				encoding.writeVarString(e, JSON.stringify({ type: "ack", id: "forged" }));
			}),
		);
		expect(await closedWithin(attacker, 30_000)).toBe(4400);
		expect(stateOf(board())).toBe(before);
		expect(stateless).toEqual([]);
		observer.destroy();
	});
});

describe("awareness speaks only for its sender", () => {
	it("rewrites the user to the connection's member and keeps others' states", async () => {
		const { dana, sam, kim } = server.members;
		const sam_ = await server.board(sam!);
		sam_.provider.awareness!.setLocalStateField("user", {
			id: sam!.id,
			name: "Sam",
			color: "#123456",
		});
		const kim_ = await server.board(kim!);
		await waitFor(
			() => kim_.provider.awareness!.getStates().get(sam_.doc.clientID)?.user?.name === "Sam",
			5_000,
			"Sam's presence",
		);
		const attacker = await awarenessSender(dana!.token);
		// Dana claims to be Sam, and overwrites Sam's own state with a higher clock.
		attacker.send([
			[777, 1, { user: { id: sam!.id, name: "Sam", color: "#ff0000" }, viewing: "x" }],
			[sam_.doc.clientID, 1000, { user: { id: sam!.id, name: "Sam (evil)" } }],
		]);
		// Many client ids at once: only a few are kept.
		attacker.send(Array.from({ length: 10 }, (_, i) => [900 + i, 1, { user: { id: "x" } }]));
		await waitFor(() => kim_.provider.awareness!.getStates().has(777), 5_000, "Dana's state");
		const states = kim_.provider.awareness!.getStates();
		expect(states.get(777)?.user).toEqual({ id: dana!.id, name: "Dana", color: "#ff0000" });
		expect(states.get(sam_.doc.clientID)?.user?.name).toBe("Sam");
		const fromDana = [...states.entries()].filter(([, state]) => state.user?.id === dana!.id);
		expect(fromDana.length).toBeLessThanOrEqual(4);
		attacker.close();
		sam_.destroy();
		kim_.destroy();
	});

	it("keeps a client id its member's while they reconnect: another member cannot take it", async () => {
		const { dana, sam, kim } = server.members;
		const sam_ = await server.board(sam!);
		sam_.provider.awareness!.setLocalStateField("user", { id: sam!.id, name: "Sam" });
		const samId = sam_.doc.clientID;
		const kim_ = await server.board(kim!);
		await waitFor(() => kim_.provider.awareness!.getStates().has(samId), 5_000, "Sam's presence");
		// Sam's connection drops; the id is free on the server until Sam is back.
		sam_.destroy();
		await waitFor(() => !kim_.provider.awareness!.getStates().has(samId), 10_000, "Sam gone");
		const attacker = await awarenessSender(dana!.token);
		attacker.send([
			[samId, 1000, { user: { id: dana!.id }, viewing: "taken" }],
			[778, 1, { user: { id: dana!.id } }],
		]);
		await waitFor(() => kim_.provider.awareness!.getStates().has(778), 5_000, "Dana's own state");
		expect(kim_.provider.awareness!.getStates().has(samId)).toBe(false);
		attacker.close();
		kim_.destroy();
	});
});

describe("tokens that are not what they claim", () => {
	const key = new TextEncoder().encode(SECRET);
	const claims = () => ({
		org: "acme",
		role: "moderator",
		name: "Dana",
	});
	const sign = (alg: string, secret: Uint8Array | CryptoKey, edit: (jwt: SignJWT) => SignJWT) =>
		edit(
			new SignJWT(claims())
				.setProtectedHeader({ alg, typ: "JWT" })
				.setSubject(server.members.dana!.id)
				.setIssuedAt(),
		).sign(secret);

	async function badTokens(): Promise<Record<string, string>> {
		const valid = server.members.dana!.token;
		const [header, payload] = valid.split(".") as [string, string, string];
		const decoded = JSON.parse(Buffer.from(payload, "base64url").toString());
		const { privateKey } = await generateKeyPair("RS256");
		const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
		return {
			expired: await sign("HS256", key, (jwt) =>
				jwt
					.setIssuer("switchboard")
					.setAudience("switchboard")
					.setExpirationTime(Math.floor(Date.now() / 1000) - 60),
			),
			"no expiry": await sign("HS256", key, (jwt) =>
				jwt.setIssuer("switchboard").setAudience("switchboard"),
			),
			"alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...decoded, role: "admin" })}.`,
			"another HMAC": await sign("HS512", key, (jwt) =>
				jwt.setIssuer("switchboard").setAudience("switchboard").setExpirationTime("1h"),
			),
			"an RSA key": await sign("RS256", privateKey, (jwt) =>
				jwt.setIssuer("switchboard").setAudience("switchboard").setExpirationTime("1h"),
			),
			"wrong audience": await sign("HS256", key, (jwt) =>
				jwt.setIssuer("switchboard").setAudience("someone-else").setExpirationTime("1h"),
			),
			"wrong issuer": await sign("HS256", key, (jwt) =>
				jwt.setIssuer("someone-else").setAudience("switchboard").setExpirationTime("1h"),
			),
			"tampered claims": `${header}.${b64({ ...decoded, org: "globex", role: "admin" })}.${valid.split(".")[2]}`,
			"another secret": await sign("HS256", new TextEncoder().encode("x".repeat(48)), (jwt) =>
				jwt.setIssuer("switchboard").setAudience("switchboard").setExpirationTime("1h"),
			),
			garbage: "a.b.c",
		};
	}

	it("refuses each on the WebSocket (4401) and on the HTTP API (401)", async () => {
		for (const [kind, token] of Object.entries(await badTokens())) {
			const client = await openRawClient(server.wsUrl);
			const answer = await client.authenticate(board(), token);
			expect(answer, kind).toMatch(/^Unauthorized/);
			expect(await client.closed, kind).toBe(4401);
			const response = await fetch(`${server.url}/api/me`, {
				headers: { authorization: `Bearer ${token}` },
			});
			expect(response.status, kind).toBe(401);
		}
	});

	it("closes the open sockets of a member removed meanwhile, and refuses them afterwards", async () => {
		const storage = server.switchboard.storage;
		const { member, token } = await ambassadorWithToken("leaving@acme.test", "Leaving");
		const boardSocket = await openRawClient(server.wsUrl);
		expect(await boardSocket.authenticate(board(), token)).toBe("authenticated");
		const draftSocket = await openRawClient(server.wsUrl);
		const draftName = draftDocumentName("acme", server.mentions[2]!.mention.id);
		expect(await draftSocket.authenticate(draftName, token)).toBe("authenticated");
		if (!(storage instanceof KyselyStorage)) throw new Error("expected the kysely storage");
		await storage.db
			.updateTable("members")
			.set({ active: false })
			.where("id", "=", member.id)
			.execute();
		const removedAt = Date.now();
		expect(await closedWithin(boardSocket, 30_000)).toBe(4401);
		expect(await closedWithin(draftSocket, 30_000)).toBe(4401);
		const closedAfterMs = Date.now() - removedAt;
		const again = await openRawClient(server.wsUrl);
		expect(await again.authenticate(board(), token)).toMatch(/^Unauthorized/);
		console.log(`[reliability] removed-member: ${JSON.stringify({ checkMs: 200, closedAfterMs })}`);
	});

	it("closes with 4403 a socket on a board its member was taken off behind the bus's back", async () => {
		const storage = server.switchboard.storage;
		const { member, token } = await ambassadorWithToken("moving@acme.test", "Moving");
		const boardSocket = await openRawClient(server.wsUrl);
		expect(await boardSocket.authenticate(board(), token)).toBe("authenticated");
		// Straight in the database, as another instance whose bus message was lost would leave it.
		if (!(storage instanceof KyselyStorage)) throw new Error("expected the kysely storage");
		await storage.db.deleteFrom("member_boards").where("member_id", "=", member.id).execute();
		expect(await closedWithin(boardSocket, 30_000)).toBe(4403);
	});

	it("closes a socket whose token expires while it is open", async () => {
		const token = await new SignJWT(claims())
			.setProtectedHeader({ alg: "HS256", typ: "JWT" })
			.setSubject(server.members.dana!.id)
			.setIssuer("switchboard")
			.setAudience("switchboard")
			.setIssuedAt()
			.setExpirationTime(Math.floor(Date.now() / 1000) + 2)
			.sign(new TextEncoder().encode(SECRET));
		const client = await openRawClient(server.wsUrl);
		expect(await client.authenticate(board(), token)).toBe("authenticated");
		expect(await closedWithin(client, 30_000)).toBe(4401);
	});
});

describe("log forging", () => {
	it("answers a document name with a newline on one line, escaped", async () => {
		const client = await openRawClient(server.wsUrl);
		const forged = 'acme/board/x\n{"level":50,"msg":"forged"}';
		const reason = await client.authenticate(forged, server.members.dana!.token);
		expect(reason).toContain("is not a document name");
		expect(reason).not.toMatch(/[\n\r]/);
		expect(reason).toContain("\\n{");
		client.close();
	});
});

describe("browsers on other origins", () => {
	async function login(origin?: string) {
		return fetch(`${server.url}/api/auth/login`, {
			method: "POST",
			headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
			body: JSON.stringify({ email: "dana@acme.test", password: PASSWORD }),
		});
	}

	it("refuses a WebSocket upgrade from a foreign origin, accepts its own and listed ones", async () => {
		await expect(openRawClient(server.wsUrl, { origin: FOREIGN })).rejects.toThrow(/403/);
		await expect(openRawClient(server.wsUrl, { origin: "null" })).rejects.toThrow(/403/);
		for (const origin of [server.url, "https://switchboard.example"]) {
			const client = await openRawClient(server.wsUrl, { origin });
			expect(await client.authenticate(board(), server.members.dana!.token)).toBe("authenticated");
			client.close();
		}
	});

	it("refuses sign-in from a foreign page and cookie-authenticated requests from one", async () => {
		expect((await login(FOREIGN)).status).toBe(403);
		const response = await login(server.url);
		expect(response.status).toBe(200);
		const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
		const me = (origin?: string) =>
			fetch(`${server.url}/api/me`, { headers: { cookie, ...(origin ? { origin } : {}) } });
		expect((await me()).status).toBe(200);
		expect((await me(server.url)).status).toBe(200);
		expect((await me(FOREIGN)).status).toBe(403);
		// A bearer token is not ambient: no origin rule for it.
		const bearer = await fetch(`${server.url}/api/me`, {
			headers: { authorization: `Bearer ${server.members.dana!.token}`, origin: FOREIGN },
		});
		expect(bearer.status).toBe(200);
	});

	it("requires the CSRF header on cookie-authenticated writes only", async () => {
		const response = await login();
		const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
		const retry = (headers: Record<string, string>) =>
			fetch(`${server.url}/api/sends/${crypto.randomUUID()}/retry`, { method: "POST", headers });
		const refused = await retry({ cookie, origin: server.url });
		expect(refused.status).toBe(403);
		expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
			/x-switchboard-csrf/i,
		);
		// With the header the request reaches the route (no such send: 404), also by bearer.
		expect((await retry({ cookie, origin: server.url, "x-switchboard-csrf": "1" })).status).toBe(
			404,
		);
		expect((await retry({ authorization: `Bearer ${server.members.dana!.token}` })).status).toBe(
			404,
		);
	});
});
