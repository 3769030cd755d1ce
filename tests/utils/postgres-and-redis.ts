/**
 * The gate of the test files that need the test environment's PostgreSQL and Redis
 * (`TEST_DATABASE_URL`, `TEST_REDIS_URL`; CI sets both, .ci/run).
 */
import { describe, it } from "vitest";

export interface PostgresAndRedis {
	databaseUrl: string;
	redisUrl: string;
}

/**
 * `describe(title)` with the addresses of PostgreSQL and Redis; without them the block is
 * skipped, and says what it needs.
 */
export function describeOnPostgresAndRedis(
	title: string,
	tests: (urls: PostgresAndRedis) => void,
): void {
	const { TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl } = process.env;
	if (databaseUrl && redisUrl) {
		describe(title, () => tests({ databaseUrl, redisUrl }));
	} else {
		describe.skip(title, () => {
			it("needs TEST_DATABASE_URL and TEST_REDIS_URL; CI sets both", () => {});
		});
	}
}
