/**
 * `PUBLIC_URL` (issue 15, row 11): behind TLS, the session cookie is `Secure`, every answer
 * carries HSTS, the web client's policy names the wss: socket, and browser requests must
 * come from the public origin whatever `Host` the proxy forwards.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { hashPassword } from "./passwords.ts";
import { scratchSwitchboardForTests } from "./scratch-switchboard.ts";

const PUBLIC = "https://switchboard.example";
const PASSWORD = "correct horse battery staple";

describe("PUBLIC_URL https", () => {
	const switchboard = scratchSwitchboardForTests("public-url-test-secret-public-url-test-secret", {
		web: { "index.html": "<!doctype html><title>Switchboard</title>" },
		config: { publicUrl: PUBLIC },
	});

	beforeAll(async () => {
		await switchboard.storage.createOrganisation({ id: "acme", name: "Acme" });
		await switchboard.storage.createMember({
			orgId: "acme",
			email: "dana@acme.test",
			name: "Dana",
			role: "ambassador",
			capacity: 5,
			passwordHash: await hashPassword(PASSWORD),
		});
	});

	const login = (origin?: string) =>
		fetch(`${switchboard.url}/api/auth/login`, {
			method: "POST",
			headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
			body: JSON.stringify({ email: "dana@acme.test", password: PASSWORD }),
		});

	it("marks the session cookie Secure, and drops it Secure too", async () => {
		const response = await login(PUBLIC);
		expect(response.status).toBe(200);
		const [cookie] = response.headers.getSetCookie();
		expect(cookie?.split(/;\s*/)).toEqual(
			expect.arrayContaining(["HttpOnly", "Secure", "SameSite=Lax"]),
		);
		const logout = await fetch(`${switchboard.url}/api/auth/logout`, {
			method: "POST",
			headers: { cookie: cookie!.split(";")[0]!, origin: PUBLIC },
		});
		expect(logout.headers.getSetCookie()[0]).toMatch(/Secure/);
	});

	it("sends HSTS on every answer: pages, API, errors", async () => {
		for (const path of ["/", "/healthz", "/api/boards", "/api/nope"]) {
			const response = await fetch(`${switchboard.url}${path}`);
			expect(response.headers.get("strict-transport-security"), path).toBe(
				"max-age=31536000; includeSubDomains",
			);
		}
	});

	it("names the public wss: origin for the socket and upgrades insecure requests", async () => {
		const policy = (await fetch(`${switchboard.url}/`)).headers.get("content-security-policy");
		expect(policy).toContain("connect-src 'self' wss://switchboard.example");
		expect(policy).toContain("upgrade-insecure-requests");
	});

	it("takes browser requests from the public origin only, whatever Host the proxy sends", async () => {
		// The proxy forwards to 127.0.0.1:port: the public origin is not the Host, and works.
		expect((await login(PUBLIC)).status).toBe(200);
		// Same host as the listener but not the deployment's origin: refused.
		expect((await login(switchboard.url)).status).toBe(403);
		expect((await login("http://switchboard.example")).status).toBe(403);

		const upgrade = (origin: string) =>
			new Promise<number>((resolve) => {
				const ws = new WebSocket(`${switchboard.url.replace("http", "ws")}/sync`, {
					headers: { origin },
				});
				ws.once("open", () => {
					ws.close();
					resolve(101);
				});
				ws.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
				ws.once("error", () => {});
			});
		expect(await upgrade(PUBLIC)).toBe(101);
		expect(await upgrade(switchboard.url)).toBe(403);
	});
});
