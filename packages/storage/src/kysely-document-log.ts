/**
 * The document log port on kysely: each Yjs document's update log and snapshot. Appends
 * and readers are ordered by a per-document advisory lock, so a load never misses an
 * append that committed with a lower id.
 */
import { CompiledQuery, type Kysely, sql } from "kysely";
import type { EmbeddedAppends } from "./embedded-appends.ts";
import type { HeldConnection, HeldParameter } from "./held-connection.ts";
import { toBytes, toNumber } from "./rows.ts";
import type { Database } from "./schema.ts";
import type { DocumentLog, DocumentUpdate, StoredDocument } from "./storage.ts";

/** First key of the advisory locks that order document-log appends against readers. */
const DOCUMENT_LOCK_NAMESPACE = 0x5362;

/**
 * Exclusive lock on one document's log for the rest of the transaction: waits for the
 * appends in flight (which hold it shared) and keeps new ones out.
 */
function documentLock(name: string) {
	return sql`select pg_advisory_xact_lock(${sql.lit(DOCUMENT_LOCK_NAMESPACE)}, hashtext(${name}))`;
}

/**
 * The append statement's text for a batch of `entries` rows over `names` documents, built
 * once per shape: every acknowledged update waits for an append, and building the
 * statement with kysely's `sql` template and compiling it took a fifth of the append's
 * CPU (300 → 240 µs per one-update append, measured alone; bench/findings/01.md).
 * Parameters: the sorted distinct names, then name and update of each entry.
 */
const appendStatements = new Map<string, string>();
/** Shapes kept; batches are mostly small, so few shapes recur. */
const MAX_APPEND_STATEMENTS = 256;

function appendStatement(entries: number, names: number): string {
	const key = `${entries} ${names}`;
	const cached = appendStatements.get(key);
	if (cached) return cached;
	const locks = Array.from({ length: names }, (_, i) => `$${i + 1}`).join(", ");
	const values = Array.from(
		{ length: entries },
		(_, i) => `($${names + 2 * i + 1}, $${names + 2 * i + 2}::bytea)`,
	).join(", ");
	const text = `with locks as (
		select pg_advisory_xact_lock_shared(${DOCUMENT_LOCK_NAMESPACE}, hashtext(name))
		from unnest(array[${locks}]::text[]) as name
	)
	insert into document_updates (name, update)
	select entry.name, entry.update from (values ${values}) as entry(name, update)
	where (select count(*) from locks) = ${names}
	returning id`;
	if (appendStatements.size >= MAX_APPEND_STATEMENTS) appendStatements.clear();
	appendStatements.set(key, text);
	return text;
}

/**
 * Batch shapes (entries × documents) whose append is a named prepared statement on the held
 * connection: a typist's one-update appends and the small batches of a few documents.
 * Larger, rarer shapes are parsed each time rather than kept prepared on the server.
 */
const MAX_PREPARED_APPEND = 8;

export class KyselyDocumentLog implements DocumentLog {
	readonly #db: Kysely<Database>;
	readonly #appends: HeldConnection | undefined;
	readonly #embedded: EmbeddedAppends | undefined;

	/**
	 * `appends`: a connection of its own for the appends (PostgreSQL, see held-connection.ts);
	 * `embedded`: PGlite's protocol for them (embedded-appends.ts). Without either they go
	 * through kysely like every other statement.
	 */
	constructor(db: Kysely<Database>, appends?: HeldConnection, embedded?: EmbeddedAppends) {
		this.#db = db;
		this.#appends = appends;
		this.#embedded = embedded;
	}

	/**
	 * Each append holds a shared lock on its documents until it commits; see
	 * {@link KyselyDocumentLog.loadDocument}. Ids are assigned in VALUES order, so sorting the
	 * returned ids gives them in input order whatever order RETURNING lists them in.
	 *
	 * One statement, so one round trip: every update waits for this before it is
	 * acknowledged. Its implicit transaction holds the locks until the rows are committed;
	 * the uncorrelated condition is a one-time filter, evaluated (all locks taken) before
	 * the first row is inserted.
	 */
	async appendUpdates(entries: DocumentUpdate[]): Promise<number[]> {
		if (entries.length === 0) return [];
		if (this.#embedded) return this.#embedded.appendUpdates(entries);
		const names = [...new Set(entries.map((entry) => entry.name))].sort();
		const parameters: HeldParameter[] = [...names];
		for (const { name, update } of entries) parameters.push(name, update);
		const text = appendStatement(entries.length, names.length);
		if (this.#appends) {
			const prepared =
				entries.length <= MAX_PREPARED_APPEND && names.length <= MAX_PREPARED_APPEND
					? `switchboard_append_${entries.length}_${names.length}`
					: undefined;
			const rows = await this.#appends.query(prepared, text, parameters);
			return rows.map((row) => Number(row[0])).sort((a, b) => a - b);
		}
		const { rows } = await this.#db.executeQuery<{ id: string | number }>(
			CompiledQuery.raw(text, parameters),
		);
		return rows.map((row) => toNumber(row.id)).sort((a, b) => a - b);
	}

	/**
	 * Read a document's snapshot and log. Appends hold a shared lock on the document until
	 * they commit and this read takes it exclusively, so no entry with an id at or below
	 * `lastUpdateId` is still in flight, and no compaction runs between the two reads.
	 */
	loadDocument(documentName: string): Promise<StoredDocument> {
		return this.#db.transaction().execute(async (trx) => {
			await documentLock(documentName).execute(trx);
			const snapshot = await trx
				.selectFrom("document_snapshots")
				.select(["snapshot", "up_to_update_id"])
				.where("name", "=", documentName)
				.executeTakeFirst();
			const rows = await trx
				.selectFrom("document_updates")
				.select(["id", "update"])
				.where("name", "=", documentName)
				.orderBy("id")
				.execute();
			const updateIds = rows.map((row) => toNumber(row.id));
			return {
				snapshot: snapshot ? toBytes(snapshot.snapshot) : null,
				updates: rows.map((row) => toBytes(row.update)),
				updateIds,
				lastUpdateId: Math.max(
					snapshot ? toNumber(snapshot.up_to_update_id) : 0,
					updateIds.at(-1) ?? 0,
				),
			};
		});
	}

	/**
	 * The merge of the stored snapshot with the fresh one runs before the transaction, not
	 * inside it: merging is CPU work in this process, and under the document lock every
	 * append and load of the document waited for it ("idle in transaction" while the event
	 * loop was busy elsewhere). The transaction checks the snapshot it merged is still the
	 * stored one, and merges again when another writer got there first.
	 *
	 * With `holds`, only the stored snapshot's md5 is read first (computed by the database)
	 * and the snapshot itself only when it is not the one the caller holds: reading a board
	 * of 20,000 cards back took megabytes off the database on every compaction.
	 */
	async compactDocument(
		documentName: string,
		snapshot: Uint8Array,
		includedIds: number[],
		merge?: (stored: Uint8Array, fresh: Uint8Array) => Uint8Array,
		holds?: string,
	): Promise<void> {
		for (;;) {
			let next = snapshot;
			let merged: string | null = null;
			if (merge) {
				if (holds !== undefined) {
					merged = (await this.#storedDigest(this.#db, documentName)) ?? null;
				}
				// Read and merge the stored snapshot unless there is none or it is the one the
				// caller holds: then the fresh one replaces it as it is.
				if (holds === undefined || (merged !== null && merged !== holds)) {
					const stored = await this.#db
						.selectFrom("document_snapshots")
						.select(["snapshot", sql<string>`md5(snapshot)`.as("digest")])
						.where("name", "=", documentName)
						.executeTakeFirst();
					merged = stored?.digest ?? null;
					if (stored) next = merge(new Uint8Array(stored.snapshot), snapshot);
				}
			}
			const written = await this.#db.transaction().execute(async (trx) => {
				await documentLock(documentName).execute(trx);
				if (merge && ((await this.#storedDigest(trx, documentName)) ?? null) !== merged) {
					return false;
				}
				// up_to_update_id stays: it only records what storeSnapshot's range covered.
				await trx
					.insertInto("document_snapshots")
					.values({ name: documentName, snapshot: next, up_to_update_id: 0 })
					.onConflict((conflict) =>
						conflict.column("name").doUpdateSet((eb) => ({
							snapshot: eb.ref("excluded.snapshot"),
							updated_at: sql<Date>`now()`,
						})),
					)
					.execute();
				if (includedIds.length > 0) {
					await trx
						.deleteFrom("document_updates")
						.where("name", "=", documentName)
						.where("id", "in", includedIds)
						.execute();
				}
				return true;
			});
			if (written) return;
		}
	}

	/** The md5 (hex) of a document's stored snapshot; undefined when it has none. */
	async #storedDigest(db: Kysely<Database>, documentName: string): Promise<string | undefined> {
		const row = await db
			.selectFrom("document_snapshots")
			.select(sql<string>`md5(snapshot)`.as("digest"))
			.where("name", "=", documentName)
			.executeTakeFirst();
		return row?.digest;
	}

	async storeSnapshot(
		documentName: string,
		snapshot: Uint8Array,
		upToUpdateId: number,
	): Promise<void> {
		await this.#db.transaction().execute(async (trx) => {
			await documentLock(documentName).execute(trx);
			await trx
				.insertInto("document_snapshots")
				.values({ name: documentName, snapshot, up_to_update_id: upToUpdateId })
				.onConflict((conflict) =>
					conflict
						.column("name")
						.doUpdateSet((eb) => ({
							snapshot: eb.ref("excluded.snapshot"),
							up_to_update_id: eb.ref("excluded.up_to_update_id"),
							updated_at: sql<Date>`now()`,
						}))
						.where("document_snapshots.up_to_update_id", "<=", upToUpdateId),
				)
				.execute();
			// Safe even when a newer snapshot was kept: it includes these entries too.
			await trx
				.deleteFrom("document_updates")
				.where("name", "=", documentName)
				.where("id", "<=", upToUpdateId)
				.execute();
		});
	}
}
