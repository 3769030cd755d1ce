/**
 * Popups and disclosures: what a button shows or hides (the header's menu, the
 * notifications list, the board's filters), and how a popup closes.
 */
import { type Accessor, createSignal, onCleanup, type Setter } from "solid-js";

/** Whether what a button discloses is shown, and the button's attributes for it. */
export interface Disclosure {
	open: Accessor<boolean>;
	setOpen: Setter<boolean>;
	/** Spread on the button: it says whether `controls` is shown, and toggles it. */
	toggle: {
		readonly "aria-expanded": boolean;
		"aria-controls": string;
		onClick: () => void;
	};
}

/** A disclosure of the element with id `controls`, closed at first. */
export function createDisclosure(controls: string): Disclosure {
	const [open, setOpen] = createSignal(false);
	return {
		open,
		setOpen,
		toggle: {
			get "aria-expanded"() {
				return open();
			},
			"aria-controls": controls,
			onClick: () => setOpen((shown) => !shown),
		},
	};
}

/**
 * How a popup (the header's menu, the notifications list) closes, the way people expect:
 * Escape closes it and gives focus back to the button that opened it; a press outside both
 * the popup and its button closes it and leaves focus where the press put it, and so does the
 * focus leaving them (Tab past the popup's last item, which would otherwise go on behind it
 * while it stays open). Listens on the document for as long as the calling component lives.
 */
export function closeOnEscapeOrOutside(popup: {
	open: Accessor<boolean>;
	close: () => void;
	button: () => HTMLElement | undefined;
	panel: () => HTMLElement | undefined;
}): void {
	const onKeyDown = (event: KeyboardEvent) => {
		if (event.key !== "Escape" || !popup.open()) return;
		popup.close();
		popup.button()?.focus();
	};
	const onPointerDown = (event: PointerEvent) => {
		const target = event.target as Node;
		if (popup.open() && !popup.panel()?.contains(target) && !popup.button()?.contains(target))
			popup.close();
	};
	const onFocusIn = (event: FocusEvent) => {
		const target = event.target as Node;
		if (!popup.open() || popup.panel()?.contains(target) || popup.button()?.contains(target)) {
			return;
		}
		// A dialog opened from the popup (Sign out's question) has the focus for a while, and
		// gives it back to the popup's item it came from.
		if (target instanceof Element && target.closest("dialog")) return;
		popup.close();
	};
	document.addEventListener("keydown", onKeyDown);
	document.addEventListener("pointerdown", onPointerDown);
	document.addEventListener("focusin", onFocusIn);
	onCleanup(() => {
		document.removeEventListener("keydown", onKeyDown);
		document.removeEventListener("pointerdown", onPointerDown);
		document.removeEventListener("focusin", onFocusIn);
	});
}
