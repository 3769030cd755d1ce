/**
 * Single sign-on (issue 12, part 5) end to end against a real OpenID Connect provider
 * (oidc-provider on 127.0.0.1, tests/utils/oidc-provider.ts), driven over HTTP with cookies
 * as a browser would: Switchboard's start, the provider's login and consent pages, the
 * callback. The provider's `tamper` re-signs the ID token with its own key after changing
 * one claim, so that openid-client meets a wrong audience and an expired token that are
 * validly signed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	TEST_CLIENT_ID as CLIENT_ID,
	TEST_CLIENT_SECRET as CLIENT_SECRET,
	startIdentityProvider,
	type TestIdentityProvider,
} from "./utils/oidc-provider.ts";
import {
	PASSWORD,
	startTestServer,
	type TestMember,
	type TestServer,
} from "./utils/test-server.ts";

let server: TestServer;
let admin: TestMember;
let idp: TestIdentityProvider;
let issuer: string;

beforeAll(async () => {
	server = await startTestServer({ ssoAllowHttpIssuer: true });
	admin = await server.addMember("acme", "Ada Admin", "admin");
	idp = await startIdentityProvider(`${server.url}/api/sso/callback`);
	issuer = idp.issuer;
	idp.accounts.set("dana", { email: "dana@acme.test", email_verified: true, name: "Dana" });
	idp.accounts.set("newbie", {
		email: "newbie@acme.test",
		email_verified: true,
		name: "Nell Newbie",
	});
	idp.accounts.set("unverified", { email: "kim@acme.test", email_verified: false, name: "Kim" });
	idp.accounts.set("outsider", { email: "eve@elsewhere.test", email_verified: true, name: "Eve" });
}, 300_000);
afterAll(async () => {
	await server?.close();
	await idp?.close();
});

async function saveSettings(body: Record<string, unknown>) {
	return server.request("/api/orgs/acme/sso", { method: "PUT", token: admin.token, body });
}

const settings = {
	issuer: "",
	clientId: CLIENT_ID,
	clientSecret: CLIENT_SECRET,
	allowedDomains: ["acme.test"],
	jit: { enabled: true, role: "ambassador", boardId: "main" },
	ssoOnly: false,
};

/** Cookies by name, as a browser keeps them for one host (paths are not needed here). */
class Jar {
	readonly cookies = new Map<string, string>();
	take(response: Response): void {
		for (const line of response.headers.getSetCookie()) {
			const [pair = ""] = line.split(";");
			const at = pair.indexOf("=");
			const value = pair.slice(at + 1);
			if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) {
				this.cookies.delete(pair.slice(0, at));
			} else this.cookies.set(pair.slice(0, at), value);
		}
	}
	header(): string {
		return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
	}
}

interface Attempt {
	/** Where the callback sent the browser. */
	location: string;
	/** The callback URL the provider sent the browser to (to replay it). */
	callbackUrl: string;
	switchboard: Jar;
}

/**
 * Sign in as the provider's `login`, through its login and consent pages; `switchboard`
 * holds the browser's cookies for Switchboard beforehand (none unless given).
 */
async function signInAs(
	login: string,
	start: Record<string, string> = { orgId: "acme" },
	switchboard = new Jar(),
): Promise<Attempt> {
	const started = await server.request("/api/sso/start", { body: start });
	expect(started.status).toBe(200);
	switchboard.take(started);
	const { url } = (await started.json()) as { url: string };
	const provider = new Jar();
	let next: { url: string; method: string; body?: string } = { url, method: "GET" };
	for (let hop = 0; hop < 20; hop++) {
		const response = await fetch(next.url, {
			method: next.method,
			redirect: "manual",
			headers: {
				cookie: provider.header(),
				...(next.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
			},
			...(next.body ? { body: next.body } : {}),
		});
		provider.take(response);
		const location = response.headers.get("location");
		if (location) {
			const target = new URL(location, next.url).href;
			if (target.startsWith(`${server.url}/api/sso/callback`)) {
				const answer = await fetch(target, {
					redirect: "manual",
					headers: { cookie: switchboard.header() },
				});
				switchboard.take(answer);
				return { location: answer.headers.get("location") ?? "", callbackUrl: target, switchboard };
			}
			next = { url: target, method: "GET" };
			continue;
		}
		// One of the provider's pages: its form says which prompt it is.
		const page = await response.text();
		const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
		if (!prompt) throw new Error(`the provider answered ${response.status}: ${page.slice(0, 300)}`);
		const form = new URLSearchParams({
			prompt,
			...(prompt === "login" ? { login, password: "x" } : {}),
		});
		next = { url: next.url, method: "POST", body: form.toString() };
	}
	throw new Error("the sign-in did not come back to Switchboard");
}

describe("single sign-on settings", () => {
	it("refuses an issuer whose discovery document cannot be read, and stores nothing", async () => {
		const refused = await saveSettings({ ...settings, issuer: "http://127.0.0.1:1/nothing" });
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain("could not be read");
		const shown = await server.request("/api/orgs/acme/sso", { token: admin.token });
		expect(((await shown.json()) as { sso: unknown }).sso).toBeNull();
	});

	it("saves them after reading the issuer, seals the secret and never shows it", async () => {
		const saved = await saveSettings({ ...settings, issuer });
		const text = await saved.text();
		expect(saved.status).toBe(200);
		expect(text).not.toContain(CLIENT_SECRET);
		expect(JSON.parse(text)).toMatchObject({
			sso: { issuer, clientId: CLIENT_ID, allowedDomains: ["acme.test"], ssoOnly: false },
			redirectUri: `${server.url}/api/sso/callback`,
		});
		const stored = await server.switchboard.storage.getSsoConfig("acme");
		expect(stored?.clientSecretSealed).not.toContain(CLIENT_SECRET);
		const audit = await server.switchboard.storage.listAuditEntries("acme", {
			actions: ["sso.configured"],
			limit: 5,
		});
		expect(audit[0]).toMatchObject({ actor: admin.id, target: { type: "sso", id: "acme" } });
		expect(JSON.stringify(audit)).not.toContain(CLIENT_SECRET);
	});

	it("refuses a just-in-time board the organisation does not have, and keeps what was stored", async () => {
		const before = await server.switchboard.storage.getSsoConfig("acme");
		const refused = await saveSettings({
			...settings,
			issuer,
			jit: { enabled: true, role: "ambassador", boardId: "nowhere" },
		});
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain("jit.boardId: the organisation has no board nowhere");
		expect(await server.switchboard.storage.getSsoConfig("acme")).toEqual(before);
		// An archived board is judged only while people join at sign-in: the form keeps its
		// choice while just-in-time membership is off (the first board may be archived).
		const made = await server.request("/api/orgs/acme/boards", {
			method: "POST",
			token: admin.token,
			body: { name: "Old press" },
		});
		const { board } = (await made.json()) as { board: { id: string } };
		await server.request(`/api/orgs/acme/boards/${board.id}`, {
			method: "PATCH",
			token: admin.token,
			body: { archived: true },
		});
		const jit = (enabled: boolean) => ({ enabled, role: "ambassador", boardId: board.id });
		const on = await saveSettings({ ...settings, issuer, jit: jit(true) });
		expect(await on.text()).toContain("jit.boardId: the board Old press is archived");
		expect((await saveSettings({ ...settings, issuer, jit: jit(false) })).status).toBe(200);
	});

	it("lets admins only change them", async () => {
		const again = await saveSettings({ ...settings, issuer, clientSecret: undefined });
		expect(again.status).toBe(200);
		const refused = await server.request("/api/orgs/acme/sso", {
			method: "PUT",
			token: server.members.dana?.token ?? "",
			body: { ...settings, issuer },
		});
		expect(refused.status).toBe(403);
	});
});

describe("signing in through the identity provider", () => {
	it("signs a member in with the same session as a password sign-in", async () => {
		const attempt = await signInAs("dana", { email: "dana@acme.test" });
		expect(attempt.location).toBe(`${server.url}/sso/done`);
		const session = attempt.switchboard.cookies.get("sb_session");
		expect(session).toBeDefined();
		const me = await fetch(`${server.url}/api/me`, {
			headers: { cookie: `sb_session=${session}` },
		});
		expect(me.status).toBe(200);
		expect(((await me.json()) as { member: { email: string } }).member.email).toBe(
			"dana@acme.test",
		);
	});

	it("ends the session of whoever was signed in before in the same browser", async () => {
		const browser = new Jar();
		const signedIn = await server.request("/api/auth/login", {
			body: { email: "sam@acme.test", password: PASSWORD },
			headers: { origin: server.url },
		});
		expect(signedIn.status).toBe(200);
		browser.take(signedIn);
		const sams = `sb_session=${browser.cookies.get("sb_session")}`;
		const meOf = async (cookie: string) =>
			(await fetch(`${server.url}/api/me`, { headers: { cookie } })).status;
		expect(await meOf(sams)).toBe(200);

		const attempt = await signInAs("dana", { email: "dana@acme.test" }, browser);
		expect(attempt.location).toBe(`${server.url}/sso/done`);
		expect(await meOf(`sb_session=${browser.cookies.get("sb_session")}`)).toBe(200);
		expect(await meOf(sams)).toBe(401);
	});

	it("refuses a replayed state", async () => {
		const attempt = await signInAs("dana");
		expect(attempt.location).toBe(`${server.url}/sso/done`);
		const replay = await fetch(attempt.callbackUrl, {
			redirect: "manual",
			headers: { cookie: `sb_sso_state=${new URL(attempt.callbackUrl).searchParams.get("state")}` },
		});
		expect(replay.headers.get("location")).toBe(`${server.url}/login?sso=state`);
		expect(replay.headers.getSetCookie().some((line) => line.startsWith("sb_session=ey"))).toBe(
			false,
		);
	});

	it("refuses a callback without the state cookie of the browser that started", async () => {
		const started = await server.request("/api/sso/start", { body: { orgId: "acme" } });
		const { url } = (await started.json()) as { url: string };
		const state = new URL(url).searchParams.get("state");
		const answer = await fetch(`${server.url}/api/sso/callback?code=x&state=${state}`, {
			redirect: "manual",
		});
		expect(answer.headers.get("location")).toBe(`${server.url}/login?sso=state`);
	});

	/** Dana signs in while the provider's ID token is changed by `change`: she is refused. */
	async function expectRefusedToken(change: (claims: Record<string, unknown>) => void) {
		idp.tamper = change;
		try {
			const attempt = await signInAs("dana");
			expect(attempt.location).toBe(`${server.url}/login?sso=provider`);
			expect(attempt.switchboard.cookies.has("sb_session")).toBe(false);
		} finally {
			idp.tamper = null;
		}
	}

	it("refuses an ID token for another audience", async () => {
		await expectRefusedToken((claims) => {
			claims.aud = "someone-else";
		});
	});

	it("refuses an expired ID token", async () => {
		await expectRefusedToken((claims) => {
			const now = Math.floor(Date.now() / 1000);
			claims.iat = now - 7200;
			claims.exp = now - 3600;
		});
	});

	it("refuses an email the provider did not verify", async () => {
		const attempt = await signInAs("unverified");
		expect(attempt.location).toBe(`${server.url}/login?sso=unverified_email`);
	});

	it("refuses a verified email of a domain the organisation does not allow", async () => {
		const attempt = await signInAs("outsider");
		expect(attempt.location).toBe(`${server.url}/login?sso=domain_not_allowed`);
		expect(await server.switchboard.storage.findMemberByEmail("eve@elsewhere.test")).toBeNull();
	});

	it("makes a member just in time, with the default role and board, recorded in the audit log", async () => {
		const attempt = await signInAs("newbie", { email: "newbie@acme.test" });
		expect(attempt.location).toBe(`${server.url}/sso/done`);
		const member = await server.switchboard.storage.findMemberByEmail("newbie@acme.test");
		expect(member).toMatchObject({ orgId: "acme", role: "ambassador", name: "Nell Newbie" });
		const record = await server.switchboard.storage.getMemberRecord("acme", member?.id ?? "");
		expect(record?.boards).toEqual(["main"]);
		const audit = await server.switchboard.storage.listAuditEntries("acme", {
			actions: ["sso.member_joined"],
			limit: 5,
		});
		expect(audit[0]).toMatchObject({ target: { type: "member", id: member?.id } });
		// No password opens this account.
		const login = await server.request("/api/auth/login", {
			body: { email: "newbie@acme.test", password: "sso:no-password" },
		});
		expect(login.status).toBe(401);
	});

	it("puts a member who joins just in time without a default board on every active board", async () => {
		await saveSettings({
			...settings,
			issuer,
			clientSecret: undefined,
			jit: { enabled: true, role: "ambassador", boardId: null },
		});
		idp.accounts.set("boardless", {
			email: "boardless@acme.test",
			email_verified: true,
			name: "Bo Ardless",
		});
		const attempt = await signInAs("boardless");
		expect(attempt.location).toBe(`${server.url}/sso/done`);
		const member = await server.switchboard.storage.findMemberByEmail("boardless@acme.test");
		const record = await server.switchboard.storage.getMemberRecord("acme", member?.id ?? "");
		expect(record?.boards).toEqual(["main"]);
	});

	it("without just-in-time membership, refuses an unknown email clearly", async () => {
		await saveSettings({ ...settings, issuer, clientSecret: undefined, jit: { enabled: false } });
		idp.accounts.set("late", { email: "late@acme.test", email_verified: true, name: "Late" });
		const attempt = await signInAs("late");
		expect(attempt.location).toBe(`${server.url}/login?sso=unknown_member`);
	});

	it("with SSO only, refuses the password of a member who knows it, and their invitations take SSO", async () => {
		const saved = await saveSettings({
			...settings,
			issuer,
			clientSecret: undefined,
			ssoOnly: true,
		});
		expect(saved.status).toBe(200);
		try {
			const login = await server.request("/api/auth/login", {
				body: { email: "dana@acme.test", password: "correct horse battery staple" },
			});
			expect(login.status).toBe(403);
			expect(await login.text()).toContain("single sign-on");
			const wrong = await server.request("/api/auth/login", {
				body: { email: "dana@acme.test", password: "a wrong guess entirely" },
			});
			expect(wrong.status).toBe(401);
			// Still signs in through the provider.
			expect((await signInAs("dana")).location).toBe(`${server.url}/sso/done`);
		} finally {
			await saveSettings({ ...settings, issuer, clientSecret: undefined, ssoOnly: false });
		}
	});
});
