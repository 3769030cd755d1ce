/**
 * Bars at the foot of the screen: the conversation's reply bar (sticky below 960 px, so at
 * the foot once the reply reaches it, and just above it when the reply ends within the
 * screen) and the install offer (fixed). On a phone the toasts sit at the foot too
 * (responsive.css), and would lie over these bars' buttons for seconds: `footClearance` says
 * how far up they must stand to clear them.
 */
import { onCleanup } from "solid-js";

const bars = new Set<HTMLElement>();

/**
 * Counts `bar` among the bars at the foot of the screen for as long as the calling component
 * lives. Use it as the bar's `ref`.
 */
export function footBar(bar: HTMLElement): void {
	bars.add(bar);
	onCleanup(() => bars.delete(bar));
}

/** The bars counted now (for watching their size). */
export function footBars(): ReadonlySet<HTMLElement> {
	return bars;
}

/**
 * How far up from the screen's foot (`foot`, in the viewport's px) something `band` px tall
 * standing there must be raised to clear every bar it would overlap: the distance from the
 * foot to the top of the highest such bar, or 0. A bar not shown, or wholly above the band
 * (the reply bar of a conversation scrolled past its reply), is left alone.
 */
export function footClearance(foot: number, band: number): number {
	let clearance = 0;
	for (const bar of bars) {
		const box = bar.getBoundingClientRect();
		if (box.height === 0 || box.top >= foot || box.bottom <= foot - band) continue;
		clearance = Math.max(clearance, foot - box.top);
	}
	return Math.ceil(clearance);
}
