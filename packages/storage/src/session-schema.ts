/** Tables of the sessions migrations (2026-12-02T02-00-00-sessions and after), as kysely sees them. */
import type { DefaultTimestamp, NullableTimestamp, Timestamp } from "./schema.ts";

export interface SessionsTable {
	id: string;
	member_id: string;
	created_at: DefaultTimestamp;
	expires_at: Timestamp;
	revoked_at: NullableTimestamp;
	/** A `SessionEndReason`, set with `revoked_at` (2026-12-04T01-00-00-session-end-reasons). */
	revoked_reason: string | null;
}

export interface SessionCutoffsTable {
	member_id: string;
	/** Tokens of the member issued at or before this time are refused. */
	revoked_before: Timestamp;
}

export interface SessionTables {
	sessions: SessionsTable;
	session_cutoffs: SessionCutoffsTable;
}
