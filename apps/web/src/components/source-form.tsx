/** The form that creates a source (any kind) or edits one (its kind fixed). */
import type { Board, SourceKind } from "@switchboard/domain";
import { SourceKinds } from "@switchboard/domain";
import { createEffect, createMemo, createSignal, createUniqueId, For, on, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { holdFocus } from "../focus.ts";
import {
	DEFAULT_INTERVAL,
	refusalProblems,
	SOURCE_KIND_HINTS,
	SOURCE_KIND_LABELS,
	type SourceFields,
	type SourceProblems,
	sourceFieldProblems,
} from "../source-form.ts";
import { boardOptions } from "./board-select.tsx";
import {
	type FieldSpec,
	FormActions,
	FormFields,
	focusFirstProblem,
	submitHandler,
	URL_INPUT,
} from "./forms.tsx";

/** The fields only one kind of source has: where it reads from. */
const KIND_FIELDS: Record<SourceKind, readonly FieldSpec<SourceFields>[]> = {
	webhook: [],
	rss: [
		{
			name: "feedUrl",
			label: "Feed URL (RSS or Atom)",
			wide: true,
			...URL_INPUT,
			required: true,
			placeholder: "https://status.example.com/feed.xml",
			testId: "source-feed-url",
		},
	],
	mastodon: [
		{
			name: "instanceUrl",
			label: "Instance URL",
			wide: true,
			...URL_INPUT,
			required: true,
			placeholder: "https://mastodon.social",
			testId: "source-instance-url",
		},
	],
	bluesky: [
		{
			name: "identifier",
			label: "Account (handle or DID)",
			required: true,
			placeholder: "acme.bsky.social",
			testId: "source-identifier",
		},
		{ name: "service", label: "Service URL", ...URL_INPUT, testId: "source-service-url" },
	],
};

/** Where a network account's credential is made. */
const CREDENTIAL_HINTS: Partial<Record<SourceKind, string>> = {
	mastodon:
		"Create it under Preferences → Development with the read scope. Stored encrypted; never shown again.",
	bluesky:
		"Create one under Settings → Privacy and security → App passwords. Stored encrypted; never shown again.",
};

export function SourceForm(props: {
	initial: SourceFields;
	/** Creating: the kind can be chosen and a credential is required. */
	creating: boolean;
	boards: readonly Pick<Board, "id" | "name">[];
	submitLabel: string;
	busy: boolean;
	/** The server's answer to the last submit. */
	error: string | null;
	onSubmit: (fields: SourceFields) => void;
	onCancel: () => void;
	testId: string;
}) {
	const [fields, setFields] = createStore<SourceFields>({ ...props.initial });
	const [problems, setProblems] = createSignal<SourceProblems>({});
	let form: HTMLFormElement | undefined;
	const id = createUniqueId();
	const field = (name: string) => `${id}-${name}`;
	const polled = () => fields.kind !== "webhook";
	const network = () => fields.kind === "mastodon" || fields.kind === "bluesky";

	const sourceFields = (): FieldSpec<SourceFields>[] => [
		{
			name: "name",
			label: "Name",
			required: true,
			maxLength: 200,
			placeholder: fields.kind === "rss" ? "Status page watch" : "Support forum",
			testId: "source-name-input",
		},
		{
			name: "boardId",
			label: "Board",
			// Until the boards are read, the stored one.
			options: boardOptions(
				props.boards.length > 0 ? props.boards : [{ id: fields.boardId, name: fields.boardId }],
			),
		},
		...KIND_FIELDS[fields.kind],
		...(network()
			? [
					{
						name: "credential",
						label: fields.kind === "mastodon" ? "Access token" : "App password",
						wide: true,
						type: "password",
						autocomplete: "off",
						required: props.creating,
						hint: `${props.creating ? "" : "Leave empty to keep the stored one. "}${CREDENTIAL_HINTS[fields.kind]}`,
						testId: "source-credential",
					} as const,
				]
			: []),
		...(polled()
			? [
					{
						name: "keywords",
						label: "Keywords",
						wide: true,
						placeholder: "outage, refund, not working",
						hint: `Separated by commas; whole words or phrases, case-blind. ${
							fields.kind === "rss"
								? "Without keywords every item of the feed becomes a mention."
								: "Each keyword is searched for on the network."
						}`,
						testId: "source-keywords",
					} as const,
					{
						name: "intervalSeconds",
						label: "Poll every (seconds)",
						type: "number",
						min: 30,
						max: 86_400,
						step: 1,
						placeholder: String(DEFAULT_INTERVAL[fields.kind] ?? ""),
						testId: "source-interval",
					} as const,
				]
			: []),
	];

	// A new source starts on a board it may use: the first board ("main") may be archived,
	// and an archived board is not offered (nor takes new conversations).
	createEffect(() => {
		const first = props.boards[0];
		if (!props.creating || !first) return;
		if (props.boards.some((board) => board.id === fields.boardId)) return;
		setFields("boardId", first.id);
	});

	// A refusal that names a field (a URL at a private address) is said at that field.
	const refused = createMemo(() => refusalProblems(props.error));

	// Save is disabled while the server answers: a refusal said in the form's alert gives
	// focus back to what had it, one said at a field moves it there. A success closes the form.
	let sent: ReturnType<typeof holdFocus> | undefined;
	createEffect(
		on(
			() => props.busy,
			(busy) => {
				if (busy) return;
				const atField = refused();
				if (atField) {
					setProblems(atField);
					focusFirstProblem(form);
				} else sent?.();
				sent = undefined;
			},
			{ defer: true },
		),
	);
	const submit = submitHandler(() => {
		const found = sourceFieldProblems(fields, props.creating);
		setProblems(found);
		if (Object.keys(found).length === 0) {
			sent = holdFocus();
			return props.onSubmit({ ...fields });
		}
		focusFirstProblem(form);
	});

	return (
		<form ref={form} class="admin-form" onSubmit={submit} data-testid={props.testId} novalidate>
			<Show when={props.creating}>
				<fieldset class="kind-choice">
					<legend class="field-label">Kind of source</legend>
					<For each={SourceKinds}>
						{(kind) => (
							// The whole card is the radio's label, so a tap anywhere on it picks the kind (the
							// radio itself is 13 px); its name is the kind's name alone, its description the hint.
							<label
								class="kind-option"
								classList={{ selected: fields.kind === kind }}
								data-testid={`source-kind-option-${kind}`}
							>
								<input
									type="radio"
									id={field(`kind-${kind}`)}
									name={field("kind")}
									value={kind}
									checked={fields.kind === kind}
									onChange={() => setFields("kind", kind)}
									aria-labelledby={field(`kind-${kind}-name`)}
									aria-describedby={field(`kind-${kind}-hint`)}
									data-testid={`source-kind-${kind}`}
								/>
								<span>
									<span id={field(`kind-${kind}-name`)} class="kind-name">
										{SOURCE_KIND_LABELS[kind]}
									</span>
									<span id={field(`kind-${kind}-hint`)} class="small muted kind-hint">
										{SOURCE_KIND_HINTS[kind]}
									</span>
								</span>
							</label>
						)}
					</For>
				</fieldset>
			</Show>

			<div class="form-grid">
				<FormFields store={[fields, setFields]} fields={sourceFields()} errors={problems()} />
			</div>

			<div class="form-checks">
				<Show when={network()}>
					<label class="check">
						<input
							type="checkbox"
							checked={fields.mentions}
							onChange={(e) => setFields("mentions", e.currentTarget.checked)}
						/>
						Read the account's mentions
					</label>
				</Show>
				<label class="check">
					<input
						type="checkbox"
						checked={fields.enabled}
						onChange={(e) => setFields("enabled", e.currentTarget.checked)}
					/>
					Enabled
				</label>
			</div>

			<FormActions
				error={refused() ? null : props.error}
				errorTestId="source-form-error"
				label={props.submitLabel}
				busy={props.busy}
				testId="source-submit"
				onCancel={() => props.onCancel()}
			/>
		</form>
	);
}
