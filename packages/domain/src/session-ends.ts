/**
 * Why a session ended, as the server stores it with the session and answers it to the
 * bearer of that session's token (a 401's `error.reason`, `error.message` in words). A
 * device signed out by something done elsewhere (a password changed on the laptop, an
 * admin's deactivation) says why, instead of a bare "sign in again" that reads like a
 * fault. Only the bearer of a genuine token is told, and only about its own session: a
 * forged or unknown one is answered without a reason.
 */
import * as v from "valibot";

/** Every reason a session can end for, as the 401's `error.reason` carries it. */
export const SessionEndReasons = {
	/** Signed out (`POST /api/auth/logout`) with this session's own token. */
	signed_out: "signed_out",
	/** A sign-in in the same browser replaced this session's cookie. */
	replaced: "replaced",
	/** The member changed their password in another session, which went on. */
	password_changed: "password_changed",
	/** The member set a new password with a reset link. */
	password_reset: "password_reset",
	/** An admin deactivated the member. */
	deactivated: "deactivated",
	/** Every session of the member was ended by the server's operator. */
	revoked: "revoked",
	/** The session reached the end of its lifetime. */
	expired: "expired",
} as const;
export type SessionEndReason = keyof typeof SessionEndReasons;

export const SessionEndReasonSchema = v.picklist(
	Object.keys(SessionEndReasons) as [SessionEndReason, ...SessionEndReason[]],
);

/** Whether `value` is a reason this release knows (one read from storage or an answer). */
export function isSessionEndReason(value: unknown): value is SessionEndReason {
	return v.is(SessionEndReasonSchema, value);
}

/**
 * The words for each reason: the 401's message, the close reason of the session's open
 * sockets (after "Unauthorized: "), and what the signed-out device shows. Kept short: a
 * WebSocket close reason holds at most 123 bytes (a test holds them to it).
 */
export const SESSION_END_MESSAGES = {
	signed_out: "This session was signed out.",
	replaced: "Another sign-in in this browser replaced this session.",
	password_changed: "Your password was changed on another device: sign in with the new one.",
	password_reset: "Your password was reset with a reset link: sign in with the new one.",
	deactivated: "An admin of your organisation deactivated your account.",
	revoked: "Your sessions were ended on the server.",
	expired: "Your session expired.",
} as const satisfies Record<SessionEndReason, string>;

/** What a session's token is told when nothing more can be said of why it ended. */
export const SESSION_ENDED = "The session has ended; sign in again.";
