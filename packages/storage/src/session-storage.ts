/** The sessions port: sign-ins that can be ended (issue 15). */

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

export interface SessionStore {
	createSession(session: NewSession): Promise<void>;
	/**
	 * With a session id: false when that session was revoked or has expired. Without one
	 * (a token of an operator tool): false when every session of the member was revoked
	 * after the token was issued.
	 */
	isSessionActive(check: SessionCheck): Promise<boolean>;
	/** End one session (logout); true when it was active. */
	revokeSession(sessionId: string, memberId: string): Promise<boolean>;
	/**
	 * End every session of the member as of now (password change, deactivation), but
	 * `keepSessionId` when given (the one that changed the password goes on). Returns the
	 * ids of the sessions it ended.
	 */
	revokeMemberSessions(memberId: string, now?: Date, keepSessionId?: string): Promise<string[]>;
}
