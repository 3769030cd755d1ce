/**
 * Leasing due work. The source poller and the webhook dispatcher take their due rows the
 * same way, so that instances polling together never take the same row and a worker that
 * dies mid-round loses its rows only for the length of the lease.
 */
import type { Expression, ExpressionBuilder, Selectable, SqlBool, Transaction } from "kysely";
import type { Database } from "./schema.ts";

/** The tables whose rows are leased, each with the column that says when a row is next due. */
const DUE_AT = { sources: "next_poll_at", webhook_deliveries: "next_attempt_at" } as const;

/** When a round runs, until when its rows are held, and how many it takes at most. */
export interface Lease {
	now: string;
	leaseUntil: string;
	limit: number;
}

/**
 * Takes up to `limit` rows of `table` that are `eligible` and due by `now`, the longest due
 * first, and moves their due time to `leaseUntil`. The rows are locked with FOR UPDATE SKIP
 * LOCKED, so instances taking rows at the same moment take different ones. Runs in the
 * caller's transaction; the rows come back as they were before the lease.
 */
export async function leaseDueRows<T extends keyof typeof DUE_AT>(
	trx: Transaction<Database>,
	table: T,
	eligible: (eb: ExpressionBuilder<Database, keyof typeof DUE_AT>) => Expression<SqlBool>,
	{ now, leaseUntil, limit }: Lease,
): Promise<Selectable<Database[T]>[]> {
	// Widened from the type parameter: kysely checks a column against the union of both tables.
	const due: (typeof DUE_AT)[keyof typeof DUE_AT] = DUE_AT[table];
	const rows = await trx
		.selectFrom(table as keyof typeof DUE_AT)
		.selectAll()
		.where(eligible)
		.where(due, "<=", new Date(now))
		.orderBy(due)
		.limit(limit)
		.forUpdate()
		.skipLocked()
		.execute();
	if (rows.length === 0) return [];
	await trx
		.updateTable(table as keyof typeof DUE_AT)
		.set(due, leaseUntil)
		.where(
			"id",
			"in",
			rows.map((row) => row.id),
		)
		.execute();
	return rows as Selectable<Database[T]>[];
}
