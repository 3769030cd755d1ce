/**
 * What one durable append costs the server's CPU, measured alone, next to the least a round
 * trip to PostgreSQL can cost (scenario 1, bench/findings/01.md). The ways run in turns:
 * `--warm` unmeasured appends each, then `--rounds` rounds of `--appends` one-update appends
 * awaited one after the other (a typist's rate never batches two); CPU of this process per
 * append (`process.cpuUsage`, user + system, µs), each round.
 *
 *   DATABASE_URL=postgres://… node bench/src/append-cost.ts [--root DIR] [--base DIR]
 *     [--warm 2000] [--appends 2000] [--rounds 3] [--ways log,pg-append,…]
 *
 * - `log`: the document log's `appendUpdates` as the server runs it (the held connection,
 *   the prepared statement, the statement deadline); `log-nodeadline` without the deadline.
 * - `pg-append`: the same statement on a plain node-postgres client, prepared.
 * - `pg-select1`: a prepared `select 1` on a plain node-postgres client.
 * - `wire-append`: the same append written as the wire protocol's Bind, Execute and Sync
 *   straight to the socket, its answer read only as far as ReadyForQuery: no client library.
 * - `wire-select1`: a prepared `select 1` the same way, the least a round trip costs when
 *   the answer comes at once; `wire-sleep`: `select pg_sleep(0.002)` the same way, the same
 *   bytes when the answer comes 2 ms later, as a commit's comes after its WAL flush.
 *
 * The database needs the document log's table (the `log` way migrates it); the rows this
 * appends are deleted at the end. `--root` names another checkout, to compare `log`
 * between commits; `--base` another whose `log` runs as the way `base-log`, in turns with
 * this one's in the same process.
 */
import { once } from "node:events";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
	options: {
		root: { type: "string", default: new URL("../..", import.meta.url).pathname },
		base: { type: "string" },
		warm: { type: "string", default: "2000" },
		appends: { type: "string", default: "2000" },
		rounds: { type: "string", default: "3" },
		ways: {
			type: "string",
			default: "log,pg-append,pg-select1,wire-append,wire-select1,wire-sleep",
		},
	},
});
if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL names the database to append to");
const databaseUrl: string = process.env.DATABASE_URL;
const root = resolve(values.root);
const warm = Number(values.warm);
const appends = Number(values.appends);
const rounds = Number(values.rounds);

/** What this tool uses of node-postgres. */
interface PgClient {
	connect(): Promise<void>;
	query(
		query: string | { name?: string; text: string; values?: unknown[]; rowMode?: "array" },
		values?: unknown[],
	): Promise<unknown>;
	end(): Promise<void>;
	on(event: "error", listener: (error: Error) => void): void;
}
// The storage package's node-postgres (the bench does not depend on it itself).
const pg = createRequire(`${root}/packages/storage/package.json`)("pg") as {
	Client: new (config: { connectionString: string }) => PgClient;
};
const { openStorage } = (await import(
	pathToFileURL(`${root}/packages/storage/src/index.ts`).href
)) as typeof import("@switchboard/storage");

/** A keystroke's update: about the size of the typist's (a one-character Yjs update). */
const update = Buffer.from([
	1, 1, 200, 212, 237, 143, 12, 5, 132, 200, 212, 237, 143, 12, 4, 1, 97, 0,
]);
const documentName = "draft/append-cost/1";
const appendText = `with locks as (
		select pg_advisory_xact_lock_shared(${0x5362}, hashtext(name))
		from unnest(array[$1]::text[]) as name
	)
	insert into document_updates (name, update)
	select entry.name, entry.update from (values ($2, $3::bytea)) as entry(name, update)
	where (select count(*) from locks) = 1
	returning id`;

type Way = { name: string; run(): Promise<unknown>; close(): Promise<void> };

async function logWay(name = "log", tuning = {}, open = openStorage): Promise<Way> {
	const storage = await open({ databaseUrl, tuning });
	return {
		name,
		run: () => storage.appendUpdates([{ name: documentName, update }]),
		close: () => storage.close(),
	};
}

async function pgWay(name: string, text: string, parameters: unknown[]): Promise<Way> {
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	const statement = `append_cost_${name.replace("-", "_")}`;
	return {
		name,
		run: () => client.query({ name: statement, text, values: parameters, rowMode: "array" }),
		close: () => client.end(),
	};
}

/** One PostgreSQL protocol message: type byte, length, body. */
function message(type: string, ...parts: Buffer[]): Buffer {
	const body = Buffer.concat(parts);
	const head = Buffer.alloc(5);
	head.write(type, 0, "latin1");
	head.writeInt32BE(body.length + 4, 1);
	return Buffer.concat([head, body]);
}
const cstring = (text: string) => Buffer.from(`${text}\0`);
const int16 = (n: number) => {
	const b = Buffer.alloc(2);
	b.writeInt16BE(n);
	return b;
};
const int32 = (n: number) => {
	const b = Buffer.alloc(4);
	b.writeInt32BE(n);
	return b;
};

/**
 * A prepared statement run over the bare protocol: the connection is opened by a pg client
 * (startup and authentication), then its socket is taken over. Parse once, then per run
 * Bind (text name, binary update), Execute and Sync in one write; done at ReadyForQuery.
 */
async function wireWay(name: string, text: string, parameters: (string | Buffer)[]): Promise<Way> {
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	// Its socket is closed under it at the end.
	client.on("error", () => undefined);
	const statement = `append_cost_${name.replace("-", "_")}`;
	await client.query({ name: statement, text, values: parameters });
	const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
	socket.removeAllListeners("data");
	let waiting: (() => void) | null = null;
	let pending: Buffer = Buffer.alloc(0);
	socket.on("data", (chunk: Buffer) => {
		pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
		let offset = 0;
		while (pending.length - offset >= 5) {
			const length = pending.readInt32BE(offset + 1);
			if (pending.length - offset < length + 1) break;
			const type = pending[offset];
			offset += length + 1;
			if (type === 0x5a) {
				const done = waiting;
				waiting = null;
				done?.();
			}
		}
		pending = pending.subarray(offset);
	});
	const execute = Buffer.concat([message("E", cstring(""), int32(0)), message("S")]);
	const run = () =>
		new Promise<void>((done) => {
			waiting = done;
			const bind = message(
				"B",
				cstring(""),
				cstring(statement),
				int16(parameters.length),
				...parameters.map((value) => int16(typeof value === "string" ? 0 : 1)),
				int16(parameters.length),
				...parameters.flatMap((value) => {
					const bytes = typeof value === "string" ? Buffer.from(value) : value;
					return [int32(bytes.length), bytes];
				}),
				int16(0),
			);
			socket.write(Buffer.concat([bind, execute]));
		});
	return {
		name,
		run,
		close: async () => {
			socket.destroy();
			await once(socket, "close");
		},
	};
}

const makers: Record<string, () => Promise<Way>> = {
	log: () => logWay(),
	"base-log": async () => {
		if (!values.base) throw new Error("the way base-log needs --base");
		const base = (await import(
			pathToFileURL(`${resolve(values.base)}/packages/storage/src/index.ts`).href
		)) as typeof import("@switchboard/storage");
		return logWay("base-log", {}, base.openStorage);
	},
	"log-nodeadline": () => logWay("log-nodeadline", { queryTimeoutMs: 0 }),
	"pg-append": () => pgWay("pg-append", appendText, [documentName, documentName, update]),
	"pg-select1": () => pgWay("pg-select1", "select 1", []),
	"wire-append": () => wireWay("wire-append", appendText, [documentName, documentName, update]),
	"wire-select1": () => wireWay("wire-select1", "select 1", []),
	"wire-sleep": () => wireWay("wire-sleep", "select pg_sleep(0.002)", []),
};
const ways: Way[] = [];
for (const name of values.ways.split(",")) {
	const make = makers[name];
	if (!make) throw new Error(`no way named ${name}`);
	ways.push(await make());
}

/** CPU and wall-clock time per append, µs. */
async function cpuUs(way: Way, count: number): Promise<{ cpu: number; wall: number }> {
	const start = performance.now();
	const before = process.cpuUsage();
	for (let i = 0; i < count; i++) await way.run();
	const used = process.cpuUsage(before);
	return {
		cpu: (used.user + used.system) / count,
		wall: ((performance.now() - start) * 1000) / count,
	};
}

for (const way of ways) await cpuUs(way, warm);
const results = new Map<string, { cpu: number; wall: number }[]>(ways.map((way) => [way.name, []]));
for (let round = 0; round < rounds; round++) {
	for (const way of ways) results.get(way.name)?.push(await cpuUs(way, appends));
}
for (const [name, perRound] of results) {
	console.log(
		`${name.padEnd(13)} ${perRound.map(({ cpu }) => cpu.toFixed(0).padStart(4)).join(" ")} µs CPU per append; wall ${perRound.map(({ wall }) => wall.toFixed(0)).join(" ")} µs`,
	);
}
for (const way of ways) await way.close();
// Rows this tool appended; the database is the caller's.
const cleanup = new pg.Client({ connectionString: databaseUrl });
await cleanup.connect();
await cleanup.query("delete from document_updates where name = $1", [documentName]);
await cleanup.end();
