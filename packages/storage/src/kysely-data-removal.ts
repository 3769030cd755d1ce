/** The data-removal port on kysely (see `removal-storage.ts`). */
import {
	DONE_STATUSES,
	draftDocumentName,
	type Network,
	type ThreadMessage,
} from "@switchboard/domain";
import { sql, type Transaction } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import { findOne } from "./org-rows.ts";
import {
	type AuthorErasure,
	type DataRemoval,
	noRemovalCounts,
	type Removal,
	type RemovalCounts,
	type RetentionSettings,
} from "./removal-storage.ts";
import { json, toStoredMention } from "./rows.ts";
import type { Database } from "./schema.ts";
import type { ConversationRef } from "./storage.ts";

/** Ids per DELETE: far below PostgreSQL's 65,535 parameters. */
const CHUNK = 500;

/** As history search compares handles (kysely-history.ts). */
const authorHandle = sql<string>`lower(ltrim(author->>'handle', '@'))`;
const handleKey = (handle: string) => handle.trim().replace(/^@/, "").toLowerCase();

/** A message of the author's, not the organisation's own answer quoting the same handle. */
const byAuthor = (message: ThreadMessage, key: string) =>
	!message.fromOrganisation && handleKey(message.handle) === key;

function chunks<T>(items: readonly T[]): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
	return out;
}

/** The tables whose rows belong to an organisation. */
type OrgOwnedTable = {
	[Table in keyof Database]: Database[Table] extends { org_id: string } ? Table : never;
}[keyof Database];

/** Deletes the rows of `table` in `orgId` whose `column` is one of `values`; how many. */
async function deleteWhereIn(
	trx: Transaction<Database>,
	table: OrgOwnedTable,
	orgId: string,
	column: string,
	values: readonly string[],
): Promise<number> {
	const result = await trx
		.deleteFrom(table)
		.where("org_id", "=", orgId)
		.where(sql.ref(column), "in", values)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

/** Delete these conversations of `orgId` and everything that hangs off them, inside `trx`. */
async function deleteConversations(
	trx: Transaction<Database>,
	orgId: string,
	conversations: readonly { id: string }[],
): Promise<RemovalCounts> {
	const counts = noRemovalCounts();
	if (conversations.length === 0) return counts;
	const ids = conversations.map((conversation) => conversation.id);
	// The one DELETE the activity log lets through (migration 2026-12-03T05-00-00-data-removal).
	await sql`select set_config('switchboard.removal', 'conversation', true)`.execute(trx);
	for (const part of chunks(ids)) {
		const names = part.map((id) => draftDocumentName(orgId, id));
		const [thread] = await trx
			.selectFrom("mentions")
			.select(sql<string | number>`coalesce(sum(jsonb_array_length(thread)), 0)`.as("messages"))
			.where("org_id", "=", orgId)
			.where("id", "in", part)
			.execute();
		counts.threadMessages += Number(thread?.messages ?? 0);
		const updates = await trx
			.deleteFrom("document_updates")
			.where("name", "in", names)
			.returning("name")
			.execute();
		const snapshots = await trx
			.deleteFrom("document_snapshots")
			.where("name", "in", names)
			.returning("name")
			.execute();
		counts.draftUpdates += updates.length;
		counts.drafts += new Set([...updates, ...snapshots].map((row) => row.name)).size;
		counts.notifications += await deleteWhereIn(trx, "notifications", orgId, "mention_id", part);
		await deleteWhereIn(trx, "reply_sends", orgId, "mention_id", part);
		// Queued or delivered, a delivery about the conversation carries its content.
		await trx
			.deleteFrom("webhook_deliveries")
			.where("org_id", "=", orgId)
			.where(sql<string>`payload->>'mentionId'`, "in", part)
			.execute();
		await trx.deleteFrom("ownerships").where("mention_id", "in", part).execute();
		const activity = await trx
			.deleteFrom("activity")
			.where("mention_id", "in", part)
			.executeTakeFirst();
		counts.activity += Number(activity.numDeletedRows);
		// thread_messages go with their mention (on delete cascade).
		counts.conversations += await deleteWhereIn(trx, "mentions", orgId, "id", part);
	}
	return counts;
}

export class KyselyDataRemoval extends KyselyPort implements DataRemoval {
	async getRetention(orgId: string): Promise<RetentionSettings> {
		const finishedDays = await findOne(
			this.db,
			"retention_settings",
			"org_id",
			orgId,
			(row) => row.finished_days,
		);
		return { finishedDays };
	}

	async setRetention(orgId: string, settings: RetentionSettings): Promise<RetentionSettings> {
		const row = await this.db
			.insertInto("retention_settings")
			.values({ org_id: orgId, finished_days: settings.finishedDays })
			.onConflict((oc) =>
				oc
					.column("org_id")
					.doUpdateSet({ finished_days: settings.finishedDays, updated_at: sql`now()` }),
			)
			.returning("finished_days")
			.executeTakeFirstOrThrow();
		return { finishedDays: row.finished_days };
	}

	async listRetentions() {
		const rows = await this.db
			.selectFrom("retention_settings")
			.select(["org_id", "finished_days"])
			.where("finished_days", "is not", null)
			.orderBy("org_id")
			.execute();
		return rows.map((row) => ({ orgId: row.org_id, finishedDays: row.finished_days ?? 0 }));
	}

	deleteFinishedBefore(orgId: string, finishedBefore: string, limit: number): Promise<Removal> {
		return this.db.transaction().execute(async (trx) => {
			// Locked as they are chosen, and chosen only while still finished and old: a command
			// reopening one holds its row (skipped here) or has already changed it (not chosen).
			const rows = await trx
				.selectFrom("mentions")
				.select(["id", "board_id"])
				.where("org_id", "=", orgId)
				.where("status", "in", [...DONE_STATUSES])
				.where("updated_at", "<", new Date(finishedBefore))
				.orderBy("updated_at")
				.orderBy("id")
				.limit(limit)
				.forUpdate()
				.skipLocked()
				.execute();
			const counts = await deleteConversations(trx, orgId, rows);
			return { deleted: rows.map(toRef), counts };
		});
	}

	eraseAuthor(
		orgId: string,
		network: Network,
		handle: string,
		now: string,
	): Promise<AuthorErasure> {
		const key = handleKey(handle);
		return this.db.transaction().execute(async (trx) => {
			const own = await trx
				.selectFrom("mentions")
				.select(["id", "board_id"])
				.where("org_id", "=", orgId)
				.where("network", "=", network)
				.where(authorHandle, "=", key)
				.forUpdate()
				.execute();
			const counts = await deleteConversations(trx, orgId, own);
			const quoted = await trx
				.selectFrom("mentions")
				.selectAll()
				.where("org_id", "=", orgId)
				.where("network", "=", network)
				.where(
					sql<boolean>`exists (select 1 from jsonb_array_elements(thread) as t(message)
						where lower(ltrim(t.message->>'handle', '@')) = ${key})`,
				)
				.forUpdate()
				.execute();
			const edited: AuthorErasure["edited"] = [];
			for (const row of quoted) {
				const removed = row.thread.filter((message) => byAuthor(message, key));
				if (removed.length === 0) continue;
				const externalIds = removed.flatMap((message) =>
					message.externalId ? [message.externalId] : [],
				);
				if (externalIds.length > 0) {
					await trx
						.deleteFrom("thread_messages")
						.where("org_id", "=", orgId)
						.where("network", "=", network)
						.where("external_id", "in", externalIds)
						.execute();
				}
				const updated = await trx
					.updateTable("mentions")
					.set({
						thread: json(row.thread.filter((message) => !byAuthor(message, key))),
						rev: sql`rev + 1`,
						updated_at: now,
					})
					.where("id", "=", row.id)
					.returningAll()
					.executeTakeFirstOrThrow();
				counts.threadMessages += removed.length;
				edited.push({ ...toStoredMention(updated), boardId: updated.board_id });
			}
			return { deleted: own.map(toRef), edited, counts };
		});
	}

	async deleteOrphanDrafts(orgId: string, mentionIds?: readonly string[]): Promise<number> {
		const ids = mentionIds ?? (await this.#storedDraftIds(orgId));
		let removed = 0;
		for (const part of chunks(ids)) {
			const alive = new Set(
				(
					await this.db
						.selectFrom("mentions")
						.select("id")
						.where("org_id", "=", orgId)
						.where("id", "in", part)
						.execute()
				).map((row) => row.id),
			);
			const names = part.filter((id) => !alive.has(id)).map((id) => draftDocumentName(orgId, id));
			if (names.length === 0) continue;
			const gone = await this.db
				.transaction()
				.execute(async (trx) => [
					...(await trx
						.deleteFrom("document_updates")
						.where("name", "in", names)
						.returning("name")
						.execute()),
					...(await trx
						.deleteFrom("document_snapshots")
						.where("name", "in", names)
						.returning("name")
						.execute()),
				]);
			removed += new Set(gone.map((row) => row.name)).size;
		}
		return removed;
	}

	/**
	 * The conversation ids of every draft of the organisation with anything stored. Compared
	 * by prefix with `left`, not LIKE: an organisation id may hold `_` or `%`, which LIKE would
	 * read as wildcards matching another organisation's documents.
	 */
	async #storedDraftIds(orgId: string): Promise<string[]> {
		const prefix = draftDocumentName(orgId, "");
		const ofPrefix = sql<string>`left(name, ${prefix.length})`;
		const rows = await this.db
			.selectFrom("document_snapshots")
			.select("name")
			.where(ofPrefix, "=", prefix)
			.union(this.db.selectFrom("document_updates").select("name").where(ofPrefix, "=", prefix))
			.execute();
		return rows.map((row) => row.name.slice(prefix.length)).filter((id) => id.length > 0);
	}
}

function toRef(row: { id: string; board_id: string }): ConversationRef {
	return { mentionId: row.id, boardId: row.board_id };
}
