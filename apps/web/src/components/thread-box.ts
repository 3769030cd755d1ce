/**
 * The conversation's thread where it scrolls in a box of its own (720 to 959 px wide, see
 * responsive.css; on a phone it flows in the page, on a desktop it takes the height it needs).
 * The box opens on the latest messages, those a reply answers, and stays on them as messages
 * come and the box changes size, unless the reader has scrolled back. Each end with messages
 * beyond it carries `data-more-before` / `data-more-after`, which responsive.css fades out as
 * it does the tab strips' (tab-strip.ts), so the box says that it scrolls. Where the thread is
 * no box, nothing overflows: no attribute is set and nothing scrolls.
 */
import { onCleanup } from "solid-js";

/** Keeps `box` on its latest messages and its fade attributes up to date, until cleanup. */
export function trackThreadBox(box: HTMLElement): void {
	// Whether the reader is on the latest messages; only a scroll of theirs changes it.
	let atEnd = true;
	const measure = () => {
		const { scrollTop, clientHeight, scrollHeight } = box;
		box.toggleAttribute("data-more-before", scrollTop > 1);
		box.toggleAttribute("data-more-after", scrollTop + clientHeight < scrollHeight - 1);
	};
	const scrolled = () => {
		atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
		measure();
	};
	const follow = () => {
		if (atEnd) box.scrollTop = box.scrollHeight;
		measure();
	};
	// The box's own size (it first gets one once laid out with its messages, and the keyboard
	// or a turned screen changes it), and messages added later (a follow-up while it is open).
	const sizes = new ResizeObserver(follow);
	const added = new MutationObserver(follow);
	sizes.observe(box);
	added.observe(box, { childList: true });
	box.addEventListener("scroll", scrolled, { passive: true });
	onCleanup(() => {
		sizes.disconnect();
		added.disconnect();
		box.removeEventListener("scroll", scrolled);
	});
}
