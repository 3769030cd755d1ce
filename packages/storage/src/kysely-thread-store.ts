/**
 * The thread store port on kysely: which conversation a message belongs to, and messages
 * joining a conversation's thread. A follow-up changes the work state through the same
 * recording as a command (`recordWork`: revision, ownership history, one activity record),
 * with the same lock order: the owner first, then the conversation.
 */
import {
	applyFollowUps,
	batchKey,
	isFollowUp,
	mergeThread,
	SystemActions,
	threadMessageKey,
} from "@switchboard/domain";
import { type Kysely, sql, type Transaction } from "kysely";
import { retryTransaction } from "./database-errors.ts";
import { openOwnedCounts, recordWork } from "./kysely-command-arbiter.ts";
import { TunedKyselyPort } from "./kysely-port.ts";
import type { StorageLogger } from "./logger.ts";
import { json, toMember, toStoredMention } from "./rows.ts";
import type { Database } from "./schema.ts";
import type {
	AppendToThreadInput,
	ConversationRef,
	MessageRef,
	StoredMention,
	ThreadAppend,
	ThreadStore,
} from "./storage.ts";
import { indexThreadMessages } from "./thread-index.ts";

/** Tuning of the thread store; every field has a default. */
export interface ThreadStoreConfiguration {
	/**
	 * How often an append runs in all when PostgreSQL answers with a deadlock or a
	 * serialization failure, or the owner changed between the look and the lock.
	 * @default 3
	 */
	maxAttempts: number;
}

export const defaultThreadStoreConfiguration: ThreadStoreConfiguration = { maxAttempts: 3 };

/** The owner changed between reading it and locking the conversation: run again. */
class OwnerMoved extends Error {}

export class KyselyThreadStore
	extends TunedKyselyPort<ThreadStoreConfiguration>
	implements ThreadStore
{
	constructor(
		db: Kysely<Database>,
		logger: StorageLogger,
		configuration: Partial<ThreadStoreConfiguration> = {},
	) {
		super(db, logger, defaultThreadStoreConfiguration, configuration);
	}

	async findConversations(
		orgId: string,
		refs: readonly MessageRef[],
	): Promise<Map<string, ConversationRef>> {
		const found = new Map<string, ConversationRef>();
		if (refs.length === 0) return found;
		const byNetwork = new Map<string, string[]>();
		for (const ref of refs) {
			const ids = byNetwork.get(ref.network) ?? [];
			ids.push(ref.externalId);
			byNetwork.set(ref.network, ids);
		}
		for (const [network, ids] of byNetwork) {
			// One statement, and one lookup by the whole unique key per id, whatever the
			// statistics: with `external_id in (…)` PostgreSQL without statistics on the
			// mentions (never analysed: autovacuum off, or not yet) scanned the organisation's
			// every mention for the list (16 ms for 100 ids among 40,000, most of an ingest pass).
			// The ids go as one array parameter: a `values` list of an import's 1,000 ids was
			// 1,000 parameters for kysely to build and PostgreSQL to parse and plan.
			const wanted = [...new Set(ids)];
			const { rows } = await sql<{
				external_id: string;
				id: string;
				board_id: string;
				own: boolean;
			}>`
				with wanted (external_id) as (select unnest(${wanted}::text[]))
				select w.external_id, m.id, m.board_id, true as own
				from wanted w cross join lateral (
					select id, board_id from mentions
					where org_id = ${orgId} and network = ${network} and external_id = w.external_id
					limit 1
				) m
				union all
				select w.external_id, m.id, m.board_id, false
				from wanted w cross join lateral (
					select m.id, m.board_id from thread_messages t
					join mentions m on m.id = t.mention_id
					where t.org_id = ${orgId} and t.network = ${network} and t.external_id = w.external_id
					limit 1
				) m
			`.execute(this.db);
			// A mention's own id wins over a thread that quotes it.
			for (const row of rows) {
				const key = batchKey(network, row.external_id);
				if (row.own || !found.has(key))
					found.set(key, { mentionId: row.id, boardId: row.board_id });
			}
		}
		return found;
	}

	async appendToThread(input: AppendToThreadInput): Promise<ThreadAppend | null> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await retryTransaction(
					() => this.db.transaction().execute((trx) => this.#append(trx, input)),
					this.config.maxAttempts,
					(error, tries) =>
						this.logger.warn(
							{
								mentionId: input.mentionId,
								attempt: tries,
								code: (error as { code?: unknown }).code,
							},
							"thread append conflicted; running it again",
						),
				);
			} catch (error) {
				if (!(error instanceof OwnerMoved) || attempt >= this.config.maxAttempts) throw error;
			}
		}
	}

	async markFollowUpsSeen(
		orgId: string,
		mentionId: string,
		memberId: string,
	): Promise<{ stored: StoredMention; boardId: string } | null> {
		const row = await this.db
			.updateTable("mentions")
			.set((eb) => ({ unseen_follow_ups: 0, rev: eb("rev", "+", 1) }))
			.where("org_id", "=", orgId)
			.where("id", "=", mentionId)
			.where("owner_id", "=", memberId)
			.where("unseen_follow_ups", ">", 0)
			.returningAll()
			.executeTakeFirst();
		return row ? { stored: toStoredMention(row), boardId: row.board_id } : null;
	}

	async #append(
		trx: Transaction<Database>,
		input: AppendToThreadInput,
	): Promise<ThreadAppend | null> {
		const { orgId, mentionId, now } = input;
		// Lock order as for commands: the owner (whose capacity a reopening uses), then the
		// conversation; an owner that changed in between means running again.
		const look = await trx
			.selectFrom("mentions")
			.select("owner_id")
			.where("org_id", "=", orgId)
			.where("id", "=", mentionId)
			.executeTakeFirst();
		if (!look) return null;
		const ownerRow = look.owner_id
			? await trx
					.selectFrom("members")
					.selectAll()
					.where("org_id", "=", orgId)
					.where("id", "=", look.owner_id)
					.forNoKeyUpdate()
					.executeTakeFirst()
			: undefined;
		const row = await trx
			.selectFrom("mentions")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("id", "=", mentionId)
			.forNoKeyUpdate()
			.executeTakeFirstOrThrow();
		if (row.owner_id !== look.owner_id) throw new OwnerMoved();
		const before = toStoredMention(row);
		const mention = before.mention;
		const result = (stored: StoredMention, added: ThreadAppend["added"]): ThreadAppend => ({
			stored,
			boardId: row.board_id,
			added,
			followUps: 0,
			reopened: false,
			notify: null,
		});

		// Every message with an id becomes findable here, those the thread had too: an index
		// lost to a crash between ingest and indexing heals on the next delivery.
		await indexThreadMessages(
			trx,
			orgId,
			input.messages
				.filter((message) => message.externalId !== mention.externalId)
				.map((message) => ({
					network: mention.network,
					externalId: message.externalId,
					mentionId,
				})),
		);
		const { thread, added } = mergeThread(mention, input.messages);
		if (added.length === 0) return result(before, added);

		await trx
			.updateTable("mentions")
			.set({ thread: json(thread) })
			.where("id", "=", mentionId)
			.execute();
		const followUps = added.filter((message) => isFollowUp(message, mention)).length;
		if (followUps === 0) {
			// Context or the organisation's own words: the thread grows, the work stays.
			const updated = await trx
				.updateTable("mentions")
				.set((eb) => ({ rev: eb("rev", "+", 1) }))
				.where("id", "=", mentionId)
				.returningAll()
				.executeTakeFirstOrThrow();
			return result(toStoredMention(updated), added);
		}

		const owner = ownerRow ? toMember(ownerRow) : undefined;
		const counts = await openOwnedCounts(trx, owner ? [owner.id] : []);
		const outcome = applyFollowUps(mention, followUps, {
			now,
			owner,
			ownerOpenCount: owner ? (counts.get(owner.id) ?? 0) : 0,
		});
		const { work, rev } = await recordWork(trx, {
			orgId,
			decision: {
				mentionId,
				work: outcome.work,
				activity: { fromStatus: outcome.fromStatus, toStatus: outcome.toStatus },
			},
			ownerBefore: mention.owner?.memberId ?? null,
			actorId: null,
			commandId: null,
			action: SystemActions.followUp,
			detail: {
				...outcome.detail,
				messages: added.filter((m) => isFollowUp(m, mention)).map(threadMessageKey),
			},
			now,
		});
		return {
			stored: { mention: { ...mention, thread, ...work }, rev },
			boardId: row.board_id,
			added,
			followUps,
			reopened: outcome.reopened,
			notify: outcome.notify,
		};
	}
}
