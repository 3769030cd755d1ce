/**
 * Ending sessions while Redis is unreachable: the revocation is stored in the database
 * before it is announced on the bus, so sign-out and deactivation answer as done (the
 * session is refused from then on) instead of an error for a publish that could not reach
 * Redis. The test runs a redis-server of its own on a free port and stops it; the shared one
 * other files use is never touched.
 */
import type { ChildProcess } from "node:child_process";
import { freePort } from "@switchboard/connectors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, stopRedis } from "./utils/redis-server.ts";
import {
	PASSWORD,
	startTestServer,
	type TestMember,
	type TestServer,
} from "./utils/test-server.ts";

// It needs Redis installed, as every *.redis.test.ts does: TEST_REDIS_URL says the machine has it.
if (process.env.TEST_REDIS_URL) {
	describe("ending sessions with Redis unreachable", () => {
		let redis: ChildProcess | undefined;
		let server: TestServer | undefined;
		let port = 0;
		let globexAdmin: TestMember | undefined;

		beforeAll(async () => {
			port = await freePort();
			redis = await startRedis(port);
			server = await startTestServer({ redisUrl: `redis://127.0.0.1:${port}` });
			await server.addMember("acme", "Ada Admin", "admin");
			globexAdmin = await server.addMember("globex", "Gil Admin", "admin");
		}, 300_000);
		afterAll(async () => {
			// Back before the server stops: its Redis connections quit cleanly.
			if (redis && (redis.exitCode !== null || redis.signalCode !== null)) {
				redis = await startRedis(port);
			}
			await server?.close();
			if (redis) await stopRedis(redis);
		});

		async function login(email: string): Promise<string> {
			const response = await server!.request("/api/auth/login", {
				body: { email, password: PASSWORD },
			});
			expect(response.status).toBe(200);
			return ((await response.json()) as { token: string }).token;
		}

		const me = async (token: string) => (await server!.request("/api/me", { token })).status;

		it("signs out and deactivates with Redis gone: answered as done, and the sessions are over", async () => {
			const { dana, kim } = server!.members as Record<string, TestMember>;
			const danaSession = await login(dana!.email);
			const kimSession = await login(kim!.email);
			const adminSession = await login("ada@acme.test");
			expect(await me(danaSession)).toBe(200);
			// The board is open here, as it is while anyone works (a board loaded while Redis is away
			// cannot subscribe to its channel; that is the Redis outage's business, not this test's).
			await server!.board(dana!);

			await stopRedis(redis!);

			const logout = await server!.request("/api/auth/logout", { token: danaSession, body: {} });
			expect(logout.status).toBe(200);
			expect(await me(danaSession)).toBe(401);

			const deactivated = await server!.request(`/api/orgs/acme/members/${kim!.id}`, {
				method: "PATCH",
				token: adminSession,
				body: { active: false },
			});
			expect(deactivated.status).toBe(200);
			expect(await me(kimSession)).toBe(401);
			// Without the announcement, revoking from the session service itself answers too.
			await server!.switchboard.tokens.revokeSessions(dana!.id);
		}, 120_000);

		it("deactivates with Redis gone when none of the organisation's boards is open here: answered as done, and recorded", async () => {
			if (redis && redis.exitCode === null && redis.signalCode === null) await stopRedis(redis);
			const { gabi } = server!.members as Record<string, TestMember>;
			// Globex's board was never opened on this instance: showing Gabi's card on it would need
			// Redis (the board subscribes to its channel when it loads). The change is stored and the
			// board reads members from the database when it next loads, so the admin is answered.
			const deactivated = await server!.request(`/api/orgs/globex/members/${gabi!.id}`, {
				method: "PATCH",
				token: globexAdmin!.token,
				body: { active: false },
			});
			expect(deactivated.status, await deactivated.clone().text()).toBe(200);
			expect(await me(gabi!.token)).toBe(401);
			const audit = await server!.request("/api/orgs/globex/audit?action=member.deactivated", {
				token: globexAdmin!.token,
			});
			const { entries } = (await audit.json()) as {
				entries: { action: string; target: { id: string } | null }[];
			};
			expect(entries.map((entry) => [entry.action, entry.target?.id])).toEqual([
				["member.deactivated", gabi!.id],
			]);
		}, 120_000);
	});
} else {
	describe.skip("ending sessions with Redis unreachable", () => {
		it("needs TEST_REDIS_URL (e.g. redis://127.0.0.1:6379): it runs a redis-server of its own; CI sets it", () => {});
	});
}
