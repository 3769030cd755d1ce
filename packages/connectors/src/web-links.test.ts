import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { feedToMentions, parseFeed } from "./feed.ts";
import { MentionInputSchema } from "./mention-input.ts";

const SCRIPT_URLS = [
	"javascript:alert(document.cookie)",
	"data:text/html,<script>x</script>",
	"vbscript:msgbox(1)",
];

describe("only web links come in", () => {
	it("refuses a webhook mention whose url is not http(s)", () => {
		const mention = (url: string) => ({
			externalId: "e1",
			author: { handle: "jo" },
			text: "hi",
			postedAt: "2026-12-01T00:00:00.000Z",
			url,
		});
		for (const url of SCRIPT_URLS) {
			expect(v.safeParse(MentionInputSchema, mention(url)).success, url).toBe(false);
		}
		expect(v.safeParse(MentionInputSchema, mention("https://forum.example/t/1")).success).toBe(
			true,
		);
	});

	it("drops a feed item's link that is not http(s), keeping the item", () => {
		const items = SCRIPT_URLS.map(
			(link, i) =>
				`<item><guid>g${i}</guid><title>Acme ${i}</title><link>${link.replace(/</g, "&lt;")}</link></item>`,
		).join("");
		const feed = parseFeed(
			`<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>${items}</channel></rss>`,
		);
		const mentions = feedToMentions(feed, {
			feedUrl: "https://forum.example/feed.xml",
			keywords: [],
			now: new Date("2026-12-01T00:00:00Z"),
		});
		expect(mentions.map((m) => m.url)).toEqual([null, null, null]);
	});
});
