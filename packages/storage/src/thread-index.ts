/**
 * The thread message index (`thread_messages`): which conversation a message with an
 * external id belongs to. Written by ingest (the threads mentions arrive with) and by
 * follow-ups, read when a follow-up names its parent.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** Messages per INSERT: 4 parameters each, far below PostgreSQL's 65,535. */
const INDEX_CHUNK = 1000;

/**
 * Index thread messages by (organisation, network, external id). A message without an id
 * is left out; one already indexed keeps its conversation (the first one that had it).
 */
export async function indexThreadMessages(
	db: Kysely<Database>,
	orgId: string,
	messages: readonly { network: string; externalId: string | undefined; mentionId: string }[],
): Promise<void> {
	const rows = messages
		.filter((message) => message.externalId)
		.map((message) => ({
			org_id: orgId,
			network: message.network,
			external_id: message.externalId ?? "",
			mention_id: message.mentionId,
		}));
	for (let start = 0; start < rows.length; start += INDEX_CHUNK) {
		await db
			.insertInto("thread_messages")
			.values(rows.slice(start, start + INDEX_CHUNK))
			.onConflict((conflict) => conflict.doNothing())
			.execute();
	}
}
