/**
 * The thread message index (`thread_messages`): which conversation a message with an
 * external id belongs to. Written by ingest (the threads mentions arrive with) and by
 * follow-ups, read when a follow-up names its parent.
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "./schema.ts";

/** A thread message to index: its network and external id, and its conversation. */
export interface IndexedMessage {
	network: string;
	externalId: string | undefined;
	mentionId: string;
}

/**
 * The statement that indexes thread messages by (organisation, network, external id), as
 * three arrays whatever their number. A message without an id is left out; one already
 * indexed keeps its conversation (the first one that had it). With `onlyFor` (a query of
 * `id`s: the mention store's rows just inserted, in the same statement), only the messages
 * of those conversations.
 */
export function threadIndexInsert(
	orgId: string,
	messages: readonly IndexedMessage[],
	onlyFor?: RawBuilder<unknown>,
): RawBuilder<unknown> {
	const kept = messages.filter((message) => message.externalId);
	return sql`
		insert into thread_messages (org_id, network, external_id, mention_id)
		select ${orgId}, t.network, t.external_id, t.mention_id
		from unnest(
			${kept.map((message) => message.network)}::text[],
			${kept.map((message) => message.externalId)}::text[],
			${kept.map((message) => message.mentionId)}::text[]
		) as t(network, external_id, mention_id)
		${onlyFor ? sql`where t.mention_id in (${onlyFor})` : sql``}
		on conflict do nothing
	`;
}

/** Index thread messages (see {@link threadIndexInsert}). */
export async function indexThreadMessages(
	db: Kysely<Database>,
	orgId: string,
	messages: readonly IndexedMessage[],
): Promise<void> {
	if (!messages.some((message) => message.externalId)) return;
	await threadIndexInsert(orgId, messages).execute(db);
}
