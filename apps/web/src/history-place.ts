/**
 * Where a member left History: the search, the conversations it had shown ("Show more"
 * included) and how far down the page was. Opening a conversation from History and coming
 * back showed the first page again at the top, asked for again: on a phone, after ten
 * "Show more", that was 330 conversations to find again by hand.
 *
 * Kept for the signed-in session only (the workspace holds it), so nothing of one member's
 * search outlives their sign-out, and for a while only: an old search is asked for again.
 */
import type { Mention } from "@switchboard/domain";

/** How long a left search is shown again as it was, in ms, before it is asked for again. */
export const PLACE_KEPT_MS = 15 * 60_000;

export interface HistoryPlace {
	/** The search's filters, as `placeKey` writes them. */
	key: string;
	results: readonly Mention[];
	cursor: string | null;
	/** The page's scroll offset, px. */
	scrollTop: number;
	/** When it was left, ms since the epoch. */
	leftAt: number;
}

/** One place per session: the last search left. */
export interface HistoryPlaces {
	left: HistoryPlace | null;
}

/** The key of a search's filters, whatever their order. */
export function placeKey(query: Readonly<Record<string, string>>): string {
	return JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
}

/** The place to show again for the search `key`, if it was left recently enough. */
export function placeToResume(
	places: HistoryPlaces,
	key: string,
	now: number,
): HistoryPlace | undefined {
	const place = places.left;
	if (!place || place.key !== key || now - place.leftAt > PLACE_KEPT_MS) return undefined;
	return place;
}
