/**
 * A PostgreSQL pool whose every statement has a deadline. node-postgres waits for an answer
 * as long as its socket stays open, and across a network that silently drops packets it
 * stays open for hours (until TCP gives up): a command, a sign-in or an edit's append then
 * waited forever, holding its pool connection, and the pool ran dry
 * (tests/partition.redis.test.ts). With a deadline the statement fails with
 * `DatabaseTimeoutError`, callers answer `unavailable` as for any lost database, and the
 * connection is thrown away rather than lent again: it may still be inside a transaction,
 * or the late answer to the abandoned statement may arrive, so no later caller can trust it.
 */
import type pg from "pg";

export interface DatabaseTuning {
	/**
	 * How long a query waits for a pool connection, including opening one. Without it a
	 * database that does not answer queues requests forever.
	 * @default 5000
	 */
	connectTimeoutMs: number;
	/**
	 * How long one statement may take before it fails and its connection is discarded
	 * (client side: it holds when the network drops everything, where PostgreSQL's own
	 * `statement_timeout` never reaches the client). Bounds how long a command waits before
	 * it is answered `unavailable`. Migrations are exempt: they run before it applies.
	 * @default 5000
	 */
	queryTimeoutMs: number;
	/**
	 * PostgreSQL ends a session that sits this long inside a transaction waiting for its
	 * client (`idle_in_transaction_session_timeout`): when an instance is cut off mid
	 * transaction, its row and advisory locks are given back to the other instances instead
	 * of being held until TCP keepalive notices, hours later.
	 * @default 30000
	 */
	idleInTransactionTimeoutMs: number;
}

export const defaultDatabaseTuning: DatabaseTuning = {
	connectTimeoutMs: 5_000,
	queryTimeoutMs: 5_000,
	idleInTransactionTimeoutMs: 30_000,
};

/** A statement that got no answer within `queryTimeoutMs`. */
export class DatabaseTimeoutError extends Error {
	readonly timeoutMs: number;

	constructor(timeoutMs: number) {
		super(`PostgreSQL did not answer within ${timeoutMs} ms`);
		this.timeoutMs = timeoutMs;
		this.name = "DatabaseTimeoutError";
	}
}

/** What kysely's PostgresDialect needs of a pool (kysely declares it without pg's types). */
type KyselyPool = Pick<pg.Pool, "connect" | "end" | "options">;

/**
 * `pool` with a deadline on every statement run through a client it lends. `timeoutMs` is
 * read per statement (0: none), so the deadline can start once migrations are done.
 */
export function timedPool(pool: pg.Pool, timeoutMs: () => number): KyselyPool {
	return {
		options: pool.options,
		end: () => pool.end(),
		async connect() {
			const client = await pool.connect();
			let expired: DatabaseTimeoutError | undefined;
			const query = client.query.bind(client) as (...args: unknown[]) => unknown;
			const timed = (...args: unknown[]): unknown => {
				const limit = timeoutMs();
				const result = query(...args);
				// A cursor (streaming) is read piece by piece; each read is its own round trip.
				if (limit <= 0 || !(result instanceof Promise)) return result;
				let settled = false;
				let timer: NodeJS.Timeout | undefined;
				const answered = (result as Promise<unknown>).finally(() => {
					settled = true;
					clearTimeout(timer);
				});
				const deadline = new Promise<never>((_, reject) => {
					// Timers run before the event loop reads sockets: after a long stall the answer
					// may be waiting unread. setImmediate runs after that read, so it wins the race.
					timer = setTimeout(
						() =>
							setImmediate(() => {
								if (settled) return;
								expired = new DatabaseTimeoutError(limit);
								reject(expired);
							}),
						limit,
					);
				});
				answered.catch(() => undefined);
				return Promise.race([answered, deadline]);
			};
			const release = client.release.bind(client);
			return Object.assign(Object.create(client) as pg.PoolClient, {
				query: timed,
				release(destroy?: boolean | Error) {
					// An Error removes the client from the pool and ends its connection.
					release(expired ?? destroy);
				},
			});
		},
	} as KyselyPool;
}
