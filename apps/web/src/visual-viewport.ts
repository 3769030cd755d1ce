/**
 * Lays the app out against the visual viewport: the part of the screen the on-screen
 * keyboard leaves. Chromium on Android resizes the layout for the keyboard when the viewport
 * meta asks for `interactive-widget=resizes-content`; Safari does not, and overlays the
 * keyboard on the page. Keeping `--app-height` at the visual viewport's height makes the
 * shell (header, scrolling main area, the conversation's reply bar) end where the keyboard
 * starts in both, and the caret is scrolled back into view when the keyboard comes up.
 */

/** Room kept between the caret and the keyboard, in px: a line of text and the reply bar. */
const CARET_MARGIN = 72;

function scrollCaretIntoView(): void {
	const active = document.activeElement;
	if (!(active instanceof HTMLElement) || !active.matches("input, textarea, [contenteditable]"))
		return;
	const viewport = window.visualViewport;
	if (!viewport) return;
	const selection = document.getSelection();
	const range = selection && selection.rangeCount > 0 ? selection.getRangeAt(0) : null;
	let caret = range?.getBoundingClientRect();
	// A collapsed range on an empty line measures as an empty rect at 0,0: take its line.
	if (!caret || caret.height === 0) {
		const node = selection?.anchorNode;
		const element = node instanceof Element ? node : node?.parentElement;
		caret = (element?.closest(".cm-line") ?? active).getBoundingClientRect();
	}
	const scroller = active.closest(".app-main");
	if (!scroller) return;
	// The main area ends above the keyboard, or above the install offer where it is shown.
	const foot = Math.min(
		viewport.offsetTop + viewport.height,
		scroller.getBoundingClientRect().bottom,
	);
	const visibleBottom = foot - CARET_MARGIN;
	if (caret.bottom > visibleBottom) scroller.scrollBy({ top: caret.bottom - visibleBottom });
}

/** Keeps `--app-height` on the root element in step with the visual viewport. */
export function followVisualViewport(): void {
	const viewport = window.visualViewport;
	if (!viewport) return;
	const root = document.documentElement;
	let frame = 0;
	const update = () => {
		cancelAnimationFrame(frame);
		frame = requestAnimationFrame(() => {
			// CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline' styles.
			root.style.setProperty("--app-height", `${Math.round(viewport.height)}px`);
			scrollCaretIntoView();
		});
	};
	viewport.addEventListener("resize", update);
	update();
}
