/**
 * Rate limits shared by instances: two limiters on one store (as two server instances
 * would be) count together, through Redis and through PostgreSQL's `rate_limits` table.
 */
import { openStorage, type Storage } from "@switchboard/storage";
import { createTestDatabase, type TestDatabase } from "@switchboard/storage/test-database";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiters, type RateLimiters, rateLimitsWith } from "./rate-limits.ts";

const redisUrl = process.env.TEST_REDIS_URL;
const databaseUrl = process.env.TEST_DATABASE_URL;
const logger = pino({ level: "silent" });
const limits = rateLimitsWith({ loginPerAccount: { points: 3, seconds: 600 } });

/** Three failures on two instances, then a refusal on either. */
async function expectShared(a: RateLimiters, b: RateLimiters): Promise<void> {
	const key = `account-${Math.random().toString(36).slice(2)}`;
	await a.take("loginPerAccount", key);
	await b.take("loginPerAccount", key);
	await a.take("loginPerAccount", key);
	await expect(b.take("loginPerAccount", key)).rejects.toMatchObject({
		kind: "rate_limited",
		retryAfterSeconds: expect.any(Number),
	});
	await expect(a.take("loginPerAccount", key)).rejects.toMatchObject({ kind: "rate_limited" });
	// A sign-in that worked on one instance forgets the failures on both.
	await a.forget("loginPerAccount", key);
	await b.take("loginPerAccount", key);
}

if (redisUrl) {
	describe("rate limits in Redis", () => {
		it("are shared by the instances using it", async () => {
			const prefix = `test-${Math.random().toString(36).slice(2)}`;
			const [a, b] = [1, 2].map(() => createRateLimiters({ limits, redisUrl, logger, prefix }));
			try {
				expect(a!.store).toBe("redis");
				await Promise.all([a!.ready, b!.ready]);
				await expectShared(a!, b!);
			} finally {
				await Promise.all([a!.close(), b!.close()]);
			}
		});
	});
} else {
	describe.skip("rate limits in Redis", () => {
		it("needs TEST_REDIS_URL (e.g. redis://127.0.0.1:6379); CI sets it", () => {});
	});
}

if (databaseUrl) {
	describe("rate limits in PostgreSQL", () => {
		let database: TestDatabase;
		let storages: Storage[] = [];
		beforeAll(async () => {
			database = await createTestDatabase(databaseUrl);
			storages = [
				await openStorage({ databaseUrl: database.url }),
				await openStorage({ databaseUrl: database.url }),
			];
		}, 300_000);
		afterAll(async () => {
			for (const storage of storages) await storage.close();
			await database?.drop();
		});

		it("are shared by the instances using it", async () => {
			const [a, b] = storages.map((storage) => createRateLimiters({ limits, storage, logger }));
			expect(a!.store).toBe("postgres");
			await expectShared(a!, b!);
		});
	});
} else {
	describe.skip("rate limits in PostgreSQL", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
