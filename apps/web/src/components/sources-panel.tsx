/**
 * The organisation's sources: what each watches, how its polling stands (the last error
 * shown on the source) or what its webhook last did with a delivery (the last refusal and
 * why, while no delivery was accepted since), and creating, editing, pausing, deleting them and rotating a
 * webhook's secret.
 */
import type { Source } from "@switchboard/client";
import { createMemo, createSignal, For, onCleanup, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import { holdFocus } from "../focus.ts";
import { plural } from "../format.ts";
import {
	emptySourceFields,
	fieldsToNewSource,
	fieldsToPatch,
	SOURCE_KIND_LABELS,
	type SourceFields,
	sourceTarget,
	sourceToFields,
} from "../source-form.ts";
import { currentRefusal, pollErrorAdvice, REFUSAL_ADVICE, sourceHealth } from "../source-health.ts";
import { useWorkspace } from "../workspace.tsx";
import {
	AdminListPanel,
	createItemActions,
	ItemActionBar,
	type ItemControls,
} from "./admin-list.tsx";
import { CopyField, FormError, When } from "./forms.tsx";
import { SourceForm } from "./source-form.tsx";

/** How often the list refreshes by itself while shown, in ms: polls happen meanwhile. */
const REFRESH_MS = 15_000;

/** Where a webhook source takes its mentions, as an absolute URL. */
function webhookUrl(source: Pick<Source, "orgId" | "id">): string {
	return `${location.origin}/api/orgs/${encodeURIComponent(source.orgId)}/sources/${encodeURIComponent(source.id)}/webhook`;
}

export function SourcesPanel(props: { orgId: string }) {
	const api = useApi();
	const sources = createLoader(() => api.sources.list(props.orgId));
	const boards = createLoader(() => api.boards());

	const timer = setInterval(() => {
		if (document.visibilityState === "visible") void sources.reload();
	}, REFRESH_MS);
	onCleanup(() => clearInterval(timer));

	// A paused source refuses everything on purpose, and a paused feed's last error is old news.
	const failing = createMemo(() => {
		const unwell = (sources.data() ?? []).filter((s) => sourceHealth(s).kind === "failing");
		const refusing = unwell.filter((s) => s.kind === "webhook").length;
		return { polls: unwell.length - refusing, refusing };
	});

	return (
		<AdminListPanel
			noun={{ one: "source", many: "sources" }}
			title="Sources"
			intro="Where mentions come from. Polled sources record their last error here, and after a failure the next poll backs off; webhooks record the last delivery they refused, and why."
			addLabel="Add a source"
			list={sources}
			busy={boards.loading()}
			tools={
				<button
					type="button"
					class="button"
					onClick={() => void sources.reload()}
					aria-busy={sources.loading()}
					data-testid="sources-refresh"
				>
					Refresh
				</button>
			}
			notice={
				<Show when={failing().polls + failing().refusing > 0}>
					<p class="callout callout-danger" data-testid="sources-failing">
						<Show when={failing().polls > 0}>
							{plural(failing().polls, "source")} failed {failing().polls === 1 ? "its" : "their"}{" "}
							last poll.{" "}
						</Show>
						<Show when={failing().refusing > 0}>
							{plural(failing().refusing, "webhook")} {failing().refusing === 1 ? "is" : "are"}{" "}
							refusing deliveries.
						</Show>
					</p>
				</Show>
			}
			empty={
				<>
					<p>No sources yet.</p>
					<p class="muted">
						Add a signed webhook, a feed to watch, or a Mastodon or Bluesky account: it brings in
						new mentions as they are posted. Conversations already on the boards came another way,
						an import for example.
					</p>
				</>
			}
			createForm={(panel) => {
				const create = createAction(async (fields: SourceFields) => {
					const created = await api.sources.create(props.orgId, fieldsToNewSource(fields));
					panel.created(created.source.id);
					if (created.secret) {
						panel.showSecret({
							title: `Webhook source “${created.source.name}” created`,
							secret: created.secret,
							postUrl: webhookUrl(created.source),
						});
					}
					await sources.reload();
				});
				return (
					<div class="panel form-panel">
						<h3 class="panel-title">New source</h3>
						<SourceForm
							initial={emptySourceFields()}
							creating
							boards={boards.data() ?? []}
							submitLabel="Create source"
							busy={create.busy()}
							error={create.error()}
							onSubmit={(fields) => void create.run(fields)}
							onCancel={panel.close}
							testId="source-form"
						/>
					</div>
				);
			}}
		>
			{(source, controls) => (
				<SourceItem source={source()} boards={boards.data() ?? []} controls={controls} />
			)}
		</AdminListPanel>
	);
}

function SourceItem(props: {
	source: Source;
	boards: readonly { id: string; name: string }[];
	controls: ItemControls<Source>;
}) {
	const ws = useWorkspace();
	const api = useApi();
	const [editing, setEditing] = createSignal(false);
	const source = () => props.source;
	const status = () => props.source.status;
	const polled = () => source().kind !== "webhook";
	const keywords = () => {
		const list = source().config.keywords;
		return Array.isArray(list) ? list.map(String) : [];
	};
	const interval = () => {
		const seconds = source().config.intervalSeconds;
		return typeof seconds === "number" ? seconds : null;
	};
	const boardName = () =>
		props.boards.find((board) => board.id === source().boardId)?.name ?? source().boardId;
	const health = () => sourceHealth(source());
	const refusal = () => (polled() ? null : currentRefusal(status()));

	// The form's buttons go with it: saved, focus goes to the source's heading; cancelled,
	// back to Edit.
	let heading: HTMLHeadingElement | undefined;
	let editButton: HTMLButtonElement | undefined;
	const save = createAction(async (fields: SourceFields) => {
		const patch = fieldsToPatch(source(), fields);
		if (Object.keys(patch).length > 0) {
			props.controls.changed(await api.sources.update(source().orgId, source().id, patch));
		}
		const focus = holdFocus();
		setEditing(false);
		focus(heading);
	});
	const actions = createItemActions(api.sources, source, props.controls, (secret) => ({
		title: `New secret for “${source().name}”`,
		secret,
		postUrl: webhookUrl(source()),
	}));
	const headingId = () => `source-${source().id}-name`;

	return (
		<li
			class="admin-item source"
			classList={{ "source-failing": health().kind === "failing" }}
			data-testid="source"
			data-source-id={source().id}
			data-kind={source().kind}
			aria-labelledby={headingId()}
		>
			<div class="admin-item-head">
				<span class={`kind-badge kind-${source().kind}`}>{SOURCE_KIND_LABELS[source().kind]}</span>
				<h3
					id={headingId()}
					class="admin-item-title"
					tabIndex={-1}
					ref={(element) => {
						heading = element;
						props.controls.heading(element);
					}}
					data-testid="source-name"
				>
					{source().name}
				</h3>
				<span
					class={`badge health health-${health().kind}`}
					data-testid="source-health"
					data-health={health().kind}
				>
					{health().label}
				</span>
			</div>

			<Show when={status().lastError}>
				{(error) => (
					<div class="callout callout-danger source-error" data-testid="source-error">
						<strong>
							Last poll failed
							{status().failures > 1 ? ` (${status().failures} times in a row)` : ""}:
						</strong>{" "}
						<span data-testid="source-error-message">{error()}</span>
						<Show when={pollErrorAdvice(source().kind, error())}>
							{(advice) => (
								<>
									{" "}
									<span class="source-advice" data-testid="source-error-advice">
										{advice()}
									</span>
								</>
							)}
						</Show>
					</div>
				)}
			</Show>

			<Show when={source().enabled && refusal()}>
				{(refused) => (
					<div class="callout callout-danger source-error" data-testid="source-refusal">
						<strong>
							Refused a delivery <When iso={refused().at} now={ws.now()} tense="past" />:
						</strong>{" "}
						<span data-testid="source-refusal-message">{refused().message}</span>{" "}
						<span class="source-advice" data-testid="source-refusal-advice">
							{REFUSAL_ADVICE[refused().reason]}
						</span>
					</div>
				)}
			</Show>

			<dl class="facts" data-testid="source-status">
				<Show when={sourceTarget(source())}>
					{(target) => (
						<div>
							<dt>{source().kind === "rss" ? "Feed" : "Account"}</dt>
							<dd class="fact-url">{target()}</dd>
						</div>
					)}
				</Show>
				<div>
					<dt>Board</dt>
					<dd>{boardName()}</dd>
				</div>
				<Show when={!polled()}>
					<div>
						<dt>Last delivery</dt>
						<dd data-testid="source-last-delivery">
							<When
								iso={status().lastDeliveryAt ?? null}
								now={ws.now()}
								never="none recorded yet"
								tense="past"
							/>
						</dd>
					</div>
				</Show>
				<Show when={polled()}>
					<div>
						<dt>Keywords</dt>
						<dd>
							<Show
								when={keywords().length > 0}
								fallback={<span class="muted">none (every item)</span>}
							>
								<For each={keywords()}>{(word) => <span class="chip">{word}</span>}</For>
							</Show>
						</dd>
					</div>
					<div>
						<dt>Interval</dt>
						<dd>{interval() === null ? "default" : `every ${interval()} s`}</dd>
					</div>
					<div>
						<dt>Last polled</dt>
						<dd data-testid="source-last-polled">
							<When iso={status().lastPolledAt} now={ws.now()} tense="past" />
						</dd>
					</div>
					<div>
						<dt>Next poll</dt>
						<dd data-testid="source-next-poll">
							<When
								iso={source().enabled ? status().nextPollAt : null}
								now={ws.now()}
								never={source().enabled ? "not scheduled" : "paused"}
								tense="future"
							/>
						</dd>
					</div>
					<div>
						<dt>Failures in a row</dt>
						<dd data-testid="source-failures">{status().failures}</dd>
					</div>
				</Show>
			</dl>

			<Show when={!polled()}>
				<CopyField
					id={`source-${source().id}-url`}
					label="Signed mentions are POSTed to"
					value={webhookUrl(source())}
					testId="source-webhook-url"
				/>
			</Show>

			<FormError error={actions.error()} testId="source-action-error" />
			<Show
				when={editing()}
				fallback={
					<ItemActionBar
						noun="source"
						name={source().name}
						enabled={source().enabled}
						actions={actions}
						rotates={!polled()}
						rotateQuestion="The current secret stops working at once. Rotate?"
						deleteQuestion="Delete this source? Its mentions stay on the board."
					>
						<button
							type="button"
							class="button button-small"
							onClick={() => {
								save.clearError();
								setEditing(true);
							}}
							aria-label={`Edit ${source().name}`}
							ref={editButton}
							data-testid="source-edit"
						>
							Edit
						</button>
					</ItemActionBar>
				}
			>
				<div class="form-panel-inline">
					<SourceForm
						initial={sourceToFields(source())}
						creating={false}
						boards={props.boards}
						submitLabel="Save changes"
						busy={save.busy()}
						error={save.error()}
						onSubmit={(fields) => void save.run(fields)}
						onCancel={() => {
							setEditing(false);
							editButton?.focus();
						}}
						testId="source-edit-form"
					/>
					<p class="small muted">
						Changing what a source watches, or its credential, starts its polling over and polls at
						once.
					</p>
				</div>
			</Show>
		</li>
	);
}
