/** The audit log table (migration 2026-12-03T03-00-00-audit-log), as kysely sees it. */
import type { AuditDetails } from "@switchboard/domain";
import type { BigSerial, DefaultTimestamp, Json } from "./schema.ts";

export interface AuditLogTable {
	id: BigSerial;
	org_id: string;
	actor_kind: "member" | "system" | "cli";
	/** The member's id when `actor_kind` is `member`, else null. */
	actor_id: string | null;
	action: string;
	target_type: string | null;
	target_id: string | null;
	details: Json<AuditDetails>;
	at: DefaultTimestamp;
}

export interface AuditTables {
	audit_log: AuditLogTable;
}
