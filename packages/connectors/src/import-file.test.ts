import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { guessImportFormat, parseImportFile } from "./import-file.ts";

const now = new Date("2026-11-26T10:00:00.000Z");

const datasetPath = new URL("../../../demo/twitter-care-conversations.json", import.meta.url);

describe("JSON import", () => {
	it("imports the good rows and names the line and field of each bad one", () => {
		const text = `[
  {"externalId": "a1", "author": {"handle": "ana", "reach": 12}, "text": "Where is my parcel?",
   "postedAt": "2026-11-25T08:00:00Z", "network": "twitter"},
  {"externalId": "a2", "author": {"handle": "bo"}, "text": "",
   "postedAt": "2026-11-25T08:00:00Z"},
  {"externalId": "a3", "author": {"handle": "cy"}, "text": "hi", "postedAt": "yesterday"},
  {"externalId": "a4", "author": {"handle": "di"}, "text": "Thanks!", "postedAt": "2026-11-25T09:00:00+01:00", "tags": ["vip"]}
]`;
		const parsed = parseImportFile(text, "json", now);
		expect(parsed.rows.map((row) => [row.line, row.mention.externalId])).toEqual([
			[2, "a1"],
			[7, "a4"],
		]);
		expect(parsed.rows[0]?.mention).toMatchObject({
			network: "twitter",
			author: { handle: "ana", name: "ana", reach: 12 },
			postedAt: "2026-11-25T08:00:00.000Z",
			ingestedAt: now.toISOString(),
		});
		expect(parsed.rows[1]?.mention).toMatchObject({ network: "webhook", tags: ["vip"] });
		expect(parsed.rejected).toEqual([
			{ line: 4, reason: "text: must not be empty" },
			{ line: 6, reason: "postedAt: must be an ISO 8601 timestamp" },
		]);
	});

	it("keeps a row's inReplyTo", () => {
		const text = JSON.stringify([
			{
				externalId: "j2",
				inReplyTo: "j1",
				author: { handle: "ana" },
				text: "Any news?",
				postedAt: "2026-11-25T09:00:00Z",
			},
		]);
		expect(parseImportFile(text, "json", now).rows[0]?.mention.inReplyTo).toBe("j1");
	});

	it("accepts { mentions: [...] } and names the line of a syntax error", () => {
		const wrapped = parseImportFile(
			'{"mentions": [{"externalId": "x", "author": {"handle": "h"}, "text": "t", "postedAt": "2026-11-25T08:00:00Z"}]}',
			"json",
			now,
		);
		expect(wrapped.rows).toHaveLength(1);
		expect(() => parseImportFile('[\n  {"a": 1},\n  {"b": }\n]', "json", now)).toThrow(
			/not valid JSON at line 3: ValueExpected/,
		);
		expect(() => parseImportFile('{"a": 1}', "json", now)).toThrow(/must hold an array/);
	});
});

describe("CSV import", () => {
	it("reads rows by header, with quoted multi-line text, and rejects bad rows by line", () => {
		const text = [
			"external_id,author_handle,author_name,author_reach,text,posted_at,network,tags,url",
			'c1,ana,Ana,250,"Line one,\nline two",2026-11-25T08:00:00Z,mastodon,billing;vip,https://social.example/@ana/1',
			"c2,bo,,lots,Hello,2026-11-25T08:00:00Z,,,",
			"c3,cy,,,Hi there,2026-11-25T08:00:00Z,myspace,,",
			"c4,di",
			"c5,ed,,,Fine,2026-11-25T08:00:00Z,,,",
		].join("\n");
		const parsed = parseImportFile(text, "csv", now);
		expect(parsed.rows.map((row) => [row.line, row.mention.externalId])).toEqual([
			[2, "c1"],
			[7, "c5"],
		]);
		expect(parsed.rows[0]?.mention).toMatchObject({
			network: "mastodon",
			text: "Line one,\nline two",
			author: { handle: "ana", name: "Ana", reach: 250 },
			tags: ["billing", "vip"],
			url: "https://social.example/@ana/1",
		});
		expect(parsed.rejected.map((row) => row.line)).toEqual([4, 5, 6]);
		expect(parsed.rejected[0]?.reason).toMatch(/^author\.reach: /);
		expect(parsed.rejected[1]?.reason).toMatch(/^network: /);
		expect(parsed.rejected[2]?.reason).toMatch(/fields where the header names more/);
	});

	it("reads the message a row continues from in_reply_to", () => {
		const text = [
			"external_id,author_handle,text,posted_at,in_reply_to",
			"c1,ana,My order is late,2026-11-25T08:00:00Z,",
			"c2,ana,Any news?,2026-11-25T09:00:00Z, c1 ",
		].join("\n");
		const rows = parseImportFile(text, "csv", now).rows.map((row) => row.mention);
		expect(rows[0]).not.toHaveProperty("inReplyTo");
		expect(rows[1]).toMatchObject({ externalId: "c2", inReplyTo: "c1" });
	});

	it("refuses a header without the required columns", () => {
		expect(() => parseImportFile("id,body\n1,hello", "csv", now)).toThrow(
			/lacks external_id, author_handle, text, posted_at/,
		);
	});
});

describe("Twitter care dataset import", () => {
	const dataset = readFileSync(datasetPath, "utf8");

	it("gives one mention per first tweet: 525 conversations, 523 mentions", () => {
		const parsed = parseImportFile(dataset, "twitter-care", now);
		expect(parsed.rejected).toEqual([]);
		expect(parsed.rows).toHaveLength(523);
		expect(parsed.rows[0]?.line).toBe(2);
		expect(parsed.rows.every((row) => row.mention.network === "twitter")).toBe(true);
		expect(parsed.rows.some((row) => row.mention.thread.length > 0)).toBe(true);
	});

	it("rejects a broken record by its line and keeps the rest", () => {
		const records = JSON.parse(dataset) as { dialogContent: { tweet_ID: unknown }[] }[];
		records[1]!.dialogContent[0]!.tweet_ID = 12;
		const text = JSON.stringify(records.slice(0, 3), null, 1);
		const parsed = parseImportFile(text, "twitter-care", now);
		expect(parsed.rows).toHaveLength(2);
		expect(parsed.rejected).toHaveLength(1);
		const line = text.split("\n").findIndex((l, i) => i > 1 && l === " {") + 1;
		expect(parsed.rejected[0]).toEqual({
			line,
			reason: expect.stringMatching(/^dialogContent\.0\.tweet_ID: /),
		});
	});
});

describe("guessImportFormat", () => {
	it("goes by the file name", () => {
		expect(guessImportFormat("/tmp/a.CSV")).toBe("csv");
		expect(guessImportFormat("demo/twitter-care-conversations.json")).toBe("twitter-care");
		expect(guessImportFormat("mentions.json")).toBe("json");
	});
});
