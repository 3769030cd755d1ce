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
import { FormActions, FormError, SelectField, TextField } from "./forms.tsx";

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
				<TextField
					cell="field"
					id={field("name")}
					label="Name"
					type="text"
					required
					maxLength={200}
					value={fields.name}
					onInput={(value) => setFields("name", value)}
					placeholder={fields.kind === "rss" ? "Status page watch" : "Support forum"}
					testId="source-name-input"
				/>
				<SelectField
					cell="field"
					id={field("board")}
					label="Board"
					value={fields.boardId}
					onChange={(value) => setFields("boardId", value)}
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
				</SelectField>

				<Switch>
					<Match when={fields.kind === "rss"}>
						<TextField
							cell="wide"
							id={field("feed")}
							label="Feed URL (RSS or Atom)"
							type="url"
							required
							value={fields.feedUrl}
							onInput={(value) => setFields("feedUrl", value)}
							placeholder="https://status.example.com/feed.xml"
							testId="source-feed-url"
						/>
					</Match>
					<Match when={fields.kind === "mastodon"}>
						<TextField
							cell="wide"
							id={field("instance")}
							label="Instance URL"
							type="url"
							required
							value={fields.instanceUrl}
							onInput={(value) => setFields("instanceUrl", value)}
							placeholder="https://mastodon.social"
							testId="source-instance-url"
						/>
					</Match>
					<Match when={fields.kind === "bluesky"}>
						<TextField
							cell="field"
							id={field("identifier")}
							label="Account (handle or DID)"
							type="text"
							required
							value={fields.identifier}
							onInput={(value) => setFields("identifier", value)}
							placeholder="acme.bsky.social"
							testId="source-identifier"
						/>
						<TextField
							cell="field"
							id={field("service")}
							label="Service URL"
							type="url"
							value={fields.service}
							onInput={(value) => setFields("service", value)}
							testId="source-service-url"
						/>
					</Match>
				</Switch>

				<Show when={network()}>
					<TextField
						cell="wide"
						id={field("credential")}
						label={fields.kind === "mastodon" ? "Access token" : "App password"}
						type="password"
						autocomplete="off"
						required={props.creating}
						value={fields.credential}
						onInput={(value) => setFields("credential", value)}
						testId="source-credential"
						hint={
							<>
								{props.creating ? "" : "Leave empty to keep the stored one. "}
								{fields.kind === "mastodon"
									? "Create it under Preferences → Development with the read scope. Stored encrypted; never shown again."
									: "Create one under Settings → Privacy and security → App passwords. Stored encrypted; never shown again."}
							</>
						}
					/>
				</Show>

				<Show when={polled()}>
					<TextField
						cell="wide"
						id={field("keywords")}
						label="Keywords"
						type="text"
						value={fields.keywords}
						onInput={(value) => setFields("keywords", value)}
						placeholder="outage, refund, not working"
						testId="source-keywords"
						hint={
							<>
								Separated by commas; whole words or phrases, case-blind.{" "}
								{fields.kind === "rss"
									? "Without keywords every item of the feed becomes a mention."
									: "Each keyword is searched for on the network."}
							</>
						}
					/>
					<TextField
						cell="field"
						id={field("interval")}
						label="Poll every (seconds)"
						type="number"
						min={30}
						max={86_400}
						step={1}
						value={fields.intervalSeconds}
						onInput={(value) => setFields("intervalSeconds", value)}
						placeholder={String(DEFAULT_INTERVAL[fields.kind] ?? "")}
						testId="source-interval"
					/>
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
