/**
 * The HTTP edge: what every request passes before a handler runs. Text PostgreSQL cannot
 * store (NUL, lone surrogates, malformed escapes) is the client's mistake, 400, never a 500;
 * bodies above the route's limit are 413 on every route, with or without a session.
 */
import { describe, expect, it } from "vitest";
import { testServerForFile } from "./utils/test-server.ts";

const server = testServerForFile();

async function call(path: string, init: RequestInit & { token?: string } = {}) {
	const headers = new Headers(init.headers);
	if (init.token) headers.set("authorization", `Bearer ${init.token}`);
	if (typeof init.body === "string") headers.set("content-type", "application/json");
	const response = await fetch(`${server.url}${path}`, { ...init, headers });
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The answer to a request for `path` is the error `code`, with this status. */
function expectError(
	path: string,
	answer: Awaited<ReturnType<typeof call>>,
	status: number,
	code: string,
) {
	expect({ path, ...answer }).toMatchObject({ path, status, body: { error: { code } } });
}

describe("invalid text at the edge", () => {
	it("answers 400 for a NUL or a malformed escape in the path or the query", async () => {
		const token = server.members.dana!.token;
		for (const path of [
			"/api/boards/ma%00in/mentions",
			"/api/boards/main/mentions?owner=a%00b",
			"/api/boards/main/mentions?owner=%E0%A4%A",
			"/api/boards/%ED%A0%80/mentions",
		]) {
			const answer = await call(path, { token });
			expectError(path, answer, 400, "invalid");
		}
	});

	it("answers 400 for a NUL or a lone surrogate in a JSON field, naming it", async () => {
		const login = await call("/api/auth/login", {
			method: "POST",
			body: '{"email":"dana@acme.test","password":"a\\u0000b"}',
		});
		expect(login).toEqual({
			status: 400,
			body: {
				error: {
					code: "invalid",
					message: "password: text may not contain a NUL character or a lone surrogate.",
				},
			},
		});
		const rules = await call("/api/orgs/acme/rules", {
			method: "PUT",
			token: server.members.morgan!.token,
			body: '{"rules":[{"name":"\\ud800"}]}',
		});
		expect(rules.status).toBe(400);
		expect(rules.body.error.message).toMatch(/^rules\.0\.name: /);
	});

	it("answers 400 on the unauthenticated webhook route before looking at anything", async () => {
		const answer = await call("/api/orgs/acme/sources/none/webhook", {
			method: "POST",
			body: '{"externalId":"\\u0000"}',
		});
		expect(answer).toMatchObject({ status: 400, body: { error: { code: "invalid" } } });
		const binary = await fetch(`${server.url}/api/orgs/acme/sources/none/webhook`, {
			method: "POST",
			body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
		});
		expect(binary.status).toBe(400);
		expect((await binary.json()).error.message).toBe("The body is not valid UTF-8.");
	});

	it("still accepts text that is merely unusual", async () => {
		const answer = await call("/api/auth/login", {
			method: "POST",
			body: JSON.stringify({ email: "dana@acme.test", password: "pässwörd 😀 \\u0000 literally" }),
		});
		expect(answer.status).toBe(401);
	});
});

describe("body limits on every route", () => {
	const big = JSON.stringify({ rules: [], pad: "x".repeat(1024 * 1024 + 1) });

	it("answers 413 before the session is looked at, and on routes behind it", async () => {
		for (const [path, token] of [
			["/api/orgs/acme/rules", server.members.morgan!.token],
			["/api/orgs/acme/rules", undefined],
			["/api/no-such-route", undefined],
		] as const) {
			const answer = await call(path, { method: "PUT", body: big, ...(token ? { token } : {}) });
			expectError(path, answer, 413, "too_large");
		}
	});

	it("keeps sign-in bodies to 16 KiB", async () => {
		const answer = await call("/api/auth/login", {
			method: "POST",
			body: JSON.stringify({ email: "dana@acme.test", password: "x", pad: "y".repeat(17_000) }),
		});
		expect(answer.status).toBe(413);
	});
});

describe("kept-alive connections", () => {
	it("stay open longer than clients and load balancers keep them idle (they close first)", async () => {
		const response = await fetch(`${server.url}/healthz`);
		await response.text();
		// undici reuses an idle connection for the hint minus 2 s; nginx and AWS's balancers
		// for 60 s. At Node's 5 s the instance closed connections a client had just chosen.
		expect(response.headers.get("keep-alive")).toBe("timeout=65");
	});
});
