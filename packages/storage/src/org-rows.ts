/**
 * Rows an organisation (or a member) owns. Most ports keep their rows keyed by
 * `(org_id, id)`: reading one, listing all and deleting one go the same way in each of
 * them, and always through the owner, so that an id from another organisation matches no row.
 */
import { type InsertObject, type Kysely, type Selectable, sql, type UpdateObject } from "kysely";
import type { Database } from "./schema.ts";

/** The tables whose rows belong to an organisation and have an id of their own. */
export type OrgTable = {
	[Table in keyof Database]: Database[Table] extends { org_id: string; id: string } ? Table : never;
}[keyof Database];

/** The tables whose rows belong to a member. */
type MemberTable = {
	[Table in keyof Database]: Database[Table] extends { member_id: string; id: string }
		? Table
		: never;
}[keyof Database];

// Each helper queries the union of these tables (kysely then checks `org_id` and `id`
// against all of them) and hands the rows back typed as the table the caller named.

/**
 * The row of `table` whose `column` (unique: an id, an email, a code's hash) is `value`, as
 * `map` makes it; null if none. Rows an organisation owns are read with `findInOrg`.
 */
export async function findOne<T extends keyof Database, R>(
	db: Kysely<Database>,
	table: T,
	column: keyof Database[T] & string,
	value: string,
	map: (row: Selectable<Database[T]>) => R,
): Promise<R | null> {
	const row = await db
		.selectFrom(table as keyof Database)
		.selectAll()
		.where(sql.ref(column), "=", value)
		.executeTakeFirst();
	return row ? map(row as Selectable<Database[T]>) : null;
}

/** Inserts one row into `table` and gives it back as `map` makes it. */
export async function insertOne<T extends keyof Database & string, R>(
	db: Kysely<Database>,
	table: T,
	values: InsertObject<Database, T>,
	map: (row: Selectable<Database[T]>) => R,
): Promise<R> {
	const row = await db.insertInto(table).values(values).returningAll().executeTakeFirstOrThrow();
	return map(row as Selectable<Database[T]>);
}

/** The row of `table` with this id in this organisation, as `map` makes it; null if none. */
export async function findInOrg<T extends OrgTable, R>(
	db: Kysely<Database>,
	table: T,
	orgId: string,
	id: string,
	map: (row: Selectable<Database[T]>) => R,
): Promise<R | null> {
	const row = await db
		.selectFrom(table as OrgTable)
		.selectAll()
		.where("org_id", "=", orgId)
		.where("id", "=", id)
		.executeTakeFirst();
	return row ? map(row as Selectable<Database[T]>) : null;
}

/**
 * Every row of `table` that an organisation or a member owns (`owner` is `org_id` or
 * `member_id`, `ownerId` its value), as `map` makes it, by `orderBy` and then id.
 */
export async function listOwned<T extends OrgTable | MemberTable, R>(
	db: Kysely<Database>,
	table: T,
	owner: "org_id" | "member_id",
	ownerId: string,
	orderBy: keyof Database[T] & string,
	map: (row: Selectable<Database[T]>) => R,
): Promise<R[]> {
	const rows = await db
		.selectFrom(table as OrgTable | MemberTable)
		.selectAll()
		.where(sql.ref(owner), "=", ownerId)
		.orderBy(sql.ref(orderBy))
		.orderBy("id")
		.execute();
	return rows.map((row) => map(row as Selectable<Database[T]>));
}

/**
 * Sets `changes` on the row of `table` with this id in this organisation; the row after, as
 * `map` makes it, or null if there is none.
 */
export async function updateInOrg<T extends OrgTable, R>(
	db: Kysely<Database>,
	table: T,
	orgId: string,
	id: string,
	changes: UpdateObject<Database, T>,
	map: (row: Selectable<Database[T]>) => R,
): Promise<R | null> {
	const row = await db
		.updateTable(table as OrgTable)
		.set(changes as UpdateObject<Database, OrgTable>)
		.where("org_id", "=", orgId)
		.where("id", "=", id)
		.returningAll()
		.executeTakeFirst();
	return row ? map(row as Selectable<Database[T]>) : null;
}

/** Deletes the row of `table` with this id in this organisation; whether there was one. */
export async function deleteInOrg(
	db: Kysely<Database>,
	table: OrgTable,
	orgId: string,
	id: string,
): Promise<boolean> {
	const result = await db
		.deleteFrom(table)
		.where("org_id", "=", orgId)
		.where("id", "=", id)
		.executeTakeFirst();
	return result.numDeletedRows > 0n;
}
