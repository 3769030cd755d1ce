/**
 * The conversation's thread where it scrolls in a box of its own (720 to 959 px wide, see
 * responsive.css; on a phone, held upright or on its side, it flows in the page, on a desktop
 * it takes the height it needs).
 * The box opens on the latest messages, those a reply answers, and stays on them as messages
 * come and the box changes size, unless the reader has scrolled back. Each end with messages
 * beyond it carries `data-more-before` / `data-more-after`, which responsive.css fades out as
 * it does the tab strips' (tab-strip.ts), so the box says that it scrolls. Where the thread is
 * no box, nothing overflows: no attribute is set and nothing scrolls.
 *
 * A keyboard user scrolls a box by focusing it, so the box is a tab stop while it has more
 * messages than it shows, and only then: a thread that fits its box, or flows in the page
 * (under 720 px, and from 960 px), is a list to read past, not one more stop on the way to
 * the reply.
 */
import { onCleanup } from "solid-js";

/**
 * Keeps `box` on its latest messages, its fade attributes and whether it is a tab stop up to
 * date, until cleanup.
 */
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
	const scrolls = () => {
		const { overflowY } = getComputedStyle(box);
		return (
			(overflowY === "auto" || overflowY === "scroll") && box.scrollHeight > box.clientHeight + 1
		);
	};
	// The box keeps its stop while it has the focus (taking it away would drop the focus on
	// the page's body), and loses it on leaving if it no longer scrolls.
	const updateTabStop = () => {
		if (scrolls()) box.tabIndex = 0;
		else if (document.activeElement !== box) box.removeAttribute("tabindex");
	};
	const follow = () => {
		updateTabStop();
		if (atEnd) box.scrollTop = box.scrollHeight;
		measure();
	};
	// The box's own size (it first gets one once laid out with its messages, the keyboard or a
	// turned screen changes it, and it becomes a box or stops being one at 720 and 960 px), and
	// messages added later (a follow-up while it is open).
	const sizes = new ResizeObserver(follow);
	const added = new MutationObserver(follow);
	sizes.observe(box);
	added.observe(box, { childList: true });
	box.addEventListener("scroll", scrolled, { passive: true });
	box.addEventListener("blur", updateTabStop);
	onCleanup(() => {
		sizes.disconnect();
		added.disconnect();
		box.removeEventListener("scroll", scrolled);
		box.removeEventListener("blur", updateTabStop);
	});
}
