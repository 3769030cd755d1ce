/** The sessions port on kysely (see `session-storage.ts`). */
import { sql } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import type { NewSession, SessionCheck, SessionStore } from "./session-storage.ts";

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

	async revokeSession(sessionId: string, memberId: string): Promise<boolean> {
		const result = await this.db
			.updateTable("sessions")
			.set({ revoked_at: sql`now()` })
			.where("id", "=", sessionId)
			.where("member_id", "=", memberId)
			.where("revoked_at", "is", null)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	async revokeMemberSessions(
		memberId: string,
		now = new Date(),
		keepSessionId?: string,
	): Promise<string[]> {
		return this.db.transaction().execute(async (trx) => {
			let sessions = trx
				.updateTable("sessions")
				.set({ revoked_at: now })
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
