/**
 * The one store implementation behind every `Store<T>` the SDK hands out: a value its
 * owner sets, and listeners called after each change.
 */
import type { Store } from "./api.ts";

/**
 * Calls every listener with `value`, each on its own: one that throws does not keep the
 * others from hearing, and its error is rethrown unchanged in a microtask, not swallowed.
 */
export function notifyAll<T>(listeners: Iterable<(value: T) => void>, value: T): void {
	// A copy: a listener may unsubscribe itself or another while being called.
	for (const listener of [...listeners]) {
		try {
			listener(value);
		} catch (error) {
			queueMicrotask(() => {
				throw error;
			});
		}
	}
}

export class ValueStore<T> implements Store<T> {
	#value: T;
	readonly #equals: (a: T, b: T) => boolean;
	readonly #listeners = new Set<(value: T) => void>();

	/** `equals` decides what counts as a change; by default identity. */
	constructor(initial: T, equals: (a: T, b: T) => boolean = Object.is) {
		this.#value = initial;
		this.#equals = equals;
	}

	get(): T {
		return this.#value;
	}

	subscribe(listener: (value: T) => void): () => void {
		// Wrapped, so the same function subscribed twice gets two independent subscriptions.
		const entry = (value: T) => listener(value);
		this.#listeners.add(entry);
		return () => {
			this.#listeners.delete(entry);
		};
	}

	/** Set the value; listeners run when it differs from the current one. */
	set(value: T): void {
		if (this.#equals(this.#value, value)) return;
		this.#value = value;
		notifyAll(this.#listeners, value);
	}

	/** Drop every listener. */
	clear(): void {
		this.#listeners.clear();
	}
}

/** Shallow equality of two plain objects (same keys, identical values). */
export function shallowEqual<T extends object>(a: T, b: T): boolean {
	const keys = Object.keys(a) as (keyof T)[];
	if (keys.length !== Object.keys(b).length) return false;
	return keys.every((key) => Object.is(a[key], b[key]));
}
