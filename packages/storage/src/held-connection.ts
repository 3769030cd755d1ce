/**
 * A PostgreSQL connection of its own, outside the pool, for one hot statement: the
 * document log's append, which every acknowledged edit waits for. Through kysely and the
 * timed pool an append cost 400 µs of this process's CPU (checking a connection out and
 * back in, kysely's executor, the statement text parsed again by PostgreSQL each time);
 * as a named prepared statement through `Client.query` on a held connection, 210–260 µs
 * (one-update appends in a loop, `process.cpuUsage`, 3 × 2,000; bench/findings/01.md).
 *
 * node-postgres opens the connection (address, TLS, authentication, session settings); each
 * statement is then a {@link Statement} handed to `Client.query`, node-postgres' extension
 * point for custom queries (pg-cursor's): its Parse (once per connection), Bind, Execute
 * and Sync leave in one write, serialized by pg-protocol, and its rows come back as the
 * text PostgreSQL sent. `Client.query` with a query config also sends a Describe per run
 * and builds a result with type parsers from the row description it answers; the
 * document log needs none of that for one column of ids. That saved 10–50 µs of the
 * append's CPU (median 25 µs, 0.86x; `bench/src/append-cost.ts`, 9 rounds in 3 holds),
 * leaving it within about 30 µs of the same bytes written to the socket with no client library.
 *
 * The pool's guarantees hold here too: every statement has the same deadline
 * (`queryTimeoutMs`, DatabaseTimeoutError), after which the connection is thrown away,
 * and after any failure the next statement runs on a new connection. Statements run one at a
 * time in their order (node-postgres queues them on a client); the group committer sends
 * one batch at a time anyway.
 */
import pg from "pg";
import { serialize } from "pg-protocol";
import type { StorageLogger } from "./logger.ts";
import { DatabaseTimeoutError } from "./timed-pool.ts";

export interface HeldConnectionOptions {
	/** The pool's connection settings (address, connect deadline, session settings). */
	config: pg.ClientConfig;
	/** The statement deadline in ms, read per statement (0: none). */
	statementTimeoutMs: () => number;
	logger: StorageLogger;
}

/** A statement's parameter: text, or bytes sent as binary. */
export type HeldParameter = string | Uint8Array;
/** A row as PostgreSQL sent it: each column's text, null for NULL. */
export type HeldRow = (string | null)[];

/** Execute (unnamed portal, all rows) and Sync, the same bytes for every statement. */
const EXECUTE_SYNC = Buffer.concat([serialize.execute(), serialize.sync()]);

/** Bytes as a Buffer over the same memory: pg-protocol sends only Buffers as binary. */
function asBuffer(value: HeldParameter): string | Buffer {
	if (typeof value === "string" || Buffer.isBuffer(value)) return value;
	return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * One statement as node-postgres runs a custom query: `submit` writes it, the client hands
 * it the answer's messages (`handle*`) until ReadyForQuery, or an error (from PostgreSQL, a
 * dropped connection, or the deadline) that settles it first.
 */
class Statement implements pg.Submittable {
	readonly #bytes: Buffer;
	readonly #settle: (error: unknown, rows: HeldRow[]) => void;
	readonly #rows: HeldRow[] = [];
	#settled = false;
	#timer: NodeJS.Timeout | undefined;

	constructor(bytes: Buffer, limitMs: number, settle: (error: unknown, rows: HeldRow[]) => void) {
		this.#bytes = bytes;
		this.#settle = settle;
		if (limitMs > 0) {
			// As in timedPool: setImmediate runs after the event loop read the sockets, so an
			// answer that waited unread behind a stall still wins.
			this.#timer = setTimeout(
				() => setImmediate(() => this.handleError(new DatabaseTimeoutError(limitMs))),
				limitMs,
			);
		}
	}

	submit(connection: pg.Connection): void {
		connection.stream.write(this.#bytes);
	}

	handleDataRow(message: { fields: HeldRow }): void {
		this.#rows.push(message.fields);
	}

	handleReadyForQuery(): void {
		this.#finish(undefined);
	}

	handleError(error: unknown): void {
		this.#finish(error);
	}

	handleCommandComplete(): void {}

	// Answers a statement of the document log never gets; they fail it, as they would a query.
	handleRowDescription(): void {}
	handleEmptyQuery(): void {
		this.#finish(new Error("the held connection's statement was empty"));
	}
	handlePortalSuspended(): void {
		this.#finish(new Error("the held connection's statement was suspended"));
	}
	handleCopyInResponse(): void {
		this.#finish(new Error("the held connection's statement asked for COPY data"));
	}
	handleCopyData(): void {}

	#finish(error: unknown): void {
		if (this.#settled) return;
		this.#settled = true;
		clearTimeout(this.#timer);
		this.#settle(error, this.#rows);
	}
}

export class HeldConnection {
	readonly #options: HeldConnectionOptions;
	/** The connection in use, or being opened; null until the next statement opens one. */
	#client: Promise<pg.Client> | null = null;
	#open: pg.Client | null = null;
	/** The statement names parsed on the connection in use. */
	#prepared = new Set<string>();
	#ended = false;

	constructor(options: HeldConnectionOptions) {
		this.#options = options;
	}

	/**
	 * Run one statement and return its rows, each column as the text PostgreSQL sent. A
	 * `name` prepares the statement once per connection; the same name must always come with
	 * the same text.
	 */
	async query(name: string | undefined, text: string, values: HeldParameter[]): Promise<HeldRow[]> {
		const client = this.#open ?? (await this.#connected());
		// Marked parsed when sent: a statement queued behind it may use the name at once, and
		// if the Parse fails the connection, and the names it knew, are thrown away.
		const parse = name === undefined || !this.#prepared.has(name);
		if (parse && name !== undefined) this.#prepared.add(name);
		const bind = serialize.bind({ statement: name, values: values.map(asBuffer) });
		const bytes = parse
			? Buffer.concat([serialize.parse({ name, text }), bind, EXECUTE_SYNC])
			: Buffer.concat([bind, EXECUTE_SYNC]);
		return new Promise((resolve, reject) => {
			const statement = new Statement(bytes, this.#options.statementTimeoutMs(), (error, rows) => {
				if (error === undefined) {
					resolve(rows);
					return;
				}
				// Past the deadline the late answer may still come, or the statement may hold its
				// locks; a dropped connection fails its statements before its `error` event says
				// so. Appends fail for no other reason, so any failure ends this connection.
				this.#discard(client);
				reject(error);
			});
			client.query(statement);
		});
	}

	/** Close the connection; later statements fail. */
	async end(): Promise<void> {
		this.#ended = true;
		const client = this.#client;
		this.#client = null;
		this.#open = null;
		await client?.then((open) => open.end()).catch(() => undefined);
	}

	#connected(): Promise<pg.Client> {
		if (this.#ended) return Promise.reject(new Error("the held connection was closed"));
		if (this.#client) return this.#client;
		const client = new pg.Client(this.#options.config);
		// A connection that drops emits `error`; unhandled, it would end the process.
		client.on("error", (error) => {
			this.#options.logger.warn({ err: error }, "the document log's PostgreSQL connection failed");
			this.#discard(client);
		});
		const opening = client.connect().then(
			() => {
				if (this.#client === opening) {
					this.#open = client;
					this.#prepared = new Set();
				}
				return client;
			},
			(error: unknown) => {
				if (this.#client === opening) this.#client = null;
				throw error;
			},
		);
		this.#client = opening;
		return opening;
	}

	/** Forget this client (the next statement opens a new one) and close it. */
	#discard(client: pg.Client): void {
		if (this.#open === client) {
			this.#open = null;
			this.#client = null;
			this.#prepared = new Set();
		}
		client.end().catch(() => undefined);
	}
}
