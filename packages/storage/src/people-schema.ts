/** Tables of the people migration (2026-12-02T08-00-00-people), as kysely sees them. */
import type { InvitationKind, Role } from "@switchboard/domain";
import type { DefaultTimestamp, Json, NullableTimestamp, Timestamp } from "./schema.ts";

export interface InvitationsTable {
	id: string;
	org_id: string;
	kind: InvitationKind;
	/** SHA-256 of the link's code (base64url); the code is never stored. */
	code_hash: string;
	email: string;
	role: Role;
	name: string | null;
	capacity: number | null;
	skills: Json<string[]>;
	languages: Json<string[]>;
	boards: Json<string[]>;
	member_id: string | null;
	invited_by: string | null;
	created_at: DefaultTimestamp;
	expires_at: Timestamp;
	used_at: NullableTimestamp;
	revoked_at: NullableTimestamp;
}

export interface MemberBoardsTable {
	member_id: string;
	org_id: string;
	board_id: string;
}

export interface PeopleTables {
	invitations: InvitationsTable;
	member_boards: MemberBoardsTable;
}
