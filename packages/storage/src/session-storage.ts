/** The sessions port: sign-ins that can be ended (issue 15). */
import type { SessionEndReason } from "@switchboard/domain";

export interface NewSession {
	/** The token's `jti`. */
	id: string;
	memberId: string;
	expiresAt: Date;
}

/** What a token says about itself, to check against what was revoked since. */
export interface SessionCheck {
	memberId: string;
	/** The token's `jti`; tokens issued by operator tools have none. */
	sessionId?: string | undefined;
	/** The token's `iat`, in seconds since the epoch. */
	issuedAt: number;
}

/** How `revokeMemberSessions` ends a member's sessions. */
export interface MemberRevocation {
	/** The cut-off: tokens issued at or before it are refused. @default now */
	now?: Date;
	/** The one session that goes on (the one that changed the password). */
	keepSessionId?: string | undefined;
	/** Kept with each session it ends, for its device to say why. @default none kept */
	reason?: SessionEndReason;
}

export interface SessionStore {
	createSession(session: NewSession): Promise<void>;
	/**
	 * With a session id: false when that session was revoked or has expired. Without one
	 * (a token of an operator tool): false when every session of the member was revoked
	 * after the token was issued.
	 */
	isSessionActive(check: SessionCheck): Promise<boolean>;
	/**
	 * Why the session `sessionId` of `memberId` ended: the reason kept when it was revoked, or
	 * `expired`. Null when it has not ended, is not that member's or no such session exists,
	 * or was revoked without a reason kept (before reasons were).
	 */
	sessionEndReason(sessionId: string, memberId: string): Promise<SessionEndReason | null>;
	/** End one session (logout); true when it was active. `reason` is kept with it. */
	revokeSession(sessionId: string, memberId: string, reason?: SessionEndReason): Promise<boolean>;
	/**
	 * End every session of the member as of now (password change, deactivation), but
	 * `keepSessionId` when given (the one that changed the password goes on). Returns the
	 * ids of the sessions it ended.
	 */
	revokeMemberSessions(memberId: string, revocation?: MemberRevocation): Promise<string[]>;
}
