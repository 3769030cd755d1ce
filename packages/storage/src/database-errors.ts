/**
 * Recognising PostgreSQL errors by SQLSTATE. node-postgres and PGlite both throw errors
 * that carry the server's `code` and, for constraint violations, the `constraint` name.
 * The two answers every port gives them live here too: constraint violations become
 * AppErrors, conflicts between transactions are run again.
 */
import { AppError } from "@switchboard/domain";

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

/**
 * Run a write, turning constraint violations into AppErrors the API maps to 409, 404 and
 * 400. `subject` names what would be duplicated ("A member with that email"); the
 * constraint's name travels in the details for logs.
 */
export async function mapConstraintErrors<T>(subject: string, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		const constraint = (error as { constraint?: unknown }).constraint;
		const details = typeof constraint === "string" ? { constraint } : undefined;
		if (isDatabaseError(error, SqlState.uniqueViolation)) {
			throw new AppError("conflict", `${subject} already exists.`, details);
		}
		if (isDatabaseError(error, SqlState.foreignKeyViolation)) {
			throw new AppError(
				"not_found",
				"It refers to an organisation, board or member that does not exist.",
				details,
			);
		}
		if (isDatabaseError(error, SqlState.checkViolation)) {
			throw new AppError("invalid", "A value is out of its allowed range.", details);
		}
		throw error;
	}
}

/**
 * Run a transaction again while PostgreSQL answers it with a serialization failure or a
 * deadlock (`isRetryable`), `attempts` times in all; any other error, or the last
 * attempt's, is thrown. `onRetry` hears about each conflict that is answered by a rerun.
 */
export async function retryTransaction<T>(
	run: () => Promise<T>,
	attempts: number,
	onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await run();
		} catch (error) {
			if (!isRetryable(error) || attempt >= attempts) throw error;
			onRetry?.(error, attempt);
		}
	}
}

/**
 * True when PostgreSQL refused a statement for an integrity constraint (SQLSTATE class 23:
 * unique, foreign key, check, not null): the data said no, the database itself is fine.
 */
export function isConstraintViolation(error: unknown): boolean {
	if (typeof error !== "object" || error === null) return false;
	const { code } = error as DatabaseErrorFields;
	return typeof code === "string" && /^23[0-9A-Z]{3}$/.test(code);
}
