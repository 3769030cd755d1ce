/**
 * How a popup (the header's menu, the notifications list) closes, the way people expect:
 * Escape closes it and gives focus back to the button that opened it; a press outside both
 * the popup and its button closes it and leaves focus where the press put it. Listens on the
 * document for as long as the calling component lives.
 */
import { type Accessor, onCleanup } from "solid-js";

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
	document.addEventListener("keydown", onKeyDown);
	document.addEventListener("pointerdown", onPointerDown);
	onCleanup(() => {
		document.removeEventListener("keydown", onKeyDown);
		document.removeEventListener("pointerdown", onPointerDown);
	});
}
