/**
 * The database as kysely sees it: one interface per table, columns typed as the drivers
 * return them. Timestamps come back as `Date`; `bigserial` ids come back as a string from
 * node-postgres and as a number from PGlite, so they are typed as either and converted at
 * the edge (`rows.ts`). JSON columns are written as JSON text, because node-postgres would
 * turn a JS array into a PostgreSQL array literal rather than JSON.
 */
import type {
	Author,
	MentionStatus,
	Priority,
	Reply,
	Review,
	Role,
	ThreadMessage,
} from "@switchboard/domain";
import type { ColumnType, Generated } from "kysely";
import type { AuditTables } from "./audit-schema.ts";
import type { CoverageTables } from "./coverage-schema.ts";
import type { IntegrationTables } from "./integration-schema.ts";
import type { NotificationTables } from "./notification-schema.ts";
import type { PeopleTables } from "./people-schema.ts";
import type { SessionTables } from "./session-schema.ts";
import type { SsoTables } from "./sso-schema.ts";

/** The rate-limit counters (migration 2026-12-02T03-00-00-rate-limits), rate-limiter-flexible's shape. */
export interface RateLimitsTable {
	key: string;
	points: ColumnType<number, number | undefined, number>;
	/** When the window ends, in ms since the epoch; null for a key without expiry. */
	expire: ColumnType<string | number | null, number | null, number | null>;
}

import type { CommandOutcome } from "./storage.ts";

/** A `timestamptz`: read as a Date, written as a Date or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A nullable `timestamptz`. */
export type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** A `timestamptz` with a database default. */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `jsonb` column: parsed on read, written as JSON text. */
export type Json<T> = ColumnType<T, string, string>;
/** A nullable `jsonb` column; SQL NULL stands for the domain's `null`. */
export type NullableJson<T> = ColumnType<T | null, string | null, string | null>;
/** A `bigserial` id: assigned by the database, never written. */
export type BigSerial = ColumnType<string | number, never, never>;
/** A `bytea` column. node-postgres returns a Buffer, which is a Uint8Array. */
export type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface OrganisationsTable {
	id: string;
	name: string;
	created_at: DefaultTimestamp;
}

export interface MembersTable {
	id: string;
	org_id: string;
	/** Stored lower-case; unique across organisations because sign-in is by email. */
	email: string;
	name: string;
	role: Role;
	capacity: number;
	skills: Json<string[]>;
	languages: Json<string[]>;
	active: Generated<boolean>;
	password_hash: string;
	created_at: DefaultTimestamp;
}

export interface BoardsTable {
	id: string;
	org_id: string;
	name: string;
	created_at: DefaultTimestamp;
	/** Set when an admin archived the board (migration 2026-12-03T01-00-00-boards). */
	archived_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface MentionsTable {
	id: string;
	org_id: string;
	board_id: string;
	network: string;
	external_id: string;
	url: string | null;
	author: Json<Author>;
	text: string;
	thread: Json<ThreadMessage[]>;
	posted_at: Timestamp;
	ingested_at: Timestamp;
	language: string | null;
	sentiment: number;
	priority: Priority;
	tags: Json<string[]>;
	status: MentionStatus;
	owner_id: string | null;
	owner_since: NullableTimestamp;
	review: NullableJson<Review>;
	reply: NullableJson<Reply>;
	snoozed_until: NullableTimestamp;
	/** Once an approval rule matched, true for good (see the domain's approval.ts). */
	approval_required: Generated<boolean>;
	/** Follow-ups the owner has not opened the conversation since (the domain's thread.ts). */
	unseen_follow_ups: Generated<number>;
	/** When the current service-level round began, when a follow-up reopened it; else null. */
	sla_from: NullableTimestamp;
	updated_at: Timestamp;
	rev: Generated<number>;
}

/**
 * Every message of a conversation's thread that has an external id, so a follow-up that
 * names it (`inReplyTo`) finds the conversation, and the same message is stored once.
 */
export interface ThreadMessagesTable {
	org_id: string;
	network: string;
	external_id: string;
	mention_id: string;
}

/** Ownership history; the row with `until` null is the current owner (at most one). */
export interface OwnershipsTable {
	id: BigSerial;
	mention_id: string;
	member_id: string;
	since: Timestamp;
	until: NullableTimestamp;
	/** The command that ended this ownership. */
	reason: string | null;
}

export interface ActivityTable {
	id: BigSerial;
	org_id: string;
	mention_id: string | null;
	actor_id: string | null;
	action: string;
	command_id: string | null;
	from_status: MentionStatus | null;
	to_status: MentionStatus | null;
	detail: Json<Record<string, unknown>>;
	at: Timestamp;
}

export interface ProcessedCommandsTable {
	id: string;
	org_id: string;
	actor_id: string;
	name: string;
	/** The outcome returned the first time, without its `replayed` flag. */
	outcome: Json<CommandOutcome>;
	at: Timestamp;
}

export interface DocumentSnapshotsTable {
	name: string;
	snapshot: Bytes;
	/** Newest update-log id the snapshot includes; a snapshot never replaces a newer one. */
	up_to_update_id: ColumnType<string | number, number, number>;
	updated_at: DefaultTimestamp;
}

export interface DocumentUpdatesTable {
	id: BigSerial;
	name: string;
	update: Bytes;
	at: DefaultTimestamp;
}

/** Each organisation's retention (migration 2026-12-03T05-00-00-data-removal). */
export interface RetentionSettingsTable {
	org_id: string;
	/** Days a finished conversation is kept; null keeps it. */
	finished_days: number | null;
	updated_at: DefaultTimestamp;
}

/** Every table Switchboard keeps. */
export interface Database
	extends IntegrationTables,
		CoverageTables,
		SessionTables,
		NotificationTables,
		PeopleTables,
		AuditTables,
		SsoTables {
	organisations: OrganisationsTable;
	members: MembersTable;
	boards: BoardsTable;
	mentions: MentionsTable;
	thread_messages: ThreadMessagesTable;
	ownerships: OwnershipsTable;
	activity: ActivityTable;
	processed_commands: ProcessedCommandsTable;
	document_snapshots: DocumentSnapshotsTable;
	document_updates: DocumentUpdatesTable;
	rate_limits: RateLimitsTable;
	retention_settings: RetentionSettingsTable;
}
