/**
 * History search's words in a table of their own (issue 17, goal 6). The GIN index over
 * `to_tsvector(text || thread's texts)` sat on `mentions`, so every update of a mention that
 * PostgreSQL could not make HOT (a claim, a release, a follow-up: `status` and `owner_id` are
 * indexed) computed the conversation's words again and put every one of them into the GIN
 * index for the new row version, though its text had not changed: about a third of the
 * 11 ms a 200-claim batch spent updating `mentions` (bench/findings/05.md). `mention_words`
 * holds each conversation's words once; triggers write them when a mention is inserted and
 * when an update changes its text or its thread, and nothing else touches them. Existing
 * databases get their words here. The expression must stay exactly that of
 * `kysely-history.ts`' query. Frozen like every migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable("mention_words")
		.addColumn("mention_id", "text", (col) =>
			col.primaryKey().references("mentions.id").onDelete("cascade"),
		)
		.addColumn("words", sql`tsvector`, (col) => col.notNull())
		.execute();
	// 'simple', as before: no stemming or stop words, the same in every language.
	await sql`
		create function mention_words_of(text text, thread jsonb) returns tsvector
		language sql immutable parallel safe
		return to_tsvector('simple'::regconfig, text || ' ' || jsonb_path_query_array(thread, '$[*].text')::text)
	`.execute(db);
	// Inserts in one statement per statement (a chunk of ingest's mentions at once).
	await sql`
		create function mention_words_insert() returns trigger language plpgsql as $$
		begin
			insert into mention_words (mention_id, words)
			select id, mention_words_of(text, thread) from added;
			return null;
		end
		$$
	`.execute(db);
	await sql`
		create trigger mention_words_insert after insert on mentions
		referencing new table as added for each statement
		execute function mention_words_insert()
	`.execute(db);
	// Updates only when the words' sources changed: a claim's update never fires it.
	await sql`
		create function mention_words_update() returns trigger language plpgsql as $$
		begin
			update mention_words set words = mention_words_of(new.text, new.thread)
			where mention_id = new.id;
			return null;
		end
		$$
	`.execute(db);
	await sql`
		create trigger mention_words_update after update of text, thread on mentions
		for each row when (old.text is distinct from new.text or old.thread is distinct from new.thread)
		execute function mention_words_update()
	`.execute(db);
	await sql`
		insert into mention_words (mention_id, words)
		select id, mention_words_of(text, thread) from mentions
	`.execute(db);
	await sql`create index mention_words_search on mention_words using gin (words)`.execute(db);
	await sql`drop index mentions_history_words`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await sql`
		create index mentions_history_words on mentions using gin (
			to_tsvector('simple'::regconfig, text || ' ' || jsonb_path_query_array(thread, '$[*].text')::text)
		)
	`.execute(db);
	await sql`drop trigger mention_words_update on mentions`.execute(db);
	await sql`drop trigger mention_words_insert on mentions`.execute(db);
	await sql`drop function mention_words_update()`.execute(db);
	await sql`drop function mention_words_insert()`.execute(db);
	await db.schema.dropTable("mention_words").execute();
	await sql`drop function mention_words_of(text, jsonb)`.execute(db);
}
