/**
 * Bars at the foot of the screen: the conversation's reply bar (sticky below 960 px, so at
 * the foot of the page once the reply reaches it, and just above it when the reply ends within
 * the screen; from 960 px a row of the reply panel) and the install offer (a strip across the
 * screen's foot at every width, under the page, which ends above it).
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
 * in its way: the distance from the foot to the top of the highest bar it would overlap, at
 * rest or once raised above a bar below it (the reply bar stands on the install offer, above
 * the toasts' resting place), or 0. A bar not shown, wholly above the area (the reply bar of a
 * conversation scrolled past its reply) or beside it is left alone.
 */
export function footClearance(area: Area): number {
	const shown = [...bars].map(footBarBox).filter((box) => box.width > 0 && box.height > 0);
	let clearance = 0;
	for (let raised = true; raised; ) {
		raised = false;
		for (const box of shown) {
			if (box.top >= area.bottom - clearance || box.bottom <= area.top - clearance) continue;
			if (box.left >= area.right || box.right <= area.left) continue;
			clearance = area.bottom - box.top;
			raised = true;
		}
	}
	return Math.ceil(clearance);
}
