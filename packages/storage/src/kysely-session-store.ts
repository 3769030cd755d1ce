/** The sessions port on kysely (see `session-storage.ts`). */
import { isSessionEndReason, type SessionEndReason } from "@switchboard/domain";
import { sql } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import type {
	MemberRevocation,
	NewSession,
	SessionCheck,
	SessionStore,
} from "./session-storage.ts";

export class KyselySessionStore extends KyselyPort implements SessionStore {
	async createSession(session: NewSession): Promise<void> {
		await this.db
			.insertInto("sessions")
			.values({ id: session.id, member_id: session.memberId, expires_at: session.expiresAt })
			.execute();
	}

	async isSessionActive(check: SessionCheck): Promise<boolean> {
		if (check.sessionId !== undefined) {
			// A sign-in's own row; `revokeMemberSessions` revoked every row that existed.
			const session = await this.db
				.selectFrom("sessions")
				.select("id")
				.where("id", "=", check.sessionId)
				.where("member_id", "=", check.memberId)
				.where("revoked_at", "is", null)
				.where("expires_at", ">", sql<Date>`now()`)
				.executeTakeFirst();
			return session !== undefined;
		}
		const cutoff = await this.db
			.selectFrom("session_cutoffs")
			.select("revoked_before")
			.where("member_id", "=", check.memberId)
			.executeTakeFirst();
		// `iat` has whole seconds: a token of the same second as the cut-off is refused too.
		return !cutoff || check.issuedAt * 1000 > cutoff.revoked_before.getTime();
	}

	async sessionEndReason(sessionId: string, memberId: string): Promise<SessionEndReason | null> {
		const session = await this.db
			.selectFrom("sessions")
			.select(["revoked_at", "revoked_reason", sql<boolean>`expires_at <= now()`.as("expired")])
			.where("id", "=", sessionId)
			.where("member_id", "=", memberId)
			.executeTakeFirst();
		if (!session) return null;
		if (session.revoked_at !== null) {
			// A reason this release does not know (a newer instance wrote it) is no reason.
			return isSessionEndReason(session.revoked_reason) ? session.revoked_reason : null;
		}
		return session.expired ? "expired" : null;
	}

	async revokeSession(
		sessionId: string,
		memberId: string,
		reason?: SessionEndReason,
	): Promise<boolean> {
		const result = await this.db
			.updateTable("sessions")
			.set({ revoked_at: sql`now()`, revoked_reason: reason ?? null })
			.where("id", "=", sessionId)
			.where("member_id", "=", memberId)
			.where("revoked_at", "is", null)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	async revokeMemberSessions(
		memberId: string,
		{ now = new Date(), keepSessionId, reason }: MemberRevocation = {},
	): Promise<string[]> {
		return this.db.transaction().execute(async (trx) => {
			let sessions = trx
				.updateTable("sessions")
				.set({ revoked_at: now, revoked_reason: reason ?? null })
				.where("member_id", "=", memberId)
				.where("revoked_at", "is", null);
			if (keepSessionId !== undefined) sessions = sessions.where("id", "<>", keepSessionId);
			const ended = await sessions.returning("id").execute();
			await trx
				.insertInto("session_cutoffs")
				.values({ member_id: memberId, revoked_before: now })
				.onConflict((oc) => oc.column("member_id").doUpdateSet({ revoked_before: now }))
				.execute();
			return ended.map((row) => row.id);
		});
	}
}
