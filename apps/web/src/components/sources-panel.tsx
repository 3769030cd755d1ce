/**
 * The organisation's sources: what each watches, how its polling stands (the last error
 * shown on the source), and creating, editing, pausing, deleting them and rotating a
 * webhook's secret.
 */
import type { Source } from "@switchboard/client";
import { createMemo, createSignal, For, onCleanup, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
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
import { useWorkspace } from "../workspace.tsx";
import { ConfirmButton, CopyField, FormError, SecretOnce, When } from "./forms.tsx";
import { SourceForm } from "./source-form.tsx";

/** How often the list refreshes by itself while shown, in ms: polls happen meanwhile. */
const REFRESH_MS = 15_000;

interface ShownSecret {
	title: string;
	secret: string;
	postUrl: string;
}

/** Where a webhook source takes its mentions, as an absolute URL. */
function webhookUrl(source: Pick<Source, "orgId" | "id">): string {
	return `${location.origin}/api/orgs/${encodeURIComponent(source.orgId)}/sources/${encodeURIComponent(source.id)}/webhook`;
}

export function SourcesPanel(props: { orgId: string }) {
	const api = useApi();
	const sources = createLoader(() => api.sources.list(props.orgId));
	const boards = createLoader(() => api.boards());
	const [creating, setCreating] = createSignal(false);
	const [secret, setSecret] = createSignal<ShownSecret | null>(null);

	const timer = setInterval(() => {
		if (document.visibilityState === "visible") void sources.reload();
	}, REFRESH_MS);
	onCleanup(() => clearInterval(timer));

	// Keyed by id, so a refresh updates a source in place and keeps an open edit form.
	const byId = createMemo(() => new Map((sources.data() ?? []).map((s) => [s.id, s])));
	const ids = createMemo(() => (sources.data() ?? []).map((s) => s.id));
	const failing = createMemo(
		() => (sources.data() ?? []).filter((s) => s.status.lastError !== null).length,
	);

	const create = createAction(async (fields: SourceFields) => {
		const created = await api.sources.create(props.orgId, fieldsToNewSource(fields));
		setCreating(false);
		if (created.secret) {
			setSecret({
				title: `Webhook source “${created.source.name}” created`,
				secret: created.secret,
				postUrl: webhookUrl(created.source),
			});
		}
		await sources.reload();
	});

	return (
		<section class="admin-section" aria-labelledby="sources-title" data-testid="sources-panel">
			<div class="section-heading">
				<div>
					<h2 id="sources-title">Sources</h2>
					<p class="muted">
						Where mentions come from. Polled sources record their last error here; after a failure
						the next poll backs off.
					</p>
				</div>
				<span class="toolbar-spacer" />
				<button
					type="button"
					class="button"
					onClick={() => void sources.reload()}
					aria-busy={sources.loading()}
					data-testid="sources-refresh"
				>
					Refresh
				</button>
				<button
					type="button"
					class="button button-primary"
					aria-expanded={creating()}
					onClick={() => {
						setCreating(!creating());
						create.clearError();
					}}
					data-testid="source-add"
				>
					Add a source
				</button>
			</div>

			<Show when={secret()}>
				{(shown) => (
					<SecretOnce
						title={shown().title}
						secret={shown().secret}
						postUrl={shown().postUrl}
						onDone={() => setSecret(null)}
					/>
				)}
			</Show>

			<Show when={creating()}>
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
						onCancel={() => setCreating(false)}
						testId="source-form"
					/>
				</div>
			</Show>

			<FormError error={sources.error()} testId="sources-error" />
			<Show when={failing() > 0}>
				<p class="callout callout-danger" data-testid="sources-failing">
					{plural(failing(), "source")} failed {failing() === 1 ? "its" : "their"} last poll.
				</p>
			</Show>
			<Show
				when={sources.data()}
				fallback={<p class="muted">{sources.error() ? "" : "Loading sources…"}</p>}
			>
				<Show
					when={ids().length > 0}
					fallback={
						<div class="empty-state" data-testid="sources-empty">
							<p>No sources yet.</p>
							<p class="muted">
								Add a signed webhook, a feed to watch, or a Mastodon or Bluesky account.
							</p>
						</div>
					}
				>
					<ul class="admin-list" data-testid="sources">
						<For each={ids()}>
							{(sourceId) => (
								<Show when={byId().get(sourceId)}>
									{(source) => (
										<SourceItem
											source={source()}
											boards={boards.data() ?? []}
											onChanged={(next) => {
												const list = sources.data() ?? [];
												sources.set(list.map((s) => (s.id === next.id ? next : s)));
											}}
											onDeleted={() =>
												sources.set((sources.data() ?? []).filter((s) => s.id !== sourceId))
											}
											onSecret={setSecret}
										/>
									)}
								</Show>
							)}
						</For>
					</ul>
				</Show>
			</Show>
		</section>
	);
}

function SourceItem(props: {
	source: Source;
	boards: readonly { id: string; name: string }[];
	onChanged: (source: Source) => void;
	onDeleted: () => void;
	onSecret: (secret: ShownSecret) => void;
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
	const health = (): { label: string; kind: string } => {
		if (!source().enabled) return { label: "Paused", kind: "paused" };
		if (!polled()) return { label: "Receiving", kind: "ok" };
		if (status().lastError) return { label: "Failing", kind: "failing" };
		if (!status().lastPolledAt) return { label: "Not polled yet", kind: "waiting" };
		return { label: "Healthy", kind: "ok" };
	};

	const save = createAction(async (fields: SourceFields) => {
		const patch = fieldsToPatch(source(), fields);
		if (Object.keys(patch).length > 0) {
			props.onChanged(await api.sources.update(source().orgId, source().id, patch));
		}
		setEditing(false);
	});
	const toggle = createAction(async () => {
		props.onChanged(
			await api.sources.update(source().orgId, source().id, { enabled: !source().enabled }),
		);
	});
	const rotate = createAction(async () => {
		const secret = await api.sources.rotateSecret(source().orgId, source().id);
		props.onSecret({
			title: `New secret for “${source().name}”`,
			secret,
			postUrl: webhookUrl(source()),
		});
	});
	const remove = createAction(async () => {
		await api.sources.remove(source().orgId, source().id);
		props.onDeleted();
	});
	const actionError = () => toggle.error() ?? rotate.error() ?? remove.error();
	const headingId = () => `source-${source().id}-name`;

	return (
		<li
			class="admin-item source"
			classList={{ "source-failing": status().lastError !== null && source().enabled }}
			data-testid="source"
			data-source-id={source().id}
			data-kind={source().kind}
			aria-labelledby={headingId()}
		>
			<div class="admin-item-head">
				<span class={`kind-badge kind-${source().kind}`}>{SOURCE_KIND_LABELS[source().kind]}</span>
				<h3 id={headingId()} class="admin-item-title" data-testid="source-name">
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

			<FormError error={actionError()} testId="source-action-error" />
			<Show
				when={editing()}
				fallback={
					<div class="admin-item-actions">
						<button
							type="button"
							class="button button-small"
							onClick={() => {
								save.clearError();
								setEditing(true);
							}}
							aria-label={`Edit ${source().name}`}
							data-testid="source-edit"
						>
							Edit
						</button>
						<button
							type="button"
							class="button button-small"
							disabled={toggle.busy()}
							onClick={() => void toggle.run()}
							aria-label={`${source().enabled ? "Pause" : "Resume"} ${source().name}`}
							data-testid="source-toggle"
						>
							{source().enabled ? "Pause" : "Resume"}
						</button>
						<Show when={!polled()}>
							<ConfirmButton
								label="Rotate secret"
								question="The current secret stops working at once. Rotate?"
								confirmLabel="Rotate"
								busy={rotate.busy()}
								onConfirm={() => rotate.run()}
								accessibleLabel={`Rotate secret of ${source().name}`}
								testId="source-rotate"
							/>
						</Show>
						<span class="toolbar-spacer" />
						<ConfirmButton
							label="Delete"
							question="Delete this source? Its mentions stay on the board."
							confirmLabel="Delete"
							busy={remove.busy()}
							onConfirm={() => remove.run()}
							accessibleLabel={`Delete ${source().name}`}
							testId="source-delete"
						/>
					</div>
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
						onCancel={() => setEditing(false)}
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
