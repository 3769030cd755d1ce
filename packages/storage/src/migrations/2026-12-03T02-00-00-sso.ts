/**
 * Single sign-on (issue 12, part 5): each organisation's OpenID Connect settings (the
 * client secret sealed by the server, never stored in the clear), and the sign-ins under
 * way, kept server-side by the hash of their state so that each is used once. Frozen like
 * every migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("sso_configs")
		.addColumn("org_id", "text", (col) => col.primaryKey().references("organisations.id"))
		.addColumn("issuer", "text", (col) => col.notNull())
		.addColumn("client_id", "text", (col) => col.notNull())
		// AES-256-GCM under a key derived from the server secret (apps/server secret-box.ts).
		.addColumn("client_secret_sealed", "text", (col) => col.notNull())
		.addColumn("allowed_domains", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn("jit_enabled", "boolean", (col) => col.notNull().defaultTo(false))
		.addColumn("jit_role", "text", (col) => col.notNull().defaultTo("ambassador"))
		.addColumn("jit_board_id", "text")
		.addColumn("sso_only", "boolean", (col) => col.notNull().defaultTo(false))
		.addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
		.addCheckConstraint(
			"sso_configs_jit_role_known",
			sql`jit_role in ('ambassador', 'moderator', 'admin')`,
		)
		.execute();
	// An email domain signs in with one organisation's identity provider at most.
	await db.schema
		.createTable("sso_domains")
		.addColumn("domain", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull().references("sso_configs.org_id"))
		.addCheckConstraint("sso_domains_lower_case", sql`domain = lower(domain)`)
		.execute();
	await db.schema.createIndex("sso_domains_org").on("sso_domains").column("org_id").execute();
	await db.schema
		.createTable("sso_logins")
		// SHA-256 of the state: the state itself is only in the browser's cookie and the URL.
		.addColumn("state_hash", "text", (col) => col.primaryKey())
		.addColumn("org_id", "text", (col) => col.notNull())
		.addColumn("nonce", "text", (col) => col.notNull())
		.addColumn("code_verifier", "text", (col) => col.notNull())
		// An invitation the sign-in accepts (an organisation that allows only SSO).
		.addColumn("invitation_code_hash", "text")
		.addColumn("expires_at", "timestamptz", (col) => col.notNull())
		.execute();
	await db.schema.createIndex("sso_logins_expiry").on("sso_logins").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable("sso_logins").execute();
	await db.schema.dropTable("sso_domains").execute();
	await db.schema.dropTable("sso_configs").execute();
}
