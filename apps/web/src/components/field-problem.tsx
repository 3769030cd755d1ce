/**
 * How a field says what is wrong with it: its problem under it, and the ids it is described
 * by. Apart from forms.tsx, which re-exports them, so that a field of its own (the member
 * picker) can use them without importing the forms it is used in.
 */
import { Show } from "solid-js";

/** The ids a field is described by: its problem first, then its hint. */
export function describedBy(
	id: string,
	hint: unknown,
	error: string | undefined,
): string | undefined {
	const ids = [error ? `${id}-error` : "", hint ? `${id}-hint` : ""].filter(Boolean);
	return ids.length > 0 ? ids.join(" ") : undefined;
}

/** A field's problem, under it (id `<id>-error`, which the field is described by). */
export function FieldProblem(props: { id: string; error: string | undefined }) {
	return (
		<Show when={props.error}>
			<p id={`${props.id}-error`} class="small field-error" data-testid="field-error">
				{props.error}
			</p>
		</Show>
	);
}
