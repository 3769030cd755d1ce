/** Tables of the coverage migration (2026-11-26T11-30-00-coverage), as kysely sees them. */
import type { BoardSettings } from "@switchboard/domain";
import type { DefaultTimestamp, Json, Timestamp } from "./schema.ts";

export interface BoardSettingsTable {
	org_id: string;
	board_id: string;
	/** Stored fields only; the defaults fill in the rest when read. */
	settings: Json<Partial<BoardSettings>>;
	updated_at: DefaultTimestamp;
}

export interface MemberPresenceTable {
	member_id: string;
	instance_id: string;
	org_id: string;
	connections: number;
	last_seen_at: Timestamp;
}

export interface CoverageTables {
	board_settings: BoardSettingsTable;
	member_presence: MemberPresenceTable;
}
