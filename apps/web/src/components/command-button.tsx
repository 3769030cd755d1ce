/**
 * The controls that send one board command: a button for a command whose arguments are all
 * known, Claim next, and the request-changes form of a review. The board, the conversation
 * view, the queue, the reviews and the coverage view share them, so a command reads and
 * answers the same wherever it is offered.
 */
import type { CommandInput } from "@switchboard/domain";
import type { JSX } from "solid-js";
import { type Focusable, holdFocus } from "../focus.ts";
import { useWorkspace } from "../workspace.tsx";
import { submitHandler } from "./forms.tsx";

/**
 * Sends `command` when pressed; a refusal is told by the reject toast, a success by `success`
 * when given. `command` is read at the press, so it carries the state of that moment (the
 * draft's text and hash, say).
 */
export function CommandButton(props: {
	command: CommandInput;
	/**
	 * Told when the server accepts the command, e.g. "Approved."; a function is asked at the
	 * press, and says nothing when it answers undefined.
	 */
	success?: string | (() => string | undefined);
	/** @default "button" */
	class?: string;
	testId: string;
	disabled?: boolean;
	/** The id of what explains why the button is disabled. */
	describedBy?: string;
	title?: string;
	/**
	 * The button's accessible name when its text alone is too short to say what it acts on
	 * ("Claim" on a card). It must begin with the visible text, so that a person who says
	 * what they see (voice control) reaches it.
	 */
	label?: string;
	/** Told at the press, before the command is sent. */
	onPress?: () => void;
	/** Told when the server refuses the command (the reject toast says why), with the command sent. */
	onRefused?: (command: CommandInput) => void;
	/**
	 * Where the focus goes once the command is done, when it is still on this button or the
	 * button went with the state it acted on (Submit for review gives way to "Submitted for
	 * review"): what took the button's place. Without it, or on a refusal, the focus is left
	 * where it is.
	 */
	focusAfter?: () => Focusable | null | undefined;
	children: JSX.Element;
}) {
	const ws = useWorkspace();
	let button: HTMLButtonElement | undefined;
	return (
		<button
			ref={button}
			type="button"
			class={props.class ?? "button"}
			data-testid={props.testId}
			disabled={props.disabled}
			aria-describedby={props.describedBy}
			aria-label={props.label}
			title={props.title}
			onClick={() => {
				props.onPress?.();
				const { command, onRefused } = props;
				const success = typeof props.success === "function" ? props.success() : props.success;
				// Only where the caller says what takes the button's place: elsewhere the button
				// may stay and show another conversation (a board's row), and focus put back on it
				// would make a second Enter act on a conversation nobody chose.
				const { focusAfter } = props;
				const settle = focusAfter ? holdFocus() : undefined;
				// The board shows a command at once, before the server answers: when that takes
				// the button away, the focus would wait on the page itself until the answer.
				if (settle && focusAfter) {
					requestAnimationFrame(() => {
						if (!button?.isConnected) settle(focusAfter());
					});
				}
				void ws.run(command, success).then((result) => {
					if (!result.ok) {
						onRefused?.(command);
						return;
					}
					if (settle && focusAfter) settle(focusAfter());
				});
			}}
		>
			{props.children}
		</button>
	);
}

/** Claims the best open conversation for me and opens it (the `n` shortcut does the same). */
export function ClaimNextButton(props: { class: string; title?: string; children: JSX.Element }) {
	const ws = useWorkspace();
	return (
		<button
			type="button"
			class={props.class}
			data-testid="claim-next"
			onClick={() => void ws.claimNext()}
			title={props.title}
		>
			{props.children}
		</button>
	);
}

/**
 * A moderator's "what should change" comment, sent back to the writer with the draft; the
 * field empties once the server has taken it. The page keeps the comment, so that it is still
 * there when a refused request brings the form back.
 */
export function RequestChangesForm(props: {
	mentionId: string;
	inputId: string;
	comment: string;
	onComment: (comment: string) => void;
	/** Where the focus goes once the changes are asked for (see CommandButton's). */
	focusAfter?: () => Focusable | null | undefined;
}) {
	const ws = useWorkspace();
	let input: HTMLInputElement | undefined;
	return (
		<form
			class="inline-form"
			onSubmit={submitHandler(() => {
				// The writer is told only this comment: without one they have nothing to act on.
				if (!props.comment.trim() && input) {
					input.setCustomValidity("Say what should change, so the writer knows what to do.");
					input.reportValidity();
					return;
				}
				const settle = holdFocus();
				void ws
					.run(
						{
							name: "requestChanges",
							args: { mentionId: props.mentionId, comment: props.comment.trim() },
						},
						"Changes requested.",
					)
					.then((result) => {
						if (!result.ok) return;
						props.onComment("");
						settle(props.focusAfter?.());
					});
			})}
		>
			<label for={props.inputId} class="sr-only">
				What should change
			</label>
			<input
				id={props.inputId}
				ref={input}
				type="text"
				required
				placeholder="What should change?"
				value={props.comment}
				onInput={(event) => {
					event.currentTarget.setCustomValidity("");
					props.onComment(event.currentTarget.value);
				}}
				data-testid="changes-comment"
			/>
			<button type="submit" class="button" data-testid="request-changes">
				Request changes
			</button>
		</form>
	);
}
