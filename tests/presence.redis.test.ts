/**
 * Presence across two instances: the `onAwarenessUpdate` hook, which the Redis extension
 * publishes from, still runs after Switchboard replaced Hocuspocus' listener with a lazy
 * one, and the other instance's relay passes what Redis brings on to its sockets.
 */
import { boardDocumentName } from "@switchboard/domain";
import { type Switchboard, startSwitchboard } from "@switchboard/server";
import { createTestDatabase, type TestDatabase } from "@switchboard/storage/test-database";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseConfig, connectProvider, waitFor } from "./utils/test-server.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

if (databaseUrl && redisUrl) {
	describe("presence across two instances", () => {
		let database: TestDatabase;
		let a: Switchboard;
		let b: Switchboard;
		const tokens: Record<string, string> = {};
		const ws = (instance: Switchboard) => `${instance.url.replace("http", "ws")}/sync`;
		const board = boardDocumentName("acme", "main");

		beforeAll(async () => {
			database = await createTestDatabase(databaseUrl);
			const logger = pino({ level: "silent" });
			a = await startSwitchboard(await baseConfig({ databaseUrl: database.url, redisUrl }), {
				logger,
			});
			b = await startSwitchboard(await baseConfig({ databaseUrl: database.url, redisUrl }), {
				logger,
			});
			await a.storage.createOrganisation({ id: "acme", name: "Acme" });
			await a.storage.createBoard({ id: "main", orgId: "acme", name: "Acme mentions" });
			for (const name of ["Dana", "Sam"]) {
				const member = await a.storage.createMember({
					orgId: "acme",
					email: `${name.toLowerCase()}@acme.test`,
					name,
					role: "ambassador",
					capacity: 3,
					passwordHash: "unused",
				});
				tokens[name] = await a.tokens.sign({
					memberId: member.id,
					orgId: "acme",
					role: "ambassador",
					name,
				});
			}
		});

		afterAll(async () => {
			await a?.close();
			await b?.close();
			await database?.drop();
		});

		it("shows a person on one instance to a person on the other", async () => {
			const dana = await connectProvider(ws(a), board, tokens.Dana!);
			const sam = await connectProvider(ws(b), board, tokens.Sam!);
			dana.provider.awareness!.setLocalState({ viewing: "mention-1", typing: true });
			const seen = await waitFor(
				() => sam.provider.awareness!.getStates().get(dana.doc.clientID),
				5_000,
				"Dana's presence on the other instance",
			);
			expect(seen).toMatchObject({ viewing: "mention-1", typing: true, user: { name: "Dana" } });
			// Leaving is not checked here: when Dana's socket closes, the other instance keeps
			// her state until it times out (30 s), with or without the relay. Known gap of the
			// Redis path, left for later (bench/findings/03.md).
			dana.destroy();
			sam.destroy();
		});
	});
}
