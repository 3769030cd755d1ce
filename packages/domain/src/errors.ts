/**
 * Errors as values. Every failure Switchboard reports has a `kind` from this closed
 * set; the server maps a kind to a WebSocket close code or an HTTP status in one place.
 */
export const ErrorKinds = {
	/** No credentials, or a bad or expired token. */
	unauthorized: "unauthorized",
	/** Authenticated, but not allowed: another organisation's document, a role too low. */
	forbidden: "forbidden",
	not_found: "not_found",
	/** The input does not match its schema. */
	invalid: "invalid",
	/** Larger than a configured limit. */
	too_large: "too_large",
	rate_limited: "rate_limited",
	conflict: "conflict",
	/** It existed and is no longer usable: an expired, used or revoked invitation link. */
	gone: "gone",
	/** A dependency (the database) is down; nothing was stored, the caller may retry. */
	unavailable: "unavailable",
	internal: "internal",
} as const;
export type ErrorKind = keyof typeof ErrorKinds;

/** The HTTP status each kind answers with, on the public API and the admin channel alike. */
export const HTTP_STATUS_OF_KIND = {
	unauthorized: 401,
	forbidden: 403,
	not_found: 404,
	invalid: 400,
	too_large: 413,
	rate_limited: 429,
	conflict: 409,
	gone: 410,
	unavailable: 503,
	internal: 500,
} as const satisfies Record<ErrorKind, number>;

/** The one error type Switchboard throws across layers. */
export class AppError extends Error {
	readonly kind: ErrorKind;
	readonly details: Record<string, unknown> | undefined;

	constructor(kind: ErrorKind, message: string, details?: Record<string, unknown>) {
		super(message);
		this.name = "AppError";
		this.kind = kind;
		this.details = details;
	}
}

export function isAppError(error: unknown): error is AppError {
	return error instanceof AppError;
}
