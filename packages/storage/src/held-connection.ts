/**
 * A PostgreSQL connection of its own, outside the pool, for one hot statement: the
 * document log's append, which every acknowledged edit waits for. Through kysely and the
 * timed pool an append cost 400 µs of this process's CPU (checking a connection out and
 * back in, kysely's executor, the statement text parsed again by PostgreSQL each time);
 * here, as a named prepared statement on a held connection with rows as arrays, 210–260 µs
 * (one-update appends in a loop, `process.cpuUsage`, 3 × 2,000; bench/findings/01.md).
 *
 * The pool's guarantees hold here too: every statement has the same deadline
 * (`queryTimeoutMs`, DatabaseTimeoutError), after which the connection is thrown away,
 * and after any failure the next statement runs on a new connection. Statements run one at a
 * time in their order (node-postgres queues them on a client); the group committer sends
 * one batch at a time anyway.
 */
import pg from "pg";
import type { StorageLogger } from "./logger.ts";
import { DatabaseTimeoutError } from "./timed-pool.ts";

export interface HeldConnectionOptions {
	/** The pool's connection settings (address, connect deadline, session settings). */
	config: pg.ClientConfig;
	/** The statement deadline in ms, read per statement (0: none). */
	statementTimeoutMs: () => number;
	logger: StorageLogger;
}

export class HeldConnection {
	readonly #options: HeldConnectionOptions;
	/** The connection in use, or being opened; null until the next statement opens one. */
	#client: Promise<pg.Client> | null = null;
	#open: pg.Client | null = null;
	#ended = false;

	constructor(options: HeldConnectionOptions) {
		this.#options = options;
	}

	/**
	 * Run one statement and return its rows as arrays. A `name` prepares the statement once
	 * per connection (node-postgres keeps the names it parsed); the same name must always
	 * come with the same text.
	 */
	async query(name: string | undefined, text: string, values: unknown[]): Promise<unknown[][]> {
		const client = await this.#connected();
		const answer = client.query<unknown[]>({ name, text, values, rowMode: "array" });
		const limit = this.#options.statementTimeoutMs();
		if (limit <= 0) {
			try {
				return (await answer).rows;
			} catch (error) {
				this.#discard(client);
				throw error;
			}
		}
		let settled = false;
		let timer: NodeJS.Timeout | undefined;
		const deadline = new Promise<never>((_, reject) => {
			// As in timedPool: setImmediate runs after the event loop read the sockets, so an
			// answer that waited unread behind a stall still wins.
			timer = setTimeout(
				() =>
					setImmediate(() => {
						if (!settled) reject(new DatabaseTimeoutError(limit));
					}),
				limit,
			);
		});
		try {
			const { rows } = await Promise.race([answer, deadline]);
			return rows;
		} catch (error) {
			// Past the deadline the late answer may still come, or the statement may hold its
			// locks; a dropped connection fails its statements before its `error` event says
			// so. Appends fail for no other reason, so any failure ends this connection.
			this.#discard(client);
			throw error;
		} finally {
			settled = true;
			clearTimeout(timer);
			answer.catch(() => undefined);
		}
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
				if (this.#client === opening) this.#open = client;
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
		}
		client.end().catch(() => undefined);
	}
}
