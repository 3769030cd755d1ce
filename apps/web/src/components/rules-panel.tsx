/**
 * Triage rules: "a mention that says X (on network N, from an author reaching at least
 * R people) gets tags, a priority, a skill". Each change saves the whole list (PUT).
 */
import type { TriageRule } from "@switchboard/domain";
import { Networks, Priorities } from "@switchboard/domain";
import { createSignal, For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { createAction, createLoader, useApi } from "../api.ts";
import { NETWORK_LABELS, PRIORITY_LABELS } from "../board-model.ts";
import { EMPTY_RULE, fieldsToRule, type RuleFields } from "../rule-form.ts";
import {
	AdminSection,
	type FieldOption,
	type FieldSpec,
	FormActions,
	FormError,
	FormFields,
	focusFirstProblem,
	optionsOf,
	submitHandler,
} from "./forms.tsx";
import { Table } from "./table.tsx";

const MATCH_OPTIONS: FieldOption<RuleFields["matchBy"]>[] = [
	{ value: "keyword", label: "a keyword (whole word)" },
	{ value: "phrase", label: "a phrase (words in order)" },
];
const NETWORK_OPTIONS = optionsOf(Networks, NETWORK_LABELS, [{ value: "", label: "Any network" }]);
const PRIORITY_OPTIONS = optionsOf(Priorities, PRIORITY_LABELS, [
	{ value: "", label: "Leave as scored" },
]);

export function RulesPanel(props: { orgId: string }) {
	const api = useApi();
	const rules = createLoader(() => api.rules.list(props.orgId));
	const [fields, setFields] = createStore<RuleFields>({ ...EMPTY_RULE });
	// The problem the form's own check found, shown at its field.
	const [problem, setProblem] = createSignal<Partial<Record<keyof RuleFields, string>>>({});
	let form: HTMLFormElement | undefined;
	let termInput: HTMLInputElement | undefined;

	const saveRules = async (next: TriageRule[]) => {
		rules.set(await api.rules.save(props.orgId, next));
	};
	// Two actions, so that each error shows where its change was made.
	const save = createAction(saveRules);
	const removal = createAction(saveRules);
	const busy = () => save.busy() || removal.busy();

	const add = submitHandler(async () => {
		const current = rules.data() ?? [];
		const made = fieldsToRule(fields, new Set(current.map((rule) => rule.id)));
		if (!made.ok) {
			setProblem({ [made.field]: made.problem });
			focusFirstProblem(form);
			return;
		}
		setProblem({});
		if (busy()) return;
		if (await save.run([...current, made.rule])) {
			setFields({ ...EMPTY_RULE, matchBy: fields.matchBy });
			termInput?.focus();
		}
	});

	const ruleFields = (): FieldSpec<RuleFields>[] => [
		{ name: "matchBy", label: "Match", options: MATCH_OPTIONS, testId: "rule-match-by" },
		{
			name: "term",
			...(fields.matchBy === "keyword"
				? { label: "Keyword", placeholder: "refund" }
				: { label: "Phrase", placeholder: "not working" }),
			required: true,
			maxLength: 200,
			ref: (input) => {
				termInput = input;
			},
			testId: "rule-term-input",
		},
		{ name: "network", label: "Network", options: NETWORK_OPTIONS, testId: "rule-network" },
		{
			name: "minReach",
			label: "Minimum author reach",
			type: "number",
			min: 0,
			step: 1,
			placeholder: "any",
			testId: "rule-min-reach",
		},
		{ name: "tags", label: "Add tags", placeholder: "billing, refunds", testId: "rule-tags" },
		{ name: "priority", label: "Set priority", options: PRIORITY_OPTIONS, testId: "rule-priority" },
		{
			name: "skill",
			label: "Needs skill",
			maxLength: 64,
			placeholder: "finance",
			testId: "rule-skill",
		},
	];

	const remove = (rule: TriageRule) =>
		void removal.run((rules.data() ?? []).filter((other) => other.id !== rule.id));

	return (
		<AdminSection
			name="rules"
			title="Triage rules"
			intro="Every incoming mention is checked against every rule. Tags and skills of matching rules add up; the highest priority any of them sets wins. A skill is added as a tag and routes “Claim next” to members who have it. Changes apply to mentions that arrive from now on."
		>
			<FormError error={rules.error()} testId="rules-load-error" />
			<FormError error={removal.error()} testId="rules-remove-error" />
			<Show
				when={rules.data()}
				fallback={<p class="muted">{rules.error() ? "" : "Loading rules…"}</p>}
			>
				{(list) => (
					<Table
						class="admin-table"
						testId="rules"
						caption="Triage rules"
						columns={["When a mention says", "On", "Author reach", "Then"]}
						actions
						rows={list()}
						empty={
							<div class="empty-state" data-testid="rules-empty">
								<p>No rules: mentions get the priority their sentiment and reach give them.</p>
							</div>
						}
					>
						{(rule) => {
							const term = rule.match.keyword ?? rule.match.phrase ?? "";
							return (
								<tr data-testid="rule" data-rule-id={rule.id}>
									<td>
										<span class="muted small">
											{rule.match.keyword !== undefined ? "keyword" : "phrase"}
										</span>{" "}
										<strong data-testid="rule-term">“{term}”</strong>
									</td>
									<td>{rule.match.network ? NETWORK_LABELS[rule.match.network] : "any network"}</td>
									<td>
										{rule.match.minReach !== undefined
											? `≥ ${rule.match.minReach.toLocaleString()}`
											: "any"}
									</td>
									<td class="rule-effects">
										<For each={rule.apply.tags ?? []}>
											{(tag) => <span class="chip">#{tag}</span>}
										</For>
										<Show when={rule.apply.priority}>
											{(priority) => (
												<span class={`badge priority priority-${priority()}`}>
													{PRIORITY_LABELS[priority()]} priority
												</span>
											)}
										</Show>
										<Show when={rule.apply.skill}>
											{(skill) => <span class="chip chip-skill">skill: {skill()}</span>}
										</Show>
									</td>
									<td class="cell-actions">
										<button
											type="button"
											class="button button-small button-danger-quiet"
											disabled={busy()}
											onClick={() => remove(rule)}
											aria-label={`Remove the rule for “${term}”`}
											data-testid="rule-remove"
										>
											Remove
										</button>
									</td>
								</tr>
							);
						}}
					</Table>
				)}
			</Show>

			<form
				ref={form}
				class="panel form-panel admin-form"
				onSubmit={add}
				data-testid="rule-form"
				novalidate
			>
				<h3 class="panel-title">Add a rule</h3>
				<div class="form-grid">
					<FormFields store={[fields, setFields]} fields={ruleFields()} errors={problem()} />
				</div>
				<FormActions
					error={save.error()}
					errorTestId="rules-error"
					label="Add rule"
					busy={save.busy()}
					disabled={busy() || !rules.data()}
					testId="rule-submit"
				/>
			</form>
		</AdminSection>
	);
}
