/**
 * User Timing marks of the board's first load, visible in DevTools' performance panel and
 * read by bench/ scenario 9: when the board's first sync message arrived (in the board's
 * worker), when its data is there for the page (the first sync, or the local copy offline)
 * and when its first cards are in the DOM.
 */
export const BoardMarks = {
	message: "switchboard:board-message",
	data: "switchboard:board-data",
	rendered: "switchboard:board-rendered",
} as const;

/**
 * Mark `name` the first time only in this page's life: now, or at `at` (ms since the
 * epoch, as a worker tells the time), with `detail`.
 */
export function markOnce(
	name: (typeof BoardMarks)[keyof typeof BoardMarks],
	at?: { epochMs: number; detail?: unknown },
): void {
	if (performance.getEntriesByName(name, "mark").length > 0) return;
	if (!at) performance.mark(name);
	else {
		const startTime = at.epochMs - performance.timeOrigin;
		performance.mark(name, { startTime, detail: at.detail });
	}
}
