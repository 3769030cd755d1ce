/**
 * The lifecycle actions on one conversation or several (the board's selection): dismiss
 * with a reason, snooze until a preset or a chosen time, escalate with a reason, tags with
 * suggestions from the board, priority, close and reopen. One modal dialog serves the card's
 * Actions button, the conversation's buttons, the keyboard shortcuts and the bulk bar, so
 * each action is written once. Several conversations go to the server as one bulk command.
 */
import type { BoardMention } from "@switchboard/client";
import { Priorities, type Priority } from "@switchboard/domain";
import { createEffect, createMemo, createSignal, For, Match, Show, Switch } from "solid-js";
import { boardTags, PRIORITY_LABELS } from "../board-model.ts";
import { formatDateTime, plural } from "../format.ts";
import {
	ACTIONS,
	type ActionKind,
	ActionKinds,
	DISMISS_REASONS,
	dismissReason,
	offers,
	parseLocalDateTime,
	snoozePresets,
	tagSuggestions,
	toLocalDateTime,
} from "../lifecycle-model.ts";
import { type ActionState, useWorkspace } from "../workspace.tsx";
import { FieldProblem } from "./field-problem.tsx";
import { submitHandler } from "./forms.tsx";

export function ActionDialog() {
	const ws = useWorkspace();
	let dialog: HTMLDialogElement | undefined;
	// Where the dialog was opened from, for the focus to go on from when it closes.
	let opened: Opener | undefined;

	createEffect(() => {
		if (!dialog) return;
		const action = ws.action();
		if (action && !dialog.open) {
			opened = openerOf(document.activeElement, action.focusAfter);
			dialog.showModal();
			focusFirst(dialog);
		}
		if (!action && dialog.open) dialog.close();
	});

	return (
		<dialog
			ref={dialog}
			class="dialog action-dialog"
			aria-labelledby="action-title"
			data-testid="action-dialog"
			// The close event is a queued task, and Chromium runs input first: a key pressed in
			// the turn Escape closed the dialog can open the next action before this event comes.
			// Clear the action only when the dialog is still closed, or that one would close too.
			onClose={() => {
				if (dialog?.open) return;
				ws.closeAction();
				if (opened) focusAfterClose(opened);
				opened = undefined;
			}}
		>
			<Show when={ws.action()} keyed>
				{(action) => <ActionForm kind={action.kind} mentionIds={action.mentionIds} />}
			</Show>
		</dialog>
	);
}

/**
 * The first focus in the dialog. Its first control is the first action's button (Dismiss),
 * which showModal focuses, whatever the dialog was opened for. With a fine pointer, the
 * action asked for takes the focus at its form's first field (t: the tag field), ready to
 * type, and Enter does not switch to Dismiss. On a touch screen, where a focused field brings
 * up the keyboard over the tags to tap and the Done button, and for a form without a field
 * (priority, reopen), its own button among the actions takes it (Snooze, pressed): what the
 * dialog is for is what is read out first.
 */
function focusFirst(dialog: HTMLDialogElement) {
	const field = matchMedia("(pointer: fine)").matches
		? dialog.querySelector<HTMLElement>(".action-kinds ~ * :is(input, select, textarea)")
		: null;
	(field ?? dialog.querySelector<HTMLElement>(".action-kinds [aria-pressed='true']"))?.focus();
}

/** Where the focus was when the dialog opened. */
interface Opener {
	/** The board's card around it, and the conversation that card showed then. */
	card: HTMLElement | null;
	mentionId: string | null;
	focusAfter: ActionState["focusAfter"];
}

function openerOf(element: Element | null, focusAfter: ActionState["focusAfter"]): Opener {
	const card = element?.closest<HTMLElement>("article.card[data-mention-id]") ?? null;
	return { card, mentionId: card?.dataset.mentionId ?? null, focusAfter };
}

/**
 * The dialog has closed, and the browser has given the focus back to what had it when it
 * opened, if that is still there. An action often takes it away (Dismiss… goes once the
 * conversation is dismissed, a card leaves its column), and the focus would be left on the
 * page itself, from where Tab starts at the top again. It goes instead to what the opener
 * named (the conversation's next action, else its heading), else to the card that now has
 * the dismissed one's place on the board, as a card (board-column.tsx: a recycled row's
 * button would act on a conversation nobody chose), else to the page's main region.
 */
function focusAfterClose(opener: Opener) {
	const { card } = opener;
	const active = document.activeElement;
	const lost = active === null || active === document.body || !active.isConnected;
	const cardNow = card?.isConnected && !card.inert ? card : null;
	if (cardNow && cardNow.dataset.mentionId !== opener.mentionId) {
		if (lost || cardNow.contains(active)) cardNow.focus({ preventScroll: true });
		return;
	}
	if (!lost) return;
	const target = opener.focusAfter?.() ?? cardNow ?? document.getElementById("main");
	target?.focus();
}

/** The actions that take a reason: what the form asks, its button, and the toast when done. */
const REASON_ACTIONS = {
	escalate: {
		question: "Why does a moderator need to see this?",
		submit: "Escalate",
		done: "Escalated",
	},
	close: { question: "How was it settled? (optional)", submit: "Close", done: "Closed" },
} as const;
type ReasonAction = keyof typeof REASON_ACTIONS;

function ActionForm(props: { kind: ActionKind; mentionIds: string[] }) {
	const ws = useWorkspace();
	const [kind, setKind] = createSignal<ActionKind>(props.kind);
	const mentions = createMemo(() =>
		props.mentionIds.flatMap((id) => ws.mentionsById().get(id) ?? []),
	);
	const ids = () => mentions().map((mention) => mention.id);
	const one = () => (mentions().length === 1 ? mentions()[0] : undefined);
	const title = () => {
		const single = one();
		return single
			? `Conversation with @${single.author.handle}`
			: plural(mentions().length, "conversation");
	};
	/** Offered when at least one of the conversations allows it (bulk: the server says per item). */
	const offered = (action: ActionKind) => mentions().some((mention) => offers(action, mention));
	const reasonAction = (): ReasonAction | undefined => {
		const chosen = kind();
		return chosen === "escalate" || chosen === "close" ? chosen : undefined;
	};
	const [busy, setBusy] = createSignal(false);
	const finish = async (work: Promise<boolean>) => {
		setBusy(true);
		const ok = await work;
		setBusy(false);
		if (ok) ws.closeAction();
	};

	return (
		<>
			<h2 id="action-title">{title()}</h2>
			<fieldset class="action-kinds">
				<legend class="sr-only">Action</legend>
				<For each={ActionKinds.filter(offered)}>
					{(action) => (
						<button
							type="button"
							class="button button-small"
							classList={{ "button-primary": kind() === action }}
							aria-pressed={kind() === action}
							data-testid={`action-${action}`}
							onClick={() => setKind(action)}
						>
							{ACTIONS[action].label}
						</button>
					)}
				</For>
			</fieldset>
			<Switch>
				<Match when={kind() === "dismiss"}>
					<DismissForm onSubmit={(reason) => finish(dismiss(ids(), reason))} busy={busy()} />
				</Match>
				<Match when={kind() === "snooze"}>
					<SnoozeForm onSubmit={(until) => finish(snooze(ids(), until))} busy={busy()} />
				</Match>
				<Match when={reasonAction()} keyed>
					{(name) => (
						<ReasonForm
							id={`${name}-reason`}
							label={REASON_ACTIONS[name].question}
							submit={REASON_ACTIONS[name].submit}
							busy={busy()}
							onSubmit={(reason) => finish(withReason(name, reason))}
						/>
					)}
				</Match>
				<Match when={kind() === "reopen"}>
					<p class="muted small">
						Back to work: to its owner when they are still on the team, otherwise to the board as
						new.
					</p>
					<div class="dialog-actions">
						<CancelButton />
						<button
							type="button"
							class="button button-primary"
							data-testid="reopen-submit"
							disabled={busy()}
							onClick={() =>
								finish(
									ws.applyTo(
										ids(),
										(mentionId) => ({ name: "reopen", args: { mentionId } }),
										"Reopened",
									),
								)
							}
						>
							Reopen
						</button>
					</div>
				</Match>
				<Match when={kind() === "priority"}>
					<PriorityForm
						current={one()?.priority ?? null}
						busy={busy()}
						onSubmit={(priority) => finish(ws.setPriority(ids(), priority))}
					/>
				</Match>
				<Match when={kind() === "tags"}>
					<TagsForm mentions={mentions()} />
				</Match>
			</Switch>
		</>
	);

	/** Escalate or close, with the reason when one was given. */
	function withReason(name: ReasonAction, reason: string) {
		return ws.applyTo(
			ids(),
			(mentionId) => ({ name, args: reason ? { mentionId, reason } : { mentionId } }),
			REASON_ACTIONS[name].done,
		);
	}

	function dismiss(mentionIds: string[], reason: string) {
		return ws.applyTo(
			mentionIds,
			(mentionId) => ({ name: "dismiss", args: { mentionId, reason } }),
			"Dismissed",
		);
	}

	function snooze(mentionIds: string[], until: Date) {
		const iso = until.toISOString();
		return ws.applyTo(
			mentionIds,
			(mentionId) => ({ name: "snooze", args: { mentionId, until: iso } }),
			`Snoozed until ${formatDateTime(iso)}`,
		);
	}
}

function CancelButton() {
	const ws = useWorkspace();
	return (
		<button type="button" class="button" onClick={() => ws.closeAction()}>
			Cancel
		</button>
	);
}

function DismissForm(props: { busy: boolean; onSubmit: (reason: string) => void }) {
	// None chosen at first: the reason is recorded with the dismissal, and a preselected "Spam"
	// labelled a customer's post so at one careless tap.
	const [reason, setReason] = createSignal("");
	const [note, setNote] = createSignal("");
	const [problem, setProblem] = createSignal<string>();
	let first: HTMLInputElement | undefined;
	const submit = submitHandler(() => {
		if (!reason()) {
			setProblem("Choose why it is dismissed.");
			first?.focus();
			return;
		}
		props.onSubmit(dismissReason(reason(), note()));
	});
	return (
		<form class="action-form" onSubmit={submit}>
			<fieldset aria-describedby={problem() ? "dismiss-reason-error" : undefined}>
				<legend>Why dismiss it?</legend>
				<For each={DISMISS_REASONS}>
					{(option, index) => (
						<label class="check">
							<input
								ref={(input) => {
									if (index() === 0) first = input;
								}}
								type="radio"
								name="dismiss-reason"
								value={option.id}
								checked={reason() === option.id}
								onChange={() => {
									setReason(option.id);
									setProblem(undefined);
								}}
							/>
							{option.label}
						</label>
					)}
				</For>
				<FieldProblem id="dismiss-reason" error={problem()} />
			</fieldset>
			<label for="dismiss-note" class="field-label">
				Note (optional)
			</label>
			<input
				id="dismiss-note"
				type="text"
				maxLength={500}
				value={note()}
				onInput={(event) => setNote(event.currentTarget.value)}
				data-testid="dismiss-note"
			/>
			<div class="dialog-actions">
				<CancelButton />
				<button
					type="submit"
					class="button button-danger"
					disabled={props.busy}
					data-testid="dismiss-submit"
				>
					Dismiss
				</button>
			</div>
		</form>
	);
}

function SnoozeForm(props: { busy: boolean; onSubmit: (until: Date) => void }) {
	const presets = snoozePresets(new Date());
	const [custom, setCustom] = createSignal(toLocalDateTime(presets[2]?.until ?? new Date()));
	const chosen = () => parseLocalDateTime(custom());
	const inFuture = () => (chosen()?.getTime() ?? 0) > Date.now();
	return (
		<form
			class="action-form"
			onSubmit={submitHandler(() => {
				const until = chosen();
				if (until && inFuture()) props.onSubmit(until);
			})}
		>
			<p class="field-label">Back on the board</p>
			<div class="snooze-presets">
				<For each={presets}>
					{(preset) => (
						<button
							type="button"
							class="button"
							disabled={props.busy}
							data-testid={`snooze-${preset.id}`}
							onClick={() => props.onSubmit(preset.until)}
							title={formatDateTime(preset.until.getTime())}
						>
							{preset.label}
						</button>
					)}
				</For>
			</div>
			<label for="snooze-until" class="field-label">
				Or until
			</label>
			<div class="inline-form">
				<input
					id="snooze-until"
					type="datetime-local"
					value={custom()}
					min={toLocalDateTime(new Date())}
					onInput={(event) => setCustom(event.currentTarget.value)}
					aria-invalid={!inFuture()}
					aria-describedby="snooze-hint"
					data-testid="snooze-until"
				/>
				<button
					type="submit"
					class="button button-primary"
					disabled={props.busy || !inFuture()}
					data-testid="snooze-submit"
				>
					Snooze
				</button>
			</div>
			<p id="snooze-hint" class="muted small">
				{inFuture() ? "It comes back as new, for anyone to claim." : "Choose a time in the future."}
			</p>
			<div class="dialog-actions">
				<CancelButton />
			</div>
		</form>
	);
}

function ReasonForm(props: {
	id: string;
	label: string;
	submit: string;
	busy: boolean;
	onSubmit: (reason: string) => void;
}) {
	const [reason, setReason] = createSignal("");
	return (
		<form class="action-form" onSubmit={submitHandler(() => props.onSubmit(reason().trim()))}>
			<label for={props.id} class="field-label">
				{props.label}
			</label>
			<textarea
				id={props.id}
				rows={3}
				maxLength={2000}
				value={reason()}
				onInput={(event) => setReason(event.currentTarget.value)}
				data-testid={props.id}
			/>
			<div class="dialog-actions">
				<CancelButton />
				<button
					type="submit"
					class="button button-primary"
					disabled={props.busy}
					data-testid={`${props.id.split("-")[0]}-submit`}
				>
					{props.submit}
				</button>
			</div>
		</form>
	);
}

function PriorityForm(props: {
	current: Priority | null;
	busy: boolean;
	onSubmit: (priority: Priority) => void;
}) {
	return (
		<div class="action-form">
			<p class="field-label">Set the priority</p>
			<div class="snooze-presets">
				<For each={Priorities}>
					{(priority) => (
						<button
							type="button"
							class="button"
							aria-pressed={props.current === priority}
							disabled={props.busy || props.current === priority}
							data-testid={`priority-${priority}`}
							onClick={() => props.onSubmit(priority)}
						>
							{PRIORITY_LABELS[priority]}
						</button>
					)}
				</For>
			</div>
			<div class="dialog-actions">
				<CancelButton />
			</div>
		</div>
	);
}

/**
 * Tags: those on the conversations (for several, on any of them) with a remove button, and
 * a field that adds one, suggesting the board's tags as the user types. Each change is sent
 * at once; the dialog stays open for the next.
 */
function TagsForm(props: { mentions: BoardMention[] }) {
	const ws = useWorkspace();
	const [typed, setTyped] = createSignal("");
	const current = createMemo(() => [...new Set(props.mentions.flatMap((mention) => mention.tags))]);
	const suggestions = createMemo(() =>
		tagSuggestions(boardTags(ws.board().mentions), current(), typed()).slice(0, 8),
	);
	const ids = () => props.mentions.map((mention) => mention.id);
	const add = (tag: string) => {
		const value = tag.trim();
		if (!value) return;
		setTyped("");
		void ws.applyTo(
			ids(),
			(mentionId) => ({ name: "tag", args: { mentionId, add: [value] } }),
			`Tagged ${value}`,
		);
	};
	const remove = (tag: string) =>
		void ws.applyTo(
			props.mentions.filter((mention) => mention.tags.includes(tag)).map((m) => m.id),
			(mentionId) => ({ name: "tag", args: { mentionId, remove: [tag] } }),
			`Removed the tag ${tag}`,
		);
	return (
		<div class="action-form">
			<p class="field-label" id="tags-current">
				Tags
			</p>
			<Show when={current().length > 0} fallback={<p class="muted small">No tags yet.</p>}>
				<ul class="chips" aria-labelledby="tags-current" data-testid="tags-current">
					<For each={current()}>
						{(tag) => (
							<li class="chip chip-tag">
								{tag}
								<button
									type="button"
									class="chip-remove"
									aria-label={`Remove the tag ${tag}`}
									data-testid="tag-remove"
									onClick={() => remove(tag)}
								>
									×
								</button>
							</li>
						)}
					</For>
				</ul>
			</Show>
			<form class="inline-form" onSubmit={submitHandler(() => add(typed()))}>
				<label for="tag-input" class="sr-only">
					Add a tag
				</label>
				<input
					id="tag-input"
					type="text"
					maxLength={64}
					placeholder="Add a tag…"
					list="tag-suggestions"
					autocomplete="off"
					value={typed()}
					onInput={(event) => setTyped(event.currentTarget.value)}
					data-testid="tag-input"
				/>
				<datalist id="tag-suggestions">
					<For each={suggestions()}>{(tag) => <option value={tag} />}</For>
				</datalist>
				<button type="submit" class="button" data-testid="tag-add" disabled={!typed().trim()}>
					Add
				</button>
			</form>
			<Show when={suggestions().length > 0}>
				<fieldset class="tag-suggestions">
					<legend class="sr-only">Tags used on this board</legend>
					<For each={suggestions()}>
						{(tag) => (
							<button
								type="button"
								class="chip chip-suggestion"
								data-testid="tag-suggestion"
								onClick={() => add(tag)}
							>
								+ {tag}
							</button>
						)}
					</For>
				</fieldset>
			</Show>
			<div class="dialog-actions">
				<button type="button" class="button" onClick={() => ws.closeAction()}>
					Done
				</button>
			</div>
		</div>
	);
}
