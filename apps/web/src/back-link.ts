/**
 * Where a conversation's "←" link leads: back to the list it was opened from (My queue,
 * Reviews, a History search with its words), so an ambassador working through a list is not
 * dropped on the board after each one. A conversation opened from anywhere else (another
 * conversation, a notification, a link from outside) leads to the board. The list travels in
 * the history entry's state (list-link.tsx).
 */

/** The lists a conversation is opened from, by path, and what the link calls them. */
const LISTS: Readonly<Record<string, string>> = {
	"/": "Board",
	"/queue": "My queue",
	"/reviews": "Reviews",
	"/coverage": "Coverage",
	"/history": "History",
};

/** The list a conversation was opened from, as ListLink put it in the history entry's state. */
export function listOf(state: unknown): string | null {
	const from = (state as { from?: unknown } | null)?.from;
	return typeof from === "string" && from.startsWith("/") ? from : null;
}

/** The link back from a conversation opened while on `from` (a path with its search). */
export function backLink(from: string | null): { href: string; label: string } {
	const path = from === null ? "/" : (from.split(/[?#]/, 1)[0] ?? "/");
	const label = LISTS[path];
	return label && from !== null ? { href: from, label } : { href: "/", label: "Board" };
}
