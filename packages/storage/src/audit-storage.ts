/**
 * The audit log port (issue 12, part 7): admin acts, appended and read back, newest first.
 * There is deliberately no method that changes or removes an entry, and PostgreSQL refuses
 * both (see the migration), so what was recorded stays recorded. docs/STORAGE.md.
 */
import {
	AppError,
	type AuditAction,
	type AuditActor,
	type AuditDetails,
	type AuditEntry,
	type AuditTarget,
	auditDetailsProblem,
} from "@switchboard/domain";

/** An entry to record. */
export interface NewAuditEntry {
	orgId: string;
	actor: AuditActor;
	action: AuditAction;
	/** What it is about, when it is about one thing. */
	target?: AuditTarget | null;
	/** A few facts: fields changed, counts. At most MAX_AUDIT_DETAILS_BYTES of JSON. */
	details?: AuditDetails;
	/** When; the database's clock when left out. */
	at?: string;
}

/** Which entries to read: all of these must hold. */
export interface AuditQuery {
	/** Any of these actions. */
	actions?: readonly AuditAction[];
	actor?: AuditActor;
	/** At or after (ISO). */
	from?: string;
	/** Before (ISO). */
	to?: string;
	/** Only entries older than this id (the last of the page before). */
	before?: string;
	limit: number;
}

export interface AuditLog {
	/**
	 * Record entries in one statement; answers them as stored, in input order. Refuses
	 * (`invalid`, nothing stored) details over the size limit.
	 */
	appendAuditEntries(entries: readonly NewAuditEntry[]): Promise<AuditEntry[]>;
	/** An organisation's entries, newest first (by id), `limit` at most. */
	listAuditEntries(orgId: string, query: AuditQuery): Promise<AuditEntry[]>;
}

/**
 * Record one admin act. Call it after the act succeeded, with the ids and a few facts
 * (never a password, a token or a post's text); it throws when the entry cannot be stored,
 * so a failure is not silent.
 */
export async function recordAudit(
	log: Pick<AuditLog, "appendAuditEntries">,
	entry: NewAuditEntry,
): Promise<AuditEntry> {
	const [stored] = await log.appendAuditEntries([entry]);
	if (!stored) throw new AppError("internal", "The audit entry was not stored.");
	return stored;
}

/** Throws `invalid` for an entry the log must not take. */
export function checkAuditEntry(entry: NewAuditEntry): void {
	const problem = entry.details ? auditDetailsProblem(entry.details) : null;
	if (problem) throw new AppError("invalid", `Audit entry ${entry.action}: ${problem}.`);
}
