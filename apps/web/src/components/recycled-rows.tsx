/**
 * The rows of a virtual list, recycled. A row keeps its item while the item stays in range
 * (a slow scroll builds only the one row that comes into view, like a keyed list), and a
 * row whose item left the range shows one that entered, instead of being torn down while
 * another is built: a fast scroll, where every item in view is new each frame, updates
 * the rows in place. Rows stay in the DOM in item order, for Tab and screen readers.
 */
import type { VirtualItem } from "@tanstack/solid-virtual";
import {
	type Accessor,
	createMemo,
	createRoot,
	createSignal,
	getOwner,
	type JSX,
	onCleanup,
	untrack,
} from "solid-js";

/**
 * Rows kept built, out of the DOM, when the range shrinks, and given out before a new one is
 * built. In a scroll the number of rows in range moves by one as cards cross its edges (six
 * cards in view, then seven): without spares, a frame with a row fewer disposed one and the
 * next with a row more built one again (the card's template, its computations, then their
 * cleanup). A spare still follows the data it showed, so there are only a few.
 */
const SPARE_ROWS = 4;

interface Row {
	/** The item index the row shows now. */
	index: number;
	node: JSX.Element;
	show(item: VirtualItem): void;
	dispose(): void;
}

export function RecycledRows(props: {
	/** The virtualiser's items in range, in order. */
	items: readonly VirtualItem[];
	/** One row; it reads its item through the accessor, which changes when it is reused. */
	children: (item: Accessor<VirtualItem>) => JSX.Element;
}): JSX.Element {
	// Rows are roots of their own (they outlive a run of the memo), under this owner so
	// that they see the same context.
	const owner = getOwner();
	let rows: Row[] = [];
	let spare: Row[] = [];
	onCleanup(() => {
		for (const row of [...rows, ...spare]) row.dispose();
		rows = [];
		spare = [];
	});

	const build = (item: VirtualItem): Row =>
		createRoot((dispose) => {
			const [current, setCurrent] = createSignal(item);
			return {
				index: item.index,
				node: props.children(current),
				show: (next) => setCurrent(() => next),
				dispose,
			};
		}, owner);

	const nodes = createMemo(() => {
		const items = props.items;
		const indexes = items.map((item) => item.index);
		return untrack(() => {
			const wanted = new Set(indexes);
			const kept = new Map<number, Row>();
			// In DOM order: when the whole range moves on, the rows are given the new items in
			// the same order, so none of them moves in the DOM.
			const free: Row[] = [];
			for (const row of rows) {
				if (wanted.has(row.index) && !kept.has(row.index)) kept.set(row.index, row);
				else free.push(row);
			}
			let reuse = 0;
			const next = items.map((item) => {
				let row = kept.get(item.index);
				if (!row) {
					const recycled = free[reuse];
					if (recycled) reuse += 1;
					row = recycled ?? spare.pop() ?? build(item);
					row.index = item.index;
				}
				row.show(item);
				return row;
			});
			for (const row of free.slice(reuse)) {
				if (spare.length < SPARE_ROWS) spare.push(row);
				else row.dispose();
			}
			rows = next;
			return next.map((row) => row.node);
		});
	});
	return <>{nodes()}</>;
}
