import { describe, expect, it } from "vitest";
import { EMPTY_RULE, fieldsToRule, ruleId } from "./rule-form.ts";

describe("rule form", () => {
	it("makes a rule with only the conditions and effects given", () => {
		expect(
			fieldsToRule(
				{
					...EMPTY_RULE,
					matchBy: "phrase",
					term: " money back ",
					network: "mastodon",
					minReach: "100",
					tags: "billing, refunds",
					priority: "high",
					skill: "finance",
				},
				new Set(),
			),
		).toEqual({
			ok: true,
			rule: {
				id: "money-back",
				match: { phrase: "money back", network: "mastodon", minReach: 100 },
				apply: { tags: ["billing", "refunds"], priority: "high", skill: "finance" },
			},
		});
		expect(fieldsToRule({ ...EMPTY_RULE, term: "refund", tags: "billing" }, new Set())).toEqual({
			ok: true,
			rule: { id: "refund", match: { keyword: "refund" }, apply: { tags: ["billing"] } },
		});
	});

	it("refuses a rule without a term, a keyword of several words, or one that does nothing", () => {
		expect(fieldsToRule({ ...EMPTY_RULE, tags: "x" }, new Set())).toMatchObject({ ok: false });
		expect(
			fieldsToRule({ ...EMPTY_RULE, term: "not working", tags: "x" }, new Set()),
		).toMatchObject({ ok: false, field: "term", problem: expect.stringMatching(/phrase/) });
		expect(fieldsToRule({ ...EMPTY_RULE, term: "refund" }, new Set())).toMatchObject({
			ok: false,
			field: "tags",
			problem: expect.stringMatching(/add tags, set a priority or a skill/),
		});
		expect(
			fieldsToRule({ ...EMPTY_RULE, term: "refund", priority: "low", minReach: "-1" }, new Set()),
		).toMatchObject({ ok: false, field: "minReach", problem: expect.stringMatching(/reach/) });
	});

	it("gives each rule an id of its own", () => {
		expect(ruleId("Refund!", new Set())).toBe("refund");
		expect(ruleId("refund", new Set(["refund", "refund-2"]))).toBe("refund-3");
		expect(ruleId("!!!", new Set())).toBe("rule");
		expect(ruleId("Rückerstattung", new Set())).toBe("rückerstattung");
	});
});
