/**
 * A virtual-core `Virtualizer` read through one signal, instead of `@tanstack/solid-virtual`'s
 * store. That store reconciles the items in range into a Solid store on every change of the
 * range (`reconcile` by index, `unwrap`, a proxy and a signal per field read): in a fling,
 * where the range changes every frame, that was about a quarter of the page's JavaScript
 * allocation (a sampling heap profile of one fling: ~15 of 63 MB), which the garbage
 * collector then had to collect inside frames. Here the items are virtual-core's own
 * measurement objects, the same object for an index until the measurements change, and
 * the signal says "the range changed".
 */
import {
	elementScroll,
	observeElementOffset,
	observeElementRect,
	type PartialKeys,
	type VirtualItem,
	Virtualizer,
	type VirtualizerOptions,
} from "@tanstack/solid-virtual";
import { createComputed, createSignal, onCleanup, onMount } from "solid-js";

export interface VirtualRows<TScroll extends Element, TItem extends Element> {
	/** The virtualiser itself: read its state (`range`, `isScrolling`...) after `items()`. */
	instance: Virtualizer<TScroll, TItem>;
	/** The items in range, tracked: changes when the range does (and when the options do). */
	items(): VirtualItem[];
	/** The list's whole height, px, tracked. */
	totalSize(): number;
}

/** A virtualiser over an element's scroll; options as `createVirtualizer`'s. */
export function createVirtualRows<TScroll extends Element, TItem extends Element>(
	options: PartialKeys<
		VirtualizerOptions<TScroll, TItem>,
		"observeElementRect" | "observeElementOffset" | "scrollToFn"
	>,
): VirtualRows<TScroll, TItem> {
	// Never equal: every notification is news (the items array may be the same one).
	const [changed, setChanged] = createSignal(undefined, { equals: false });
	const resolve = (): VirtualizerOptions<TScroll, TItem> => ({
		observeElementRect,
		observeElementOffset,
		scrollToFn: elementScroll,
		// Spreading reads the getters (`count`), so the computed below follows them.
		...options,
		onChange: (instance, sync) => {
			instance._willUpdate();
			setChanged();
			options.onChange?.(instance, sync);
		},
	});
	const instance = new Virtualizer<TScroll, TItem>(resolve());
	createComputed(() => {
		instance.setOptions(resolve());
		instance._willUpdate();
		setChanged();
	});
	onMount(() => {
		const cleanup = instance._didMount();
		instance._willUpdate();
		onCleanup(cleanup);
	});
	return {
		instance,
		items: () => {
			changed();
			return instance.getVirtualItems();
		},
		totalSize: () => {
			changed();
			return instance.getTotalSize();
		},
	};
}
