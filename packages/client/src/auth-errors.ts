/**
 * Refusals as error values. A refused document connection: Hocuspocus' permission-denied
 * reason starts with the close reason ("Unauthorized: …", "Forbidden: …"), see
 * docs/PROTOCOL.md. A refused HTTP call of an ended session: the 401 says why
 * (`error.reason`, a `SessionEndReason`).
 */
import { AppError, isSessionEndReason, type SessionEndReason } from "@switchboard/domain";
import { ApiError } from "./api-client.ts";

export function authError(reason: string, documentName: string): AppError {
	const kind = reason.startsWith("Forbidden") ? "forbidden" : "unauthorized";
	const message = reason.replace(/^(Unauthorized|Forbidden):\s*/, "") || reason;
	return new AppError(kind, message, { documentName });
}

/**
 * Why the session behind a refused HTTP call ended, as its 401 says; null for any other
 * error, a 401 that gives no reason (no cookie, a token that is not genuine) and a reason
 * this release does not know.
 */
export function sessionEndReasonOf(error: unknown): SessionEndReason | null {
	if (!(error instanceof ApiError) || error.status !== 401) return null;
	const body = error.body as { error?: { reason?: unknown } } | null;
	const reason = body?.error?.reason;
	return isSessionEndReason(reason) ? reason : null;
}
