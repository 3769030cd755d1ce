/**
 * History search (issue 13): every conversation of an organisation, finished ones
 * included, found by its words (PostgreSQL full-text search over the mention and its
 * thread, which PGlite has too) and by its author. The expressions must stay exactly
 * those of `kysely-history.ts` for the planner to use the indexes. Frozen like every
 * migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	// 'simple': no stemming or stop words, so a search works the same in every language
	// the mentions come in (a per-language configuration would need the language at query time).
	await sql`
		create index mentions_history_words on mentions using gin (
			to_tsvector('simple'::regconfig, text || ' ' || jsonb_path_query_array(thread, '$[*].text')::text)
		)
	`.execute(db);
	await sql`
		create index mentions_history_author on mentions (org_id, lower(ltrim(author->>'handle', '@')), posted_at)
	`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await sql`drop index mentions_history_author`.execute(db);
	await sql`drop index mentions_history_words`.execute(db);
}
