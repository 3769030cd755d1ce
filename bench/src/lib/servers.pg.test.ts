import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchClient, connectClient } from "./clients.ts";
import { type BenchServer, startServer, targetOf } from "./servers.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean): Promise<void> {
	while (!condition()) await sleep(5);
}

if (adminUrl) {
	describe("the durable baseline of the benchmark", () => {
		let server: BenchServer;
		let client: BenchClient;
		let database: pg.Client;

		beforeAll(async () => {
			server = await startServer("hocuspocus-durable", { databaseUrl: adminUrl });
			database = new pg.Client({ connectionString: server.databaseUrl });
			await database.connect();
			client = connectClient({ target: targetOf(server), document: server.documents[0] ?? "" });
			await client.synced;
		});

		afterAll(async () => {
			client?.destroy();
			await database?.end();
			await server?.stop();
		});

		it("acknowledges each update only once it is stored in PostgreSQL", async () => {
			const body = client.doc.getText("body");
			for (let typed = 1; typed <= 5; typed++) {
				body.insert(body.length, "a");
				await until(() => client.stats.waiting.length === 0);
				const { rows } = await database.query<{ count: string }>(
					"select count(*) from bench_updates",
				);
				expect(Number(rows[0]?.count)).toBe(typed);
			}
			expect(client.stats.ackMs).toHaveLength(5);
		});
	});
} else {
	describe.skip("the durable baseline of the benchmark", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
