/**
 * Holding back a document's writes to its local copy (y-indexeddb) for a while.
 *
 * The board's first sync is one update of the whole board (6.7 MB for 10,000 cards).
 * y-indexeddb writes every update as it is applied, so that one was copied for IndexedDB in
 * the worker's task that applied it and then written by the browser while the page took the
 * board in and drew its first cards: on two cores, the browser's write and the page's work
 * shared them, and the page's longest task took twice its own CPU time (bench/findings/09.md).
 * Held, the write comes once the page has the board on screen. What is held is only ever
 * what the server sent, which it sends again to a client that lost it.
 */
import type { IndexeddbPersistence } from "y-indexeddb";

/**
 * Hold every update `persistence` would write to its local copy until the returned function
 * is called, which writes what was held, in order, and lets later updates through at once.
 * Calling it again does nothing.
 */
export function holdLocalWrites(persistence: IndexeddbPersistence): () => void {
	const write = persistence._storeUpdate;
	const held: [update: Uint8Array, origin: unknown][] = [];
	let holding = true;
	const hold = (update: Uint8Array, origin: unknown) => {
		if (holding) held.push([update, origin]);
		else write(update, origin);
	};
	persistence.doc.off("update", write);
	persistence.doc.on("update", hold);
	// y-indexeddb's `destroy` stops listening to the document through this field.
	persistence._storeUpdate = hold;
	return () => {
		if (!holding) return;
		holding = false;
		for (const [update, origin] of held.splice(0)) write(update, origin);
	};
}
