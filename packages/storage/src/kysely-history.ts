/**
 * The history port on kysely: search over every conversation of an organisation.
 * Words go through PostgreSQL full-text search over `mention_words` (GIN index, PGlite has
 * it too; kept by triggers, 2026-12-03T06-00-00-history-words), the author through an index
 * on the lower-cased handle, whose expression is that of the 2026-12-02T10-00-00-history-search
 * migration, or the planner would not use the index.
 */
import { sql } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import { pastCursor, toStoredMention } from "./rows.ts";
import type { History, HistoryQuery, StoredMention } from "./storage.ts";

const authorHandle = sql<string>`lower(ltrim(author->>'handle', '@'))`;

export class KyselyHistory extends KyselyPort implements History {
	async searchHistory(orgId: string, query: HistoryQuery): Promise<StoredMention[]> {
		if (query.status?.length === 0) return [];
		let select = this.db.selectFrom("mentions").selectAll().where("org_id", "=", orgId);
		const text = query.text?.trim();
		if (text) {
			// The words of a conversation: the mention's text and its thread's messages.
			select = select.where(
				sql<boolean>`exists (select 1 from mention_words w where w.mention_id = mentions.id
					and w.words @@ websearch_to_tsquery('simple', ${text}))`,
			);
		}
		if (query.author) {
			const handle = query.author.handle.replace(/^@/, "").toLowerCase();
			select = select.where(authorHandle, "=", handle);
			if (query.author.network) select = select.where("network", "=", query.author.network);
		}
		if (query.tag) select = select.where(sql<boolean>`tags ? ${query.tag}`);
		if (query.ownerId) {
			const ownerId = query.ownerId;
			select = select.where((eb) =>
				eb.exists(
					eb
						.selectFrom("ownerships")
						.select("ownerships.id")
						.whereRef("ownerships.mention_id", "=", "mentions.id")
						.where("ownerships.member_id", "=", ownerId),
				),
			);
		}
		if (query.from) select = select.where("posted_at", ">=", new Date(query.from));
		if (query.to) select = select.where("posted_at", "<", new Date(query.to));
		if (query.status) select = select.where("status", "in", query.status);
		if (query.boardIds) {
			// An empty list matches nothing (`in ()` is not SQL).
			select =
				query.boardIds.length > 0
					? select.where("board_id", "in", [...query.boardIds])
					: select.where(sql<boolean>`false`);
		}
		if (query.before) select = select.where(pastCursor("<", query.before));
		const rows = await select
			.orderBy("posted_at", "desc")
			.orderBy("id", "desc")
			.limit(query.limit)
			.execute();
		return rows.map(toStoredMention);
	}
}
