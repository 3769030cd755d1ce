import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { KyselyStorage } from "./kysely-storage.ts";
import { openStorage } from "./open.ts";
import { storageContract } from "./storage-contract.ts";
import { testTemplate } from "./test-template.ts";

storageContract("PGlite in memory", async () => openStorage({ template: await testTemplate() }));

describe("PGlite", () => {
	it("keeps its data in dataDir across close and reopen", async () => {
		const dataDir = await mkdtemp(join(tmpdir(), "switchboard-pglite-"));
		try {
			const first = await openStorage({ dataDir });
			expect(first.dialect).toBe("pglite");
			const org = await first.createOrganisation({ name: "Persistent" });
			await first.appendUpdates([{ name: "board/x/main", update: new Uint8Array([7]) }]);
			await first.close();

			const second = await openStorage({ dataDir });
			try {
				expect(await second.getOrganisation(org.id)).toEqual(org);
				expect((await second.loadDocument("board/x/main")).updates).toEqual([new Uint8Array([7])]);
			} finally {
				await second.close();
			}
		} finally {
			await rm(dataDir, { recursive: true, force: true });
		}
	});

	it("runs concurrent transactions one after the other on its single connection", async () => {
		const storage = await openStorage({ template: await testTemplate() });
		try {
			if (!(storage instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
			const { db } = storage;
			await sql`create table counter (n integer not null)`.execute(db);
			await sql`insert into counter values (0)`.execute(db);
			// Read, yield to the event loop, write: interleaved on one connection, both would
			// read 0 and the count would end at 1.
			const increment = () =>
				db.transaction().execute(async (trx) => {
					const { rows } = await sql<{ n: number }>`select n from counter`.execute(trx);
					await new Promise((resolve) => setTimeout(resolve, 20));
					await sql`update counter set n = ${(rows[0]?.n ?? 0) + 1}`.execute(trx);
				});
			await Promise.all([increment(), increment(), increment()]);
			const { rows } = await sql<{ n: number }>`select n from counter`.execute(db);
			expect(rows[0]?.n).toBe(3);
		} finally {
			await storage.close();
		}
	});

	it("appends after a transaction in flight, not inside it: a rollback keeps the update", async () => {
		const storage = await openStorage({ template: await testTemplate() });
		try {
			if (!(storage instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
			const name = "draft/x/rolled-back";
			let appended: Promise<number[]> | undefined;
			await expect(
				storage.db.transaction().execute(async (trx) => {
					await sql`select 1`.execute(trx);
					appended = storage.appendUpdates([{ name, update: new Uint8Array([1]) }]);
					// The transaction is between statements, its connection idle: an append that
					// ran now would commit or roll back with it.
					await new Promise((resolve) => setTimeout(resolve, 20));
					throw new Error("rolled back");
				}),
			).rejects.toThrow("rolled back");
			expect(await appended).toHaveLength(1);
			expect((await storage.loadDocument(name)).updates).toEqual([new Uint8Array([1])]);
		} finally {
			await storage.close();
		}
	});

	it("appends batches of any size and names beyond ASCII, and goes on after a failed append", async () => {
		const storage = await openStorage({ template: await testTemplate() });
		try {
			// PostgreSQL refuses a NUL in text: the very first append (which prepares the
			// statement) fails, and so does a later one.
			const refused = [{ name: "draft/x/\u0000", update: new Uint8Array([0]) }];
			await expect(storage.appendUpdates(refused)).rejects.toThrow();
			const names = ["draft/x/é", "draft/x/日本", "draft/x/plain"];
			const batch = Array.from({ length: 50 }, (_, i) => ({
				name: names[i % names.length] ?? "",
				update: Uint8Array.from({ length: i }, (_, k) => (k * 7 + i) % 256),
			}));
			const ids = await storage.appendUpdates(batch);
			expect(ids).toHaveLength(50);
			expect([...ids].sort((a, b) => a - b)).toEqual(ids);
			await expect(storage.appendUpdates(refused)).rejects.toThrow();
			const [single] = await storage.appendUpdates([
				{ name: "draft/x/é", update: new Uint8Array([9]) },
			]);
			for (const [i, name] of names.entries()) {
				const mine = batch.filter((_, k) => k % names.length === i);
				const loaded = await storage.loadDocument(name);
				expect(loaded.updates).toEqual([
					...mine.map((entry) => entry.update),
					...(name === "draft/x/é" ? [new Uint8Array([9])] : []),
				]);
				expect(loaded.updateIds).toEqual([
					...ids.filter((_, k) => k % names.length === i),
					...(name === "draft/x/é" ? [single] : []),
				]);
			}
		} finally {
			await storage.close();
		}
	});

	it("opens an existing folder with the small page cache and few connection slots a one-off command asks for", async () => {
		const dataDir = await mkdtemp(join(tmpdir(), "switchboard-pglite-"));
		try {
			const server = await openStorage({ dataDir, template: await testTemplate() });
			const org = await server.createOrganisation({ name: "Kept" });
			await server.close();

			const command = await openStorage({
				dataDir,
				embeddedCacheMiB: 4,
				embeddedMaxConnections: 10,
			});
			try {
				if (!(command instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
				const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(
					command.db,
				);
				expect(rows[0]?.shared_buffers).toBe("4MB");
				expect(await showMaxConnections(command)).toBe("10");
				expect(await command.getOrganisation(org.id)).toEqual(org);
			} finally {
				await command.close();
			}

			// The command's small cache was for its own start: the server after it has its own.
			const after = await openStorage({ dataDir });
			try {
				if (!(after instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
				expect(await showSharedBuffers(after)).toBe("128MB");
				expect(await showMaxConnections(after)).toBe("100");
			} finally {
				await after.close();
			}
		} finally {
			await rm(dataDir, { recursive: true, force: true });
		}
	});

	it("gives a server back its page cache when an earlier version's command left its own in the folder", async () => {
		const dataDir = await mkdtemp(join(tmpdir(), "switchboard-pglite-"));
		try {
			const first = await openStorage({ dataDir, template: await testTemplate() });
			const org = await first.createOrganisation({ name: "Kept" });
			await first.close();
			// What `postgresqlconf: ["shared_buffers=4MB"]` made of initdb's file.
			await writeFile(join(dataDir, "pglite", "postgresql.conf"), "shared_buffers=4MB");

			const server = await openStorage({ dataDir });
			try {
				if (!(server instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
				expect(await showSharedBuffers(server)).toBe("128MB");
				expect(await server.getOrganisation(org.id)).toEqual(org);
			} finally {
				await server.close();
			}
		} finally {
			await rm(dataDir, { recursive: true, force: true });
		}
	});
});

async function showSharedBuffers(storage: KyselyStorage): Promise<string | undefined> {
	const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(storage.db);
	return rows[0]?.shared_buffers;
}

async function showMaxConnections(storage: KyselyStorage): Promise<string | undefined> {
	const { rows } = await sql<{ max_connections: string }>`show max_connections`.execute(storage.db);
	return rows[0]?.max_connections;
}
