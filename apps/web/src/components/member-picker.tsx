/**
 * A searchable choice of one member (member-picker.ts says why a `<select>` would not do): a
 * text field that shows the chosen member's name and, once touched, lists a few members at a
 * time, those matching what is typed. The pattern is ARIA 1.2's combobox with a listbox
 * popup: the focus stays in the field, the arrows move the active option
 * (`aria-activedescendant`), Enter or a tap chooses it, Escape or leaving the field closes
 * the list and puts the chosen name back. What is typed chooses the one member it names, or
 * nobody. While the list is closed, Enter submits the form around it, so a preselected
 * member is still one key or one click away.
 */
import { createEffect, createMemo, createSignal, createUniqueId, For, Show } from "solid-js";
import { type PickerOption, pickerMatches, pickerNamed } from "../member-picker.ts";
import { describedBy, FieldProblem } from "./field-problem.tsx";

export function MemberPicker(props: {
	id: string;
	label: string;
	/** For screen readers only, where what is around the choice says it to the eye. */
	hideLabel?: boolean;
	/** Everyone who may be chosen, the caller's best first (what the list shows untyped). */
	options: readonly PickerOption[];
	/** The chosen member's id, or "" for nobody. */
	value: string;
	onChange: (memberId: string) => void;
	placeholder: string;
	error?: string | undefined;
	/** The field's test id; `<testId>-option` for the listed members. */
	testId: string;
}) {
	// What is typed while the list is open; null while it is closed and the field shows the
	// chosen member's name.
	const [query, setQuery] = createSignal<string | null>(null);
	const [active, setActive] = createSignal(0);
	const listId = `${props.id}-list-${createUniqueId()}`;
	const optionId = (index: number) => `${listId}-${index}`;
	const matches = createMemo(() => {
		const typed = query();
		return typed === null ? null : pickerMatches(props.options, typed);
	});
	const chosen = createMemo(() => props.options.find((option) => option.id === props.value));
	const openList = (typed: string) => {
		setQuery(typed);
		setActive(0);
	};
	const close = () => setQuery(null);
	/**
	 * What is typed chooses as it is typed: the one member it names ("Sam", and one Sam), or
	 * nobody while it names nobody or several. The button beside the field says at every
	 * keystroke whom it acts on, and does not change under the pointer as the field is left:
	 * on Coverage, "Sam" typed and Assign clicked gave the conversation to the member
	 * preselected before, whose name the field showed again on leaving it.
	 */
	const type = (typed: string) => {
		openList(typed);
		const found = matches();
		const named = found ? pickerNamed(props.options, typed, found) : undefined;
		if ((named?.id ?? "") !== props.value) props.onChange(named?.id ?? "");
	};
	// The list scrolls on a small screen: the active option stays in it.
	createEffect(() => {
		if (matches())
			document.getElementById(optionId(active()))?.scrollIntoView({ block: "nearest" });
	});
	const choose = (option: PickerOption | undefined) => {
		if (!option) return;
		props.onChange(option.id);
		close();
	};
	const onKeyDown = (event: KeyboardEvent) => {
		const shown = matches()?.shown ?? [];
		switch (event.key) {
			case "ArrowDown":
				event.preventDefault();
				if (!matches()) openList("");
				else setActive((index) => Math.min(index + 1, Math.max(shown.length - 1, 0)));
				return;
			case "ArrowUp":
				event.preventDefault();
				setActive((index) => Math.max(index - 1, 0));
				return;
			case "Enter":
				// With the list open Enter chooses; closed, it submits the form.
				if (!matches()) return;
				event.preventDefault();
				// The list may have shrunk under the active option (the board changed).
				choose(shown[Math.min(active(), shown.length - 1)]);
				return;
			case "Escape":
				if (!matches()) return;
				event.preventDefault();
				event.stopPropagation();
				close();
				return;
		}
	};
	return (
		<span class="member-picker">
			<label for={props.id} class={props.hideLabel ? "sr-only" : "field-label"}>
				{props.label}
			</label>
			<input
				id={props.id}
				type="text"
				role="combobox"
				autocomplete="off"
				spellcheck={false}
				enterkeyhint="search"
				placeholder={props.placeholder}
				value={query() ?? chosen()?.name ?? ""}
				aria-autocomplete="list"
				aria-expanded={matches() !== null}
				aria-controls={listId}
				aria-activedescendant={
					matches()?.shown.length
						? optionId(Math.min(active(), matches()!.shown.length - 1))
						: undefined
				}
				aria-describedby={describedBy(props.id, null, props.error)}
				aria-invalid={props.error ? true : undefined}
				onFocus={(event) => event.currentTarget.select()}
				onClick={() => {
					if (!matches()) openList("");
				}}
				onInput={(event) => type(event.currentTarget.value)}
				onKeyDown={onKeyDown}
				onBlur={close}
				data-value={props.value}
				data-testid={props.testId}
			/>
			<Show when={matches()}>
				{(found) => (
					<div class="member-picker-popup">
						<div id={listId} role="listbox" class="member-picker-list" aria-label={props.label}>
							<For each={found().shown}>
								{(option, index) => (
									// biome-ignore lint/a11y/useKeyWithClickEvents: the keys are the field's (arrows, Enter, Escape), which keeps the focus while the list names the active option (aria-activedescendant).
									<div
										id={optionId(index())}
										role="option"
										tabIndex={-1}
										class="member-picker-option"
										aria-selected={index() === active()}
										// Keeps the focus in the field while choosing.
										onMouseDown={(event) => event.preventDefault()}
										onClick={() => choose(option)}
										data-member-id={option.id}
										data-testid={`${props.testId}-option`}
									>
										{option.label}
									</div>
								)}
							</For>
						</div>
						{/* Said only when the list does not show every choice (a filter's choices are
						    not all members: "Anyone", "Command line"). */}
						<Show when={found().total === 0 || found().total > found().shown.length}>
							<p class="member-picker-note muted small" aria-live="polite">
								<Show when={found().total > 0} fallback={`Nobody matches “${query()}”.`}>
									{found().shown.length} of {found().total.toLocaleString()}: type a name to narrow
								</Show>
							</p>
						</Show>
					</div>
				)}
			</Show>
			<FieldProblem id={props.id} error={props.error} />
		</span>
	);
}
