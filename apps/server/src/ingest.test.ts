/**
 * The ingest path's grouping on a real (embedded) database: ingests of one organisation
 * that arrive together run as one pass, and each caller is answered for its own mentions.
 */
import type { IncomingMention } from "@switchboard/connectors";
import type { Storage, StoredMention } from "@switchboard/storage";
import { embeddedStorageForTests } from "@switchboard/storage/test-template";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { Ingestor, type MentionPublisher } from "./ingest.ts";

const logger = pino({ level: "silent" });
let orgs = 0;

/** A fresh organisation with its board `main`. */
async function newOrganisation(storage: Storage): Promise<{ orgId: string; boardId: string }> {
	const orgId = `ingest-${++orgs}`;
	await storage.createOrganisation({ id: orgId, name: "Acme" });
	const board = await storage.createBoard({ id: "main", orgId, name: "Main" });
	return { orgId, boardId: board.id };
}

function incoming(externalId: string, overrides: Partial<IncomingMention> = {}): IncomingMention {
	const postedAt = new Date(Date.now() - 60_000).toISOString();
	return {
		network: "other",
		externalId,
		url: `https://forum.example/t/${externalId}`,
		author: { handle: "jo", name: "Jo", reach: 42 },
		text: `Where is my parcel? (${externalId})`,
		thread: [],
		postedAt,
		ingestedAt: postedAt,
		...overrides,
	};
}

/** Records every projection onto a board. */
class RecordingPublisher implements MentionPublisher {
	readonly calls: { boardId: string; ids: string[] }[] = [];
	async publish(_orgId: string, boardId: string, stored: StoredMention[]): Promise<void> {
		this.calls.push({ boardId, ids: stored.map(({ mention }) => mention.id) });
	}
}

describe("Ingestor", () => {
	const embedded = embeddedStorageForTests();

	it("runs ingests that arrive together as one pass, answering each for its own mentions", async () => {
		const storage = embedded();
		const { orgId, boardId } = await newOrganisation(storage);
		const publisher = new RecordingPublisher();
		const ingestor = new Ingestor({ storage, publisher, logger });

		// Three webhook requests read in the same turn: a batch, a follow-up to a mention of
		// that batch, and a retry that repeats one of its mentions.
		const [batch, followUp, retry] = await Promise.all([
			ingestor.ingest(orgId, boardId, [incoming("a1"), incoming("a2")]),
			ingestor.ingest(orgId, boardId, [incoming("b1", { inReplyTo: "a1" })]),
			ingestor.ingest(orgId, boardId, [incoming("a1")]),
		]);

		expect(batch).toMatchObject({ accepted: 2, duplicates: 0, followUps: 0 });
		const [a1, a2] = batch.mentionIds;
		expect(batch.stored.map(({ mention }) => mention.externalId)).toEqual(["a1", "a2"]);
		// The follow-up joins the conversation its parent started in the same pass.
		expect(followUp).toMatchObject({ accepted: 0, duplicates: 0, followUps: 1, mentionIds: [a1] });
		expect(followUp.threads.map((thread) => thread.stored.mention.id)).toEqual([a1]);
		// The retry shares a mention with the batch, so it is answered as coming after it.
		expect(retry).toMatchObject({ accepted: 0, duplicates: 1, followUps: 0, mentionIds: [] });

		// One projection for the first pass: both conversations and the thread, on one board;
		// the retry's pass added nothing to project.
		expect(publisher.calls).toEqual([{ boardId, ids: [a1, a2, a1] }]);
		const stored = await storage.listMentions(orgId, boardId);
		expect(stored.map(({ mention }) => mention.externalId).sort()).toEqual(["a1", "a2"]);
		const parent = stored.find(({ mention }) => mention.id === a1);
		expect(parent?.mention.thread.map((message) => message.externalId)).toContain("b1");
	});

	it("announces a new high-priority conversation as stored, in its commit, and only once", async () => {
		const storage = embedded();
		const { orgId, boardId } = await newOrganisation(storage);
		await storage.setTriageRules(orgId, [
			{
				id: "parcels",
				match: { keyword: "parcel" },
				apply: { priority: "high", tags: ["parcels"] },
			},
		]);
		const endpoint = await storage.createWebhookEndpoint({
			orgId,
			url: "https://hooks.example/high",
			events: ["mention.high_priority"],
			sealedSecret: "sealed:x",
		});
		const ingestor = new Ingestor({ storage, publisher: null, logger });
		const quiet = incoming("q1", { text: "Thanks, all good.", url: null });
		const first = await ingestor.ingest(orgId, boardId, [incoming("h1", { url: null }), quiet]);
		// A retry of the same delivery: nothing new, nothing announced again.
		await ingestor.ingest(orgId, boardId, [incoming("h1", { url: null })]);

		const [high] = first.stored;
		const deliveries = await storage.listWebhookDeliveries(orgId, { endpointId: endpoint.id });
		expect(deliveries.map((delivery) => delivery.payload)).toEqual([
			{
				orgId,
				boardId,
				mentionId: high?.mention.id,
				mention: {
					network: high?.mention.network,
					externalId: "h1",
					url: null,
					author: high?.mention.author,
					text: high?.mention.text,
					language: high?.mention.language,
					sentiment: high?.mention.sentiment,
					priority: "high",
					tags: ["parcels"],
					postedAt: high?.mention.postedAt,
				},
			},
		]);
		expect(await storage.getMention(orgId, high?.mention.id ?? "")).toEqual(high);
	});

	it("fails every ingest of a pass whose database work fails, and takes the next ones again", async () => {
		const storage = embedded();
		const ingestor = new Ingestor({ storage, publisher: null, logger });
		// Mentions for an organisation that does not exist yet: the insert fails, and with it
		// the pass they share.
		const orgId = `ingest-late-${++orgs}`;
		const failing = [
			ingestor.ingest(orgId, "main", [incoming("x1")]),
			ingestor.ingest(orgId, "main", [incoming("x2")]),
		];
		for (const attempt of failing) await expect(attempt).rejects.toThrow();
		await storage.createOrganisation({ id: orgId, name: "Late" });
		await storage.createBoard({ id: "main", orgId, name: "Main" });
		const after = await ingestor.ingest(orgId, "main", [incoming("x1")]);
		expect(after).toMatchObject({ accepted: 1, duplicates: 0 });
	});
});
