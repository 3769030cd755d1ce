/**
 * An organisation's triage rules: "a mention that says X (on network N, from an author
 * reaching at least R people) gets tag T, priority P, skill S". Pure evaluation; the
 * connectors add sentiment, reach and language and call `evaluateTriageRules` on the way in.
 */
import * as v from "valibot";
import { type Network, NetworkSchema, type Priority, PrioritySchema } from "./model.ts";

const Word = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));
const Label = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64));

/** What a rule looks for. Exactly one of `keyword` or `phrase`. */
export const TriageMatchSchema = v.pipe(
	v.strictObject({
		/** A whole word, case-blind: `refund` matches "Refund!" but not "refunded". */
		keyword: v.optional(Word),
		/** Words in this order, case-blind, whatever the spacing: `not working`. */
		phrase: v.optional(Word),
		/** Only mentions from this network. */
		network: v.optional(NetworkSchema),
		/** Only authors who reach at least this many people. */
		minReach: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
	}),
	v.check(
		(match) => (match.keyword === undefined) !== (match.phrase === undefined),
		"a rule matches either a keyword or a phrase",
	),
);
export type TriageMatch = v.InferOutput<typeof TriageMatchSchema>;

/** What a matching rule does. */
export const TriageActionSchema = v.pipe(
	v.strictObject({
		tags: v.optional(v.pipe(v.array(Label), v.maxLength(10))),
		priority: v.optional(PrioritySchema),
		/** A skill the mention needs; claimNext prefers members who have it. */
		skill: v.optional(Label),
		/**
		 * The board (team) a new conversation goes to instead of its source's; the first
		 * matching rule that names one decides. An archived or deleted board routes like an
		 * archived source board (`routeToBoard`).
		 */
		board: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a board id"))),
	}),
	v.check(
		(apply) =>
			(apply.tags?.length ?? 0) > 0 ||
			apply.priority !== undefined ||
			apply.skill !== undefined ||
			apply.board !== undefined,
		"a rule sets tags, a priority, a skill or a board",
	),
);
export type TriageAction = v.InferOutput<typeof TriageActionSchema>;

export const TriageRuleSchema = v.strictObject({
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
	match: TriageMatchSchema,
	apply: TriageActionSchema,
});
export type TriageRule = v.InferOutput<typeof TriageRuleSchema>;

/** Most rules an organisation keeps; each is checked against every incoming mention. */
export const MAX_TRIAGE_RULES = 200;

/** An organisation's rule list; rule ids are unique. */
export const TriageRulesSchema = v.pipe(
	v.array(TriageRuleSchema),
	v.maxLength(MAX_TRIAGE_RULES),
	v.check(
		(rules) => new Set(rules.map((rule) => rule.id)).size === rules.length,
		"rule ids must be unique",
	),
);

/** What rules look at. */
export interface TriageInput {
	network: Network;
	text: string;
	reach: number;
}

/** What the matching rules decided; `priority` is null when no matching rule sets one. */
export interface TriageVerdict {
	priority: Priority | null;
	tags: string[];
	skills: string[];
	/** Ids of the rules that matched, in rule order. */
	matched: string[];
	/** The board the first matching rule that names one routes to; null when none does. */
	board: string | null;
}

const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

/** Lower-case words of a text: letters and digits of any script, nothing else. */
export function wordsOf(text: string): string[] {
	return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/**
 * True when `text` contains the keyword as a whole word, or the phrase as consecutive
 * words. A leading `#` or `@` of the needle is ignored, so `#outage` finds "outage".
 */
export function containsTerm(text: string, term: string): boolean {
	const needle = wordsOf(term);
	if (needle.length === 0) return false;
	const words = wordsOf(text);
	outer: for (let start = 0; start + needle.length <= words.length; start++) {
		for (let i = 0; i < needle.length; i++) {
			if (words[start + i] !== needle[i]) continue outer;
		}
		return true;
	}
	return false;
}

/** True when the text contains any of the keywords (or when there are none). */
export function matchesAnyKeyword(text: string, keywords: readonly string[]): boolean {
	return keywords.length === 0 || keywords.some((keyword) => containsTerm(text, keyword));
}

function ruleMatches(rule: TriageRule, input: TriageInput): boolean {
	const { match } = rule;
	if (match.network !== undefined && match.network !== input.network) return false;
	if (match.minReach !== undefined && input.reach < match.minReach) return false;
	const term = match.keyword ?? match.phrase ?? "";
	return containsTerm(input.text, term);
}

/**
 * Apply every rule that matches: tags and skills add up (each once, in rule order), and
 * of the priorities the matching rules set, the highest wins.
 */
export function evaluateTriageRules(
	input: TriageInput,
	rules: readonly TriageRule[],
): TriageVerdict {
	const verdict: TriageVerdict = {
		priority: null,
		tags: [],
		skills: [],
		matched: [],
		board: null,
	};
	const tags = new Set<string>();
	const skills = new Set<string>();
	for (const rule of rules) {
		if (!ruleMatches(rule, input)) continue;
		verdict.matched.push(rule.id);
		for (const tag of rule.apply.tags ?? []) tags.add(tag);
		if (rule.apply.skill !== undefined) skills.add(rule.apply.skill);
		verdict.board ??= rule.apply.board ?? null;
		const priority = rule.apply.priority;
		if (
			priority !== undefined &&
			(verdict.priority === null || PRIORITY_RANK[priority] < PRIORITY_RANK[verdict.priority])
		) {
			verdict.priority = priority;
		}
	}
	verdict.tags = [...tags];
	verdict.skills = [...skills];
	return verdict;
}
