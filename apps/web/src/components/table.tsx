/** The tables of the queue and the admin and settings screens. */
import { For, type JSX, Show } from "solid-js";

/**
 * A table of `rows`, each drawn by `children` as one `<tr>`, under a header row of `columns`;
 * `empty` instead when there are no rows. With `actions`, a last column for each row's
 * buttons, whose header only screen readers hear.
 */
export function Table<T>(props: {
	class: string;
	testId?: string;
	/** Said to screen readers: what the rows are. */
	caption?: JSX.Element;
	columns: readonly string[];
	actions?: boolean;
	rows: readonly T[];
	empty?: JSX.Element;
	children: (row: T) => JSX.Element;
}) {
	return (
		<Show when={props.rows.length > 0} fallback={props.empty}>
			<table class={props.class} data-testid={props.testId}>
				<Show when={props.caption}>
					<caption class="sr-only">{props.caption}</caption>
				</Show>
				<thead>
					<tr>
						<For each={props.columns}>{(column) => <th scope="col">{column}</th>}</For>
						<Show when={props.actions}>
							<th scope="col">
								<span class="sr-only">Actions</span>
							</th>
						</Show>
					</tr>
				</thead>
				<tbody>
					<For each={props.rows}>{(row) => props.children(row)}</For>
				</tbody>
			</table>
		</Show>
	);
}
