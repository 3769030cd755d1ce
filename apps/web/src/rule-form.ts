/** A triage rule as its form edits it, and the rule it makes. Pure. */
import type { Network, Priority, TriageRule } from "@switchboard/domain";
import { parseList } from "./format.ts";

export interface RuleFields {
	matchBy: "keyword" | "phrase";
	term: string;
	/** Empty: any network. */
	network: Network | "";
	/** Empty: any reach. */
	minReach: string;
	/** Comma-separated. */
	tags: string;
	/** Empty: leaves the priority as triage scored it. */
	priority: Priority | "";
	skill: string;
}

export const EMPTY_RULE: RuleFields = {
	matchBy: "keyword",
	term: "",
	network: "",
	minReach: "",
	tags: "",
	priority: "",
	skill: "",
};

/** An id for a new rule from its term, unique among `taken`: "refund", "refund-2". */
export function ruleId(term: string, taken: ReadonlySet<string>): string {
	const slug =
		term
			.toLowerCase()
			.normalize("NFKC")
			.replace(/[^\p{L}\p{N}]+/gu, "-")
			.replace(/^-+|-+$/g, "")
			.slice(0, 60) || "rule";
	if (!taken.has(slug)) return slug;
	for (let n = 2; ; n++) {
		const candidate = `${slug}-${n}`;
		if (!taken.has(candidate)) return candidate;
	}
}

/**
 * The rule, or what is wrong with the fields and which field it is at (a rule that does
 * nothing is told at its first effect, "Add tags").
 */
export function fieldsToRule(
	fields: RuleFields,
	taken: ReadonlySet<string>,
): { ok: true; rule: TriageRule } | { ok: false; field: keyof RuleFields; problem: string } {
	const refuse = (field: keyof RuleFields, problem: string) => ({
		ok: false as const,
		field,
		problem,
	});
	const term = fields.term.trim();
	if (!term) return refuse("term", `Enter the ${fields.matchBy} to look for.`);
	if (fields.matchBy === "keyword" && /\s/.test(term)) {
		return refuse("term", "A keyword is one word; match several words as a phrase.");
	}
	let minReach: number | undefined;
	if (fields.minReach.trim()) {
		minReach = Number(fields.minReach.trim());
		if (!Number.isInteger(minReach) || minReach < 0) {
			return refuse("minReach", "The minimum reach is a whole number, 0 or more.");
		}
	}
	const tags = parseList(fields.tags);
	if (tags.some((tag) => tag.length > 64))
		return refuse("tags", "A tag has at most 64 characters.");
	if (tags.length > 10) return refuse("tags", "A rule adds at most 10 tags.");
	const skill = fields.skill.trim();
	if (tags.length === 0 && !fields.priority && !skill) {
		return refuse("tags", "Say what the rule does: add tags, set a priority or a skill.");
	}
	return {
		ok: true,
		rule: {
			id: ruleId(term, taken),
			match: {
				[fields.matchBy]: term,
				...(fields.network ? { network: fields.network } : {}),
				...(minReach !== undefined ? { minReach } : {}),
			},
			apply: {
				...(tags.length > 0 ? { tags } : {}),
				...(fields.priority ? { priority: fields.priority } : {}),
				...(skill ? { skill } : {}),
			},
		},
	};
}
