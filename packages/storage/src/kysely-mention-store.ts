/**
 * The mention store port on kysely: ingesting mentions and reading them back. Their work
 * state changes only through the command arbiter.
 */
import { randomUUID } from "node:crypto";
import { type Kysely, type Selectable, sql } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import type { NewWebhookEvent } from "./integration-storage.ts";
import { KyselyPort } from "./kysely-port.ts";
import { webhookDeliveriesInsert } from "./kysely-webhook-store.ts";
import { findInOrg } from "./org-rows.ts";
import { iso, json, pastCursor, toStoredMention } from "./rows.ts";
import type { Database, MentionsTable } from "./schema.ts";
import type {
	MentionAsSent,
	MentionFilter,
	MentionStore,
	NewMention,
	StoredMention,
} from "./storage.ts";
import { type IndexedMessage, threadIndexInsert } from "./thread-index.ts";

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

/** A mention's row as an ingest sends it: each column's value as the text PostgreSQL reads. */
type SentRow = Record<MentionColumn, string | null> & { id: string };

/**
 * The columns of a new row that PostgreSQL decides (its defaults), read back after an
 * insert; every other column holds what was sent. Reading back whole rows had the driver
 * decode each row's text, author and thread again: with PGlite the larger part of an
 * insert's time in JavaScript (bench/findings/06.md "returning").
 */
const DECIDED_COLUMNS = [
	"id",
	"owner_id",
	"owner_since",
	"review",
	"reply",
	"snoozed_until",
	"approval_required",
	"unseen_follow_ups",
	"sla_from",
	"rev",
] as const satisfies readonly Exclude<keyof Database["mentions"], Exclude<MentionColumn, "id">>[];

type DecidedRow = Pick<Selectable<Database["mentions"]>, (typeof DECIDED_COLUMNS)[number]>;

/** The stored mention of a row this process sent and PostgreSQL inserted. */
function storedAsSent(sent: SentRow, decided: DecidedRow): StoredMention {
	return toStoredMention({
		...decided,
		org_id: sent.org_id as string,
		board_id: sent.board_id as string,
		network: sent.network as string,
		external_id: sent.external_id as string,
		url: sent.url,
		author: JSON.parse(sent.author as string),
		text: sent.text as string,
		thread: JSON.parse(sent.thread as string),
		posted_at: new Date(sent.posted_at as string),
		ingested_at: new Date(sent.ingested_at as string),
		language: sent.language,
		sentiment: Number(sent.sentiment),
		priority: sent.priority as MentionsTable["priority"],
		tags: JSON.parse(sent.tags as string),
		status: sent.status as MentionsTable["status"],
		updated_at: new Date(sent.updated_at as string),
	});
}

/** A row as sent, as `announce` is told of it: the mention it will be if it is new. */
function asSent(row: SentRow, mention: NewMention): MentionAsSent {
	return {
		id: row.id,
		network: mention.network,
		externalId: mention.externalId,
		url: row.url,
		author: mention.author,
		text: mention.text,
		thread: mention.thread,
		postedAt: row.posted_at as string,
		ingestedAt: row.ingested_at as string,
		language: row.language,
		sentiment: mention.sentiment,
		priority: row.priority as MentionAsSent["priority"],
		tags: mention.tags ?? [],
		status: row.status as MentionAsSent["status"],
	};
}

/**
 * `select … from unnest(…)` of `mentions` as rows of the `mentions` table, in order, the
 * list of their columns, and each row as sent with its mention, by its id.
 */
function mentionRows(orgId: string, boardId: string, mentions: readonly NewMention[]) {
	const values: Record<MentionColumn, (string | null)[]> = Object.fromEntries(
		MENTION_COLUMNS.map((column) => [column, []]),
	) as never;
	const sent = new Map<string, { row: SentRow; mention: NewMention }>();
	for (const mention of mentions) {
		const row: SentRow = {
			id: mention.id ?? randomUUID(),
			org_id: orgId,
			board_id: boardId,
			network: mention.network,
			external_id: mention.externalId,
			url: mention.url ?? null,
			author: json(mention.author),
			text: mention.text,
			thread: json(mention.thread),
			posted_at: iso(mention.postedAt),
			ingested_at: iso(mention.ingestedAt),
			language: mention.language ?? null,
			// The text both drivers send for a number parameter.
			sentiment: String(mention.sentiment),
			priority: mention.priority ?? "normal",
			tags: json(mention.tags ?? []),
			status: mention.status ?? "new",
			updated_at: iso(mention.ingestedAt),
		};
		sent.set(row.id, { row, mention });
		for (const column of MENTION_COLUMNS) values[column].push(row[column]);
	}
	const columns = sql.join(MENTION_COLUMNS.map((column) => sql.ref(column)));
	const select = sql`select ${sql.join(
		MENTION_COLUMNS.map(
			(column) => sql`${sql.ref(column)}::${sql.raw(MENTION_COLUMN_TYPES[column])}`,
		),
	)} from unnest(${sql.join(
		MENTION_COLUMNS.map((column) => sql`${values[column]}::text[]`),
	)}) as rows(${columns})`;
	return { select, columns, sent };
}

/**
 * Insert one chunk of mentions, with the thread index and the webhook events of those that
 * are new, in one statement: its data-modifying parts see the same new rows, and it commits
 * (or fails) as one. One round trip where a transaction of its own took four (begin, rows,
 * events, commit; bench/findings/06.md, ninth stop).
 */
async function insertChunkOf(
	db: Kysely<Database>,
	orgId: string,
	boardId: string,
	chunk: readonly NewMention[],
	announce: ((mention: MentionAsSent) => NewWebhookEvent[]) | undefined,
): Promise<StoredMention[]> {
	const { select, columns, sent } = mentionRows(orgId, boardId, chunk);
	const messages: IndexedMessage[] = [];
	const events: (NewWebhookEvent & { about: string })[] = [];
	for (const { row, mention } of sent.values()) {
		for (const message of mention.thread) {
			messages.push({
				network: mention.network,
				externalId: message.externalId,
				mentionId: row.id,
			});
		}
		if (!announce) continue;
		for (const event of announce(asSent(row, mention))) events.push({ ...event, about: row.id });
	}
	const inserted = sql`select id from inserted`;
	const parts = [
		sql`inserted as (
			insert into mentions (${columns})
			${select}
			on conflict (org_id, network, external_id) do nothing
			returning ${sql.join(DECIDED_COLUMNS.map((column) => sql.ref(column)))}
		)`,
	];
	if (messages.some((message) => message.externalId)) {
		parts.push(sql`indexed as (${threadIndexInsert(orgId, messages, inserted)})`);
	}
	if (events.length > 0) {
		parts.push(sql`queued as (${webhookDeliveriesInsert(events, inserted)})`);
	}
	const { rows } = await sql<DecidedRow>`
		with ${sql.join(parts)}
		select * from inserted
	`.execute(db);
	const decided = new Map(rows.map((row) => [row.id, row]));
	const stored: StoredMention[] = [];
	for (const [id, { row }] of sent) {
		const fresh = decided.get(id);
		if (fresh) stored.push(storedAsSent(row, fresh));
	}
	return stored;
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
		announce?: (mention: MentionAsSent) => NewWebhookEvent[],
	): Promise<StoredMention[]> {
		if (mentions.length === 0) return Promise.resolve([]);
		const { insertChunk } = this.#config;
		return mapConstraintErrors("A mention with that id", async () => {
			// One commit for the rows, their thread index and their events (a chunk's statement,
			// or a transaction over the chunks): a crash between them would leave a mention no
			// retry announces (it is then seen before).
			if (mentions.length <= insertChunk) {
				return insertChunkOf(this.db, orgId, boardId, mentions, announce);
			}
			return this.db.transaction().execute(async (trx) => {
				const inserted: StoredMention[] = [];
				for (let start = 0; start < mentions.length; start += insertChunk) {
					const chunk = mentions.slice(start, start + insertChunk);
					inserted.push(...(await insertChunkOf(trx, orgId, boardId, chunk, announce)));
				}
				return inserted;
			});
		});
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
