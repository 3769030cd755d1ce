import { createTestDatabase } from "@switchboard/storage/test-database";
import { describe, it } from "vitest";
import { durabilitySuite } from "./utils/durability-suite.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

if (adminUrl) {
	// PostgreSQL through DATABASE_URL.
	durabilitySuite(async () => {
		const database = await createTestDatabase(adminUrl);
		return { env: { DATABASE_URL: database.url }, cleanup: database.drop };
	});
} else {
	describe.skip("durability on PostgreSQL", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
