/**
 * Sessions end when they are ended: logout revokes the session of its token over HTTP and
 * closes its sockets at once; `revokeSessions` (password change, deactivation) ends every
 * session of the member, its open draft socket included, at once rather than at the next
 * membership check (30 s by default, which these tests keep).
 */
import { createSwitchboardClient } from "@switchboard/client";
import { type AppError, COOKIE_SESSION_TOKEN, draftDocumentName } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { closedWithin, openRawClient, syncFrame } from "./utils/raw-client.ts";
import { startTcpProxy } from "./utils/tcp-proxy.ts";
import { PASSWORD, testServerForFile, waitFor } from "./utils/test-server.ts";

const server = testServerForFile();

/** Well below the membership check's 30 s: the close must come from the revocation. */
const AT_ONCE_MS = 5_000;

async function login(email: string): Promise<string> {
	const response = await fetch(`${server.url}/api/auth/login`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ email, password: PASSWORD }),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { token: string }).token;
}

const me = async (token: string) =>
	(await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;

describe("logout", () => {
	it("refuses the token at once over HTTP and closes its sockets, other sessions go on", async () => {
		const token = await login("sam@acme.test");
		const other = await login("sam@acme.test");
		const draft = draftDocumentName("acme", server.mentions[1]!.mention.id);
		const socket = await openRawClient(server.wsUrl);
		expect(await socket.authenticate(draft, token)).toBe("authenticated");
		const otherSocket = await openRawClient(server.wsUrl);
		expect(await otherSocket.authenticate(draft, other)).toBe("authenticated");
		expect(await me(token)).toBe(200);

		const out = await fetch(`${server.url}/api/auth/logout`, {
			method: "POST",
			headers: { authorization: `Bearer ${token}` },
		});
		expect(out.status).toBe(200);
		expect(await me(token)).toBe(401);
		expect(await closedWithin(socket, AT_ONCE_MS)).toBe(4401);
		const again = await openRawClient(server.wsUrl);
		expect(await again.authenticate(draft, token)).toMatch(/^Unauthorized/);

		expect(await me(other)).toBe(200);
		expect(await closedWithin(otherSocket, 200)).toBeNull();
		otherSocket.close();
	});
});

describe("the web client's session cookie on the socket (issue 15, row 3)", () => {
	/** Sign in as a browser on this server's page does: the HttpOnly cookie, not the token. */
	async function cookieOf(email: string): Promise<string> {
		const response = await fetch(`${server.url}/api/auth/login`, {
			method: "POST",
			headers: { "content-type": "application/json", origin: server.url },
			body: JSON.stringify({ email, password: PASSWORD }),
		});
		expect(response.status).toBe(200);
		return response.headers.getSetCookie()[0]!.split(";")[0]!;
	}

	it("authenticates a document by the upgrade's cookie when the client sends the placeholder", async () => {
		const cookie = await cookieOf("sam@acme.test");
		const draft = draftDocumentName("acme", server.mentions[2]!.mention.id);
		const browser = await openRawClient(server.wsUrl, { cookie, origin: server.url });
		expect(await browser.authenticate(draft, COOKIE_SESSION_TOKEN)).toBe("authenticated");
		browser.close();

		// Without a cookie the placeholder is no token at all.
		const bare = await openRawClient(server.wsUrl, { origin: server.url });
		expect(await bare.authenticate(draft, COOKIE_SESSION_TOKEN)).toMatch(
			/^Unauthorized: Sign in first/,
		);
		// A bearer token still works on the socket, cookie or not (the SDK, integrations).
		const api = await openRawClient(server.wsUrl);
		expect(await api.authenticate(draft, await login("sam@acme.test"))).toBe("authenticated");
		api.close();
	});

	it("ends with its session: logout by cookie closes the cookie's sockets at once", async () => {
		const cookie = await cookieOf("sam@acme.test");
		const draft = draftDocumentName("acme", server.mentions[2]!.mention.id);
		const browser = await openRawClient(server.wsUrl, { cookie, origin: server.url });
		expect(await browser.authenticate(draft, COOKIE_SESSION_TOKEN)).toBe("authenticated");

		const out = await fetch(`${server.url}/api/auth/logout`, {
			method: "POST",
			headers: { cookie, origin: server.url },
		});
		expect(out.status).toBe(200);
		expect(await closedWithin(browser, AT_ONCE_MS)).toBe(4401);
		const again = await openRawClient(server.wsUrl, { cookie, origin: server.url });
		expect(await again.authenticate(draft, COOKIE_SESSION_TOKEN)).toMatch(/^Unauthorized/);
	});

	it("signing in again while a retry with the ended session waits for its answer connects, and does not end the session again", async () => {
		// A browser page's socket: the upgrade carries the cookie the browser holds when it
		// opens, through a network the test can hold up.
		const proxy = await startTcpProxy(Number(new URL(server.url).port));
		const page = `http://127.0.0.1:${proxy.port}`;
		const browser = { cookie: await cookieOf("kim@acme.test"), opened: () => {} };
		class PageSocket extends WebSocket {
			constructor(url: string) {
				// Node's WebSocket (undici's) takes the headers a browser sends; its types do not say so.
				super(url, { headers: { cookie: browser.cookie, origin: page } } as never);
				this.addEventListener("open", () => browser.opened());
			}
		}
		const kim = server.members.kim!;
		const errors: AppError[] = [];
		const client = createSwitchboardClient({
			url: page,
			me: { id: kim.id, orgId: kim.orgId, role: kim.role, name: "Kim" },
			boardId: "main",
			persistence: "memory",
			loadBoardOverHttp: false,
			WebSocketPolyfill: PageSocket,
			onError: (error) => errors.push(error),
		});
		try {
			await waitFor(() => client.status.get().online, 10_000, "Kim online");
			// Kim signs out on another device with this session: the board is refused.
			const out = await fetch(`${server.url}/api/auth/logout`, {
				method: "POST",
				headers: { cookie: browser.cookie, origin: server.url },
			});
			expect(out.status).toBe(200);
			await waitFor(() => errors.length > 0, 10_000, "the session ended");
			expect(errors).toMatchObject([{ kind: "unauthorized" }]);

			// The network comes back: a retry leaves with the ended session's cookie, and its
			// answer is slow to come (the network is held right after the socket opened).
			let held = false;
			browser.opened = () => {
				proxy.partition();
				held = true;
			};
			client.connect();
			await waitFor(() => held, 10_000, "the retry's socket open");
			browser.opened = () => {};
			// Kim signs in again meanwhile; the page connects with the new cookie.
			browser.cookie = await cookieOf("kim@acme.test");
			client.connect();
			// The retry's refusal arrives after that: it was about the ended session.
			proxy.heal();
			await waitFor(() => client.status.get().online, 10_000, "Kim online again");
			expect(errors).toHaveLength(1);
		} finally {
			client.destroy();
			await proxy.close();
		}
	});
});

describe("a sign-in that replaces the browser's session cookie", () => {
	/** The session cookie a sign-in of the browser's kind set (`name=value`). */
	function sessionCookie(response: Response): string {
		const cookie = response.headers
			.getSetCookie()
			.find((line) => line.startsWith("sb_session="))
			?.split(";")[0];
		if (!cookie) throw new Error(`no session cookie in the answer (${response.status})`);
		return cookie;
	}

	/** POST as the browser that holds `cookie` does (its page's origin, the cookie sent). */
	const asBrowser = (path: string, cookie: string, body: unknown) =>
		fetch(`${server.url}${path}`, {
			method: "POST",
			headers: { "content-type": "application/json", origin: server.url, cookie },
			body: JSON.stringify(body),
		});

	const meByCookie = async (cookie: string) => {
		const response = await fetch(`${server.url}/api/me`, { headers: { cookie } });
		return {
			status: response.status,
			email: response.ok
				? ((await response.json()) as { member: { email: string } }).member.email
				: null,
		};
	};

	async function cookieOf(email: string): Promise<string> {
		const response = await asBrowser("/api/auth/login", "", { email, password: PASSWORD });
		expect(response.status).toBe(200);
		return sessionCookie(response);
	}

	it("accepting an invitation ends the session of the member signed in before, their sockets too", async () => {
		const admin = await server.addMember("acme", "Ada Admin", "admin");
		const invited = await server.request("/api/orgs/acme/invites", {
			token: admin.token,
			body: { invites: [{ email: "zed@acme.test", role: "ambassador" }] },
		});
		expect(invited.status).toBe(201);
		const [link] = ((await invited.json()) as { invites: { url: string }[] }).invites;
		const code = link!.url.split("/invite/")[1];

		// Sam is signed in in this browser, the board's draft open, when Zed's link is opened.
		const sams = await cookieOf("sam@acme.test");
		const draft = draftDocumentName("acme", server.mentions[3]!.mention.id);
		const socket = await openRawClient(server.wsUrl, { cookie: sams, origin: server.url });
		expect(await socket.authenticate(draft, COOKIE_SESSION_TOKEN)).toBe("authenticated");

		const accepted = await asBrowser(`/api/invites/${code}/accept`, sams, {
			name: "Zed",
			password: "a long enough passphrase",
		});
		expect(accepted.status).toBe(200);
		const zeds = sessionCookie(accepted);
		expect(await meByCookie(zeds)).toEqual({ status: 200, email: "zed@acme.test" });
		// Sam's cookie value, kept by whoever copied it, opens nothing any more.
		expect(await meByCookie(sams)).toEqual({ status: 401, email: null });
		expect(await closedWithin(socket, AT_ONCE_MS)).toBe(4401);
		const again = await openRawClient(server.wsUrl, { cookie: sams, origin: server.url });
		expect(await again.authenticate(draft, COOKIE_SESSION_TOKEN)).toMatch(/^Unauthorized/);
	});

	it("a password sign-in ends the session its request's cookie carried, and no other", async () => {
		const sams = await cookieOf("sam@acme.test");
		const samElsewhere = await login("sam@acme.test");
		const danas = await asBrowser("/api/auth/login", sams, {
			email: "dana@acme.test",
			password: PASSWORD,
		});
		expect(danas.status).toBe(200);
		expect(await meByCookie(sessionCookie(danas))).toEqual({
			status: 200,
			email: "dana@acme.test",
		});
		expect(await meByCookie(sams)).toEqual({ status: 401, email: null });
		// Sam's session on another device was not this browser's: it goes on.
		expect(await me(samElsewhere)).toBe(200);
		// A refused sign-in replaces nothing: the cookie it carried still works.
		const danaCookie = sessionCookie(danas);
		const wrong = await asBrowser("/api/auth/login", danaCookie, {
			email: "kim@acme.test",
			password: "not the password",
		});
		expect(wrong.status).toBe(401);
		expect((await meByCookie(danaCookie)).status).toBe(200);
	});
});

describe("revokeSessions (password change, deactivation)", () => {
	it("ends every session of the member at once: HTTP, sockets, and the draft stops taking edits", async () => {
		const kim = server.members.kim!;
		const signedIn = await login(kim.email);
		const draft = draftDocumentName("acme", server.mentions[2]!.mention.id);
		const socket = await openRawClient(server.wsUrl);
		expect(await socket.authenticate(draft, kim.token)).toBe("authenticated");
		const document = () => server.switchboard.hocuspocus.documents.get(draft);

		await server.switchboard.tokens.revokeSessions(kim.id);
		// A write sent right after the revocation never lands.
		const writer = new Y.Doc();
		writer.getText("body").insert(0, "written after the revocation");
		socket.send(syncFrame(draft, 2, Y.encodeStateAsUpdate(writer)));

		expect(await closedWithin(socket, AT_ONCE_MS)).toBe(4401);
		expect(await me(signedIn)).toBe(401);
		expect(await me(kim.token)).toBe(401);
		expect(document()?.getText("body").toString() ?? "").not.toContain("after the revocation");
		// Signing in again starts a new session.
		expect(await me(await login(kim.email))).toBe(200);
	});
});
