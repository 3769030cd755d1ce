/**
 * A row of tabs that scrolls sideways on a phone (the admin's sections, the board's statuses).
 * Each side with tabs hidden behind it carries `data-more-before` / `data-more-after`, which
 * responsive.css fades out, so the row says that it scrolls; a chosen tab is scrolled into
 * view clear of those fades.
 */
import { onCleanup } from "solid-js";

/**
 * How far a chosen tab clears the strip's edge when it is scrolled into view: the width of
 * the edge's fade (responsive.css), so the fade never covers it.
 */
const TAB_EDGE = 32;

/** Keeps `strip`'s fade attributes up to date as it scrolls and resizes, until cleanup. */
export function trackTabStrip(strip: HTMLElement): void {
	const measure = () => {
		const { scrollLeft, clientWidth, scrollWidth } = strip;
		strip.toggleAttribute("data-more-before", scrollLeft > 1);
		strip.toggleAttribute("data-more-after", scrollLeft + clientWidth < scrollWidth - 1);
	};
	// The tabs' own sizes too (a count that gains a digit can make the row overflow), and
	// those of tabs added later (the strip's ref runs before its children are inserted).
	const sizes = new ResizeObserver(measure);
	const watchTabs = () => {
		for (const tab of strip.children) sizes.observe(tab);
		measure();
	};
	const added = new MutationObserver(watchTabs);
	sizes.observe(strip);
	added.observe(strip, { childList: true });
	watchTabs();
	strip.addEventListener("scroll", measure, { passive: true });
	onCleanup(() => {
		sizes.disconnect();
		added.disconnect();
		strip.removeEventListener("scroll", measure);
	});
}

/**
 * Scrolls `strip` so that `chosen` is wholly in view, clear of the fades: the first tab
 * brings the row to its start and the last to its end, so no fade is left where no tab is.
 */
export function showTab(strip: HTMLElement, chosen: HTMLElement): void {
	if (chosen === strip.firstElementChild) strip.scrollLeft = 0;
	else if (chosen === strip.lastElementChild) strip.scrollLeft = strip.scrollWidth;
	else {
		const row = strip.getBoundingClientRect();
		const box = chosen.getBoundingClientRect();
		if (box.left < row.left + TAB_EDGE) strip.scrollLeft -= row.left + TAB_EDGE - box.left;
		else if (box.right > row.right - TAB_EDGE)
			strip.scrollLeft += box.right - (row.right - TAB_EDGE);
	}
}
