/** A list the server pages, as the admin screens show one (members, the audit log). */
import { type Accessor, createMemo, For, type JSX, Show } from "solid-js";
import type { PagedLoader } from "../api.ts";
import { ActionButton, FormError, Loaded } from "./forms.tsx";

/**
 * "Loading…" and the load's error, then the items read so far in an `admin-list` (each drawn
 * by `children`), `empty` when there are none, and a button (`more`) that reads the next
 * page while the server has one, with that read's error. When reading the list again
 * failed (a changed filter, say), the items of the last read are not shown under the error:
 * they would pass for the answer. Each item is drawn once for its `key`, and follows the list
 * when it changes (a member saved), so what is drawn keeps its state and focus.
 */
export function PagedList<T>(props: {
	list: PagedLoader<T>;
	testId: string;
	errorTestId: string;
	empty: JSX.Element;
	more: { label: string; testId: string };
	/** What names an item across reads (its id). */
	key: (item: T) => string;
	children: (item: Accessor<T>) => JSX.Element;
}) {
	const byKey = createMemo(
		() => new Map(props.list.items().map((item) => [props.key(item), item] as const)),
	);
	const keys = createMemo(() => [...byKey().keys()]);
	return (
		<Loaded loader={props.list} errorTestId={props.errorTestId}>
			{() => (
				<Show when={!props.list.error()}>
					<ul class="admin-list" data-testid={props.testId}>
						<For each={keys()}>
							{(key) => <Show when={byKey().get(key)}>{(item) => props.children(item)}</Show>}
						</For>
					</ul>
					<Show when={props.list.items().length === 0}>{props.empty}</Show>
					<Show when={props.list.hasMore()}>
						<ActionButton action={props.list.loadMore} testId={props.more.testId}>
							{props.more.label}
						</ActionButton>
					</Show>
					<FormError error={props.list.loadMore.error()} />
				</Show>
			)}
		</Loaded>
	);
}
