/**
 * Sessions that can be ended. A sign-in creates a session row whose id is the token's
 * `jti`; every verification (HTTP request, socket authentication) checks the row and the
 * member's cut-off besides the signature and expiry. Implements `TokenService`, so the
 * HTTP API and the auth extension take it where they took plain tokens.
 *
 * `revokeSessions(memberId)` is the one way to end every session of a member: password
 * changes and deactivations call it (issue 15, the adoption issue).
 *
 * Every ending names a `SessionEndReason`, kept with the session: a token of an ended
 * session is refused with the reason and its words (`AppError` details `{reason}`, a 401's
 * `error.reason`), and its open sockets close with the same words, so the device it was
 * ended under can say why.
 */
import { randomUUID } from "node:crypto";
import {
	AppError,
	ROLE_CHANGED,
	type Role,
	SESSION_END_MESSAGES,
	SESSION_ENDED,
	type SessionEndReason,
} from "@switchboard/domain";
import type { SessionStore } from "@switchboard/storage";
import type { Logger } from "pino";
import type { Revocation, RevocationBus } from "./revocations.ts";
import type { TokenClaims, TokenService } from "./tokens.ts";

export interface SessionServiceOptions {
	tokens: TokenService;
	storage: SessionStore;
	bus: RevocationBus;
	/** Told when a revocation could not be announced on the bus. @default silent */
	logger?: Pick<Logger, "warn">;
	/** Lifetime of a session; should match the token service's. @default 43200 (12 h) */
	ttlSeconds?: number;
}

export interface SessionService extends TokenService {
	/** Sign in: a new session and its token. */
	issue(claims: Omit<TokenClaims, "sessionId" | "issuedAt" | "expiresAt">): Promise<{
		token: string;
		sessionId: string;
	}>;
	/**
	 * Logout: end the session of these (verified) claims, here and on every socket.
	 * @default reason "signed_out"
	 */
	revoke(claims: TokenClaims, reason?: SessionEndReason): Promise<void>;
	/**
	 * End every session of a member at once (deactivation, an operator's tool).
	 * @default reason "revoked"
	 */
	revokeSessions(memberId: string, reason?: SessionEndReason): Promise<void>;
	/**
	 * A member was taken off a board: close their sockets on that board's documents, on
	 * every instance (the membership itself is already stored; authentication reads it).
	 */
	endBoardAccess(memberId: string, boardId: string, reason: string): Promise<void>;
	/**
	 * A member's role changed (it is stored already): their sockets that authenticated with
	 * another role close with 4401 on every instance, at once, and connect again with this
	 * one; their sessions go on. Returns at once: a bus that cannot be reached is logged, as
	 * for a revocation.
	 */
	roleChanged(memberId: string, role: Role): void;
	/**
	 * End every session of a member but the caller's own (a password change): the caller's
	 * sockets stay open, every other one closes. Claims without a session (an operator's
	 * token) end every session.
	 */
	endOtherSessions(claims: TokenClaims, reason: SessionEndReason): Promise<void>;
	/**
	 * End every session of a member and start one new one, which stays (a reset link signs
	 * its user in afresh): the new session's sockets are not closed.
	 */
	replaceSessions(
		claims: Omit<TokenClaims, "sessionId" | "issuedAt" | "expiresAt">,
		reason: SessionEndReason,
	): Promise<{ token: string; sessionId: string }>;
}

export function createSessionService(options: SessionServiceOptions): SessionService {
	const { tokens, storage, bus } = options;
	const ttlSeconds = options.ttlSeconds ?? 12 * 60 * 60;
	/**
	 * The revocation is in the database before it is announced, so it holds whether or not
	 * the announcement gets through: every later request and authentication is refused. The
	 * bus only closes open sockets sooner. With Redis unreachable the publish would fail (or
	 * wait for its command deadline), and a sign-out or deactivation answered with an error
	 * would tell the admin it did not happen when it did: the failure is logged, not thrown,
	 * and the answer does not wait for it. Sockets on other instances close at their next
	 * check (a deactivated member at the membership watcher's).
	 */
	const publish = (revocation: Revocation): void => {
		bus.publish(revocation).catch((error: unknown) => {
			options.logger?.warn(
				{ err: error, memberId: revocation.memberId },
				"revocation stored but not announced to the other instances (bus unreachable)",
			);
		});
	};
	const announce = (ended: Omit<Revocation, "reason">, reason: SessionEndReason): void => {
		publish({ ...ended, reason: SESSION_END_MESSAGES[reason] });
	};
	const service: SessionService = {
		sign: (claims) => tokens.sign(claims),
		async verify(token) {
			const claims = await tokens.verify(token);
			const active = await storage.isSessionActive({
				memberId: claims.memberId,
				sessionId: claims.sessionId,
				issuedAt: claims.issuedAt ?? 0,
			});
			if (active) return claims;
			// The token is genuine (its signature verified): its bearer may know why its own
			// session ended. A token of an operator's tool has no session to ask about.
			const reason =
				claims.sessionId === undefined
					? null
					: await storage.sessionEndReason(claims.sessionId, claims.memberId);
			if (reason === null) throw new AppError("unauthorized", SESSION_ENDED);
			throw new AppError("unauthorized", SESSION_END_MESSAGES[reason], { reason });
		},
		async issue(claims) {
			const sessionId = randomUUID();
			await storage.createSession({
				id: sessionId,
				memberId: claims.memberId,
				expiresAt: new Date(Date.now() + ttlSeconds * 1000),
			});
			return { sessionId, token: await tokens.sign({ ...claims, sessionId }) };
		},
		async revoke(claims, reason = "signed_out") {
			if (claims.sessionId === undefined) return;
			await storage.revokeSession(claims.sessionId, claims.memberId, reason);
			announce({ memberId: claims.memberId, sessionId: claims.sessionId }, reason);
		},
		async revokeSessions(memberId, reason = "revoked") {
			const sessionIds = await storage.revokeMemberSessions(memberId, { reason });
			announce({ memberId, sessionIds }, reason);
		},
		async endBoardAccess(memberId, boardId, reason) {
			await bus.publish({ memberId, boardId, reason });
		},
		roleChanged(memberId, role) {
			// Sockets on other instances that the bus misses close at their membership check.
			// `sessionIds: []` is for an instance of the previous release (a rolling upgrade),
			// which reads the message without `role`: naming no session, it would end every one
			// of the member's sessions open now, closing their sockets again each time they join
			// for a minute; naming none of them, it leaves them to that membership check.
			publish({ memberId, role, sessionIds: [], reason: ROLE_CHANGED });
		},
		async endOtherSessions(claims, reason) {
			const sessionIds = await storage.revokeMemberSessions(claims.memberId, {
				keepSessionId: claims.sessionId,
				reason,
			});
			announce({ memberId: claims.memberId, sessionIds }, reason);
		},
		async replaceSessions(claims, reason) {
			const sessionIds = await storage.revokeMemberSessions(claims.memberId, { reason });
			const issued = await service.issue(claims);
			announce({ memberId: claims.memberId, sessionIds }, reason);
			return issued;
		},
	};
	return service;
}
