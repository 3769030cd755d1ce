/**
 * Why the sync server closes a connection: each reason with the error kind it reports and
 * the close code (docs/PROTOCOL.md) it closes with. The one table between error kinds and
 * close codes; hooks throw a {@link CloseError} naming a row, the guard and the transport
 * close with a row.
 */
import { AppError, CloseCodes, type ErrorKind } from "@switchboard/domain";

export const SyncCloses = {
	/** No token, a bad or expired one, or a membership that ended. */
	unauthorized: { kind: "unauthorized", ...CloseCodes.unauthorized },
	/** Another organisation's document, or one that does not exist. */
	forbidden: { kind: "forbidden", ...CloseCodes.forbidden },
	/** A frame that does not parse as the message its type announces. */
	badMessage: { kind: "invalid", ...CloseCodes.badMessage },
	/** An update that reached a hook and is not Yjs: Hocuspocus' own "reset" answer. */
	invalidUpdate: { kind: "invalid", ...CloseCodes.reset },
	tooLarge: { kind: "too_large", ...CloseCodes.tooLarge },
	documentTooLarge: { kind: "too_large", ...CloseCodes.documentTooLarge },
	rateLimited: { kind: "rate_limited", ...CloseCodes.rateLimited },
	awarenessRateLimited: { kind: "rate_limited", ...CloseCodes.awarenessRateLimited },
	tooManyDocuments: { kind: "rate_limited", ...CloseCodes.tooManyDocuments },
	/**
	 * One member holds the most sockets an instance allows (member-sockets.ts). 4429, the
	 * code of every rate a client passes, with a reason of its own: a new close code would
	 * change the protocol's fingerprint for what old clients already handle as "back off".
	 */
	tooManySockets: {
		kind: "rate_limited",
		code: CloseCodes.rateLimited.code,
		reason: "Too Many Connections",
	},
	unauthenticatedQueueFull: { kind: "rate_limited", ...CloseCodes.unauthenticatedQueueFull },
	/** The client does not read what it is sent. */
	slowConsumer: { kind: "rate_limited", ...CloseCodes.slowConsumer },
	/** The database did not answer: nothing was refused, connect again later. */
	unavailable: { kind: "unavailable", ...CloseCodes.unavailable },
} as const satisfies Record<string, { kind: ErrorKind; code: number; reason: string }>;

/** A row of {@link SyncCloses}. */
export type SyncClose = keyof typeof SyncCloses;

/**
 * An error a hook throws to end a connection with an application close code. Hocuspocus
 * closes the document's connection with `code` and `reason`; hooks that must not leave
 * the socket open (a storage failure, a broken limit) close the socket as well.
 */
export class CloseError extends AppError {
	readonly code: number;
	readonly reason: string;

	constructor(close: SyncClose, message: string) {
		const { kind, code, reason } = SyncCloses[close];
		super(kind, message);
		this.code = code;
		this.reason = `${reason}: ${message}`;
	}
}
