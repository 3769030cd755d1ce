/**
 * Outgoing webhooks: endpoints with the conversation events they receive, their recent
 * deliveries (status, attempts, last error, next retry) and a retry for failed ones.
 */
import type { WebhookDelivery, WebhookEndpoint } from "@switchboard/client";
import {
	type DeliveryStatus,
	DeliveryStatuses,
	WEBHOOK_EVENT_NAMES,
	type WebhookEvent,
} from "@switchboard/domain";
import { createSignal, createUniqueId, For, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import { urlSpaceProblem } from "../format.ts";
import { SIGNATURE_SCHEME } from "../webhook-example.ts";
import { useWorkspace } from "../workspace.tsx";
import {
	AdminListPanel,
	createItemActions,
	ItemActionBar,
	type ItemControls,
} from "./admin-list.tsx";
import {
	ActionButton,
	CheckSet,
	FormActions,
	FormError,
	submitHandler,
	TextField,
	URL_INPUT,
	When,
} from "./forms.tsx";
import { Table } from "./table.tsx";

export const EVENT_LABELS: Record<WebhookEvent, string> = {
	"mention.high_priority": "A high-priority mention arrives",
	"mention.claimed": "A conversation is claimed",
	"mention.replied": "A conversation is replied to",
	"mention.sla_breached": "A conversation breaches its SLA",
};

const DELIVERY_LABELS: Record<DeliveryStatus, string> = {
	pending: "Pending",
	delivered: "Delivered",
	failed: "Failed",
};

export function WebhooksPanel(props: { orgId: string }) {
	const api = useApi();
	const webhooks = createLoader(() => api.webhooks.list(props.orgId));

	return (
		<AdminListPanel
			noun={{ one: "webhook", many: "webhooks" }}
			title="Outgoing webhooks"
			intro="Switchboard POSTs conversation events to these URLs, signed like incoming webhooks. A delivery that fails is retried with backoff (30 s, 1 min, 2 min… at most an hour apart, 8 attempts), then marked failed until you retry it."
			addLabel="Add a webhook"
			list={webhooks}
			secretNote={
				<p class="small">
					Each delivery carries <code>X-Switchboard-Event</code>,{" "}
					<code>X-Switchboard-Delivery</code> (the same on every retry, to drop repeats) and the
					signature: {SIGNATURE_SCHEME} Reject a timestamp more than 5 minutes old.
				</p>
			}
			empty={
				<>
					<p>No outgoing webhooks.</p>
					<p class="muted">Add one to tell another system when conversations move.</p>
				</>
			}
			createForm={(panel) => (
				<WebhookForm
					orgId={props.orgId}
					onCreated={(webhook, newSecret) => {
						panel.created(webhook.id);
						webhooks.set([...(webhooks.data() ?? []), webhook]);
						panel.showSecret({ title: `Webhook to ${webhook.url} created`, secret: newSecret });
					}}
					onCancel={panel.close}
				/>
			)}
		>
			{(webhook, controls) => <WebhookItem webhook={webhook()} controls={controls} />}
		</AdminListPanel>
	);
}

function WebhookForm(props: {
	orgId: string;
	onCreated: (webhook: WebhookEndpoint, secret: string) => void;
	onCancel: () => void;
}) {
	const api = useApi();
	const id = createUniqueId();
	const [url, setUrl] = createSignal("");
	const [events, setEvents] = createSignal<WebhookEvent[]>([...WEBHOOK_EVENT_NAMES]);
	const [enabled, setEnabled] = createSignal(true);
	const [problem, setProblem] = createSignal<string | null>(null);
	const [urlProblem, setUrlProblem] = createSignal<string | undefined>();
	let urlInput: HTMLInputElement | undefined;
	const create = createAction(async () => {
		const created = await api.webhooks.create(props.orgId, {
			url: url().trim(),
			events: events(),
			enabled: enabled(),
		});
		props.onCreated(created.webhook, created.secret);
	});
	const submit = submitHandler(() => {
		const typed = url().trim();
		const wrong =
			urlSpaceProblem(typed) ??
			(/^https?:\/\/\S+$/i.test(typed) ? undefined : "Enter the http(s) URL to POST events to.");
		setUrlProblem(wrong);
		if (wrong) {
			urlInput?.focus();
			return;
		}
		if (events().length === 0) {
			setProblem("Choose at least one event.");
			return;
		}
		setProblem(null);
		void create.run();
	});
	return (
		<form
			class="panel form-panel admin-form"
			onSubmit={submit}
			data-testid="webhook-form"
			novalidate
		>
			<h3 class="panel-title">New webhook</h3>
			<TextField
				id={`${id}-url`}
				cell="field"
				label="URL"
				{...URL_INPUT}
				required
				class="input-wide"
				ref={(input) => {
					urlInput = input;
				}}
				value={url()}
				onInput={setUrl}
				onChange={(value) => setUrl(value.trim())}
				error={urlProblem()}
				placeholder="https://hooks.example.com/switchboard"
				testId="webhook-url-input"
			/>
			<fieldset class="event-choice">
				<legend class="field-label">Events</legend>
				<CheckSet
					values={WEBHOOK_EVENT_NAMES}
					chosen={events()}
					onChange={setEvents}
					label={(event) => (
						<>
							{EVENT_LABELS[event]} <code class="small muted">{event}</code>
						</>
					)}
					testId="webhook-event"
				/>
			</fieldset>
			<label class="check">
				<input
					type="checkbox"
					checked={enabled()}
					onChange={(e) => setEnabled(e.currentTarget.checked)}
				/>
				Enabled
			</label>
			<FormActions
				error={problem() ?? create.error()}
				errorTestId="webhook-form-error"
				label="Create webhook"
				busyLabel="Creating…"
				busy={create.busy()}
				testId="webhook-submit"
				onCancel={() => props.onCancel()}
			/>
		</form>
	);
}

function WebhookItem(props: { webhook: WebhookEndpoint; controls: ItemControls<WebhookEndpoint> }) {
	const api = useApi();
	const [open, setOpen] = createSignal(false);
	const webhook = () => props.webhook;
	const actions = createItemActions(api.webhooks, webhook, props.controls, (secret) => ({
		title: `New secret for ${webhook().url}`,
		secret,
	}));
	const headingId = () => `webhook-${webhook().id}-url`;
	const deliveriesId = () => `webhook-${webhook().id}-deliveries`;

	return (
		<li
			class="admin-item"
			data-testid="webhook"
			data-webhook-id={webhook().id}
			aria-labelledby={headingId()}
		>
			<div class="admin-item-head">
				<h3
					id={headingId()}
					class="admin-item-title fact-url"
					tabIndex={-1}
					ref={props.controls.heading}
					data-testid="webhook-url"
				>
					{webhook().url}
				</h3>
				<span
					class={`badge health ${webhook().enabled ? "health-ok" : "health-paused"}`}
					data-testid="webhook-state"
				>
					{webhook().enabled ? "Enabled" : "Paused"}
				</span>
			</div>
			<div class="chips" data-testid="webhook-events">
				<span class="sr-only">Events: </span>
				<For each={webhook().events}>
					{(event) => (
						<span class="chip" title={EVENT_LABELS[event]}>
							{event}
						</span>
					)}
				</For>
			</div>
			<FormError error={actions.error()} testId="webhook-action-error" />
			<ItemActionBar
				noun="webhook"
				name={`the webhook to ${webhook().url}`}
				enabled={webhook().enabled}
				actions={actions}
				rotateQuestion="The current secret stops signing at once. Rotate?"
				deleteQuestion="Delete this webhook and its deliveries?"
			>
				<button
					type="button"
					class="button button-small"
					aria-expanded={open()}
					aria-controls={open() ? deliveriesId() : undefined}
					onClick={() => setOpen(!open())}
					data-testid="webhook-deliveries-toggle"
				>
					{open() ? "Hide deliveries" : "Recent deliveries"}
				</button>
			</ItemActionBar>
			<Show when={open()}>
				<div id={deliveriesId()}>
					<Deliveries webhook={webhook()} />
				</div>
			</Show>
		</li>
	);
}

function Deliveries(props: { webhook: WebhookEndpoint }) {
	const ws = useWorkspace();
	const api = useApi();
	const id = createUniqueId();
	const [status, setStatus] = createSignal<DeliveryStatus | "">("");
	const deliveries = createLoader(() =>
		api.webhooks.deliveries(props.webhook.orgId, props.webhook.id, status() || undefined),
	);
	const retry = createAction(async (delivery: WebhookDelivery) => {
		const next = await api.webhooks.retryDelivery(
			props.webhook.orgId,
			props.webhook.id,
			delivery.id,
		);
		deliveries.set((deliveries.data() ?? []).map((d) => (d.id === next.id ? next : d)));
	});

	return (
		<div class="deliveries" data-testid="deliveries">
			<div class="deliveries-toolbar">
				<h4>Recent deliveries</h4>
				<label for={`${id}-status`} class="field-label">
					Show
				</label>
				<select
					id={`${id}-status`}
					value={status()}
					onChange={(e) => {
						setStatus(e.currentTarget.value as DeliveryStatus | "");
						void deliveries.reload();
					}}
					data-testid="deliveries-filter"
				>
					<option value="">All</option>
					<For each={DeliveryStatuses}>
						{(value) => <option value={value}>{DELIVERY_LABELS[value]}</option>}
					</For>
				</select>
				<button
					type="button"
					class="button button-small"
					disabled={deliveries.loading()}
					onClick={() => void deliveries.reload()}
					data-testid="deliveries-refresh"
				>
					Refresh
				</button>
			</div>
			<FormError error={deliveries.error() ?? retry.error()} testId="deliveries-error" />
			<Show when={deliveries.data()} fallback={<p class="muted">Loading deliveries…</p>}>
				{(list) => (
					<Table
						class="admin-table deliveries-table"
						caption={`Deliveries to ${props.webhook.url}, newest first`}
						columns={["Event", "Status", "Attempts", "Last error", "Next retry", "Created"]}
						actions
						rows={list()}
						empty={
							<p class="muted" data-testid="deliveries-empty">
								No deliveries
								{status() ? ` ${DELIVERY_LABELS[status() as DeliveryStatus].toLowerCase()}` : ""}{" "}
								yet.
							</p>
						}
					>
						{(delivery) => (
							<tr
								data-testid="delivery"
								data-delivery-id={delivery.id}
								data-status={delivery.status}
							>
								<td>
									<code>{delivery.event}</code>
								</td>
								<td>
									<span class={`badge delivery-${delivery.status}`}>
										{DELIVERY_LABELS[delivery.status]}
									</span>
								</td>
								<td data-testid="delivery-attempts">{delivery.attempts}</td>
								<td class="delivery-error" data-testid="delivery-error">
									<Show when={delivery.lastError} fallback={<span class="muted">–</span>}>
										{delivery.lastStatus !== null ? `HTTP ${delivery.lastStatus}: ` : ""}
										{delivery.lastError}
									</Show>
								</td>
								<td data-testid="delivery-next-retry">
									<Show
										when={delivery.status === "pending"}
										fallback={<span class="muted">–</span>}
									>
										<When iso={delivery.nextAttemptAt} now={ws.now()} tense="future" />
									</Show>
								</td>
								<td>
									<When iso={delivery.createdAt} now={ws.now()} tense="past" />
								</td>
								<td class="cell-actions">
									<Show when={delivery.status === "failed"}>
										<ActionButton
											action={retry}
											args={[delivery]}
											class="button button-small"
											testId="delivery-retry"
										>
											Retry
										</ActionButton>
									</Show>
								</td>
							</tr>
						)}
					</Table>
				)}
			</Show>
		</div>
	);
}
