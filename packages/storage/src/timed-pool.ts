/**
 * A PostgreSQL pool whose every statement has a deadline. node-postgres waits for an answer
 * as long as its socket stays open, and across a network that silently drops packets it
 * stays open for hours (until TCP gives up): a command, a sign-in or an edit's append then
 * waited forever, holding its pool connection, and the pool ran dry
 * (tests/partition.redis.test.ts). With a deadline the statement fails with
 * `DatabaseTimeoutError`, callers answer `unavailable` as for any lost database, and the
 * connection is thrown away rather than lent again: it may still be inside a transaction,
 * or the late answer to the abandoned statement may arrive, so no later caller can trust it.
 *
 * Waiting for a connection and opening one have deadlines of their own. node-postgres' pool
 * has one (`connectionTimeoutMillis`) for both, so a burst of commands waiting behind ten
 * busy connections for more than 5 s was answered `unavailable` ("timeout exceeded when
 * trying to connect") although the database was fine: load was reported as an outage. Here
 * callers queue for the pool's connections in a gate of our own (`poolWaitTimeoutMs`, long
 * enough for a burst to drain), so node-postgres' pool never queues and its deadline bounds
 * only the opening of a connection. When opening one fails, everyone waiting fails with the
 * same error at once: the database is not reachable, and they would only wait to learn it.
 */
import type pg from "pg";

export interface DatabaseTuning {
	/**
	 * How long opening a PostgreSQL connection may take. Without it a database that does
	 * not answer holds requests forever.
	 * @default 5000
	 */
	connectTimeoutMs: number;
	/**
	 * How long a query waits for one of the pool's connections while all of them are busy.
	 * A wait is load, not an outage (an unreachable database fails the waiting at once, and
	 * a statement that hangs has `queryTimeoutMs`), so this only sheds load that the pool
	 * cannot catch up with. Measured: the 500-ambassador claim storm (bench scenario 5,
	 * `--full`) waited up to a few seconds per query on this project's 2-core machine.
	 * @default 15000
	 */
	poolWaitTimeoutMs: number;
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
	/**
	 * How long one of the pool's connections may sit idle before it is closed; 0 keeps every
	 * connection the pool opened until the storage closes (the pool never shrinks). With
	 * node-postgres' 10 s, the connections a burst opened together closed together 10 s
	 * after it: on this project's 2-core machine, ten backends ending at once stalled the
	 * durable acks for 30-90 ms (bench scenario 2, bench/findings/02.md). An idle connection
	 * costs PostgreSQL a few MB; the pool holds at most `maxConnections` of them.
	 * @default 0
	 */
	idleConnectionTimeoutMs: number;
}

export const defaultDatabaseTuning: DatabaseTuning = {
	connectTimeoutMs: 5_000,
	poolWaitTimeoutMs: 15_000,
	queryTimeoutMs: 5_000,
	idleInTransactionTimeoutMs: 30_000,
	idleConnectionTimeoutMs: 0,
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

/** A query that waited longer than `poolWaitTimeoutMs` for a pool connection. */
export class PoolWaitTimeoutError extends Error {
	readonly timeoutMs: number;

	constructor(timeoutMs: number) {
		super(`No PostgreSQL connection was free within ${timeoutMs} ms`);
		this.timeoutMs = timeoutMs;
		this.name = "PoolWaitTimeoutError";
	}
}

/** What kysely's PostgresDialect needs of a pool (kysely declares it without pg's types). */
type KyselyPool = Pick<pg.Pool, "connect" | "end" | "options">;

/** A timed pool, and how many callers wait for its connections. */
export type TimedPool = KyselyPool & { readonly waitingCount: number };

interface Waiter {
	grant(): void;
	fail(error: unknown): void;
}

/** First come, first served access to `max` connections, with a deadline on the wait. */
class ConnectionGate {
	#free: number;
	readonly #waiting: Waiter[] = [];
	readonly #waitMs: number;

	constructor(max: number, waitMs: number) {
		this.#free = max;
		this.#waitMs = waitMs;
	}

	get waiting(): number {
		return this.#waiting.length;
	}

	enter(): Promise<void> {
		if (this.#free > 0 && this.#waiting.length === 0) {
			this.#free--;
			return Promise.resolve();
		}
		return new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
				reject(new PoolWaitTimeoutError(this.#waitMs));
			}, this.#waitMs);
			const waiter: Waiter = {
				grant: () => {
					clearTimeout(timer);
					resolve();
				},
				fail: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			};
			this.#waiting.push(waiter);
		});
	}

	/** A connection was given back: the next waiter takes it. */
	leave(): void {
		const next = this.#waiting.shift();
		if (next) next.grant();
		else this.#free++;
	}

	/** Fail everyone waiting with `error`. */
	failWaiting(error: unknown): void {
		for (const waiter of this.#waiting.splice(0)) waiter.fail(error);
	}
}

/**
 * `pool` behind a gate of its `max` connections (`poolWaitTimeoutMs`), with a deadline on
 * every statement run through a client it lends. `statementTimeoutMs` is read per
 * statement (0: none), so the deadline can start once migrations are done.
 */
export function timedPool(
	pool: pg.Pool,
	options: { max: number; poolWaitTimeoutMs: number; statementTimeoutMs: () => number },
): TimedPool {
	const gate = new ConnectionGate(options.max, options.poolWaitTimeoutMs);
	const timeoutMs = options.statementTimeoutMs;
	return {
		options: pool.options,
		end: () => pool.end(),
		get waitingCount() {
			return gate.waiting;
		},
		async connect() {
			await gate.enter();
			let client: pg.PoolClient;
			try {
				client = await pool.connect();
			} catch (error) {
				gate.leave();
				gate.failWaiting(error);
				throw error;
			}
			let expired: DatabaseTimeoutError | undefined;
			let released = false;
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
					if (released) return;
					released = true;
					// An Error removes the client from the pool and ends its connection; then the
					// next waiter may open a new one.
					release(expired ?? destroy);
					gate.leave();
				},
			});
		},
	} as TimedPool;
}
