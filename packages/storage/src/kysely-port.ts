/**
 * The start of every kysely implementation of a storage port (`KyselySourceStore`,
 * `KyselyDirectory`, …): the database it runs on, PGlite or PostgreSQL alike. `openStorage`
 * makes one `Kysely<Database>` and hands it to each port; the rows a port reads and writes
 * are its own business, shared shapes of query live in org-rows.ts.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

export abstract class KyselyPort {
	protected readonly db: Kysely<Database>;

	constructor(db: Kysely<Database>) {
		this.db = db;
	}
}
