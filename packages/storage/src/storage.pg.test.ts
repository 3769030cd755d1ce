/**
 * The storage contract on a real PostgreSQL, where concurrent commands run on separate
 * connections and row locks and constraints do the arbitration. Set TEST_DATABASE_URL
 * to a database the user may CREATE DATABASE from; each run gets a fresh database,
 * dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStorage } from "./open.ts";
import { storageContract } from "./storage-contract.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

if (adminUrl) {
	const database = `sb_test_${randomBytes(6).toString("hex")}`;
	const databaseUrl = new URL(adminUrl);
	databaseUrl.pathname = `/${database}`;

	async function admin(statement: string): Promise<void> {
		const client = new pg.Client({ connectionString: adminUrl });
		await client.connect();
		try {
			await client.query(statement);
		} finally {
			await client.end();
		}
	}

	afterAll(async () => {
		await admin(`drop database if exists ${database} with (force)`);
	});

	storageContract("PostgreSQL", async () => {
		await admin(`create database ${database}`);
		return openStorage({ databaseUrl: databaseUrl.href });
	});

	describe("PostgreSQL", () => {
		it("fails to open with an Error naming the problem when the database is unreachable", async () => {
			const unreachable = new URL(adminUrl);
			unreachable.hostname = "127.0.0.1";
			unreachable.port = "1";
			await expect(openStorage({ databaseUrl: unreachable.href })).rejects.toThrow(
				/Could not migrate the database|migration/,
			);
		});
	});
} else {
	describe.skip("storage contract: PostgreSQL", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
