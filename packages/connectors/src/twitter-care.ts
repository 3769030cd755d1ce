/**
 * Real customer-care conversations held on Twitter (IBM's "Twitter Conversations Dataset for
 * Conversational Document Prediction", see demo/README.md) as a mention source: parsed
 * with a schema, then replayed onto the hours before `now` so a demo board looks live.
 */
import { readFile } from "node:fs/promises";
import type { ThreadMessage } from "@switchboard/domain";
import { AppError } from "@switchboard/domain";
import { digest } from "lib0/hash/sha256";
import * as prng from "lib0/prng";
import * as v from "valibot";
import type { ImportedMention } from "./imported-mention.ts";
import { scoreMention } from "./triage.ts";

/** Who wrote a message: the member of the public, a second one who joined in, or the brand. */
export const TwitterCareSpeakers = ["client", "client1", "agent"] as const;
export type TwitterCareSpeaker = (typeof TwitterCareSpeakers)[number];

const HandleSchema = v.pipe(
	v.string(),
	v.regex(/^[A-Za-z0-9_]{1,15}$/, "a Twitter handle is 1 to 15 letters, digits or underscores"),
);
const TweetIdSchema = v.pipe(
	v.string(),
	v.regex(/^[0-9]{1,20}$/, "a tweet id is a string of digits"),
);
const TimestampSchema = v.pipe(v.string(), v.isoTimestamp());
/** The dataset writes counts as strings ("2"). */
const CountSchema = v.pipe(
	v.string(),
	v.regex(/^[0-9]{1,6}$/, "a count is a string of digits"),
	v.transform(Number),
);

/** One message of a conversation; the dataset names its writer by the key that holds the handle. */
export const TwitterCareMessageSchema = v.pipe(
	v.object({
		client: v.optional(HandleSchema),
		client1: v.optional(HandleSchema),
		agent: v.optional(HandleSchema),
		datetime: TimestampSchema,
		message: v.string(),
		tweet_ID: TweetIdSchema,
	}),
	v.check(
		(m) => TwitterCareSpeakers.filter((key) => m[key] !== undefined).length === 1,
		"a message has exactly one of client, client1 or agent",
	),
	v.transform((m) => {
		const speaker = TwitterCareSpeakers.find((key) => m[key] !== undefined)!;
		return {
			speaker,
			handle: m[speaker]!,
			postedAt: m.datetime,
			text: m.message,
			tweetId: m.tweet_ID,
		};
	}),
);
export type TwitterCareMessage = v.InferOutput<typeof TwitterCareMessageSchema>;

/** One record of the dataset, in the shape the rest of Switchboard reads. */
export const TwitterCareConversationSchema = v.pipe(
	v.object({
		dialogHeader: v.object({
			company: HandleSchema,
			conversationDateTime: TimestampSchema,
			duration: v.string(),
			/** Messages including the brand's final reply (`agentURL`), which is not in `dialogContent`. */
			messageCount: CountSchema,
			sessionID: v.pipe(v.string(), v.minLength(1)),
		}),
		dialogContent: v.pipe(v.array(TwitterCareMessageSchema), v.minLength(1)),
		agentURL: v.object({
			doc_id: v.string(),
			turn: CountSchema,
			tweet_ID: TweetIdSchema,
			url: v.pipe(v.string(), v.url()),
			url_utterance: v.string(),
		}),
	}),
	v.forward(
		v.partialCheck(
			[["dialogContent"]],
			(record) => record.dialogContent[0]?.speaker === "client",
			"a conversation opens with a client message",
		),
		["dialogContent"],
	),
	v.transform((record) => ({
		sessionId: record.dialogHeader.sessionID,
		/** The brand's Twitter handle. */
		company: record.dialogHeader.company,
		startedAt: record.dialogHeader.conversationDateTime,
		duration: record.dialogHeader.duration,
		messageCount: record.dialogHeader.messageCount,
		messages: record.dialogContent,
		/** The brand's last reply, which links a help article; real, so a target for drafts. */
		finalReply: {
			tweetId: record.agentURL.tweet_ID,
			turn: record.agentURL.turn,
			text: record.agentURL.url_utterance,
			url: record.agentURL.url,
			docId: record.agentURL.doc_id,
		},
	})),
);
export type TwitterCareConversation = v.InferOutput<typeof TwitterCareConversationSchema>;

/**
 * Parses the dataset (the JSON array of conversation records). Throws an `AppError` of kind
 * `invalid` naming the first bad record's index and field.
 */
export function parseTwitterCareDataset(json: unknown): TwitterCareConversation[] {
	if (!Array.isArray(json)) {
		throw new AppError("invalid", "Twitter care dataset: expected an array of conversations");
	}
	return json.map((record: unknown, index) => {
		const result = v.safeParse(TwitterCareConversationSchema, record);
		if (result.success) return result.output;
		const issue = result.issues[0];
		const field = v.getDotPath(issue) ?? "(the record itself)";
		throw new AppError(
			"invalid",
			`Twitter care dataset: record ${index}, field ${field}: ${issue.message}`,
			{ index, field, issueCount: result.issues.length },
		);
	});
}

/** Reads and parses the dataset file. */
export async function loadTwitterCareDataset(
	path: string | URL,
): Promise<TwitterCareConversation[]> {
	const text = await readFile(path, "utf8");
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (cause) {
		throw new AppError("invalid", `Twitter care dataset: ${String(path)} is not JSON: ${cause}`);
	}
	return parseTwitterCareDataset(json);
}

/** How the dataset is laid onto the recent past. */
export interface TwitterCareReplayOptions {
	/** The moment the board should look live at: every time lands in the 48 hours before it. */
	now: Date;
	/** Seeds the ages and ingest delays; one seed always gives the same mentions. @default 1 */
	seed?: number;
	/** Only conversations with these brands (company handles, any case). @default every brand */
	brands?: string[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Conversations start at most this long before `now`. */
const WINDOW = 48 * HOUR;
/** The newest message of a conversation is at least this old, so nothing lands in the future. */
const MIN_QUIET = 2 * MINUTE;
/** Mean age of the start times before truncation: half of them fall in the last ~8 hours. */
const AGE_SCALE = 12 * HOUR;

/**
 * Turns conversations into mentions for the board. The first message (a client's) is the
 * mention; every later one is its thread, the brand's own marked `fromOrganisation`. The brand's
 * final reply (`finalReply`) is left out: the mention is waiting for that answer.
 *
 * Conversations that branch from the same tweet (the dataset holds a few) are one mention on
 * Twitter, so they become one mention whose thread holds every branch's messages once.
 *
 * Times move to the 48 hours before `now`: each conversation keeps the gaps between its
 * messages (squeezed only where they would not fit the window), and start times follow a
 * truncated exponential, so recent ones are denser, from a few minutes to two days old.
 * Ages depend on the seed and the root tweet only, so filtering by brand leaves them unchanged;
 * an author's reach depends on the handle only, so it is the same in every mention.
 */
export function twitterCareToMentions(
	conversations: readonly TwitterCareConversation[],
	options: TwitterCareReplayOptions,
): ImportedMention[] {
	const seed = options.seed ?? 1;
	const now = options.now.getTime();
	const brands = options.brands && new Set(options.brands.map((brand) => brand.toLowerCase()));

	const byRoot = new Map<
		string,
		{ root: TwitterCareMessage; company: string; later: Map<string, TwitterCareMessage> }
	>();
	for (const conversation of conversations) {
		if (brands && !brands.has(conversation.company.toLowerCase())) continue;
		const [root, ...later] = conversation.messages;
		if (!root) continue;
		let group = byRoot.get(root.tweetId);
		if (!group) {
			group = { root, company: conversation.company, later: new Map() };
			byRoot.set(root.tweetId, group);
		}
		for (const message of later) group.later.set(message.tweetId, message);
	}

	return [...byRoot.values()].map(({ root, company, later }): ImportedMention => {
		const rootTime = Date.parse(root.postedAt);
		const thread = [...later.values()]
			.map((message) => ({ message, offset: Date.parse(message.postedAt) - rootTime }))
			.sort((a, b) => a.offset - b.offset);
		const span = Math.max(0, ...thread.map((entry) => entry.offset));
		const squeeze = Math.min(1, (WINDOW - MIN_QUIET) / Math.max(span, 1));

		const gen = prng.create(hashSeed(`${seed}:${root.tweetId}`));
		const age = truncatedExponential(gen, span * squeeze + MIN_QUIET, WINDOW, AGE_SCALE);
		// Whole seconds, as on Twitter; rounding towards `now` keeps every age within the window.
		const start = Math.ceil((now - age) / 1000) * 1000;
		const at = (offset: number) => new Date(start + Math.round((offset * squeeze) / 1000) * 1000);

		const author = { handle: root.handle, name: root.handle, reach: reachOf(root.handle) };
		const text = unescapeTweet(root.text);
		const { sentiment, priority } = scoreMention({ text, reach: author.reach });
		return {
			network: "twitter",
			externalId: root.tweetId,
			url: tweetUrl(root.handle, root.tweetId),
			author,
			text,
			thread: thread.map(
				({ message, offset }): ThreadMessage => ({
					externalId: message.tweetId,
					handle: message.handle,
					fromOrganisation: message.speaker === "agent",
					text: unescapeTweet(message.text),
					postedAt: at(offset).toISOString(),
				}),
			),
			postedAt: at(0).toISOString(),
			ingestedAt: new Date(start + prng.int32(gen, 2, 20) * 1000).toISOString(),
			// The brands answer in English, and a detector guesses wrong on tweets this short
			// (franc flagged 27 English tweets of 28 it called foreign).
			language: "en",
			sentiment,
			priority,
			tags: [company.toLowerCase()],
		};
	});
}

function tweetUrl(handle: string, tweetId: string): string {
	return `https://twitter.com/${handle}/status/${tweetId}`;
}

/** Tweets come with `&`, `<` and `>` HTML-escaped, and nothing else. */
function unescapeTweet(text: string): string {
	return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/**
 * A follower count that looks real: heavy-tailed (Lomax), so most authors have tens to a few
 * hundred followers (median about 110), about 2 in 100 have 10,000 or more, a few have far more.
 */
function reachOf(handle: string): number {
	const u = 1 - prng.real53(prng.create(hashSeed(`reach:${handle.toLowerCase()}`)));
	return Math.min(50_000_000, Math.floor(80 * (u ** (-1 / 0.8) - 1)));
}

/** A value in [min, max], exponentially distributed with the given mean before truncation. */
function truncatedExponential(gen: prng.PRNG, min: number, max: number, scale: number): number {
	const range = Math.max(0, max - min);
	const u = prng.real53(gen);
	return min - scale * Math.log(1 - u * (1 - Math.exp(-range / scale)));
}

/** A non-zero 32-bit seed from a string (the generator stays at zero when seeded with zero). */
function hashSeed(text: string): number {
	const bytes = digest(new TextEncoder().encode(text));
	const seed = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
	return seed === 0 ? 1 : seed;
}
