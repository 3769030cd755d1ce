/**
 * An error a hook throws to end a connection with an application close code. Hocuspocus
 * closes the document's connection with `code` and `reason`; hooks that must not leave
 * the socket open (a storage failure, a broken limit) close the socket as well.
 */
import { AppError, type ErrorKind } from "@switchboard/domain";

export class CloseError extends AppError {
	readonly code: number;
	readonly reason: string;

	constructor(kind: ErrorKind, close: { code: number; reason: string }, message: string) {
		super(kind, message);
		this.code = close.code;
		this.reason = `${close.reason}: ${message}`;
	}
}
