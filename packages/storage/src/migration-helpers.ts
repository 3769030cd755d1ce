/**
 * What the migrations share. A migration is frozen in time, and so is whatever it calls:
 * change nothing here that changes the SQL a helper sends, or a database migrated before
 * the change would differ from one migrated after (add a new helper instead).
 */
import { type Kysely, sql } from "kysely";

/** `create index name on table (columns)`: a plain index, no condition, not unique. */
export async function createIndex(
	db: Kysely<unknown>,
	name: string,
	table: string,
	columns: string[],
): Promise<void> {
	await db.schema.createIndex(name).on(table).columns(columns).execute();
}

/** `column in ('a', 'b')` with the values as SQL literals, for check constraints. */
export function oneOf(column: string, values: readonly string[]) {
	return sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`;
}
