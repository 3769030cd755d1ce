/**
 * Recognising PostgreSQL errors by SQLSTATE. node-postgres and PGlite both throw errors
 * that carry the server's `code` and, for constraint violations, the `constraint` name.
 */

/** SQLSTATE codes Switchboard reacts to. */
export const SqlState = {
	uniqueViolation: "23505",
	foreignKeyViolation: "23503",
	checkViolation: "23514",
	serializationFailure: "40001",
	deadlockDetected: "40P01",
} as const;
export type SqlState = (typeof SqlState)[keyof typeof SqlState];

interface DatabaseErrorFields {
	code?: unknown;
	constraint?: unknown;
}

/** True when `error` is a database error with this SQLSTATE (and constraint, if given). */
export function isDatabaseError(error: unknown, code: SqlState, constraint?: string): boolean {
	if (typeof error !== "object" || error === null) return false;
	const fields = error as DatabaseErrorFields;
	return fields.code === code && (constraint === undefined || fields.constraint === constraint);
}

/** True for the errors PostgreSQL expects a client to answer by running the transaction again. */
export function isRetryable(error: unknown): boolean {
	return (
		isDatabaseError(error, SqlState.serializationFailure) ||
		isDatabaseError(error, SqlState.deadlockDetected)
	);
}
