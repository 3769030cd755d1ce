import { evaluateTriageRules, type Priority, type TriageRule } from "@switchboard/domain";
import Sentiment from "sentiment";
import type { ImportedMention } from "./imported-mention.ts";
import { lazyRequire } from "./lazy-module.ts";

/** tinyld holds ~50 MiB of language profiles: loaded with the first text to detect. */
const tinyld = lazyRequire<typeof import("tinyld")>("tinyld");

/** Where the minimal triage draws its lines. */
export const TRIAGE_THRESHOLDS = {
	/** AFINN comparative score at or below which a mention is clearly unhappy: high. */
	negative: -0.1,
	/** AFINN comparative score at or above which a mention is clearly happy or thankful: low. */
	positive: 0.2,
	/** Audience from which a mention is visible enough to be high whatever its tone. */
	largeReach: 10_000,
} as const;

/** What triage makes of a mention. */
export interface MentionScore {
	/** AFINN comparative score: the sum of word scores per word; negative is unhappy. */
	sentiment: number;
	priority: Priority;
}

/**
 * AFINN scores these as positive, but in customer care they ask for something: "please help"
 * is a plea, not praise. Their part of the score is taken back out. (The library's `extras`
 * option would do it too, but it writes into the label table every caller shares.)
 */
const REQUEST_WORDS = new Set(["help", "please"]);

const analyzer = new Sentiment();

/**
 * Scores a mention's tone and gives it a priority: high when it is clearly negative or its
 * author's reach is large, low when it is clearly positive (praise, thanks), else normal.
 * Handles and links are left out of the score: they are not words of the message.
 */
export function scoreMention(input: { text: string; reach: number }): MentionScore {
	const words = input.text.replace(/https?:\/\/\S+/g, " ").replace(/(^|[^\w])@\w+/g, "$1 ");
	const result = analyzer.analyze(words);
	let score = result.score;
	for (const entry of result.calculation) {
		for (const [word, value] of Object.entries(entry)) {
			if (REQUEST_WORDS.has(word)) score -= value;
		}
	}
	const sentiment = result.tokens.length > 0 ? score / result.tokens.length : 0;
	return { sentiment, priority: priorityOf(sentiment, input.reach) };
}

function priorityOf(sentiment: number, reach: number): Priority {
	if (sentiment <= TRIAGE_THRESHOLDS.negative || reach >= TRIAGE_THRESHOLDS.largeReach) {
		return "high";
	}
	if (sentiment >= TRIAGE_THRESHOLDS.positive) return "low";
	return "normal";
}

/**
 * A mention as a source hands it over, before triage: no sentiment yet, and language,
 * tags and priority only when the source knows them (Mastodon and Bluesky say the
 * language; an import may carry tags). `inReplyTo` names the message (external id, same
 * network) it answers, when the source knows it: then it may join that conversation.
 */
export type IncomingMention = Omit<
	ImportedMention,
	"sentiment" | "language" | "priority" | "tags"
> & {
	language?: string | null;
	tags?: string[];
	inReplyTo?: string;
};

/**
 * Below this detection confidence (tinyld's accuracy, 0 to 1) the language is left unknown:
 * an unknown language routes to anyone, a wrong one to nobody who can answer.
 */
const LANGUAGE_CONFIDENCE = 0.5;
/** Texts shorter than this (letters, without handles and links) are too short to tell. */
const LANGUAGE_MIN_LETTERS = 12;

/** Words of the message, without handles and links. */
function messageWords(text: string): string {
	return text.replace(/https?:\/\/\S+/g, " ").replace(/(^|[^\w])@[\w.@-]+/g, "$1 ");
}

/**
 * The language a mention is written in, as an ISO 639-1 code: the source's word when it
 * has one, else detected (tinyld) when the text is long enough and the detection is
 * confident, else null.
 */
export function languageOf(text: string, hint?: string | null): string | null {
	const given = hint?.trim().toLowerCase().split(/[-_]/)[0];
	if (given && /^[a-z]{2,3}$/.test(given)) return given;
	const words = messageWords(text);
	if ((words.match(/\p{L}/gu)?.length ?? 0) < LANGUAGE_MIN_LETTERS) return null;
	const [best] = tinyld().detectAll(words);
	return best && best.accuracy >= LANGUAGE_CONFIDENCE ? best.lang : null;
}

/**
 * Triage a mention on its way in: sentiment (AFINN), the author's reach and the language
 * from `scoreMention`/`languageOf`, then the organisation's rules. A rule's priority
 * overrides the score's; its tags are added, and so is its skill, as a tag: claimNext
 * routes a conversation to members whose skills match its tags.
 */
export function triageMention(
	incoming: IncomingMention,
	rules: readonly TriageRule[],
): ImportedMention {
	// Where a message continues a conversation is ingest's business, not the mention's.
	const { language, tags, inReplyTo: _continues, ...content } = incoming;
	const score = scoreMention({ text: incoming.text, reach: incoming.author.reach });
	const verdict = evaluateTriageRules(
		{ network: incoming.network, text: incoming.text, reach: incoming.author.reach },
		rules,
	);
	return {
		...content,
		language: languageOf(incoming.text, language),
		sentiment: score.sentiment,
		priority: verdict.priority ?? score.priority,
		tags: [...new Set([...(tags ?? []), ...verdict.tags, ...verdict.skills])].slice(0, 32),
	};
}
