/**
 * Baseline: bare @hocuspocus/server with its defaults, no extensions, documents in memory.
 * Started by servers.ts as a child process; prints the port it listens on.
 *
 * With DURABLE_DATABASE_URL it is the "durable" baseline: the same server and one extension
 * that stores every update in PostgreSQL before Hocuspocus acknowledges it (its sync status
 * follows `beforeSync`), in the thinnest way node-postgres allows: one connection, one
 * prepared INSERT per update, committed on its own. It is what a durable acknowledgement
 * costs at the least, whoever implements it, and so the floor under Switchboard's figures.
 */
import { type Extension, Server } from "@hocuspocus/server";
import pg from "pg";

/** y-protocols' sync message types that carry an update: step 2 and update. */
const CARRIES_UPDATE = new Set([1, 2]);
/** An update that changes nothing encodes as two bytes (no structs, no deletions). */
const EMPTY_UPDATE_BYTES = 2;

async function durableAppend(databaseUrl: string): Promise<Extension> {
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	await client.query(
		"create table if not exists bench_updates (seq bigserial primary key, document text not null, body bytea not null)",
	);
	return {
		async beforeSync({ type, payload, documentName }) {
			if (!CARRIES_UPDATE.has(type) || payload.length <= EMPTY_UPDATE_BYTES) return;
			await client.query({
				name: "append",
				text: "insert into bench_updates (document, body) values ($1, $2)",
				values: [documentName, payload],
			});
		},
		async onDestroy() {
			await client.end();
		},
	};
}

const databaseUrl = process.env.DURABLE_DATABASE_URL;
const server = new Server({
	port: Number(process.env.PORT ?? 0),
	address: process.env.HOST ?? "127.0.0.1",
	// Only the start screen; everything else is the default configuration.
	quiet: true,
	extensions: databaseUrl ? [await durableAppend(databaseUrl)] : [],
});
await server.listen();
process.stdout.write(`Hocuspocus is listening on port ${server.address.port}\n`);
