/** The card the sign-in page and the invitation page share: the brand, and a submit with its error. */
import type { JSX } from "solid-js";
import { Show } from "solid-js";
import type { Action } from "../api.ts";
import { holdFocus } from "../focus.ts";
import { submitHandler } from "./forms.tsx";

export function SignInCard(props: { children: JSX.Element; testId?: string }) {
	return (
		<main class="login" id="main">
			<div class="login-card" data-testid={props.testId}>
				<div class="brand brand-large" aria-hidden="true">
					<img src="/favicon.svg" alt="" width="36" height="36" />
					Switchboard
				</div>
				{props.children}
			</div>
		</main>
	);
}

/** The form's error (announced at once) and its one button, busy while it works. */
export function SignInSubmit(props: {
	error: string | null;
	busy: boolean;
	label: string;
	busyLabel: string;
	/** `<prefix>-error` and `<prefix>-submit` (or `submitTestId`) name them for tests. */
	testPrefix: string;
	submitTestId?: string;
}) {
	return (
		<>
			<Show when={props.error}>
				<p
					class="form-error"
					role="alert"
					id={`${props.testPrefix}-error`}
					data-testid={`${props.testPrefix}-error`}
				>
					{props.error}
				</p>
			</Show>
			<button
				type="submit"
				class="button button-primary button-block"
				disabled={props.busy}
				data-testid={props.submitTestId ?? `${props.testPrefix}-submit`}
			>
				{props.busy ? props.busyLabel : props.label}
			</button>
		</>
	);
}

/**
 * A sign-in card's form: its fields, then the action's error (id `<testPrefix>-error`, for a
 * field to be described by) and the button that runs it. The button is disabled while the
 * action runs; after a failure, focus goes to `retryField` (the field to correct), else back
 * to where it was.
 */
export function SignInForm(props: {
	action: Action<[]>;
	label: string;
	busyLabel: string;
	/** `<prefix>-form` names the form for tests, as its error and button are named below. */
	testPrefix: string;
	submitTestId?: string;
	/** Leave checking the fields to the action, which words each problem. */
	novalidate?: boolean;
	/** The id of the field to type again after a failure (the password). */
	retryField?: string;
	/** The form element, for a page that checks its own fields (`focusFirstProblem`). */
	ref?: (form: HTMLFormElement) => void;
	children: JSX.Element;
}) {
	return (
		<form
			ref={(element) => props.ref?.(element)}
			onSubmit={submitHandler(async () => {
				const focus = holdFocus();
				if (await props.action.run()) return;
				const retry = props.retryField ? document.getElementById(props.retryField) : null;
				if (focus(retry) && retry instanceof HTMLInputElement) retry.select();
			})}
			class="login-form"
			novalidate={props.novalidate}
			data-testid={`${props.testPrefix}-form`}
		>
			{props.children}
			<SignInSubmit
				error={props.action.error()}
				busy={props.action.busy()}
				label={props.label}
				busyLabel={props.busyLabel}
				testPrefix={props.testPrefix}
				submitTestId={props.submitTestId}
			/>
		</form>
	);
}
