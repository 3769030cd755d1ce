/**
 * Following an SDK store from the page, with a say in when a value arrives: the store calls
 * its listeners in the task that changed it, and some changes are better taken a task later.
 */
import type { Store } from "@switchboard/client";

/**
 * Call `deliver` with each value `store` takes. A value for which `later(next, delivered)`
 * holds arrives a task later instead, as does anything that comes while it waits (the
 * latest wins: `deliver` never sees a value older than one it has seen). Returns what stops
 * following, which also drops a value still waiting.
 */
export function followStore<T>(
	store: Store<T>,
	deliver: (value: T) => void,
	later: (next: T, delivered: T) => boolean,
): () => void {
	let delivered = store.get();
	let waiting: { value: T } | null = null;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const give = (value: T) => {
		delivered = value;
		deliver(value);
	};
	const unsubscribe = store.subscribe((next) => {
		if (waiting) {
			waiting.value = next;
			return;
		}
		if (!later(next, delivered)) {
			give(next);
			return;
		}
		waiting = { value: next };
		timer = setTimeout(() => {
			const { value } = waiting as { value: T };
			waiting = null;
			give(value);
		});
	});
	return () => {
		clearTimeout(timer);
		waiting = null;
		unsubscribe();
	};
}
