/** Retention and erasure on PostgreSQL; see utils/data-removal-suite.ts. */
import { createTestDatabase } from "@switchboard/storage/test-database";
import { describe, it } from "vitest";
import { dataRemovalSuite } from "./utils/data-removal-suite.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

if (adminUrl) {
	dataRemovalSuite("PostgreSQL", async () => {
		const database = await createTestDatabase(adminUrl);
		return { config: { databaseUrl: database.url }, cleanup: database.drop };
	});
} else {
	describe.skip("retention and erasure on PostgreSQL", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
