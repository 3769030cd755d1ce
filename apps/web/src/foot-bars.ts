/**
 * Bars at the foot of the screen: the conversation's reply bar (sticky below 960 px, so at
 * the foot once the reply reaches it, and just above it when the reply ends within the
 * screen; from 960 px a row of the reply panel) and the install offer (fixed, at every width).
 * The toasts sit at the foot too, full width on a phone and in the bottom left corner from
 * 720 px, and would lie over these bars' buttons for seconds: `footClearance` says how far up
 * they must stand to clear them.
 */
import { createSignal, onCleanup } from "solid-js";

const bars = new Set<HTMLElement>();
/** Bumped as a bar comes or goes: the install offer can come while a toast is shown. */
const [barsChanged, setBarsChanged] = createSignal(0);

/**
 * Counts `bar` among the bars at the foot of the screen for as long as the calling component
 * lives. Use it as the bar's `ref`.
 */
export function footBar(bar: HTMLElement): void {
	bars.add(bar);
	setBarsChanged((count) => count + 1);
	onCleanup(() => {
		bars.delete(bar);
		setBarsChanged((count) => count + 1);
	});
}

/** The bars counted now (for watching their size); a tracking scope reruns as they change. */
export function footBars(): ReadonlySet<HTMLElement> {
	barsChanged();
	return bars;
}

/**
 * Where `bar` is drawn, in the viewport's px. A bar laid out as `display: contents` (the reply
 * bar from 960 px, its buttons a row of the reply panel) has no box of its own: there it is
 * the box around what it holds.
 */
export function footBarBox(bar: HTMLElement): DOMRect {
	const box = bar.getBoundingClientRect();
	if (box.width > 0 || box.height > 0 || !bar.hasChildNodes()) return box;
	const contents = document.createRange();
	contents.selectNodeContents(bar);
	return contents.getBoundingClientRect();
}

/** A box in the viewport's px. */
export interface Area {
	top: number;
	right: number;
	bottom: number;
	left: number;
}

/**
 * How far up something resting in `area` at the screen's foot (its `bottom` the foot, its
 * `top` as high as it reaches with the room kept below it) must be raised to clear every bar
 * it would overlap: the distance from the foot to the top of the highest such bar, or 0. A bar
 * not shown, wholly above the area (the reply bar of a conversation scrolled past its reply)
 * or beside it (the install offer, centred on a wide screen, beside the toasts in the bottom
 * left corner) is left alone.
 */
export function footClearance(area: Area): number {
	let clearance = 0;
	for (const bar of bars) {
		const box = footBarBox(bar);
		if (box.width === 0 || box.height === 0) continue;
		if (box.top >= area.bottom || box.bottom <= area.top) continue;
		if (box.left >= area.right || box.right <= area.left) continue;
		clearance = Math.max(clearance, area.bottom - box.top);
	}
	return Math.ceil(clearance);
}
