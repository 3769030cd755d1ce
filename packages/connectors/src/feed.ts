/**
 * RSS and Atom feeds as a mention source: a keyword watch over a feed. Fetched with
 * conditional requests (ETag, Last-Modified) so an unchanged feed costs a 304, parsed
 * with fast-xml-parser (RSS 2.0, RSS 1.0/RDF and Atom), and filtered by keywords.
 */
import { matchesAnyKeyword, webLink } from "@switchboard/domain";
import type { XMLParser } from "fast-xml-parser";
import { defaultConnectorTuning } from "./connector-tuning.ts";
import { htmlToText } from "./html-text.ts";
import { lazyRequire } from "./lazy-module.ts";
import { defaultOutboundClient, type OutboundClient } from "./outbound.ts";
import { describeRemoteError, SourceError } from "./source-error.ts";
import type { IncomingMention } from "./triage.ts";

/** One entry of a feed, in the shape both formats share. */
export interface FeedItem {
	/** guid (RSS), id (Atom), or the link when neither is given. */
	id: string;
	title: string;
	link: string | null;
	/** Summary or content, as plain text. */
	text: string;
	author: string | null;
	/** ISO time, or null when the feed gives none that parses. */
	publishedAt: string | null;
	/**
	 * The id of the entry this one answers (Atom threading, RFC 4685:
	 * `<thr:in-reply-to ref="…"/>`, which some RSS feeds carry too), or null.
	 */
	inReplyTo: string | null;
}

export interface ParsedFeed {
	title: string;
	/** The feed's language (RSS `<language>`, Atom `xml:lang`), when it says. */
	language: string | null;
	items: FeedItem[];
}

/** What a conditional fetch remembers between polls. */
export interface FeedCursor {
	etag?: string;
	lastModified?: string;
}

export type FeedFetchResult =
	| { status: "not_modified" }
	| { status: "ok"; feed: ParsedFeed; cursor: FeedCursor };

export interface FetchFeedOptions {
	url: string;
	cursor?: FeedCursor;
	/** Give up on a feed that does not answer (headers and body) within this time. @default defaultConnectorTuning.timeoutMs */
	timeoutMs?: number;
	/** Largest feed read, in bytes. @default defaultConnectorTuning.maxFeedBytes */
	maxBytes?: number;
	/** The guarded client the feed is read through. @default public addresses only */
	outbound?: OutboundClient;
}

const ARRAYS = new Set(["item", "entry", "link", "author", "category", "thr:in-reply-to"]);

const fastXmlParser = lazyRequire<typeof import("fast-xml-parser")>("fast-xml-parser");

let feedParser: XMLParser | undefined;

const parser = (): XMLParser =>
	(feedParser ??= new (fastXmlParser().XMLParser)({
		ignoreAttributes: false,
		attributeNamePrefix: "@_",
		textNodeName: "#text",
		// Keep text as text: a numeric guid or a title like "2026" must not turn into a number.
		parseTagValue: false,
		parseAttributeValue: false,
		processEntities: true,
		htmlEntities: true,
		isArray: (name) => ARRAYS.has(name),
	}));

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Text of an element that may be a string or `{ "#text": ... }` with attributes. */
function textOf(value: unknown): string {
	if (typeof value === "string") return value.trim();
	if (typeof value === "number") return String(value);
	if (Array.isArray(value)) return textOf(value[0]);
	if (isNode(value)) return textOf(value["#text"]);
	return "";
}

function isoOrNull(value: string): string | null {
	if (!value) return null;
	const time = Date.parse(value);
	return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function asArray(value: unknown): unknown[] {
	if (value === undefined || value === null) return [];
	return Array.isArray(value) ? value : [value];
}

function atomLink(links: unknown): string | null {
	const all = asArray(links).filter(isNode);
	const alternate =
		all.find((link) => link["@_rel"] === undefined || link["@_rel"] === "alternate") ?? all[0];
	const href = alternate?.["@_href"];
	return typeof href === "string" && href ? href : null;
}

/** The `ref` of an item's first `thr:in-reply-to` (RFC 4685), or null. */
function inReplyToOf(item: Node): string | null {
	const first = asArray(item["thr:in-reply-to"]).filter(isNode)[0];
	const ref = first?.["@_ref"];
	return typeof ref === "string" && ref.trim() ? ref.trim() : null;
}

function rssItem(item: Node): FeedItem {
	const link = textOf(item.link) || null;
	const guid = textOf(item.guid);
	const body = textOf(item["content:encoded"]) || textOf(item.description);
	return {
		id: guid || link || "",
		title: htmlToText(textOf(item.title)),
		link,
		text: body ? htmlToText(body) : "",
		author: textOf(item["dc:creator"]) || textOf(item.author) || null,
		publishedAt: isoOrNull(textOf(item.pubDate) || textOf(item["dc:date"])),
		inReplyTo: inReplyToOf(item),
	};
}

function atomEntry(entry: Node): FeedItem {
	const link = atomLink(entry.link);
	const body = textOf(entry.content) || textOf(entry.summary);
	const author = asArray(entry.author).filter(isNode)[0];
	return {
		id: textOf(entry.id) || link || "",
		title: htmlToText(textOf(entry.title)),
		link,
		text: body ? htmlToText(body) : "",
		author: author ? textOf(author.name) || null : null,
		publishedAt: isoOrNull(textOf(entry.published) || textOf(entry.updated)),
		inReplyTo: inReplyToOf(entry),
	};
}

/**
 * Parse RSS 2.0, RSS 1.0 (RDF) or Atom. Throws a SourceError naming the problem (with
 * its line) when the text is not well-formed XML or not a feed.
 */
export function parseFeed(xml: string): ParsedFeed {
	const valid = fastXmlParser().XMLValidator.validate(xml);
	if (valid !== true) {
		throw new SourceError(
			`The feed is not well-formed XML (line ${valid.err.line}): ${valid.err.msg}`,
		);
	}
	const doc = parser().parse(xml) as Node;
	const rss = doc.rss;
	if (isNode(rss) && isNode(rss.channel)) {
		const channel = rss.channel;
		return {
			title: textOf(channel.title),
			language: textOf(channel.language) || null,
			items: asArray(channel.item).filter(isNode).map(rssItem),
		};
	}
	const feed = doc.feed;
	if (isNode(feed)) {
		return {
			title: textOf(feed.title),
			language: textOf(feed["@_xml:lang"]) || null,
			items: asArray(feed.entry).filter(isNode).map(atomEntry),
		};
	}
	const rdf = doc["rdf:RDF"];
	if (isNode(rdf)) {
		const channel = isNode(rdf.channel) ? rdf.channel : {};
		return {
			title: textOf(channel.title),
			language: textOf(channel["dc:language"]) || null,
			items: asArray(rdf.item).filter(isNode).map(rssItem),
		};
	}
	const root = Object.keys(doc).find((key) => key !== "?xml") ?? "nothing";
	throw new SourceError(`The document is not an RSS or Atom feed (its root is <${root}>).`);
}

/** Read a response body, refusing more than `maxBytes`. */
async function readLimited(response: Response, maxBytes: number): Promise<string> {
	const declared = Number(response.headers.get("content-length") ?? "0");
	if (declared > maxBytes) {
		throw new SourceError(`The feed is larger than ${maxBytes} bytes.`);
	}
	const reader = response.body?.getReader();
	if (!reader) return "";
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel();
			throw new SourceError(`The feed is larger than ${maxBytes} bytes.`);
		}
		chunks.push(value);
	}
	return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * Fetch a feed, conditionally when a cursor is given. A 304 answers `not_modified`; an
 * HTTP error, a timeout or a malformed feed throws a SourceError that says which.
 */
export async function fetchFeed(options: FetchFeedOptions): Promise<FeedFetchResult> {
	const timeoutMs = options.timeoutMs ?? defaultConnectorTuning.timeoutMs;
	const headers: Record<string, string> = {
		accept: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8",
		"user-agent": "Switchboard feed watcher",
	};
	if (options.cursor?.etag) headers["if-none-match"] = options.cursor.etag;
	if (options.cursor?.lastModified) headers["if-modified-since"] = options.cursor.lastModified;
	const outbound = options.outbound ?? defaultOutboundClient();
	outbound.prepare();
	let xml: string;
	let response: Response;
	try {
		// One signal for the whole exchange: a feed that sends headers and then stalls the
		// body is as stuck as one that never answers.
		response = await outbound.fetch(options.url, {
			headers,
			// Followed by the guarded client a few times, each hop checked.
			redirect: "follow",
			signal: AbortSignal.timeout(timeoutMs),
		});
		if (response.status === 304) return { status: "not_modified" };
		if (!response.ok) {
			await response.body?.cancel();
			throw new SourceError(
				`The feed answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`,
				{ status: response.status },
			);
		}
		xml = await readLimited(response, options.maxBytes ?? defaultConnectorTuning.maxFeedBytes);
	} catch (error) {
		throw error instanceof SourceError
			? error
			: new SourceError(describeRemoteError(error, "The feed", timeoutMs), { cause: error });
	}
	const feed = parseFeed(xml);
	const cursor: FeedCursor = {};
	const etag = response.headers.get("etag");
	const lastModified = response.headers.get("last-modified");
	if (etag) cursor.etag = etag;
	if (lastModified) cursor.lastModified = lastModified;
	return { status: "ok", feed, cursor };
}

/**
 * The feed's items that match the keywords (all of them when there are none), as
 * mentions. Items without an id or link cannot be told apart between polls and are
 * skipped. An item without a date is dated `now`.
 */
export function feedToMentions(
	feed: ParsedFeed,
	options: { feedUrl: string; keywords: readonly string[]; now: Date },
): IncomingMention[] {
	const host = new URL(options.feedUrl).host;
	const mentions: IncomingMention[] = [];
	for (const item of feed.items) {
		if (!item.id) continue;
		const text = [item.title, item.text].filter(Boolean).join("\n\n").slice(0, 20_000);
		if (!text || !matchesAnyKeyword(text, options.keywords)) continue;
		const author = (item.author ?? feed.title) || host;
		let url: string | null = null;
		if (item.link) {
			try {
				// Only web links: a feed's `javascript:` link must not become a link in the app.
				url = webLink(new URL(item.link, options.feedUrl).href);
			} catch {
				url = null;
			}
		}
		const mention: IncomingMention = {
			network: "rss",
			externalId: item.id.slice(0, 500),
			url,
			author: { handle: author.slice(0, 200), name: (feed.title || host).slice(0, 200), reach: 0 },
			text,
			thread: [],
			postedAt: item.publishedAt ?? options.now.toISOString(),
			ingestedAt: options.now.toISOString(),
			language: feed.language,
		};
		if (item.inReplyTo) mention.inReplyTo = item.inReplyTo.slice(0, 500);
		mentions.push(mention);
	}
	return mentions;
}
