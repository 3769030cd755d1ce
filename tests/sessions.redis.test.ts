/**
 * Revocation across instances: sessions ended on one instance close their sockets on the
 * other at once, through Redis pub/sub, not at the other's next membership check; so do the
 * sockets of a member whose role changed.
 */
import { draftDocumentName } from "@switchboard/domain";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeOnPostgresAndRedis } from "./utils/postgres-and-redis.ts";
import { closedWithin, openRawClient } from "./utils/raw-client.ts";
import { makeMention } from "./utils/test-server.ts";
import { startTwoInstances, type TwoInstances } from "./utils/two-instances.ts";

describeOnPostgresAndRedis(
	"revocation across instances (PostgreSQL, Redis)",
	({ databaseUrl, redisUrl }) => {
		let pair: TwoInstances;
		beforeAll(async () => {
			pair = await startTwoInstances({
				databaseUrl,
				redisUrl,
				orgId: "sessions-redis",
				members: [["Dana", "ambassador"]],
			});
		}, 300_000);
		afterAll(async () => {
			await pair?.close();
		});

		it("closes the member's socket on the other instance with 4401 at once", async () => {
			const [stored] = await pair.a.storage.insertMentions("sessions-redis", "main", [
				makeMention(1),
			]);
			const draft = draftDocumentName("sessions-redis", stored!.mention.id);
			const onB = await openRawClient(pair.ws(pair.b));
			expect(await onB.authenticate(draft, pair.tokens.Dana!)).toBe("authenticated");

			await pair.a.tokens.revokeSessions(pair.ids.Dana!);
			expect(await closedWithin(onB, 10_000)).toBe(4401);
			const again = await openRawClient(pair.ws(pair.b));
			expect(await again.authenticate(draft, pair.tokens.Dana!)).toMatch(/^Unauthorized/);
		});

		// A password change ends every session but the one that made it. The other instance
		// learns which sessions ended from the revocation; judged by the token's issue time
		// instead, it would close the caller's own socket too.
		it("keeps the session that changed the password open on the other instance", async () => {
			const stored = await pair.a.storage.insertMentions("sessions-redis", "main", [
				makeMention(2),
				makeMention(3),
			]);
			const [first, second] = stored.map(({ mention }) =>
				draftDocumentName("sessions-redis", mention.id),
			);
			const claims = {
				memberId: pair.ids.Dana!,
				orgId: "sessions-redis",
				role: "ambassador" as const,
				name: "Dana",
			};
			const changing = await pair.a.tokens.issue(claims);
			const other = await pair.a.tokens.issue(claims);
			const changingOnB = await openRawClient(pair.ws(pair.b));
			const otherOnB = await openRawClient(pair.ws(pair.b));
			expect(await changingOnB.authenticate(first!, changing.token)).toBe("authenticated");
			expect(await otherOnB.authenticate(first!, other.token)).toBe("authenticated");

			await pair.a.tokens.endOtherSessions(
				await pair.a.tokens.verify(changing.token),
				"password_changed",
			);
			expect(await otherOnB.closed).toBe(4401);
			// The revocation that closed the other socket has been handled on B: the caller's
			// socket is still open and goes on authenticating documents.
			expect(await changingOnB.authenticate(second!, changing.token)).toBe("authenticated");
			expect(changingOnB.isClosed).toBe(false);
			changingOnB.close();
		});

		// A role change ends no session: the sockets of the old role close on every instance at
		// once and connect again; one that authenticates with the new role stays.
		it("closes the member's sockets on the other instance at once when their role changes", async () => {
			const stored = await pair.a.storage.insertMentions("sessions-redis", "main", [
				makeMention(4),
				makeMention(5),
			]);
			const [first, second] = stored.map(({ mention }) =>
				draftDocumentName("sessions-redis", mention.id),
			);
			const id = pair.ids.Dana!;
			const { token } = await pair.a.tokens.issue({
				memberId: id,
				orgId: "sessions-redis",
				role: "ambassador",
				name: "Dana",
			});
			const onB = await openRawClient(pair.ws(pair.b));
			expect(await onB.authenticate(first!, token)).toBe("authenticated");

			await pair.a.storage.updateMember("sessions-redis", id, { role: "moderator" });
			pair.a.tokens.roleChanged(id, "moderator");
			expect(await closedWithin(onB, 10_000)).toBe(4401);
			const again = await openRawClient(pair.ws(pair.b));
			expect(await again.authenticate(first!, token)).toBe("authenticated");
			expect(await again.authenticate(second!, token)).toBe("authenticated");
			expect(again.isClosed).toBe(false);
			again.close();
		});
	},
);
