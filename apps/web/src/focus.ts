/**
 * Keyboard focus across an action that disables, replaces or removes what had it. A button
 * disabled while its request runs, or taken away with its row, leaves focus on the page itself
 * (document.body), and a keyboard or screen-reader user has to Tab from the top again.
 */

/** The part of an element `holdFocus` uses. */
export interface Focusable {
	readonly isConnected: boolean;
	focus(): void;
}

/** The part of the document `holdFocus` reads. */
export interface FocusDocument {
	readonly activeElement: unknown;
	readonly body: unknown;
}

/**
 * Remembers what has focus now (the button pressed, the field Enter was pressed in); the
 * function it answers, called once the action is over, moves focus to `target` (by default
 * back to what had it) when focus is still there or was lost to the page meanwhile. Focus the
 * person moved elsewhere themself stays where they put it. True when it moved focus.
 */
export function holdFocus(
	doc: FocusDocument = document,
): (target?: Focusable | null | undefined) => boolean {
	const from = doc.activeElement;
	return (target) => {
		const to = target ?? (from as Focusable | null);
		if (!to?.isConnected) return false;
		const now = doc.activeElement;
		const lost = now === null || now === doc.body || !(now as Focusable).isConnected;
		if (now !== from && !lost) return false;
		to.focus();
		return true;
	};
}
