/**
 * A link from a list (My queue, Reviews, Coverage, History) to a conversation, carrying in the
 * history entry's state the list it was followed from, search included: the conversation's
 * "←" leads back there (back-link.ts). In the entry, not in a signal of the app: a conversation
 * reached any other way (the bell, another conversation, a new tab) has no such state and
 * leads to the board, and the browser's back and forward keep each entry's own.
 */
import { A, useLocation } from "@solidjs/router";
import type { ComponentProps } from "solid-js";

export function ListLink(props: ComponentProps<typeof A>) {
	const location = useLocation();
	return <A {...props} state={{ from: `${location.pathname}${location.search}` }} />;
}
