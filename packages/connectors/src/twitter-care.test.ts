import { readFileSync } from "node:fs";
import { isAppError, MentionContentSchema, Priorities } from "@switchboard/domain";
import * as v from "valibot";
import { beforeAll, describe, expect, it } from "vitest";
import { TRIAGE_THRESHOLDS } from "./triage.ts";
import {
	loadTwitterCareDataset,
	parseTwitterCareDataset,
	type TwitterCareConversation,
	twitterCareToMentions,
} from "./twitter-care.ts";

const datasetPath = new URL("../../../demo/twitter-care-conversations.json", import.meta.url);

const HOUR = 3_600_000;
const now = new Date("2026-05-20T12:00:00.000Z");
const ageOf = (iso: string) => now.getTime() - Date.parse(iso);

let conversations: TwitterCareConversation[];
beforeAll(async () => {
	conversations = await loadTwitterCareDataset(datasetPath);
});

/** The raw records, for tests that break one. */
function rawRecords(): Record<string, unknown>[] {
	return JSON.parse(readFileSync(datasetPath, "utf8"));
}

describe("parseTwitterCareDataset", () => {
	it("parses the real dataset: 525 conversations, 686 messages", () => {
		expect(conversations).toHaveLength(525);
		expect(conversations.reduce((sum, c) => sum + c.messages.length, 0)).toBe(686);
		// messageCount also counts the brand's final reply, which is kept apart from the messages.
		for (const conversation of conversations) {
			expect(conversation.messageCount).toBe(conversation.messages.length + 1);
			expect(conversation.messages[0]?.speaker).toBe("client");
		}
		expect(new Set(conversations.map((c) => c.company)).size).toBe(24);
	});

	it("names the index and field of a malformed record", () => {
		const records = rawRecords().slice(0, 5);
		const broken = structuredClone(records[3]) as { dialogContent: { tweet_ID: unknown }[] };
		// The classic mistake: a tweet id written as a JSON number, which loses its last digits.
		broken.dialogContent[0]!.tweet_ID = Number(broken.dialogContent[0]!.tweet_ID);
		records[3] = broken;
		expect(() => parseTwitterCareDataset(records)).toThrow(
			/record 3, field dialogContent\.0\.tweet_ID: Invalid type/,
		);
		try {
			parseTwitterCareDataset(records);
		} catch (error) {
			expect(isAppError(error) && error.kind).toBe("invalid");
		}
	});

	it("refuses a message without a writer and a conversation the brand opens", () => {
		const records = rawRecords().slice(0, 3);
		const anonymous = structuredClone(records[1]) as { dialogContent: Record<string, unknown>[] };
		delete anonymous.dialogContent[0]!.client;
		expect(() => parseTwitterCareDataset([records[0], anonymous])).toThrow(
			/record 1, field dialogContent\.0: a message has exactly one of client, client1 or agent/,
		);

		const opened = structuredClone(records[2]) as { dialogContent: Record<string, unknown>[] };
		opened.dialogContent[0] = {
			...opened.dialogContent[0],
			client: undefined,
			agent: "TeamYouTube",
		};
		expect(() => parseTwitterCareDataset([records[0], records[1], opened])).toThrow(
			/record 2, field dialogContent: a conversation opens with a client message/,
		);
	});

	it("refuses what is not an array", () => {
		expect(() => parseTwitterCareDataset({ dialogContent: [] })).toThrow(/expected an array/);
	});
});

describe("twitterCareToMentions", () => {
	it("turns every conversation into exactly one mention, branches of one tweet into the same", () => {
		const mentions = twitterCareToMentions(conversations, { now });
		const ids = mentions.map((m) => m.externalId);
		expect(new Set(ids).size).toBe(ids.length);
		// Two pairs of records branch from the same tweet: 525 conversations, 523 mentions.
		expect(mentions).toHaveLength(523);
		for (const conversation of conversations) {
			const root = conversation.messages[0]!;
			const matching = mentions.filter((m) => m.externalId === root.tweetId);
			expect(matching).toHaveLength(1);
			expect(matching[0]!.author.handle).toBe(root.handle);
			expect(matching[0]!.tags).toEqual([conversation.company.toLowerCase()]);
		}
	});

	it("puts every later message in the thread, once, the brand's marked as its own", () => {
		const mentions = twitterCareToMentions(conversations, { now });
		const byId = new Map(mentions.map((m) => [m.externalId, m]));
		const rootCounts = new Map<string, number>();
		for (const c of conversations) {
			const id = c.messages[0]!.tweetId;
			rootCounts.set(id, (rootCounts.get(id) ?? 0) + 1);
		}
		for (const conversation of conversations) {
			const [root, ...later] = conversation.messages;
			const mention = byId.get(root!.tweetId)!;
			if (rootCounts.get(root!.tweetId) === 1) {
				expect(mention.thread).toHaveLength(conversation.messageCount - 2);
			}
			for (const message of later) {
				const entry = mention.thread.find((t) => t.externalId === message.tweetId);
				expect(entry?.handle).toBe(message.handle);
				expect(entry?.fromOrganisation).toBe(message.speaker === "agent");
			}
		}
		// Every message of the dataset appears exactly once: as a mention or in a thread.
		const posted = mentions.flatMap((m) => [m.externalId, ...m.thread.map((t) => t.externalId)]);
		const distinct = new Set(conversations.flatMap((c) => c.messages.map((m) => m.tweetId)));
		expect(posted).toHaveLength(distinct.size);
		expect(new Set(posted)).toEqual(distinct);
		const brandMessages = conversations.flatMap((c) =>
			c.messages.filter((m) => m.speaker === "agent").map((m) => m.tweetId),
		);
		const marked = mentions.flatMap((m) => m.thread).filter((t) => t.fromOrganisation);
		expect(marked).toHaveLength(new Set(brandMessages).size);
	});

	it("produces content the domain schema accepts", () => {
		for (const mention of twitterCareToMentions(conversations, { now })) {
			const { priority, tags, ...content } = mention;
			expect(v.safeParse(MentionContentSchema, { id: "m", ...content }).issues).toBeUndefined();
			expect(Priorities).toContain(priority);
			expect(mention.url).toBe(
				`https://twitter.com/${mention.author.handle}/status/${mention.externalId}`,
			);
			expect(mention.text).not.toMatch(/&amp;|&gt;|&lt;/);
		}
	});

	it("places everything in the 48 hours before now, recent ones denser", () => {
		const mentions = twitterCareToMentions(conversations, { now });
		const times = mentions.flatMap((m) => [
			m.postedAt,
			m.ingestedAt,
			...m.thread.map((t) => t.postedAt),
		]);
		for (const time of times) {
			expect(ageOf(time)).toBeGreaterThan(0);
			expect(ageOf(time)).toBeLessThanOrEqual(48 * HOUR);
		}
		const ages = mentions.map((m) => ageOf(m.postedAt)).sort((a, b) => a - b);
		expect(ages[0]).toBeLessThan(15 * 60_000);
		expect(ages.at(-1)).toBeGreaterThan(40 * HOUR);
		const median = ages[Math.floor(ages.length / 2)]!;
		expect(median).toBeGreaterThan(4 * HOUR);
		expect(median).toBeLessThan(14 * HOUR);
		for (const mention of mentions) {
			const delay = Date.parse(mention.ingestedAt) - Date.parse(mention.postedAt);
			expect(delay).toBeGreaterThanOrEqual(2_000);
			expect(delay).toBeLessThanOrEqual(20_000);
		}
	});

	it("keeps the gaps between a conversation's messages", () => {
		const mentions = twitterCareToMentions(conversations, { now });
		const byId = new Map(mentions.map((m) => [m.externalId, m]));
		let checked = 0;
		for (const conversation of conversations) {
			const [root, ...later] = conversation.messages;
			const last = later.at(-1);
			if (!last || Date.parse(last.postedAt) - Date.parse(root!.postedAt) > 40 * HOUR) continue;
			const mention = byId.get(root!.tweetId)!;
			for (const message of later) {
				const replayed = mention.thread.find((t) => t.externalId === message.tweetId)!;
				expect(Date.parse(replayed.postedAt) - Date.parse(mention.postedAt)).toBe(
					Date.parse(message.postedAt) - Date.parse(root!.postedAt),
				);
				checked++;
			}
		}
		expect(checked).toBeGreaterThan(100);
	});

	it("is deterministic for a seed, and another seed gives other ages", () => {
		const a = twitterCareToMentions(conversations, { now, seed: 7 });
		expect(twitterCareToMentions(conversations, { now, seed: 7 })).toEqual(a);
		const b = twitterCareToMentions(conversations, { now, seed: 8 });
		expect(b.map((m) => m.externalId)).toEqual(a.map((m) => m.externalId));
		const moved = b.filter((m, i) => m.postedAt !== a[i]!.postedAt);
		expect(moved.length).toBeGreaterThan(500);
		// Reach belongs to the author, not to the seed.
		expect(b.map((m) => m.author.reach)).toEqual(a.map((m) => m.author.reach));
	});

	it("gives authors realistic reach: most small, a few large", () => {
		const mentions = twitterCareToMentions(conversations, { now });
		const reach = new Map(mentions.map((m) => [m.author.handle, m.author.reach]));
		const values = [...reach.values()].sort((a, b) => a - b);
		expect(values[Math.floor(values.length / 2)]).toBeLessThan(1_000);
		const large = values.filter((r) => r >= TRIAGE_THRESHOLDS.largeReach).length;
		expect(large).toBeGreaterThanOrEqual(2);
		expect(large).toBeLessThanOrEqual(values.length / 10);
		for (const mention of mentions)
			expect(mention.author.reach).toBe(reach.get(mention.author.handle));
	});

	it("triages into a mix of priorities, mostly normal", () => {
		const counts = { high: 0, normal: 0, low: 0 };
		for (const mention of twitterCareToMentions(conversations, { now })) counts[mention.priority]++;
		expect(counts.high).toBeGreaterThan(20);
		expect(counts.low).toBeGreaterThan(10);
		expect(counts.normal).toBeGreaterThan(counts.high + counts.low);
	});

	it("keeps only the brands asked for, in any case, with unchanged ages", () => {
		const all = twitterCareToMentions(conversations, { now });
		const some = twitterCareToMentions(conversations, {
			now,
			brands: ["teamyoutube", "SpotifyCares"],
		});
		expect(new Set(some.flatMap((m) => m.tags))).toEqual(new Set(["teamyoutube", "spotifycares"]));
		const expected = all.filter((m) => m.tags[0] === "teamyoutube" || m.tags[0] === "spotifycares");
		expect(some).toEqual(expected);
	});
});
