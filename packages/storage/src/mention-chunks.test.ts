/**
 * An ingest of more mentions than one statement takes (`insertChunk`): the statements of
 * its chunks commit as one, as a single chunk's one statement does (the contract tests
 * cover that one on both engines).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewWebhookEvent } from "./integration-storage.ts";
import { KyselyMentionStore } from "./kysely-mention-store.ts";
import { KyselyStorage } from "./kysely-storage.ts";
import { openStorage } from "./open.ts";
import type { MentionAsSent } from "./storage.ts";
import { newMention, newOrganisation } from "./test-fixtures.ts";
import { testTemplate } from "./test-template.ts";

describe("an ingest in several chunks", () => {
	let storage: KyselyStorage;
	let chunked: KyselyMentionStore;

	beforeAll(async () => {
		const opened = await openStorage({ template: await testTemplate() });
		if (!(opened instanceof KyselyStorage)) throw new Error("expected a KyselyStorage");
		storage = opened;
		chunked = new KyselyMentionStore(storage.db, { insertChunk: 2 });
	});
	afterAll(() => storage.close());

	const announce =
		(orgId: string, now: (mention: MentionAsSent) => string) =>
		(mention: MentionAsSent): NewWebhookEvent[] =>
			mention.priority === "high"
				? [
						{
							orgId,
							event: "mention.high_priority",
							dedupeKey: `mention:${mention.id}:high`,
							payload: { mentionId: mention.id },
							now: now(mention),
						},
					]
				: [];

	it("stores the new ones in order, with their thread index and only their events", async () => {
		const { orgId } = await newOrganisation(storage);
		const endpoint = await storage.createWebhookEndpoint({
			orgId,
			url: "https://hooks.example/a",
			events: ["mention.high_priority"],
			sealedSecret: "sealed:a",
		});
		const seen = newMention({ priority: "high" });
		await storage.insertMentions(orgId, "main", [seen]);
		const mentions = [
			newMention({ priority: "high" }),
			seen,
			newMention(),
			newMention({
				priority: "high",
				thread: [
					{
						externalId: "reply-in-the-third-chunk",
						handle: "@someone@social.example",
						fromOrganisation: false,
						text: "Any news?",
						postedAt: "2026-11-26T10:00:00.000Z",
					},
				],
			}),
			newMention(),
		];
		const now = new Date().toISOString();
		const stored = await chunked.insertMentions(
			orgId,
			"main",
			mentions,
			announce(orgId, () => now),
		);

		const fresh = [mentions[0], mentions[2], mentions[3], mentions[4]];
		expect(stored.map(({ mention }) => mention.externalId)).toEqual(
			fresh.map((mention) => mention?.externalId),
		);
		expect(
			(await storage.listWebhookDeliveries(orgId, { endpointId: endpoint.id }))
				.map((delivery) => delivery.payload.mentionId)
				.sort(),
		).toEqual([stored[0]?.mention.id, stored[2]?.mention.id].sort());
		const conversations = await storage.findConversations(orgId, [
			{ network: "mastodon", externalId: "reply-in-the-third-chunk" },
		]);
		expect([...conversations.values()]).toEqual([
			{ mentionId: stored[2]?.mention.id, boardId: "main" },
		]);
	});

	it("keeps none of the chunks when a later one fails", async () => {
		const { orgId } = await newOrganisation(storage);
		await storage.createWebhookEndpoint({
			orgId,
			url: "https://hooks.example/a",
			events: ["mention.high_priority"],
			sealedSecret: "sealed:a",
		});
		const last = newMention({ priority: "high" });
		const mentions = [newMention({ priority: "high" }), newMention(), newMention(), last];
		// The database refuses the last mention's event time, in the second chunk's statement.
		const now = new Date().toISOString();
		await expect(
			chunked.insertMentions(
				orgId,
				"main",
				mentions,
				announce(orgId, (mention) => (mention.externalId === last.externalId ? "not a time" : now)),
			),
		).rejects.toThrow();
		expect(await storage.listMentions(orgId, "main")).toEqual([]);
		expect(await storage.listWebhookDeliveries(orgId)).toEqual([]);
	});
});
