import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import {
	type Board,
	boardDocumentName,
	type Command,
	HttpRoutes,
	type MemberListing,
	type Mention,
	notOnBoard,
	type Role,
	type RouteContract,
	readBoard,
	SESSION_COOKIE,
	SESSION_END_MESSAGES,
	SESSION_ENDED,
	type SessionEndReason,
} from "@switchboard/domain";
import { KyselyStorage, type NewMention } from "@switchboard/storage";
import { createTokenService } from "@switchboard/sync";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { hashPassword, OLDER_SCRYPT_PARAMETERS } from "./passwords.ts";
import { type ScratchSwitchboard, startScratchSwitchboard } from "./scratch-switchboard.ts";
import type { Switchboard } from "./server.ts";

const PASSWORD = "correct horse battery staple";
const SECRET = "http-api-test-secret-http-api-test-secret";
const WRONG_CREDENTIALS = {
	error: { code: "unauthorized", message: "Wrong email or password." },
};

function startServer(): Promise<ScratchSwitchboard> {
	return startScratchSwitchboard(SECRET);
}

function mention(externalId: string): NewMention {
	const postedAt = new Date(Date.now() - 3_600_000).toISOString();
	return {
		network: "twitter",
		externalId,
		url: `https://twitter.com/someone/status/${externalId}`,
		author: { handle: "someone", name: "Someone", reach: 100 },
		text: `@acme order ${externalId} never arrived`,
		thread: [],
		postedAt,
		ingestedAt: postedAt,
		language: "en",
		sentiment: -0.4,
	};
}

interface Person {
	id: string;
	email: string;
	orgId: string;
	name: string;
	role: Role;
}

/** Two organisations with boards, members and mentions; Dana owns one of Acme's mentions. */
async function seed(switchboard: Switchboard) {
	const { storage } = switchboard;
	const passwordHash = await hashPassword(PASSWORD, OLDER_SCRYPT_PARAMETERS);
	await storage.createOrganisation({ id: "acme", name: "Acme" });
	await storage.createOrganisation({ id: "globex", name: "Globex" });
	await storage.createBoard({ id: "main", orgId: "acme", name: "Acme mentions" });
	await storage.createBoard({ id: "vip", orgId: "acme", name: "Acme VIPs" });
	await storage.createBoard({ id: "main", orgId: "globex", name: "Globex mentions" });
	const globexOnly = await storage.createBoard({ orgId: "globex", name: "Globex support" });

	const people: Record<string, Person> = {};
	const entries: [string, string, Role][] = [
		["dana", "acme", "ambassador"],
		["morgan", "acme", "moderator"],
		["gone", "acme", "ambassador"],
		["gabi", "globex", "ambassador"],
	];
	for (const [key, orgId, role] of entries) {
		const name = key[0]!.toUpperCase() + key.slice(1);
		const member = await storage.createMember({
			orgId,
			email: `${key}@${orgId}.test`,
			name,
			role,
			capacity: 5,
			passwordHash,
		});
		people[key] = { id: member.id, email: member.email, orgId, name, role };
	}
	// The Storage interface cannot deactivate a member; the kysely handle is there for tests.
	if (!(storage instanceof KyselyStorage)) throw new Error("expected the kysely storage");
	await storage.db
		.updateTable("members")
		.set({ active: false })
		.where("id", "=", people.gone!.id)
		.execute();

	const acme = await storage.insertMentions("acme", "main", [
		mention("a1"),
		mention("a2"),
		mention("a3"),
	]);
	await storage.insertMentions("globex", "main", [mention("g1")]);
	const claimed = acme[0]!.mention;
	const outcome = await storage.executeCommand({
		orgId: "acme",
		boardId: "main",
		actorId: people.dana!.id,
		commandId: randomUUID(),
		command: { name: "claim", args: { mentionId: claimed.id } },
		now: new Date().toISOString(),
	});
	if (!outcome.ok) throw new Error(`claim failed: ${outcome.message}`);
	return { people, globexOnly, claimedId: claimed.id };
}

function login(url: string, body: unknown): Promise<Response> {
	return fetch(`${url}/api/auth/login`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
}

async function tokenOf(url: string, email: string): Promise<string> {
	const response = await login(url, { email, password: PASSWORD });
	expect(response.status).toBe(200);
	return ((await response.json()) as { token: string }).token;
}

function get(url: string, path: string, token?: string): Promise<Response> {
	return fetch(`${url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

/** A GET answered as sent: its status, headers and bytes, nothing decompressed. */
function getRaw(
	url: string,
	path: string,
	headers: Record<string, string>,
): Promise<{
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(`${url}${path}`, { headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on("data", (chunk: Buffer) => chunks.push(chunk));
			res.on("end", () =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
			);
			res.on("error", reject);
		});
		req.on("error", reject);
		req.end();
	});
}

function base64url(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("HTTP API", () => {
	let server: ScratchSwitchboard;
	let people: Record<string, Person>;
	let globexOnly: Board;
	let claimedId: string;
	let dana: string;
	let gabi: string;

	beforeAll(async () => {
		server = await startServer();
		({ people, globexOnly, claimedId } = await seed(server.switchboard));
		dana = await tokenOf(server.url, "dana@acme.test");
		gabi = await tokenOf(server.url, "gabi@globex.test");
	});

	afterAll(async () => {
		await server?.close();
	});

	describe("POST /api/auth/login", () => {
		it("signs in with the right password: a token, the member and an HttpOnly session cookie", async () => {
			const response = await login(server.url, { email: "dana@acme.test", password: PASSWORD });
			expect(response.status).toBe(200);
			const body = (await response.json()) as { token: string; member: unknown; boards?: Board[] };
			expect(body.member).toEqual({
				id: people.dana!.id,
				orgId: "acme",
				role: "ambassador",
				name: "Dana",
				// For the web client's "Sign in again", which only this member may answer.
				email: "dana@acme.test",
			});
			expect(body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
			// The boards she may open come with it, as GET /api/boards lists them: the client
			// opens one without asking again.
			const listed = (await (await get(server.url, "/api/boards", body.token)).json()) as {
				boards: Board[];
			};
			expect(listed.boards.length).toBeGreaterThan(0);
			expect(body.boards).toEqual(listed.boards);

			const cookies = response.headers.getSetCookie();
			expect(cookies).toHaveLength(1);
			const [pair, ...attributes] = cookies[0]!.split(/;\s*/);
			expect(pair).toBe(`${SESSION_COOKIE}=${body.token}`);
			expect(SESSION_COOKIE).toBe("sb_session");
			expect(attributes).toEqual(expect.arrayContaining(["HttpOnly", "SameSite=Lax", "Path=/"]));
		});

		it("finds the member whatever the case of the email and surrounding spaces", async () => {
			const response = await login(server.url, { email: " Dana@ACME.test ", password: PASSWORD });
			expect(response.status).toBe(200);
			expect(((await response.json()) as { member: { id: string } }).member.id).toBe(
				people.dana!.id,
			);
		});

		it("refuses a wrong password with 401 and sets no cookie", async () => {
			const response = await login(server.url, {
				email: "dana@acme.test",
				password: `${PASSWORD}!`,
			});
			expect(response.status).toBe(401);
			expect(await response.json()).toEqual(WRONG_CREDENTIALS);
			expect(response.headers.getSetCookie()).toEqual([]);
		});

		it("answers an unknown email exactly like a wrong password", async () => {
			const response = await login(server.url, { email: "nobody@acme.test", password: PASSWORD });
			expect(response.status).toBe(401);
			expect(await response.json()).toEqual(WRONG_CREDENTIALS);
		});

		it("refuses a member who is no longer active, even with the right password, and says why only then", async () => {
			const response = await login(server.url, { email: "gone@acme.test", password: PASSWORD });
			expect(response.status).toBe(403);
			expect(response.headers.get("set-cookie")).toBeNull();
			expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
				/deactivated by an admin/,
			);
			const guessed = await login(server.url, { email: "gone@acme.test", password: "a guess" });
			expect(guessed.status).toBe(401);
			expect(await guessed.json()).toEqual(WRONG_CREDENTIALS);
		});

		it("answers 400 invalid when the body is not JSON", async () => {
			const response = await login(server.url, "email=dana@acme.test&password=x");
			expect(response.status).toBe(400);
			const body = (await response.json()) as { error: { code: string; message: string } };
			expect(body.error.code).toBe("invalid");
			expect(body.error.message).toMatch(/JSON/);
		});

		it("answers 400 naming the field when the password is missing or empty", async () => {
			for (const body of [{ email: "dana@acme.test" }, { email: "dana@acme.test", password: "" }]) {
				const response = await login(server.url, body);
				expect(response.status).toBe(400);
				const { error } = (await response.json()) as { error: { code: string; message: string } };
				expect(error.code).toBe("invalid");
				expect(error.message).toMatch(/^password: /);
			}
		});

		it("answers 400 naming the field when the email is not an email address", async () => {
			const response = await login(server.url, { email: "dana", password: PASSWORD });
			expect(response.status).toBe(400);
			const { error } = (await response.json()) as { error: { code: string; message: string } };
			expect(error).toEqual({ code: "invalid", message: "email: must be an email address" });
		});
	});

	describe("sessions", () => {
		it("refuses a token whose member is no longer active", async () => {
			const gone = people.gone!;
			const token = await server.switchboard.tokens.sign({
				memberId: gone.id,
				orgId: gone.orgId,
				role: gone.role,
				name: gone.name,
			});
			const response = await get(server.url, "/api/boards", token);
			expect(response.status).toBe(401);
			const { error } = (await response.json()) as { error: { code: string; message: string } };
			expect(error).toEqual({
				code: "unauthorized",
				message: "Your membership is no longer active.",
			});
		});

		it("accepts the token as a bearer token", async () => {
			const response = await get(server.url, "/api/boards", dana);
			expect(response.status).toBe(200);
		});

		it("accepts the session cookie set at sign-in", async () => {
			const signIn = await login(server.url, { email: "dana@acme.test", password: PASSWORD });
			const cookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
			const response = await fetch(`${server.url}/api/boards`, { headers: { cookie } });
			expect(response.status).toBe(200);
			const { boards } = (await response.json()) as { boards: Board[] };
			expect(boards.map((board) => board.orgId)).toEqual(["acme", "acme"]);
		});

		it("answers 401 without credentials", async () => {
			const response = await get(server.url, "/api/boards");
			expect(response.status).toBe(401);
			const { error } = (await response.json()) as { error: { code: string } };
			expect(error.code).toBe("unauthorized");
		});

		it("answers 401 to a token whose claims were changed", async () => {
			// Dana's signature on a payload that moves her into Globex.
			const [header, payload, signature] = dana.split(".");
			const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
			const forged = `${header}.${base64url({ ...claims, org: "globex" })}.${signature}`;
			const response = await get(server.url, "/api/boards", forged);
			expect(response.status).toBe(401);
			expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
				"unauthorized",
			);
		});

		it("answers 401 to a token signed with another secret, or to garbage", async () => {
			const other = createTokenService({ secret: "another-secret-another-secret-another" });
			const foreign = await other.sign({
				memberId: people.dana!.id,
				orgId: "acme",
				role: "admin",
				name: "Dana",
			});
			for (const token of [foreign, "not-a-token"]) {
				const response = await get(server.url, "/api/boards", token);
				expect(response.status).toBe(401);
			}
		});

		it("tells a session's own cookie why it ended, and nobody else anything", async () => {
			const { storage, people: peopleApi } = server.switchboard;
			// An organisation of Lee's own: the other tests count Acme's members.
			await storage.createOrganisation({ id: "initrode", name: "Initrode" });
			const lee = await storage.createMember({
				orgId: "initrode",
				email: "lee@initrode.test",
				name: "Lee",
				role: "ambassador",
				capacity: 5,
				passwordHash: await hashPassword(PASSWORD, OLDER_SCRYPT_PARAMETERS),
			});
			const claims = {
				memberId: lee.id,
				orgId: "initrode",
				role: "ambassador" as const,
				name: "Lee",
			};
			const signIn = async (password: string) => {
				const response = await login(server.url, { email: lee.email, password });
				expect(response.status).toBe(200);
				return ((await response.json()) as { token: string }).token;
			};
			const sessionOf = (token: string) =>
				(
					JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as {
						jti: string;
					}
				).jti;
			/** What `GET /api/me` answers the session cookie `token`. */
			const meByCookie = async (token: string) => {
				const response = await fetch(`${server.url}/api/me`, {
					headers: { cookie: `${SESSION_COOKIE}=${token}` },
				});
				return { status: response.status, ...((await response.json()) as object) };
			};
			const ended = (reason: SessionEndReason) => ({
				status: 401,
				error: { code: "unauthorized", reason, message: SESSION_END_MESSAGES[reason] },
			});

			// The laptop changes the password; the phone's session ends, and its cookie is told why.
			const laptop = await signIn(PASSWORD);
			const phone = await signIn(PASSWORD);
			const changed = await fetch(`${server.url}/api/me/password`, {
				method: "PUT",
				headers: { authorization: `Bearer ${laptop}`, "content-type": "application/json" },
				body: JSON.stringify({ currentPassword: PASSWORD, newPassword: "a brand new passphrase" }),
			});
			expect(changed.status).toBe(200);
			expect(await meByCookie(phone)).toEqual(ended("password_changed"));
			expect((await meByCookie(laptop)).status).toBe(200);

			// An admin deactivates Lee: every session ends, for that reason.
			const tablet = await signIn("a brand new passphrase");
			await peopleApi.deactivate("initrode", lee.id, null);
			expect(await meByCookie(tablet)).toEqual(ended("deactivated"));
			expect(await meByCookie(laptop)).toEqual(ended("deactivated"));

			// A genuine token past its lifetime expired.
			const late = createTokenService({ secret: SECRET, ttlSeconds: -60 });
			expect(await meByCookie(await late.sign({ ...claims, sessionId: randomUUID() }))).toEqual(
				ended("expired"),
			);

			// Nothing more for anyone else: the phone's session named by another member's token,
			// a session that never was, a token of another secret: "ended" or "not valid", no why.
			const signedOut = { status: 401, error: { code: "unauthorized", message: SESSION_ENDED } };
			const { tokens } = server.switchboard;
			const dana = people.dana!;
			const asDana = { memberId: dana.id, orgId: "acme", role: dana.role, name: dana.name };
			expect(
				await meByCookie(await tokens.sign({ ...asDana, sessionId: sessionOf(phone) })),
			).toEqual(signedOut);
			expect(await meByCookie(await tokens.sign({ ...claims, sessionId: randomUUID() }))).toEqual(
				signedOut,
			);
			const other = createTokenService({ secret: "another-secret-another-secret-another" });
			const foreign = await other.sign({ ...claims, sessionId: sessionOf(phone) });
			expect(await meByCookie(foreign)).toEqual({
				status: 401,
				error: { code: "unauthorized", message: "The token is not valid." },
			});
		});

		it("signs out by clearing the session cookie", async () => {
			const response = await fetch(`${server.url}/api/auth/logout`, { method: "POST" });
			expect(response.status).toBe(200);
			const [cookie] = response.headers.getSetCookie();
			expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
			expect(cookie).toMatch(/Max-Age=0/);
		});
	});

	describe("boards and mentions", () => {
		it("lists only the boards of the caller's organisation", async () => {
			const acme = (await (await get(server.url, "/api/boards", dana)).json()) as {
				boards: Board[];
			};
			expect(acme.boards.map(({ orgId, id }) => `${orgId}/${id}`).sort()).toEqual([
				"acme/main",
				"acme/vip",
			]);
			const globex = (await (await get(server.url, "/api/boards", gabi)).json()) as {
				boards: Board[];
			};
			expect(globex.boards.map(({ orgId, id }) => `${orgId}/${id}`).sort()).toEqual(
				[`globex/${globexOnly.id}`, "globex/main"].sort(),
			);
		});

		it("lists a board's mentions, never another organisation's under the same board id", async () => {
			const acme = (await (await get(server.url, "/api/boards/main/mentions", dana)).json()) as {
				mentions: Mention[];
			};
			expect(acme.mentions.map((m) => m.externalId).sort()).toEqual(["a1", "a2", "a3"]);
			const globex = (await (await get(server.url, "/api/boards/main/mentions", gabi)).json()) as {
				mentions: Mention[];
			};
			expect(globex.mentions.map((m) => m.externalId)).toEqual(["g1"]);
		});

		it("pages a board's mentions: a limit per page and a cursor to the next, none repeated", async () => {
			const page = async (query: string) => {
				const response = await get(server.url, `/api/boards/main/mentions${query}`, dana);
				expect(response.status).toBe(200);
				return (await response.json()) as { mentions: Mention[]; nextCursor: string | null };
			};
			const all = await page("");
			expect(all.nextCursor).toBeNull();
			const first = await page("?limit=2");
			expect(first.mentions).toHaveLength(2);
			expect(first.nextCursor).toEqual(expect.any(String));
			const second = await page(`?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
			expect(second.mentions).toHaveLength(1);
			expect(second.nextCursor).toBeNull();
			expect([...first.mentions, ...second.mentions].map((m) => m.id)).toEqual(
				all.mentions.map((m) => m.id),
			);
		});

		it("refuses a page larger than 200 and a cursor it did not make", async () => {
			const tooMany = await get(server.url, "/api/boards/main/mentions?limit=201", dana);
			expect(tooMany.status).toBe(400);
			expect(((await tooMany.json()) as { error: { message: string } }).error.message).toBe(
				"limit: must be at most 200",
			);
			const forged = await get(
				server.url,
				"/api/boards/main/mentions?cursor=bm90LWEtY3Vyc29y",
				dana,
			);
			expect(forged.status).toBe(400);
			expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(
				/^cursor: /,
			);
		});

		it("sends a board's live document as one Yjs update, compressed as the request allows", async () => {
			// The board is not open anywhere yet: the request loads it.
			const path = "/api/boards/main/state";
			const auth = { authorization: `Bearer ${dana}` };
			const br = await getRaw(server.url, path, {
				...auth,
				"accept-encoding": "gzip, deflate, br",
			});
			expect(br.status).toBe(200);
			expect(br.headers["content-type"]).toBe("application/octet-stream");
			expect(br.headers["content-encoding"]).toBe("br");
			expect(br.headers.vary).toMatch(/accept-encoding/i);
			expect(br.headers["cache-control"]).toBe("private, no-store");
			const state = brotliDecompressSync(br.body);
			expect(br.body.byteLength).toBeLessThan(state.byteLength);

			const doc = new Y.Doc();
			Y.applyUpdate(doc, state);
			const board = readBoard(doc);
			expect(board.mentions.map((m) => m.externalId).sort()).toEqual(["a1", "a2", "a3"]);
			expect(board.mentions.find((m) => m.id === claimedId)?.owner?.memberId).toBe(people.dana!.id);
			// What the server holds, byte for byte: the socket's sync then sends nothing more.
			const live = server.switchboard.hocuspocus.documents.get(boardDocumentName("acme", "main"));
			expect(live && Buffer.from(Y.encodeStateAsUpdate(live)).equals(state)).toBe(true);

			const gzip = await getRaw(server.url, path, { ...auth, "accept-encoding": "gzip" });
			expect(gzip.headers["content-encoding"]).toBe("gzip");
			expect(gunzipSync(gzip.body).equals(state)).toBe(true);
			const plain = await getRaw(server.url, path, { ...auth, "accept-encoding": "br;q=0" });
			expect(plain.headers["content-encoding"]).toBeUndefined();
			expect(plain.body.equals(state)).toBe(true);
		});

		it("sends a board's document only to those who may open it", async () => {
			expect((await get(server.url, "/api/boards/main/state")).status).toBe(401);
			// Another organisation's board of the same id is that organisation's own.
			const globex = await get(server.url, "/api/boards/main/state", gabi);
			expect(globex.status).toBe(200);
			const doc = new Y.Doc();
			Y.applyUpdate(doc, new Uint8Array(await globex.arrayBuffer()));
			expect(readBoard(doc).mentions.map((m) => m.externalId)).toEqual(["g1"]);
			const foreign = await get(server.url, `/api/boards/${globexOnly.id}/state`, dana);
			expect(foreign.status).toBe(404);
			expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("not_found");
		});

		it("answers 404 for another organisation's board", async () => {
			const response = await get(server.url, `/api/boards/${globexOnly.id}/mentions`, dana);
			expect(response.status).toBe(404);
			expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
			// The same board is there for its own organisation.
			expect((await get(server.url, `/api/boards/${globexOnly.id}/mentions`, gabi)).status).toBe(
				200,
			);
		});

		it("filters by status, one or several", async () => {
			const ids = async (query: string) => {
				const response = await get(server.url, `/api/boards/main/mentions${query}`, dana);
				expect(response.status).toBe(200);
				const { mentions } = (await response.json()) as { mentions: Mention[] };
				return mentions.map((m) => m.id).sort();
			};
			const all = await ids("");
			expect(all).toHaveLength(3);
			expect(await ids("?status=new")).toEqual(all.filter((id) => id !== claimedId));
			expect(await ids("?status=claimed")).toEqual([claimedId]);
			expect(await ids("?status=new,claimed")).toEqual(all);
			expect(await ids("?status=replied")).toEqual([]);
		});

		it("filters by owner", async () => {
			const response = await get(
				server.url,
				`/api/boards/main/mentions?owner=${people.dana!.id}`,
				dana,
			);
			const { mentions } = (await response.json()) as { mentions: Mention[] };
			expect(mentions.map((m) => [m.id, m.status, m.owner?.memberId])).toEqual([
				[claimedId, "claimed", people.dana!.id],
			]);
			const none = await get(
				server.url,
				`/api/boards/main/mentions?owner=${people.morgan!.id}`,
				dana,
			);
			expect(((await none.json()) as { mentions: Mention[] }).mentions).toEqual([]);
		});

		it("answers 400 naming the parameter for an unknown status", async () => {
			const response = await get(server.url, "/api/boards/main/mentions?status=bogus", dana);
			expect(response.status).toBe(400);
			const { error } = (await response.json()) as { error: { code: string; message: string } };
			expect(error.code).toBe("invalid");
			expect(error.message).toMatch(/^status/);
			expect(error.message).toContain('"bogus"');
		});
	});

	describe("GET /api/history", () => {
		const search = async (query: string, token = dana) => {
			const response = await get(server.url, `/api/history${query}`, token);
			expect(response.status).toBe(200);
			return (await response.json()) as { conversations: Mention[]; nextCursor: string | null };
		};
		const externalIds = async (query: string, token = dana) =>
			(await search(query, token)).conversations.map((m) => m.externalId);

		it("finds the organisation's conversations on every board by words, author and owner", async () => {
			await server.switchboard.storage.insertMentions("acme", "vip", [
				{
					...mention("v1"),
					text: "Where is my refund?",
					author: { handle: "@Vera", name: "Vera", reach: 9000 },
				},
			]);
			expect(await externalIds("?q=refund")).toEqual(["v1"]);
			expect(await externalIds("?q=never%20arrived")).toHaveLength(3);
			expect(await externalIds("?author=vera")).toEqual(["v1"]);
			expect(await externalIds(`?owner=${people.dana!.id}`)).toEqual(["a1"]);
			// Globex's words stay Globex's.
			expect(await externalIds("?q=refund", gabi)).toEqual([]);
			expect(await externalIds("?q=arrived", gabi)).toEqual(["g1"]);
		});

		it("pages newest first with a cursor, and names what is wrong in a query", async () => {
			const first = await search("?q=arrived&limit=2");
			expect(first.conversations).toHaveLength(2);
			const second = await search(
				`?q=arrived&limit=2&cursor=${encodeURIComponent(first.nextCursor ?? "")}`,
			);
			expect(second.nextCursor).toBeNull();
			expect([...first.conversations, ...second.conversations].map((m) => m.id)).toEqual(
				(await search("?q=arrived")).conversations.map((m) => m.id),
			);
			const alone = await get(server.url, "/api/history?network=mastodon", dana);
			expect(alone.status).toBe(400);
			expect(((await alone.json()) as { error: { message: string } }).error.message).toBe(
				"network: only with author.",
			);
			const when = await get(server.url, "/api/history?from=yesterday", dana);
			expect(when.status).toBe(400);
			expect(((await when.json()) as { error: { message: string } }).error.message).toMatch(
				/^from/,
			);
		});
	});

	describe("members", () => {
		const list = async (token: string) => {
			const response = await get(server.url, "/api/members", token);
			expect(response.status).toBe(200);
			return ((await response.json()) as { members: MemberListing[] }).members;
		};

		it("shows ambassadors their team without email addresses", async () => {
			const members = await list(dana);
			expect(members.map((m) => m.name).sort()).toEqual(["Dana", "Gone", "Morgan"]);
			expect(members.filter((m) => "email" in m)).toEqual([]);
		});

		it("shows moderators every member's email address", async () => {
			const members = await list(await tokenOf(server.url, "morgan@acme.test"));
			expect(members.map((m) => m.email).sort()).toEqual([
				"dana@acme.test",
				"gone@acme.test",
				"morgan@acme.test",
			]);
		});
	});

	describe("GET /api/mentions/:mentionId/activity", () => {
		type ActivityAnswer = v.InferOutput<typeof HttpRoutes.activity.answer>;
		let settledId: string;
		const activityOf = (id: string, token: string | undefined, query = "") =>
			get(server.url, `/api/mentions/${encodeURIComponent(id)}/activity${query}`, token);
		const errorOf = async (response: Response) =>
			((await response.json()) as { error: { code: string; message: string } }).error;

		beforeAll(async () => {
			// On the VIP board, so that a member of the main board alone may not open it; its
			// words are not the other tests' ("never arrived").
			const [stored] = await server.switchboard.storage.insertMentions("acme", "vip", [
				{ ...mention("act1"), text: "The app signs me out every hour" },
			]);
			settledId = stored!.mention.id;
			const steps: [Person, Command][] = [
				[people.dana!, { name: "claim", args: { mentionId: settledId } }],
				[
					people.dana!,
					{ name: "escalate", args: { mentionId: settledId, reason: "Wants a refund" } },
				],
				[
					people.morgan!,
					{ name: "close", args: { mentionId: settledId, reason: "Refund issued by phone" } },
				],
			];
			for (const [actor, command] of steps) {
				const outcome = await server.switchboard.storage.executeCommand({
					orgId: "acme",
					boardId: "vip",
					actorId: actor.id,
					commandId: randomUUID(),
					command,
					now: new Date().toISOString(),
				});
				if (!outcome.ok) throw new Error(`${command.name} failed: ${outcome.message}`);
			}
		});

		it("lists what happened to a conversation newest first: who did it, and how it was settled", async () => {
			const response = await activityOf(settledId, dana);
			expect(response.status).toBe(200);
			const body = await response.json();
			const parsed = v.safeParse(HttpRoutes.activity.answer, body);
			expect(
				parsed.issues?.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`),
			).toBeUndefined();
			const { activity, nextCursor } = body as ActivityAnswer;
			expect(nextCursor).toBeNull();
			expect(activity.map((entry) => [entry.action, entry.actorId, entry.toStatus])).toEqual([
				["close", people.morgan!.id, "closed"],
				["escalate", people.dana!.id, "escalated"],
				["claim", people.dana!.id, "claimed"],
			]);
			expect(activity[0]?.detail).toEqual({ reason: "Refund issued by phone" });
			expect(activity[1]?.detail).toEqual({ reason: "Wants a refund" });
			// What only the server needs stays on it.
			expect(Object.keys(activity[0] ?? {}).sort()).toEqual(
				["action", "actorId", "at", "detail", "fromStatus", "id", "toStatus"].sort(),
			);
		});

		it("pages with a cursor, none repeated, and refuses a page over 200 or a cursor it did not make", async () => {
			const page = async (query: string) => {
				const response = await activityOf(settledId, dana, query);
				expect(response.status).toBe(200);
				return (await response.json()) as ActivityAnswer;
			};
			const first = await page("?limit=2");
			expect(first.activity.map((entry) => entry.action)).toEqual(["close", "escalate"]);
			expect(first.nextCursor).toEqual(expect.any(String));
			const second = await page(`?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? "")}`);
			expect(second.activity.map((entry) => entry.action)).toEqual(["claim"]);
			expect(second.nextCursor).toBeNull();

			const tooMany = await activityOf(settledId, dana, "?limit=201");
			expect(tooMany.status).toBe(400);
			expect((await errorOf(tooMany)).message).toBe("limit: must be at most 200");
			const forged = await activityOf(settledId, dana, "?cursor=bm90LWEtY3Vyc29y");
			expect(forged.status).toBe(400);
			expect((await errorOf(forged)).message).toMatch(/^cursor: /);
		});

		it("tells another organisation's member and one not on the board that they may not read it", async () => {
			expect((await activityOf(settledId, undefined)).status).toBe(401);
			// Another organisation learns nothing of it, not even that it exists.
			const foreign = await activityOf(settledId, gabi);
			expect(foreign.status).toBe(404);
			expect(await errorOf(foreign)).toEqual({
				code: "not_found",
				message: "No such conversation in your organisation.",
			});
			const unknown = await activityOf("no-such-conversation", dana);
			expect(unknown.status).toBe(404);

			// An ambassador of Acme on the main board only: the VIP board's conversations are not theirs.
			await server.switchboard.storage.createMember({
				orgId: "acme",
				email: "pat@acme.test",
				name: "Pat",
				role: "ambassador",
				capacity: 3,
				passwordHash: await hashPassword(PASSWORD, OLDER_SCRYPT_PARAMETERS),
				boards: ["main"],
			});
			const offBoard = await activityOf(settledId, await tokenOf(server.url, "pat@acme.test"));
			expect(offBoard.status).toBe(403);
			expect(await errorOf(offBoard)).toEqual({ code: "forbidden", message: notOnBoard("vip") });
		});
	});

	it("lists no demo account for the sign-in page when the server runs no demo", async () => {
		const response = await get(server.url, "/api/demo");
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ demo: null });
	});

	describe("contract", () => {
		const entries: RouteContract[] = Object.values(HttpRoutes);
		const key = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
		/** Routes the app answers, without middleware (ALL) and the web client's fallback. */
		const registered = () =>
			server.switchboard.api.routes
				.filter((route) => route.method !== "ALL" && !route.path.includes("*"))
				.map(key);

		it("has a contract entry for every route the server registers", () => {
			const declared = new Set(entries.map(key));
			expect(registered().filter((route) => !declared.has(route))).toEqual([]);
		});

		it("registers every route the contract declares", () => {
			const served = new Set(registered());
			expect(entries.map(key).filter((route) => !served.has(route))).toEqual([]);
		});

		it("publishes an OpenAPI 3.1 document of exactly the routes the server answers", async () => {
			const response = await get(server.url, "/api/openapi.json");
			expect(response.status).toBe(200);
			const document = (await response.json()) as {
				openapi: string;
				paths: Record<string, Record<string, { parameters: { name: string; in: string }[] }>>;
			};
			expect(document.openapi).toBe("3.1.0");
			const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
				Object.entries(operations).map(([method, operation]) => {
					// Every {name} of the path is a documented path parameter, and no other is.
					const named = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
					const inPath = operation.parameters.filter((p) => p.in === "path").map((p) => p.name);
					expect(inPath, `${method} ${path}`).toEqual(named);
					return `${method.toUpperCase()} ${path}`;
				}),
			);
			const served = [...new Set(registered())].map((route) => route.replace(/:(\w+)/g, "{$1}"));
			expect(documented.sort()).toEqual(served.sort());
		});

		it("answers in the shapes the contract declares", async () => {
			const answers: [RouteContract, string][] = [
				[HttpRoutes.me, "/api/me"],
				[HttpRoutes.members, "/api/members"],
				[HttpRoutes.boards, "/api/boards"],
				[HttpRoutes.mentions, "/api/boards/main/mentions"],
				[HttpRoutes.boardSettings, "/api/boards/main/settings"],
				[HttpRoutes.accounts, "/api/me/accounts"],
				[HttpRoutes.activity, `/api/mentions/${claimedId}/activity`],
			];
			for (const [route, path] of answers) {
				const response = await get(server.url, path, dana);
				expect(response.status, path).toBe(route.status ?? 200);
				const parsed = v.safeParse(route.answer, await response.json());
				expect(
					parsed.issues?.map((issue) => `${path} ${v.getDotPath(issue)}: ${issue.message}`),
				).toBeUndefined();
			}
		});
	});

	describe("errors", () => {
		it("answers 500 internal without the error's details while the database is up", async () => {
			const listBoards = vi
				.spyOn(server.switchboard.storage, "listBoards")
				.mockRejectedValueOnce(new Error("secret internals"));
			try {
				const response = await get(server.url, "/api/boards", dana);
				expect(response.status).toBe(500);
				const body = await response.text();
				expect(JSON.parse(body).error.code).toBe("internal");
				expect(body).not.toContain("secret internals");
			} finally {
				listBoards.mockRestore();
			}
		});
	});

	describe("health and unknown routes", () => {
		it("answers /healthz and /readyz while the database is up", async () => {
			const health = await fetch(`${server.url}/healthz`);
			expect(health.status).toBe(200);
			const ready = await fetch(`${server.url}/readyz`);
			expect(ready.status).toBe(200);
			expect(await ready.json()).toEqual({ ready: true });
		});

		it("answers 404 with a JSON error for an unknown route", async () => {
			for (const [path, token] of [
				["/no/such/page", undefined],
				["/api/no-such-thing", dana],
			] as const) {
				const response = await get(server.url, path, token);
				expect(response.status).toBe(404);
				expect(response.headers.get("content-type")).toMatch(/^application\/json/);
				const { error } = (await response.json()) as { error: { code: string; message: string } };
				expect(error.code).toBe("not_found");
				expect(error.message).toContain(path);
			}
		});

		it("serves no metrics without SWITCHBOARD_METRICS_TOKEN, whatever is sent", async () => {
			for (const token of [undefined, "", dana]) {
				const response = await get(server.url, "/metrics", token);
				expect(response.status).toBe(404);
				const { error } = (await response.json()) as { error: { message: string } };
				expect(error.message).toMatch(/SWITCHBOARD_METRICS_TOKEN/);
			}
		});
	});
});

describe("HTTP API while the database is down", () => {
	let server: ScratchSwitchboard;
	let token: string;

	beforeAll(async () => {
		server = await startServer();
		await seed(server.switchboard);
		token = await tokenOf(server.url, "dana@acme.test");
		await server.switchboard.storage.close();
	});

	afterAll(async () => {
		await server?.close();
	});

	it("stays live but not ready", async () => {
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		const ready = await fetch(`${server.url}/readyz`);
		expect(ready.status).toBe(503);
		expect(await ready.json()).toEqual({
			ready: false,
			error: { code: "unavailable", message: expect.any(String) },
		});
	});

	it("answers API calls with 503 unavailable rather than 500", async () => {
		const responses = [
			await get(server.url, "/api/boards", token),
			await get(server.url, "/api/boards/main/mentions", token),
			await login(server.url, { email: "dana@acme.test", password: PASSWORD }),
		];
		for (const response of responses) {
			expect(response.status).toBe(503);
			const { error } = (await response.json()) as { error: { code: string; message: string } };
			expect(error.code).toBe("unavailable");
		}
	});
});
