/**
 * People (issue 12): invitations and password-reset links, stored by the hash of their
 * code, and which boards (teams) each member belongs to. Existing members belong to
 * every board of their organisation, as they could see all of them before. Frozen like
 * every migration; the value lists are written out for the same reason as in the first.
 */
import { type Kysely, sql } from "kysely";
import { createIndex, oneOf } from "../migration-helpers.ts";

const ROLES = ["ambassador", "moderator", "admin"];
const KINDS = ["invite", "reset"];

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("invitations")
		.addColumn("id", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("organisations.id"))
		.addColumn("kind", "text", (col) => col.notNull())
		// SHA-256 of the code, base64url: the code itself is only ever in the link.
		.addColumn("code_hash", "text", (col) => col.notNull().unique())
		.addColumn("email", "text", (col) => col.notNull())
		.addColumn("role", "text", (col) => col.notNull())
		.addColumn("name", "text")
		.addColumn("capacity", "integer")
		.addColumn("skills", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("languages", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("boards", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		// A reset's member; an invitation's once accepted.
		.addColumn("member_id", "text", (col) => col.references("members.id"))
		// Null for the first admin's invitation, made by `switchboard setup`.
		.addColumn("invited_by", "text", (col) => col.references("members.id"))
		.addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn("expires_at", "timestamptz", (col) => col.notNull())
		.addColumn("used_at", "timestamptz")
		.addColumn("revoked_at", "timestamptz")
		.addCheckConstraint("invitations_kind_known", oneOf("kind", KINDS))
		.addCheckConstraint("invitations_role_known", oneOf("role", ROLES))
		.addCheckConstraint("invitations_email_lower_case", sql`email = lower(email)`)
		.execute();
	// One open link per person and kind: a new one replaces (revokes) the old.
	await sql`create unique index invitations_one_open on invitations (org_id, kind, email)
		where used_at is null and revoked_at is null`.execute(db);
	await createIndex(db, "invitations_org_email", "invitations", ["org_id", "email"]);

	await db.schema
		.createTable("member_boards")
		.addColumn("member_id", "text", (col) => col.notNull().references("members.id"))
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("board_id", "text", (col) => col.notNull())
		.addPrimaryKeyConstraint("member_boards_pkey", ["member_id", "board_id"])
		.addForeignKeyConstraint("member_boards_board", ["org_id", "board_id"], "boards", [
			"org_id",
			"id",
		])
		.execute();
	await createIndex(db, "member_boards_board", "member_boards", ["org_id", "board_id"]);
	await sql`insert into member_boards (member_id, org_id, board_id)
		select m.id, m.org_id, b.id from members m join boards b on b.org_id = m.org_id`.execute(db);
	// The members list pages by name, then id.
	await createIndex(db, "members_org_name", "members", ["org_id", "name", "id"]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropIndex("members_org_name").execute();
	await db.schema.dropTable("member_boards").execute();
	await db.schema.dropTable("invitations").execute();
}
