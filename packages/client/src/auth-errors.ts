/**
 * A refused document connection as an error value. Hocuspocus' permission-denied reason
 * starts with the close reason ("Unauthorized: …", "Forbidden: …"), see docs/PROTOCOL.md.
 */
import { AppError } from "@switchboard/domain";

export function authError(reason: string, documentName: string): AppError {
	const kind = reason.startsWith("Forbidden") ? "forbidden" : "unauthorized";
	const message = reason.replace(/^(Unauthorized|Forbidden):\s*/, "") || reason;
	return new AppError(kind, message, { documentName });
}
