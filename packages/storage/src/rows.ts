/**
 * Conversions between database rows and domain values, both ways. Both drivers are
 * covered here: node-postgres returns `bigint` as a string and `bytea` as a Buffer,
 * PGlite returns a number and a plain Uint8Array. The few values every port's SQL shares
 * (which activity records are claims, what an id looks like) are declared here once.
 */

import type {
	Activity,
	Board,
	CommandName,
	Member,
	Mention,
	MentionWork,
	Network,
	Organisation,
} from "@switchboard/domain";
import type { ExpressionBuilder, Selectable } from "kysely";
import type {
	ActivityTable,
	BoardsTable,
	Database,
	MembersTable,
	MentionsTable,
	OrganisationsTable,
} from "./schema.ts";
import type { MemberWithSecret, StoredMention } from "./storage.ts";

/**
 * Commands whose activity records mean "someone took the conversation": the first one
 * starts the claim SLA, reports count them as claims, webhooks send `mention.claimed`.
 */
export const CLAIM_ACTIONS = ["claim", "claimNext", "assign"] as const satisfies CommandName[];

/** Commands whose activity records mean the conversation was answered. */
export const REPLY_ACTIONS = ["markReplied"] as const satisfies CommandName[];

/** The uuid columns' format; a value that is not one matches no row (and must not reach SQL). */
export function isUuid(value: string): boolean {
	return UUID.test(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value for a `jsonb` column: both drivers take JSON text. */
export function json(value: unknown): string {
	return JSON.stringify(value);
}

/** A value for a nullable `jsonb` column. */
export function jsonOrNull(value: unknown): string | null {
	return value === null ? null : JSON.stringify(value);
}

/** An ISO timestamp in the one form the domain compares as text (UTC, milliseconds). */
export function iso(value: Date | string): string {
	return new Date(value).toISOString();
}

export function isoOrNull(value: Date | string | null): string | null {
	return value === null ? null : iso(value);
}

/** A snake_case column name as the camelCase field name the ports' records use. */
type CamelCase<Name extends string> = Name extends `${infer Head}_${infer Tail}`
	? `${Head}${Capitalize<CamelCase<Tail>>}`
	: Name;

/** A row's columns as record fields: camelCase names, timestamps as ISO text. */
export type RecordFields<Row> = {
	[Column in keyof Row & string as CamelCase<Column>]: Row[Column] extends Date
		? string
		: Row[Column] extends Date | null
			? string | null
			: Row[Column];
};

/**
 * The record a row stands for, when the record is the row renamed: every column of `row`
 * under its camelCase name (`org_id` as `orgId`), timestamps as ISO text (`iso`). Every
 * column is copied: take a secret column out of the row before (`const { sealed_secret:
 * _, ...row } = ...`), as the mappers do.
 */
export function recordOf<Row extends object>(row: Row): RecordFields<Row> {
	const record: Record<string, unknown> = {};
	for (const [column, value] of Object.entries(row)) {
		const field = column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
		record[field] = value instanceof Date ? iso(value) : value;
	}
	return record as RecordFields<Row>;
}

/**
 * A row as PostgreSQL's `to_jsonb` or `row_to_json` gives it, for a statement that returns several kinds of
 * rows as JSON in one round trip: timestamps as ISO text, jsonb columns as their values.
 */
export type JsonRow<Row> = {
	[Column in keyof Row]: Row[Column] extends Date
		? string
		: Row[Column] extends Date | null
			? string | null
			: Row[Column];
};

/** A `bigserial` or `bigint` value as a number; ids stay far below 2^53. */
export function toNumber(value: string | number | bigint): number {
	return Number(value);
}

/** A `bytea` value as a plain Uint8Array view (no copy), whichever driver read it. */
export function toBytes(value: Uint8Array): Uint8Array {
	return value.constructor === Uint8Array
		? value
		: new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * A work state with every timestamp in canonical form, so what a command returns equals
 * what a later read returns (a client may send `+02:00` offsets or no milliseconds).
 */
export function normalizeWork(work: MentionWork): MentionWork {
	return {
		...work,
		owner: work.owner ? { memberId: work.owner.memberId, since: iso(work.owner.since) } : null,
		review: work.review ? { ...work.review, at: iso(work.review.at) } : null,
		reply: work.reply ? { ...work.reply, sentAt: iso(work.reply.sentAt) } : null,
		snoozedUntil: isoOrNull(work.snoozedUntil),
		slaFrom: isoOrNull(work.slaFrom),
		updatedAt: iso(work.updatedAt),
	};
}

export function toOrganisation(row: Selectable<OrganisationsTable>): Organisation {
	return { id: row.id, name: row.name };
}

export function toMember(row: Selectable<MembersTable>): Member {
	return {
		id: row.id,
		orgId: row.org_id,
		email: row.email,
		name: row.name,
		role: row.role,
		capacity: row.capacity,
		skills: row.skills,
		languages: row.languages,
		active: row.active,
	};
}

export function toMemberWithSecret(row: Selectable<MembersTable>): MemberWithSecret {
	return { ...toMember(row), passwordHash: row.password_hash };
}

export function toBoard(row: Selectable<BoardsTable>): Board {
	return {
		id: row.id,
		orgId: row.org_id,
		name: row.name,
		archivedAt: isoOrNull(row.archived_at),
	};
}

export function toMention(
	row: Selectable<MentionsTable> | JsonRow<Selectable<MentionsTable>>,
): Mention {
	return {
		id: row.id,
		network: row.network as Network,
		externalId: row.external_id,
		url: row.url,
		author: row.author,
		text: row.text,
		thread: row.thread,
		postedAt: iso(row.posted_at),
		ingestedAt: iso(row.ingested_at),
		language: row.language,
		sentiment: row.sentiment,
		status: row.status,
		priority: row.priority,
		tags: row.tags,
		owner:
			row.owner_id !== null && row.owner_since !== null
				? { memberId: row.owner_id, since: iso(row.owner_since) }
				: null,
		review: row.review,
		reply: row.reply,
		snoozedUntil: isoOrNull(row.snoozed_until),
		approvalRequired: row.approval_required,
		unseenFollowUps: row.unseen_follow_ups,
		slaFrom: isoOrNull(row.sla_from),
		updatedAt: iso(row.updated_at),
	};
}

export function toStoredMention(
	row: Selectable<MentionsTable> | JsonRow<Selectable<MentionsTable>>,
): StoredMention {
	return { mention: toMention(row), rev: row.rev };
}

export function toActivity(row: Selectable<ActivityTable>): Activity {
	return {
		id: String(row.id),
		orgId: row.org_id,
		mentionId: row.mention_id,
		actorId: row.actor_id,
		action: row.action,
		commandId: row.command_id,
		fromStatus: row.from_status,
		toStatus: row.to_status,
		detail: row.detail,
		at: iso(row.at),
	};
}

/**
 * Keyset paging over mentions in (posted_at, id) order: the mentions past `cursor`, after it
 * (`">"`, for a list kept oldest first) or before it (`"<"`, newest first). Ties on the time
 * are broken by id, so a page never repeats or skips a mention.
 */
export function pastCursor(direction: ">" | "<", cursor: { postedAt: string; id: string }) {
	const postedAt = new Date(cursor.postedAt);
	return (eb: ExpressionBuilder<Database, "mentions">) =>
		eb.or([
			eb("posted_at", direction, postedAt),
			eb.and([eb("posted_at", "=", postedAt), eb("id", direction, cursor.id)]),
		]);
}
