/**
 * A fresh PostgreSQL database per test file, created from TEST_DATABASE_URL and dropped
 * afterwards, so runs never see each other's rows.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase {
	url: string;
	drop(): Promise<void>;
}

async function admin(adminUrl: string, statement: string): Promise<void> {
	const client = new pg.Client({ connectionString: adminUrl });
	await client.connect();
	try {
		await client.query(statement);
	} finally {
		await client.end();
	}
}

export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
	const name = `sb_test_${randomBytes(6).toString("hex")}`;
	await admin(adminUrl, `create database ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.href,
		drop: () => admin(adminUrl, `drop database if exists ${name} with (force)`),
	};
}
