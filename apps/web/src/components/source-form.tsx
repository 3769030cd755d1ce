/** The form that creates a source (any kind) or edits one (its kind fixed). */
import type { Board } from "@switchboard/domain";
import { SourceKinds } from "@switchboard/domain";
import { createSignal, createUniqueId, For, Match, Show, Switch } from "solid-js";
import { createStore } from "solid-js/store";
import {
	checkSourceFields,
	DEFAULT_INTERVAL,
	SOURCE_KIND_HINTS,
	SOURCE_KIND_LABELS,
	type SourceFields,
} from "../source-form.ts";
import { FormActions, FormError } from "./forms.tsx";

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
	const [problem, setProblem] = createSignal<string | null>(null);
	const id = createUniqueId();
	const field = (name: string) => `${id}-${name}`;
	const polled = () => fields.kind !== "webhook";
	const network = () => fields.kind === "mastodon" || fields.kind === "bluesky";

	const submit = (event: SubmitEvent) => {
		event.preventDefault();
		const found = checkSourceFields(fields, props.creating);
		setProblem(found);
		if (!found) props.onSubmit({ ...fields });
	};

	return (
		<form class="admin-form" onSubmit={submit} data-testid={props.testId} novalidate>
			<Show when={props.creating}>
				<fieldset class="kind-choice">
					<legend class="field-label">Kind of source</legend>
					<For each={SourceKinds}>
						{(kind) => (
							<div class="kind-option" classList={{ selected: fields.kind === kind }}>
								<input
									type="radio"
									id={field(`kind-${kind}`)}
									name={field("kind")}
									value={kind}
									checked={fields.kind === kind}
									onChange={() => setFields("kind", kind)}
									aria-describedby={field(`kind-${kind}-hint`)}
									data-testid={`source-kind-${kind}`}
								/>
								<span>
									<label for={field(`kind-${kind}`)} class="kind-name">
										{SOURCE_KIND_LABELS[kind]}
									</label>
									<span id={field(`kind-${kind}-hint`)} class="small muted kind-hint">
										{SOURCE_KIND_HINTS[kind]}
									</span>
								</span>
							</div>
						)}
					</For>
				</fieldset>
			</Show>

			<div class="form-grid">
				<div class="form-field">
					<label for={field("name")} class="field-label">
						Name
					</label>
					<input
						id={field("name")}
						type="text"
						required
						maxLength={200}
						value={fields.name}
						onInput={(e) => setFields("name", e.currentTarget.value)}
						placeholder={fields.kind === "rss" ? "Status page watch" : "Support forum"}
						data-testid="source-name-input"
					/>
				</div>
				<div class="form-field">
					<label for={field("board")} class="field-label">
						Board
					</label>
					<select
						id={field("board")}
						value={fields.boardId}
						onChange={(e) => setFields("boardId", e.currentTarget.value)}
					>
						<For
							each={
								props.boards.length > 0
									? props.boards
									: [{ id: fields.boardId, name: fields.boardId }]
							}
						>
							{(board) => <option value={board.id}>{board.name}</option>}
						</For>
					</select>
				</div>

				<Switch>
					<Match when={fields.kind === "rss"}>
						<div class="form-field form-field-wide">
							<label for={field("feed")} class="field-label">
								Feed URL (RSS or Atom)
							</label>
							<input
								id={field("feed")}
								type="url"
								required
								value={fields.feedUrl}
								onInput={(e) => setFields("feedUrl", e.currentTarget.value)}
								placeholder="https://status.example.com/feed.xml"
								data-testid="source-feed-url"
							/>
						</div>
					</Match>
					<Match when={fields.kind === "mastodon"}>
						<div class="form-field form-field-wide">
							<label for={field("instance")} class="field-label">
								Instance URL
							</label>
							<input
								id={field("instance")}
								type="url"
								required
								value={fields.instanceUrl}
								onInput={(e) => setFields("instanceUrl", e.currentTarget.value)}
								placeholder="https://mastodon.social"
								data-testid="source-instance-url"
							/>
						</div>
					</Match>
					<Match when={fields.kind === "bluesky"}>
						<div class="form-field">
							<label for={field("identifier")} class="field-label">
								Account (handle or DID)
							</label>
							<input
								id={field("identifier")}
								type="text"
								required
								value={fields.identifier}
								onInput={(e) => setFields("identifier", e.currentTarget.value)}
								placeholder="acme.bsky.social"
								data-testid="source-identifier"
							/>
						</div>
						<div class="form-field">
							<label for={field("service")} class="field-label">
								Service URL
							</label>
							<input
								id={field("service")}
								type="url"
								value={fields.service}
								onInput={(e) => setFields("service", e.currentTarget.value)}
								data-testid="source-service-url"
							/>
						</div>
					</Match>
				</Switch>

				<Show when={network()}>
					<div class="form-field form-field-wide">
						<label for={field("credential")} class="field-label">
							{fields.kind === "mastodon" ? "Access token" : "App password"}
						</label>
						<input
							id={field("credential")}
							type="password"
							autocomplete="off"
							required={props.creating}
							value={fields.credential}
							onInput={(e) => setFields("credential", e.currentTarget.value)}
							aria-describedby={field("credential-hint")}
							data-testid="source-credential"
						/>
						<p id={field("credential-hint")} class="small muted field-hint">
							{props.creating ? "" : "Leave empty to keep the stored one. "}
							{fields.kind === "mastodon"
								? "Create it under Preferences → Development with the read scope. Stored encrypted; never shown again."
								: "Create one under Settings → Privacy and security → App passwords. Stored encrypted; never shown again."}
						</p>
					</div>
				</Show>

				<Show when={polled()}>
					<div class="form-field form-field-wide">
						<label for={field("keywords")} class="field-label">
							Keywords
						</label>
						<input
							id={field("keywords")}
							type="text"
							value={fields.keywords}
							onInput={(e) => setFields("keywords", e.currentTarget.value)}
							placeholder="outage, refund, not working"
							aria-describedby={field("keywords-hint")}
							data-testid="source-keywords"
						/>
						<p id={field("keywords-hint")} class="small muted field-hint">
							Separated by commas; whole words or phrases, case-blind.{" "}
							{fields.kind === "rss"
								? "Without keywords every item of the feed becomes a mention."
								: "Each keyword is searched for on the network."}
						</p>
					</div>
					<div class="form-field">
						<label for={field("interval")} class="field-label">
							Poll every (seconds)
						</label>
						<input
							id={field("interval")}
							type="number"
							min={30}
							max={86_400}
							step={1}
							value={fields.intervalSeconds}
							onInput={(e) => setFields("intervalSeconds", e.currentTarget.value)}
							placeholder={String(DEFAULT_INTERVAL[fields.kind] ?? "")}
							data-testid="source-interval"
						/>
					</div>
				</Show>
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

			<FormError error={problem() ?? props.error} testId="source-form-error" />
			<FormActions
				label={props.submitLabel}
				busyLabel="Saving…"
				busy={props.busy}
				testId="source-submit"
				onCancel={() => props.onCancel()}
			/>
		</form>
	);
}
