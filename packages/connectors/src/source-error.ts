import { findOutboundError, outboundRefusalReason } from "./outbound.ts";

/**
 * A source that failed to deliver: the feed or network answered an error, timed out, or
 * sent what cannot be read. The message is for the admin who looks at the source.
 */
export class SourceError extends Error {
	/** HTTP status when the remote answered one. */
	readonly status: number | undefined;

	constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.name = "SourceError";
		this.status = options.status;
	}
}

/**
 * A readable message for whatever a remote call threw: timeouts by name; a refused or
 * failed connection as "could not be reached", without the system's error code, which
 * would tell an open port from a closed one. A private address written in the URL itself is
 * refused saying so (PrivateAddressError): that tells nothing the URL did not.
 */
export function describeRemoteError(error: unknown, what: string, timeoutMs?: number): string {
	if (error instanceof SourceError) return error.message;
	const reason = outboundRefusalReason(error);
	if (reason) return reason;
	if (findOutboundError(error)) return `${what} could not be reached.`;
	if (error instanceof Error) {
		if (error.name === "TimeoutError" || error.name === "AbortError") {
			return timeoutMs === undefined
				? `${what} did not answer in time.`
				: `${what} did not answer within ${Math.round(timeoutMs / 100) / 10} s.`;
		}
		const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
		if (typeof cause?.code === "string") return `${what} could not be reached.`;
		return `${what} failed: ${error.message}`;
	}
	return `${what} failed: ${String(error)}`;
}
