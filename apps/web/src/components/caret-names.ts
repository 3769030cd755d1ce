/**
 * Teammates' names over their carets in the shared draft only while they are active (see
 * caret-activity.ts). y-codemirror.next draws each remote caret with its name and shows the
 * name on hover; this marks the carets of those who wrote or moved within the last few
 * seconds `data-active`, which the editor's theme shows the name of. Its caret element says
 * whose it is only by its colour and name, so that is how a caret is matched to its state.
 *
 * A name is drawn from its caret rightwards, and the editor's scroller clips it: near the
 * right edge of a phone's editor it lost its end. Each name is moved left as far as it
 * would stick out (caret-activity.ts, `nameShift`), its caret and dot staying where they are.
 */
import type { Extension } from "@codemirror/state";
import { EditorView, type PluginValue, ViewPlugin, type ViewUpdate } from "@codemirror/view";
import type { Awareness } from "y-protocols/awareness";
import type { Transaction } from "yjs";
import { CaretActivity, type CaretState, caretKey, nameShift } from "../caret-activity.ts";

class CaretNames implements PluginValue {
	readonly #activity = new CaretActivity();
	#fade: ReturnType<typeof setTimeout> | undefined;
	/** How far each name is moved left now, in px (see `#fit`). */
	readonly #shifts = new WeakMap<HTMLElement, number>();

	constructor(
		readonly view: EditorView,
		readonly awareness: Awareness,
	) {
		awareness.on("change", this.#changed);
		awareness.doc.on("afterTransaction", this.#wrote);
		this.#changed();
	}

	readonly #changed = () => {
		if (this.#activity.update(this.#states(), this.awareness.clientID, Date.now())) this.#mark();
	};

	/** A teammate's writing arrived: each client whose clock moved on wrote. */
	readonly #wrote = (transaction: Transaction) => {
		if (transaction.local) return;
		const now = Date.now();
		let wrote = false;
		for (const [client, clock] of transaction.afterState) {
			if (client === this.awareness.clientID) continue;
			if (clock > (transaction.beforeState.get(client) ?? 0)) {
				this.#activity.wrote(client, now);
				wrote = true;
			}
		}
		if (wrote) this.#mark();
	};

	#states(): ReadonlyMap<number, CaretState> {
		return this.awareness.getStates() as ReadonlyMap<number, CaretState>;
	}

	/** Marks the carets whose names show now, and comes back when the next one fades. */
	#mark(): void {
		const now = Date.now();
		const named = this.#activity.named(this.#states(), now);
		for (const caret of this.view.contentDOM.querySelectorAll<HTMLElement>(".cm-ySelectionCaret")) {
			// y-codemirror.next writes `background-color: <user.color>; border-color: …`.
			const color = /background-color: ([^;]+)/.exec(caret.getAttribute("style") ?? "")?.[1];
			const name = caret.querySelector(".cm-ySelectionInfo")?.textContent ?? "";
			caret.toggleAttribute("data-active", named.has(caretKey(color ?? "", name)));
		}
		clearTimeout(this.#fade);
		const next = this.#activity.nextFade(now);
		if (next !== null) this.#fade = setTimeout(() => this.#mark(), next - now);
	}

	/** The carets may be drawn anew on any update of the editor: mark them again. */
	docViewUpdate(): void {
		this.#mark();
		this.#fit();
	}

	/** A wider or narrower editor (a phone turned, the window resized) moves the carets. */
	update(update: ViewUpdate): void {
		if (update.geometryChanged) this.#fit();
	}

	/** Moves each name left as far as it would be cut off at the editor's right edge. */
	#fit(): void {
		this.view.requestMeasure({
			key: this,
			read: (view) => {
				const scroller = view.scrollDOM;
				const box = scroller.getBoundingClientRect();
				const boxLeft = box.left + scroller.clientLeft;
				const boxRight = boxLeft + scroller.clientWidth;
				return [...view.contentDOM.querySelectorAll<HTMLElement>(".cm-ySelectionInfo")].map(
					(name) => {
						// Where the name starts unmoved.
						const left = name.getBoundingClientRect().left + (this.#shifts.get(name) ?? 0);
						return { name, shift: nameShift(left, name.offsetWidth, boxLeft, boxRight) };
					},
				);
			},
			write: (names) => {
				for (const { name, shift } of names) {
					// CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline' styles.
					name.style.translate = shift === 0 ? "" : `${-shift}px 0`;
					this.#shifts.set(name, shift);
					name.toggleAttribute("data-moved", shift !== 0);
				}
			},
		});
	}

	destroy(): void {
		this.awareness.off("change", this.#changed);
		this.awareness.doc.off("afterTransaction", this.#wrote);
		clearTimeout(this.#fade);
	}
}

/**
 * Shows a teammate's name over their caret while they type or move it, and a few seconds
 * after; then it fades, leaving the caret. A pointer over the caret shows it again
 * (y-codemirror.next's own rule).
 */
export function caretNames(awareness: Awareness): Extension {
	return [
		ViewPlugin.define((view) => new CaretNames(view, awareness)),
		EditorView.theme({
			".cm-ySelectionInfo": {
				opacity: "0",
				// Hidden, it does not take taps meant for the line under it.
				pointerEvents: "none",
				transition: "opacity 0.4s ease-in-out",
			},
			// Moved left of its caret, it has no corner pointing at it.
			".cm-ySelectionInfo[data-moved]": { borderRadius: "3px" },
			".cm-ySelectionCaret[data-active] > .cm-ySelectionInfo": {
				opacity: "1",
				transition: "opacity 0.15s ease-out",
			},
		}),
	];
}
