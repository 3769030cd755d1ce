import { afterEach, describe, expect, it } from "vitest";
import { feedToMentions, fetchFeed, parseFeed } from "./feed.ts";
import { type StandInServer, standInOutbound, startStandIn } from "./stand-in-server.ts";

const outbound = standInOutbound();

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Acme Forum</title>
    <link>https://forum.example/</link>
    <language>en-us</language>
    <item>
      <title>Acme router keeps rebooting</title>
      <link>https://forum.example/t/1</link>
      <guid isPermaLink="false">forum-1</guid>
      <description>&lt;p&gt;Since the update my &lt;b&gt;Acme&lt;/b&gt; router reboots &amp;amp; drops Wi-Fi.&lt;/p&gt;</description>
      <dc:creator>jo</dc:creator>
      <pubDate>Wed, 25 Nov 2026 14:30:00 GMT</pubDate>
    </item>
    <item>
      <title>Best pizza in town</title>
      <link>https://forum.example/t/2</link>
      <guid>https://forum.example/t/2</guid>
      <description>Nothing to do with routers.</description>
    </item>
    <item>
      <title>2026</title>
      <link>https://forum.example/t/3</link>
      <guid>12345</guid>
      <description>acme in numbers</description>
    </item>
  </channel>
</rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Blog Tech</title>
  <id>urn:uuid:blog</id>
  <updated>2026-11-25T10:00:00Z</updated>
  <entry>
    <title type="html">Panne chez Acme</title>
    <link rel="alternate" href="https://blog.example/panne"/>
    <link rel="edit" href="https://blog.example/edit/1"/>
    <id>urn:uuid:entry-1</id>
    <published>2026-11-25T09:00:00+01:00</published>
    <author><name>Camille</name></author>
    <summary type="html">&lt;p&gt;Le service Acme ne répond plus.&lt;/p&gt;</summary>
  </entry>
</feed>`;

const now = new Date("2026-11-26T10:00:00.000Z");

describe("parseFeed", () => {
	it("reads RSS 2.0 items with their guid, link, text, author and date", () => {
		const feed = parseFeed(RSS);
		expect(feed).toMatchObject({ title: "Acme Forum", language: "en-us" });
		expect(feed.items).toHaveLength(3);
		expect(feed.items[0]).toEqual({
			id: "forum-1",
			title: "Acme router keeps rebooting",
			link: "https://forum.example/t/1",
			text: "Since the update my Acme router reboots & drops Wi-Fi.",
			author: "jo",
			publishedAt: "2026-11-25T14:30:00.000Z",
			inReplyTo: null,
		});
		// Numbers stay text: a guid or title of digits is not turned into a number.
		expect(feed.items[2]).toMatchObject({ id: "12345", title: "2026" });
	});

	it("reads Atom entries with the alternate link and the feed's language", () => {
		const feed = parseFeed(ATOM);
		expect(feed.language).toBe("fr");
		expect(feed.items).toEqual([
			{
				id: "urn:uuid:entry-1",
				title: "Panne chez Acme",
				link: "https://blog.example/panne",
				text: "Le service Acme ne répond plus.",
				author: "Camille",
				publishedAt: "2026-11-25T08:00:00.000Z",
				inReplyTo: null,
			},
		]);
	});

	it("names the line of malformed XML and refuses a document that is no feed", () => {
		expect(() => parseFeed("<rss><channel><item></channel></rss>")).toThrow(
			/not well-formed XML \(line 1\)/,
		);
		expect(() => parseFeed("<html><body>hi</body></html>")).toThrow(/root is <html>/);
	});
});

describe("replies in feeds", () => {
	it("reads the entry an Atom entry or an RSS item answers (RFC 4685 thr:in-reply-to)", () => {
		const atom = parseFeed(`<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
  <title>Comments</title>
  <entry>
    <title>Re: Panne chez Acme</title>
    <id>urn:uuid:comment-2</id>
    <link href="https://blog.example/panne#c2"/>
    <thr:in-reply-to ref="urn:uuid:entry-1" href="https://blog.example/panne"/>
    <published>2026-11-25T11:00:00Z</published>
    <summary>Toujours en panne chez Acme</summary>
  </entry>
  <entry><title>Acme</title><id>urn:uuid:entry-3</id></entry>
</feed>`);
		expect(atom.items.map((item) => item.inReplyTo)).toEqual(["urn:uuid:entry-1", null]);
		const [reply] = feedToMentions(atom, {
			feedUrl: "https://blog.example/comments.xml",
			keywords: ["acme"],
			now,
		});
		expect(reply).toMatchObject({
			externalId: "urn:uuid:comment-2",
			inReplyTo: "urn:uuid:entry-1",
		});

		const rss = parseFeed(`<?xml version="1.0"?>
<rss version="2.0" xmlns:thr="http://purl.org/syndication/thread/1.0"><channel><title>Forum</title>
  <item><guid>forum-2</guid><title>Re: Acme</title><thr:in-reply-to ref="forum-1"/></item>
</channel></rss>`);
		expect(rss.items[0]?.inReplyTo).toBe("forum-1");
	});
});

describe("feedToMentions", () => {
	it("keeps the items that match a keyword, as rss mentions", () => {
		const mentions = feedToMentions(parseFeed(RSS), {
			feedUrl: "https://forum.example/feed.xml",
			keywords: ["acme"],
			now,
		});
		expect(mentions.map((m) => m.externalId)).toEqual(["forum-1", "12345"]);
		expect(mentions[0]).toMatchObject({
			network: "rss",
			url: "https://forum.example/t/1",
			author: { handle: "jo", name: "Acme Forum", reach: 0 },
			text: "Acme router keeps rebooting\n\nSince the update my Acme router reboots & drops Wi-Fi.",
			postedAt: "2026-11-25T14:30:00.000Z",
			ingestedAt: now.toISOString(),
			language: "en-us",
		});
		// No date in the feed: dated when it was seen.
		expect(mentions[1]?.postedAt).toBe(now.toISOString());
	});

	it("keeps every item when the watch has no keywords", () => {
		const all = feedToMentions(parseFeed(RSS), {
			feedUrl: "https://forum.example/feed.xml",
			keywords: [],
			now,
		});
		expect(all).toHaveLength(3);
	});
});

describe("fetchFeed", () => {
	let server: StandInServer | undefined;
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	it("sends the ETag and Last-Modified back and takes a 304 as unchanged", async () => {
		server = await startStandIn((request, response) => {
			if (request.headers["if-none-match"] === '"v1"') {
				response.writeHead(304);
				response.end();
				return;
			}
			response.writeHead(200, {
				"content-type": "application/rss+xml",
				etag: '"v1"',
				"last-modified": "Wed, 25 Nov 2026 14:30:00 GMT",
			});
			response.end(RSS);
		});
		const first = await fetchFeed({ outbound, url: `${server.url}/feed.xml` });
		expect(first).toMatchObject({
			status: "ok",
			cursor: { etag: '"v1"', lastModified: "Wed, 25 Nov 2026 14:30:00 GMT" },
		});
		if (first.status !== "ok") throw new Error("expected a feed");
		expect(first.feed.items).toHaveLength(3);

		const second = await fetchFeed({
			outbound,
			url: `${server.url}/feed.xml`,
			cursor: first.cursor,
		});
		expect(second).toEqual({ status: "not_modified" });
		expect(server.requests[1]?.headers).toMatchObject({
			"if-none-match": '"v1"',
			"if-modified-since": "Wed, 25 Nov 2026 14:30:00 GMT",
		});
	});

	it("reports an HTTP error with its status", async () => {
		server = await startStandIn((_request, response) => {
			response.writeHead(503, "Service Unavailable");
			response.end("down");
		});
		await expect(fetchFeed({ outbound, url: `${server.url}/feed.xml` })).rejects.toMatchObject({
			name: "SourceError",
			status: 503,
			message: "The feed answered HTTP 503 Service Unavailable.",
		});
	});

	it("gives up on a feed that does not answer in time", async () => {
		server = await startStandIn(async (_request, response) => {
			response.writeHead(200, { "content-type": "application/rss+xml" });
			response.write("<rss><channel>");
			// The rest never comes (until the server is closed).
			await new Promise((resolve) => setTimeout(resolve, 2_000));
			response.end();
		});
		const started = Date.now();
		await expect(
			fetchFeed({ outbound, url: `${server.url}/feed.xml`, timeoutMs: 150 }),
		).rejects.toThrow("The feed did not answer within 0.2 s.");
		expect(Date.now() - started).toBeLessThan(1_500);
	});

	it("reports a malformed feed and refuses one that is too large", async () => {
		server = await startStandIn((request, response) => {
			response.writeHead(200, { "content-type": "application/rss+xml" });
			response.end(request.url === "/big" ? `<rss>${"x".repeat(5_000)}</rss>` : "<rss><channel>");
		});
		await expect(fetchFeed({ outbound, url: `${server.url}/broken` })).rejects.toThrow(
			/not well-formed XML/,
		);
		await expect(
			fetchFeed({ outbound, url: `${server.url}/big`, maxBytes: 1_000 }),
		).rejects.toThrow("The feed is larger than 1000 bytes.");
	});

	it("says why a private address in the feed's URL is refused", async () => {
		// The stand-ins' client allows 127.0.0.1 only.
		await expect(fetchFeed({ outbound, url: "http://10.0.0.7/feed.xml" })).rejects.toThrow(
			/^10\.0\.0\.7 is a private address: this server fetches only public addresses unless its operator allows this one \(SWITCHBOARD_OUTBOUND_ALLOW\)\.$/,
		);
	});

	it("says when the feed's host cannot be reached", async () => {
		server = await startStandIn(() => {});
		const closedUrl = server.url;
		await server.close();
		server = undefined;
		await expect(fetchFeed({ outbound, url: `${closedUrl}/feed.xml` })).rejects.toThrow(
			/^The feed could not be reached\.$/,
		);
	});
});
