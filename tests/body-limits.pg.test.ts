/**
 * Body limits seen by a real sender: Switchboard in its own process (as `pnpm start` runs
 * it), Node's `fetch` posting bodies far above the limit. The sender must read the 413 and
 * its JSON, not fail with EPIPE (a webhook sender that sees "fetch failed" retries the same
 * oversized batch for ever), and the server's memory must not grow with the body.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@switchboard/storage/test-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildServer, startChildServer } from "./utils/child-server.ts";
import { childEnv, seedDatabase } from "./utils/seed.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
const MiB = 1024 * 1024;

/** A body of `bytes` that arrives in 1 MiB chunks, without a Content-Length. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
	let sent = 0;
	return new ReadableStream({
		pull(controller) {
			if (sent >= bytes) return controller.close();
			controller.enqueue(new Uint8Array(MiB).fill(0x20));
			sent += MiB;
		},
	});
}

if (adminUrl) {
	describe("body limits against a fetch sender (PostgreSQL, own process)", () => {
		let database: TestDatabase | undefined;
		let server: ChildServer | undefined;
		let dataDir = "";

		beforeAll(async () => {
			database = await createTestDatabase(adminUrl);
			await seedDatabase(database.url, { members: 1, mentions: 0 });
			dataDir = await mkdtemp(join(tmpdir(), "switchboard-limits-"));
			server = await startChildServer(childEnv(database.url, dataDir));
		}, 90_000);
		afterAll(async () => {
			await server?.kill("SIGKILL");
			await database?.drop();
			if (dataDir) await rm(dataDir, { recursive: true, force: true });
		});

		const cases: [string, string, () => RequestInit][] = [
			[
				"a 50 MB webhook batch with a Content-Length",
				"/api/orgs/org-1/sources/any/webhook",
				() => ({ body: Buffer.alloc(50 * MiB, 0x20) }),
			],
			[
				"a 40 MB chunked webhook batch",
				"/api/orgs/org-1/sources/any/webhook",
				() => ({ body: chunked(40 * MiB), duplex: "half" }) as RequestInit,
			],
			[
				"a 20 MB JSON login",
				"/api/auth/login",
				() => ({
					body: JSON.stringify({ email: "a@b.test", password: "x", pad: "y".repeat(20 * MiB) }),
				}),
			],
		];
		for (const [what, path, init] of cases) {
			it(`answers ${what} with a 413 the sender reads`, { timeout: 120_000 }, async () => {
				const response = await fetch(`${server!.url}${path}`, {
					method: "POST",
					headers: { "content-type": "application/json" },
					...init(),
				}).catch((error: Error & { cause?: { code?: string } }) => {
					throw new Error(`the sender saw "${error.message}" (${error.cause?.code}), not a 413`);
				});
				expect(response.status).toBe(413);
				expect(await response.json()).toEqual({
					error: { code: "too_large", message: expect.stringMatching(/larger than \d+ bytes/) },
				});
			});
		}
	});
} else {
	describe("body limits against a fetch sender", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
