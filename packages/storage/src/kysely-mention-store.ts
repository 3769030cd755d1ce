/**
 * The mention store port on kysely: ingesting mentions and reading them back. Their work
 * state changes only through the command arbiter.
 */
import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import type { NewWebhookEvent } from "./integration-storage.ts";
import { KyselyPort } from "./kysely-port.ts";
import { queueWebhookEvents } from "./kysely-webhook-store.ts";
import { findInOrg } from "./org-rows.ts";
import { iso, json, pastCursor, toStoredMention } from "./rows.ts";
import type { Database } from "./schema.ts";
import type { MentionFilter, MentionStore, NewMention, StoredMention } from "./storage.ts";
import { indexThreadMessages } from "./thread-index.ts";

/** Tuning of the mention store; every field has a default. */
export interface MentionStoreConfiguration {
	/**
	 * Rows per INSERT when ingesting. A statement binds 17 arrays whatever its rows (see
	 * `mentionRows`); its rows come back in one answer, which this keeps small. 1,000 rows
	 * a statement were no faster (bench/findings/06.md "importrate2").
	 * @default 500
	 */
	insertChunk: number;
}

export const defaultMentionStoreConfiguration: MentionStoreConfiguration = {
	insertChunk: 500,
};

/**
 * The columns an ingest writes, each with the type its text is read as (`text` where the
 * column's own): the rows go to PostgreSQL as one array per column and `unnest` makes them
 * rows again, so a chunk is 17 parameters and not 17 per mention. PostgreSQL parsed and
 * planned a `values` list of 500 rows, and kysely built it node by node, for each chunk
 * (the import of 2,000 mentions on its own ~75 ms less, bench/findings/06.md "importrate2").
 * Each value is the text the column's input function reads either way, so the stored rows
 * are the same.
 */
const MENTION_COLUMN_TYPES = {
	id: "text",
	org_id: "text",
	board_id: "text",
	network: "text",
	external_id: "text",
	url: "text",
	author: "jsonb",
	text: "text",
	thread: "jsonb",
	posted_at: "timestamptz",
	ingested_at: "timestamptz",
	language: "text",
	sentiment: "float8",
	priority: "text",
	tags: "jsonb",
	status: "text",
	updated_at: "timestamptz",
} as const satisfies Partial<Record<keyof Database["mentions"], string>>;

type MentionColumn = keyof typeof MENTION_COLUMN_TYPES;
const MENTION_COLUMNS = Object.keys(MENTION_COLUMN_TYPES) as MentionColumn[];

/** `select … from unnest(…)` of `mentions` as rows of the `mentions` table, in order. */
function mentionRows(orgId: string, boardId: string, mentions: readonly NewMention[]) {
	const values: Record<MentionColumn, (string | null)[]> = Object.fromEntries(
		MENTION_COLUMNS.map((column) => [column, []]),
	) as never;
	for (const mention of mentions) {
		const row: Record<MentionColumn, string | null> = {
			id: mention.id ?? randomUUID(),
			org_id: orgId,
			board_id: boardId,
			network: mention.network,
			external_id: mention.externalId,
			url: mention.url,
			author: json(mention.author),
			text: mention.text,
			thread: json(mention.thread),
			posted_at: iso(mention.postedAt),
			ingested_at: iso(mention.ingestedAt),
			language: mention.language,
			// The text both drivers send for a number parameter.
			sentiment: String(mention.sentiment),
			priority: mention.priority ?? "normal",
			tags: json(mention.tags ?? []),
			status: mention.status ?? "new",
			updated_at: iso(mention.ingestedAt),
		};
		for (const column of MENTION_COLUMNS) values[column].push(row[column]);
	}
	const columns = MENTION_COLUMNS.map((column) => sql.ref(column));
	return sql`select ${sql.join(
		MENTION_COLUMNS.map(
			(column) => sql`${sql.ref(column)}::${sql.raw(MENTION_COLUMN_TYPES[column])}`,
		),
	)} from unnest(${sql.join(
		MENTION_COLUMNS.map((column) => sql`${values[column]}::text[]`),
	)}) as rows(${sql.join(columns)})`;
}

export class KyselyMentionStore extends KyselyPort implements MentionStore {
	readonly #config: MentionStoreConfiguration;

	constructor(db: Kysely<Database>, configuration: Partial<MentionStoreConfiguration> = {}) {
		super(db);
		this.#config = { ...defaultMentionStoreConfiguration, ...configuration };
	}

	insertMentions(
		orgId: string,
		boardId: string,
		mentions: NewMention[],
		announce?: (stored: readonly StoredMention[]) => NewWebhookEvent[],
	): Promise<StoredMention[]> {
		if (mentions.length === 0) return Promise.resolve([]);
		return mapConstraintErrors("A mention with that id", () =>
			// One commit for the rows, their thread index and their events: a crash between
			// them would leave a mention no retry announces (it is then seen before).
			this.db.transaction().execute(async (trx) => {
				const inserted: StoredMention[] = [];
				for (let start = 0; start < mentions.length; start += this.#config.insertChunk) {
					const chunk = mentions.slice(start, start + this.#config.insertChunk);
					const rows = await trx
						.insertInto("mentions")
						.columns(MENTION_COLUMNS)
						.expression(mentionRows(orgId, boardId, chunk))
						.onConflict((conflict) =>
							conflict.columns(["org_id", "network", "external_id"]).doNothing(),
						)
						.returningAll()
						.execute();
					inserted.push(...rows.map(toStoredMention));
					await indexThreadMessages(
						trx,
						orgId,
						rows.flatMap((row) =>
							row.thread.map((message) => ({
								network: row.network,
								externalId: message.externalId,
								mentionId: row.id,
							})),
						),
					);
				}
				if (announce && inserted.length > 0) await queueWebhookEvents(trx, announce(inserted));
				return inserted;
			}),
		);
	}

	getMention(orgId: string, mentionId: string): Promise<StoredMention | null> {
		return findInOrg(this.db, "mentions", orgId, mentionId, toStoredMention);
	}

	async listMentions(
		orgId: string,
		boardId: string,
		filter: MentionFilter = {},
	): Promise<StoredMention[]> {
		const statuses =
			filter.status === undefined
				? undefined
				: Array.isArray(filter.status)
					? filter.status
					: [filter.status];
		// `in ()` is not SQL; an empty list matches nothing.
		if (statuses?.length === 0 || filter.ids?.length === 0) return [];
		let query = this.db
			.selectFrom("mentions")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("board_id", "=", boardId);
		if (statuses) query = query.where("status", "in", statuses);
		if (filter.ownerId !== undefined) query = query.where("owner_id", "=", filter.ownerId);
		if (filter.ids) query = query.where("id", "in", filter.ids);
		if (filter.after) query = query.where(pastCursor(">", filter.after));
		if (filter.limit !== undefined) query = query.limit(filter.limit);
		const rows = await query.orderBy("posted_at").orderBy("id").execute();
		return rows.map(toStoredMention);
	}

	async getMentionBoardId(orgId: string, mentionId: string): Promise<string | null> {
		const row = await this.db
			.selectFrom("mentions")
			.select("board_id")
			.where("org_id", "=", orgId)
			.where("id", "=", mentionId)
			.executeTakeFirst();
		return row?.board_id ?? null;
	}
}
