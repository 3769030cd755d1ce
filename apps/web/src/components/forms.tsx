/** Pieces the admin and settings screens share: errors, confirmations, times, secrets. */
import {
	type Accessor,
	createSignal,
	createUniqueId,
	For,
	Index,
	type JSX,
	onMount,
	Show,
	splitProps,
} from "solid-js";
import type { SetStoreFunction } from "solid-js/store";
import type { Action, Loader } from "../api.ts";
import { holdFocus } from "../focus.ts";
import { formatDateTime, formatRelative } from "../format.ts";
import { SIGNATURE_SCHEME, signedCurlExample } from "../webhook-example.ts";
import { describedBy, FieldProblem } from "./field-problem.tsx";
import { MemberPicker } from "./member-picker.tsx";

export { describedBy, FieldProblem };

/**
 * A form's submit handler: the page stays (no browser submit), and `then` does the work.
 * Every form here is checked and sent by script, so every form submits through this.
 */
export function submitHandler(then: () => void): (event: SubmitEvent) => void {
	return (event) => {
		event.preventDefault();
		then();
	};
}

/**
 * Focus the first field `form` marks invalid, once it has re-rendered with its problems (a
 * form's check found some): the field says what is wrong, and takes the focus.
 */
export function focusFirstProblem(form: HTMLFormElement | undefined): void {
	queueMicrotask(() => form?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus());
}

/**
 * A section of the admin screens, named by its title (ids and test id from `name`): what it
 * is for (`intro`), any `tools` at the heading's end (a download, an add button), then its
 * content.
 */
export function AdminSection(props: {
	name: string;
	title: string;
	intro: JSX.Element;
	/** Added to `admin-section`. */
	class?: string;
	tools?: JSX.Element;
	/** Marks the section `aria-busy` while what it lists loads. */
	busy?: boolean;
	children: JSX.Element;
}) {
	return (
		<section
			class={props.class ? `admin-section ${props.class}` : "admin-section"}
			aria-labelledby={`${props.name}-title`}
			aria-busy={props.busy === true}
			data-testid={`${props.name}-panel`}
		>
			<div class="section-heading">
				<div>
					<h2 id={`${props.name}-title`}>{props.title}</h2>
					<p class="muted">{props.intro}</p>
				</div>
				<Show when={props.tools}>
					<span class="toolbar-spacer" />
					{props.tools}
				</Show>
			</div>
			{props.children}
		</section>
	);
}

/** An error announced at once; `id` lets the field it is about be described by it. */
export function FormError(props: { error: string | null; testId?: string; id?: string }) {
	return (
		<Show when={props.error}>
			<p class="form-error" role="alert" id={props.id} data-testid={props.testId ?? "form-error"}>
				{props.error}
			</p>
		</Show>
	);
}

/**
 * What a loader has read, drawn by `children` once it is there: until then "Loading…" (or
 * `loading`), and the load's error announced above it (test id `errorTestId`).
 */
export function Loaded<T>(props: {
	loader: Loader<T>;
	/** @default "Loading…" */
	loading?: string;
	errorTestId: string;
	children: (data: Accessor<NonNullable<T>>) => JSX.Element;
}) {
	return (
		<>
			<FormError error={props.loader.error()} testId={props.errorTestId} />
			<Show
				when={props.loader.data()}
				fallback={<p class="muted">{props.loader.error() ? "" : (props.loading ?? "Loading…")}</p>}
			>
				{(data) => props.children(data)}
			</Show>
		</>
	);
}

/**
 * A labelled input, with a hint below it that it is described by (id `<id>-hint`), and the
 * field's problem (`error`, id `<id>-error`, which also marks it invalid). In a form grid it
 * sits in a `form-field` cell (`cell`), a wide one across the grid with `"wide"`. `onInput` gets
 * each keystroke's value, `onChange` the value once it is committed (a date picked); without
 * either the form reads the field when it is submitted. `describedBy` names more of what
 * describes it (a form's alert about it). Any other attribute (type, name, required,
 * placeholder, limits) goes to the input.
 */
export function TextField(
	props: {
		id: string;
		label: JSX.Element;
		value: string;
		onInput?: (value: string) => void;
		onChange?: (value: string) => void;
		hint?: JSX.Element;
		error?: string | undefined;
		cell?: "field" | "wide";
		describedBy?: string | undefined;
		testId?: string;
	} & Omit<
		JSX.InputHTMLAttributes<HTMLInputElement>,
		"id" | "value" | "onInput" | "onChange" | "children"
	>,
) {
	const [own, input] = splitProps(props, [
		"id",
		"label",
		"value",
		"onInput",
		"onChange",
		"hint",
		"error",
		"cell",
		"describedBy",
		"testId",
	]);
	return (
		<LabelledCell id={own.id} label={own.label} cell={own.cell}>
			<input
				{...input}
				id={own.id}
				value={own.value}
				onInput={(e) => own.onInput?.(e.currentTarget.value)}
				onChange={(e) => own.onChange?.(e.currentTarget.value)}
				aria-describedby={
					[describedBy(own.id, own.hint, own.error), own.describedBy].filter(Boolean).join(" ") ||
					undefined
				}
				aria-invalid={own.error ? true : undefined}
				data-testid={own.testId}
			/>
			<FieldProblem id={own.id} error={own.error} />
			<Show when={own.hint}>
				<p id={`${own.id}-hint`} class="small muted field-hint">
					{own.hint}
				</p>
			</Show>
		</LabelledCell>
	);
}

/**
 * A labelled choice from `children` (the options), in a form grid cell and with its problem
 * (`error`) as `TextField` has them; `onChange` gets the chosen option's value.
 */
export function SelectField(props: {
	id: string;
	label: JSX.Element;
	value: string;
	onChange: (value: string) => void;
	error?: string | undefined;
	cell?: "field" | "wide";
	disabled?: boolean;
	/** For screen readers only, where what is around the choice says it to the eye. */
	hideLabel?: boolean;
	testId?: string;
	children: JSX.Element;
}) {
	return (
		<LabelledCell id={props.id} label={props.label} cell={props.cell} hideLabel={props.hideLabel}>
			<select
				id={props.id}
				value={props.value}
				disabled={props.disabled}
				onChange={(e) => props.onChange(e.currentTarget.value)}
				aria-describedby={describedBy(props.id, null, props.error)}
				aria-invalid={props.error ? true : undefined}
				data-testid={props.testId}
			>
				{props.children}
			</select>
			<FieldProblem id={props.id} error={props.error} />
		</LabelledCell>
	);
}

/** A label and its control (`children`), in a `form-field` cell when `cell` says so. */
function LabelledCell(props: {
	id: string;
	label: JSX.Element;
	cell: "field" | "wide" | undefined;
	hideLabel?: boolean | undefined;
	children: JSX.Element;
}) {
	const fields = () => (
		<>
			<label for={props.id} class={props.hideLabel ? "sr-only" : "field-label"}>
				{props.label}
			</label>
			{props.children}
		</>
	);
	return (
		<Show when={props.cell} fallback={fields()}>
			<div class="form-field" classList={{ "form-field-wide": props.cell === "wide" }}>
				{fields()}
			</div>
		</Show>
	);
}

/** The names of a form's text values, the ones `FormFields` edits (numbers too are typed text). */
export type TextKeys<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T] & string;

/** The names of the values that may be any text (not one of a few words): text inputs. */
type FreeTextKeys<T> = { [K in keyof T]: string extends T[K] ? K : never }[keyof T] & string;

/** What a choice offers: the value it sets and the words it shows for it. */
export interface FieldOption<V extends string = string> {
	value: V;
	label: string;
}

/** The options for `values`, worded by `labels`, after any `first` ones ("Any network"). */
export function optionsOf<V extends string, F extends string = never>(
	values: readonly V[],
	labels: Record<V, string> | ((value: V) => string),
	first: readonly FieldOption<F>[] = [],
): FieldOption<V | F>[] {
	const label = typeof labels === "function" ? labels : (value: V) => labels[value];
	return [...first, ...values.map((value) => ({ value, label: label(value) }))];
}

/**
 * A URL field's attributes. Not `type="url"`: Chromium strips the spaces at either end of
 * such a field's value as it reads it, and a field bound to that value lost each space as
 * it was typed, so nobody could type one while editing. `FormFields` trims a URL field when
 * it is left and the form's check names a space inside; phones still show their URL keyboard.
 */
export const URL_INPUT = {
	type: "text",
	inputMode: "url",
	autocomplete: "off",
	spellcheck: false,
} as const;

/** The attributes a text field's spec hands to its input as they are. */
type InputAttributes = Pick<
	JSX.InputHTMLAttributes<HTMLInputElement>,
	| "type"
	| "required"
	| "maxLength"
	| "min"
	| "max"
	| "step"
	| "placeholder"
	| "autocomplete"
	| "spellcheck"
	| "inputMode"
	| "list"
>;

interface FieldBase<K extends string> {
	/** The value it edits, which also names its id. */
	name: K;
	label: string;
	hint?: JSX.Element;
	/** Across the whole form grid. */
	wide?: boolean;
	testId?: string;
}

/**
 * One field of a form as data: a choice when it has `options`, else a text input (only for a
 * value that may be any text) whose attributes (type, required, limits) are in the spec.
 */
export type FieldSpec<T> =
	| (FieldBase<FreeTextKeys<T>> &
			InputAttributes & {
				options?: undefined;
				/** Given the input, to focus it again after a submit. */
				ref?: (input: HTMLInputElement) => void;
			})
	| {
			[K in TextKeys<T>]: FieldBase<K> & {
				options: readonly FieldOption<T[K] & string>[];
				/**
				 * Chosen by typing (`MemberPicker`), for a long list such as a thousand members;
				 * `placeholder` prompts for it.
				 */
				search?: { placeholder: string };
			};
	  }[TextKeys<T>];

/**
 * A form's fields drawn from their specs (`fields`), each bound by its name to its value in
 * the form's store and to its problem in `errors`. Each sits in a form grid cell, unless
 * `cells` is false. The specs may change (a label that follows another field): each field
 * keeps its element, so typing and focus go on undisturbed.
 */
export function FormFields<T extends object>(props: {
	store: [values: T, setValues: SetStoreFunction<T>];
	fields: readonly FieldSpec<T>[];
	errors?: Partial<Record<keyof T, string | undefined>>;
	/** @default true */
	cells?: boolean;
}) {
	const uid = createUniqueId();
	const value = (name: keyof T): string => props.store[0][name] as string;
	// The spec's type allows only an option's value, or any text where the value is free text.
	const set = (name: keyof T, next: string) =>
		(props.store[1] as unknown as (name: keyof T, value: string) => void)(name, next);
	return (
		<Index each={props.fields}>
			{(spec) => {
				const id = () => `${uid}-${spec().name}`;
				const cell = () => (props.cells === false ? undefined : spec().wide ? "wide" : "field");
				const error = () => props.errors?.[spec().name];
				return (
					<Show
						when={spec().options}
						fallback={
							<TextField
								{...inputAttributes(spec())}
								id={id()}
								cell={cell()}
								label={spec().label}
								hint={spec().hint}
								value={value(spec().name)}
								onInput={(next) => set(spec().name, next)}
								onChange={isUrlField(spec()) ? (next) => set(spec().name, next.trim()) : undefined}
								error={error()}
								testId={spec().testId}
							/>
						}
					>
						{(options) => (
							<Show
								when={searchOf(spec())}
								fallback={
									<SelectField
										id={id()}
										cell={cell()}
										label={spec().label}
										value={value(spec().name)}
										onChange={(next) => set(spec().name, next)}
										error={error()}
										testId={spec().testId}
									>
										<For each={options()}>
											{(option) => <option value={option.value}>{option.label}</option>}
										</For>
									</SelectField>
								}
							>
								{(search) => (
									<div
										class={cell() ? "form-field" : undefined}
										classList={{ "form-field-wide": cell() === "wide" }}
									>
										<MemberPicker
											id={id()}
											label={spec().label}
											options={options().map((option) => ({
												id: option.value,
												name: option.label,
												label: option.label,
											}))}
											value={value(spec().name)}
											onChange={(next) => set(spec().name, next)}
											placeholder={search().placeholder}
											error={error()}
											testId={spec().testId ?? id()}
										/>
									</div>
								)}
							</Show>
						)}
					</Show>
				);
			}}
		</Index>
	);
}

/** How a choice is searched, when it is chosen by typing. */
function searchOf<T>(spec: FieldSpec<T>): { placeholder: string } | undefined {
	return spec.options ? spec.search : undefined;
}

/** A URL field (`URL_INPUT`): trimmed when it is left. */
function isUrlField<T>(spec: FieldSpec<T>): boolean {
	return !spec.options && spec.inputMode === "url";
}

/** What a text field's spec hands to its input: all but what `FormFields` reads itself. */
function inputAttributes<T>(spec: FieldSpec<T>) {
	if (spec.options) return {};
	const { name: _n, label: _l, hint: _h, wide: _w, testId: _t, options: _o, ...input } = spec;
	return input;
}

/**
 * A set chosen by checkboxes, one for each of `values` labelled by `label`; `onChange` gets
 * the new set in the order of `values`. Test ids are `<testId>-<value>`.
 */
export function CheckSet<V extends string>(props: {
	values: readonly V[];
	chosen: readonly V[];
	onChange: (chosen: V[]) => void;
	label: (value: V) => JSX.Element;
	testId: string;
}) {
	const toggle = (value: V, on: boolean) =>
		props.onChange(
			props.values.filter((other) => (other === value ? on : props.chosen.includes(other))),
		);
	return (
		<For each={props.values}>
			{(value) => (
				<label class="check">
					<input
						type="checkbox"
						checked={props.chosen.includes(value)}
						onChange={(event) => toggle(value, event.currentTarget.checked)}
						data-testid={`${props.testId}-${value}`}
					/>{" "}
					{props.label(value)}
				</label>
			)}
		</For>
	);
}

const SIGN_IN_FIELDS = {
	email: { label: "Email", type: "email", autocomplete: "username" },
	password: { label: "Password", type: "password", autocomplete: "current-password" },
} as const;

interface SignInFieldProps {
	id: string;
	value: string;
	onInput: (value: string) => void;
	/** Shown, not changed: whom a form signs in is already known. */
	readOnly?: boolean;
	/** Focused when the form opens (a dialog gives it focus first). */
	autofocus?: boolean;
	/** The id of the form's alert, while it says why signing in failed. */
	describedBy?: string | undefined;
}

/** The email or the password of a sign-in form: required, and filled in by password managers. */
function SignInField(props: SignInFieldProps & { kind: keyof typeof SIGN_IN_FIELDS }) {
	const field = () => SIGN_IN_FIELDS[props.kind];
	return (
		<TextField
			id={props.id}
			label={field().label}
			type={field().type}
			autocomplete={field().autocomplete}
			required
			readOnly={props.readOnly}
			autofocus={props.autofocus}
			value={props.value}
			onInput={props.onInput}
			describedBy={props.describedBy}
		/>
	);
}

/** The email a person signs in with. */
export function SignInEmailField(props: SignInFieldProps) {
	return <SignInField kind="email" {...props} />;
}

/** The password of a sign-in form (the browser may fill in the saved one). */
export function SignInPasswordField(props: SignInFieldProps) {
	return <SignInField kind="password" {...props} />;
}

/**
 * A search box whose label only screen readers hear (the placeholder says it to the eye);
 * `id` names its test id too. `class` adds to the field's own classes.
 */
export function SearchField(props: {
	id: string;
	label: string;
	placeholder: string;
	value: string;
	onInput: (value: string) => void;
	class?: string;
}) {
	return (
		<div class={props.class ? `field field-search ${props.class}` : "field field-search"}>
			<label for={props.id} class="sr-only">
				{props.label}
			</label>
			<input
				id={props.id}
				type="search"
				placeholder={props.placeholder}
				value={props.value}
				onInput={(e) => props.onInput(e.currentTarget.value)}
				data-testid={props.id}
			/>
		</div>
	);
}

/**
 * A form's end: why the last submit failed (`error`, announced), then its buttons: submit,
 * disabled and relabelled while busy, and Cancel when the form has somewhere to go back to.
 */
export function FormActions(props: {
	label: string;
	/** Shown on the submit button while `busy`. @default "Saving…" */
	busyLabel?: string;
	busy: boolean;
	/** @default busy */
	disabled?: boolean;
	testId: string;
	/** The refusal or problem of the last submit. */
	error?: string | null;
	errorTestId?: string;
	onCancel?: () => void;
	/** More buttons, after submit and Cancel. */
	children?: JSX.Element;
}) {
	return (
		<>
			<FormError error={props.error ?? null} testId={props.errorTestId} />
			<div class="form-actions">
				<button
					type="submit"
					class="button button-primary"
					disabled={props.disabled ?? props.busy}
					data-testid={props.testId}
				>
					{props.busy ? (props.busyLabel ?? "Saving…") : props.label}
				</button>
				<Show when={props.onCancel}>
					{(cancel) => (
						<button type="button" class="button" onClick={() => cancel()()}>
							Cancel
						</button>
					)}
				</Show>
				{props.children}
			</div>
		</>
	);
}

/** A component's button, handed to its parent (Solid passes a `ref` prop as a function). */
type ButtonRef = HTMLButtonElement | ((button: HTMLButtonElement) => void);

function handRef(ref: ButtonRef | undefined, button: HTMLButtonElement): void {
	if (typeof ref === "function") ref(button);
}

/**
 * A button that runs `action` (with `args`, when it takes any), disabled while it runs or
 * when `disabled` says so, and saying `busyLabel` meanwhile when given; the action keeps its
 * error for a `FormError`. Focus, lost while it was disabled, comes back to it when the action
 * is over, or goes to what `focusAfter` finds once it worked (the result it shows, or the
 * button that replaced it).
 */
export function ActionButton<A extends unknown[]>(
	props: {
		action: Action<A>;
		/** @default "button" */
		class?: string;
		disabled?: boolean;
		/** Shown instead of `children` while the action runs, e.g. "Retrying…". */
		busyLabel?: string;
		/** Where focus goes when the action worked; the button itself when this finds nothing. */
		focusAfter?: () => HTMLElement | null | undefined;
		ref?: ButtonRef;
		testId: string;
		children: JSX.Element;
	} & ([] extends A ? { args?: A } : { args: A }),
) {
	let button: HTMLButtonElement | undefined;
	const run = async () => {
		const focus = holdFocus();
		const ok = await props.action.run(...((props.args ?? []) as A));
		focus((ok ? props.focusAfter?.() : undefined) ?? button);
	};
	return (
		<button
			type="button"
			ref={(element) => {
				button = element;
				handRef(props.ref, element);
			}}
			class={props.class ?? "button"}
			disabled={props.disabled || props.action.busy()}
			onClick={() => void run()}
			data-testid={props.testId}
		>
			<Show when={props.busyLabel && props.action.busy()} fallback={props.children}>
				{props.busyLabel}
			</Show>
		</button>
	);
}

/** A time as "12 min ago" / "in 3 h", with the exact time on hover and for machines. */
export function When(props: {
	iso: string | null;
	now: number;
	/** What a missing time means. @default "never" */
	never?: string;
	/** "past": a last-done time; "future": a due time. */
	tense?: "past" | "future";
}) {
	return (
		<Show when={props.iso} fallback={<span class="muted">{props.never ?? "never"}</span>}>
			{(iso) => (
				<time datetime={iso()} title={formatDateTime(iso())}>
					{formatRelative(iso(), props.now, props.tense)}
				</time>
			)}
		</Show>
	);
}

/**
 * A button that asks before it does something that cannot be undone. Asks inline: a
 * browser `confirm()` blocks the page and cannot be styled or tested. Cancel (or Escape)
 * gives focus back to the button; once confirmed, focus goes to what `focusAfter` finds (the
 * row's next, when this one is gone), else back to the button when it is still there.
 */
export function ConfirmButton(props: {
	label: string;
	/** The question, e.g. "Delete this source?" */
	question: string;
	confirmLabel: string;
	/** Answers true when it worked (an `Action`'s run does). */
	onConfirm: () => Promise<unknown>;
	/** Where focus goes when the confirmed action worked. */
	focusAfter?: () => HTMLElement | null | undefined;
	busy?: boolean;
	testId: string;
	/** Names what the button acts on, for screen readers ("Delete Status feed"). */
	accessibleLabel?: string;
	/** The button that asks (not the one that confirms). */
	ref?: ButtonRef;
}) {
	const [asking, setAsking] = createSignal(false);
	const questionId = createUniqueId();
	let start: HTMLButtonElement | undefined;
	const ask = () => setAsking(true);
	const cancel = () => {
		setAsking(false);
		start?.focus();
	};
	const cancelOnEscape = (event: KeyboardEvent) => {
		if (event.key !== "Escape") return;
		event.preventDefault();
		event.stopPropagation();
		cancel();
	};
	const confirm = async () => {
		const focus = holdFocus();
		const ok = await props.onConfirm();
		setAsking(false);
		focus((ok !== false ? props.focusAfter?.() : undefined) ?? start);
	};
	return (
		<Show
			when={asking()}
			fallback={
				<button
					type="button"
					class="button button-small button-danger-quiet"
					ref={(element) => {
						start = element;
						handRef(props.ref, element);
					}}
					onClick={ask}
					aria-label={props.accessibleLabel}
					data-testid={props.testId}
				>
					{props.label}
				</button>
			}
		>
			<span class="confirm">
				<span class="confirm-question" id={questionId}>
					{props.question}
				</span>
				<button
					type="button"
					class="button button-small button-danger"
					aria-describedby={questionId}
					ref={(element) => queueMicrotask(() => element.focus())}
					disabled={props.busy}
					onClick={() => void confirm()}
					onKeyDown={cancelOnEscape}
					data-testid={`${props.testId}-confirm`}
				>
					{props.confirmLabel}
				</button>
				<button
					type="button"
					class="button button-small"
					onClick={cancel}
					onKeyDown={cancelOnEscape}
				>
					Cancel
				</button>
			</span>
		</Show>
	);
}

/** Copies a text; says whether it worked (the clipboard needs a secure page). */
export function CopyButton(props: {
	text: string;
	label: string;
	/** What is copied, for screen readers ("Copy the signing secret"). */
	accessibleLabel?: string;
	testId?: string;
}) {
	const [state, setState] = createSignal<"idle" | "copied" | "failed">("idle");
	const copy = async () => {
		try {
			await navigator.clipboard.writeText(props.text);
			setState("copied");
		} catch {
			setState("failed");
		}
		setTimeout(() => setState("idle"), 4_000);
	};
	return (
		<span class="copy">
			<button
				type="button"
				class="button button-small"
				onClick={() => void copy()}
				aria-label={props.accessibleLabel}
				data-testid={props.testId}
			>
				{props.label}
			</button>
			<span class="small muted" role="status">
				{state() === "copied" ? "Copied." : state() === "failed" ? "Select it and copy." : ""}
			</span>
		</span>
	);
}

/** A value to copy, read-only in a field with its label (easy to select by hand too). */
export function CopyField(props: {
	id: string;
	label: string;
	value: string;
	testId: string;
	/** Rows of a multi-line value (an example script); one line when absent. */
	rows?: number;
}) {
	const select = (event: FocusEvent) =>
		(event.currentTarget as HTMLInputElement | HTMLTextAreaElement).select();
	return (
		<div class="copy-field">
			<div class="copy-field-head">
				<label class="field-label" for={props.id}>
					{props.label}
				</label>
				<CopyButton text={props.value} label="Copy" accessibleLabel={`Copy: ${props.label}`} />
			</div>
			<Show
				when={props.rows}
				fallback={
					<input
						id={props.id}
						type="text"
						class="code"
						readOnly
						value={props.value}
						onFocus={select}
						spellcheck={false}
						data-testid={props.testId}
					/>
				}
			>
				{(rows) => (
					<textarea
						id={props.id}
						class="code"
						readOnly
						rows={rows()}
						value={props.value}
						onFocus={select}
						spellcheck={false}
						wrap="off"
						data-testid={props.testId}
					/>
				)}
			</Show>
		</div>
	);
}

/**
 * A secret shown this once (after creating or rotating), with what to do with it. For an
 * incoming webhook source, the URL to POST to and a signed example; for an outgoing
 * endpoint, how to check the signature.
 */
export function SecretOnce(props: {
	title: string;
	secret: string;
	/** Absolute URL of an incoming webhook source. */
	postUrl?: string;
	onDone: () => void;
	children?: JSX.Element;
}) {
	let heading: HTMLHeadingElement | undefined;
	const uid = createUniqueId();
	const now = new Date();
	// Whoever just created or rotated lands on the secret, and hears it is shown once.
	onMount(() => heading?.focus());
	return (
		<section class="secret-once" aria-labelledby={`${uid}-title`} data-testid="secret-once">
			<h3 id={`${uid}-title`} tabIndex={-1} ref={heading}>
				{props.title}
			</h3>
			<p class="secret-warning">
				<strong>Copy the secret now: it is shown only this once.</strong> Switchboard keeps it
				encrypted and cannot show it again; if it is lost, rotate it for a new one.
			</p>
			<CopyField id={`${uid}-secret`} label="Signing secret" value={props.secret} testId="secret" />
			<Show when={props.postUrl}>
				{(url) => (
					<>
						<CopyField
							id={`${uid}-url`}
							label="POST mentions to"
							value={url()}
							testId="secret-url"
						/>
						<p class="small">{SIGNATURE_SCHEME}</p>
						<CopyField
							id={`${uid}-curl`}
							label="Example (shell, with openssl and curl)"
							value={signedCurlExample({ url: url(), secret: props.secret, now })}
							testId="secret-curl"
							rows={5}
						/>
					</>
				)}
			</Show>
			{props.children}
			<div class="form-actions">
				<button
					type="button"
					class="button button-primary"
					onClick={() => props.onDone()}
					data-testid="secret-done"
				>
					I have saved the secret
				</button>
			</div>
		</section>
	);
}
