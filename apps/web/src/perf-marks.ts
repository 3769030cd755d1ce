/**
 * User Timing marks of the board's first load, visible in DevTools' performance panel and
 * read by bench/ scenario 9: when the board's data is there (the first sync, or the local
 * copy offline) and when its first cards are in the DOM.
 */
export const BoardMarks = {
	data: "switchboard:board-data",
	rendered: "switchboard:board-rendered",
} as const;

/** Mark `name` the first time only in this page's life. */
export function markOnce(name: (typeof BoardMarks)[keyof typeof BoardMarks]): void {
	if (performance.getEntriesByName(name, "mark").length === 0) performance.mark(name);
}
