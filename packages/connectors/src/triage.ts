import type { Priority } from "@switchboard/domain";
import Sentiment from "sentiment";

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
