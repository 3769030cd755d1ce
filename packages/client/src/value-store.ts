/**
 * The one store implementation behind every `Store<T>` the SDK hands out (a value its owner
 * sets, and listeners called after each change), and the listener set it and the client's
 * events (rejects, notifications) share.
 */
import type { Store } from "./api.ts";

/**
 * The listeners of one kind of event. Each subscription is its own: the same function added
 * twice is called twice, and each unsubscribe removes one. `notify` calls each on its own:
 * one that throws does not keep the others from hearing, and its error is rethrown unchanged
 * in a microtask, not swallowed.
 */
export class Listeners<T> {
	readonly #entries = new Set<(value: T) => void>();

	/** Adds `listener`; returns what removes it. */
	add(listener: (value: T) => void): () => void {
		const entry = (value: T) => listener(value);
		this.#entries.add(entry);
		return () => {
			this.#entries.delete(entry);
		};
	}

	notify(value: T): void {
		// A copy: a listener may unsubscribe itself or another while being called.
		for (const listener of [...this.#entries]) {
			try {
				listener(value);
			} catch (error) {
				queueMicrotask(() => {
					throw error;
				});
			}
		}
	}

	clear(): void {
		this.#entries.clear();
	}
}

export class ValueStore<T> implements Store<T> {
	#value: T;
	readonly #equals: (a: T, b: T) => boolean;
	readonly #listeners = new Listeners<T>();

	/** `equals` decides what counts as a change; by default identity. */
	constructor(initial: T, equals: (a: T, b: T) => boolean = Object.is) {
		this.#value = initial;
		this.#equals = equals;
	}

	get(): T {
		return this.#value;
	}

	subscribe(listener: (value: T) => void): () => void {
		return this.#listeners.add(listener);
	}

	/** Set the value; listeners run when it differs from the current one. */
	set(value: T): void {
		if (this.#equals(this.#value, value)) return;
		this.#value = value;
		this.#listeners.notify(value);
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

/** How a `ChangeBatch` paces its flushes. */
export interface ChangeBatchOptions {
	/**
	 * At least this long between two flushes, in ms: changes marked sooner wait and go
	 * together. A change after a quiet spell is flushed at once (in a microtask).
	 * @default 0 (every burst in a microtask of its own)
	 */
	minIntervalMs?: number;
}

/**
 * What changed in a burst, handed to `flush` once, in a microtask: a Yjs transaction or a
 * run of messages touches several parts of the board at once, and each part is read once.
 * With `minIntervalMs`, bursts that follow each other closer than that go in one flush.
 */
export class ChangeBatch<K extends string> {
	readonly #flush: (changed: ReadonlySet<K>) => void;
	readonly #minIntervalMs: number;
	#changed = new Set<K>();
	/** The flush to come, its timer when it waits for one; null when none is scheduled. */
	#scheduled: { timer: ReturnType<typeof setTimeout> | null } | null = null;
	#lastFlushAt = Number.NEGATIVE_INFINITY;

	constructor(flush: (changed: ReadonlySet<K>) => void, options: ChangeBatchOptions = {}) {
		this.#flush = flush;
		this.#minIntervalMs = options.minIntervalMs ?? 0;
	}

	/** Note `parts` as changed; `hold` waits for a later mark to flush (more follows). */
	mark(parts: Iterable<K>, hold = false): void {
		for (const part of parts) this.#changed.add(part);
		if (hold || this.#scheduled) return;
		const scheduled: { timer: ReturnType<typeof setTimeout> | null } = { timer: null };
		this.#scheduled = scheduled;
		const wait = this.#lastFlushAt + this.#minIntervalMs - performance.now();
		if (wait > 0) scheduled.timer = setTimeout(() => this.#run(scheduled), wait);
		else queueMicrotask(() => this.#run(scheduled));
	}

	/**
	 * Flush what a flush is scheduled for now, not when it is due: for a message that must
	 * not overtake the changes that arrived before it.
	 */
	flushNow(): void {
		if (this.#scheduled) this.#run(this.#scheduled);
	}

	/** Drop what waits (the owner is gone). */
	cancel(): void {
		if (this.#scheduled?.timer) clearTimeout(this.#scheduled.timer);
		this.#scheduled = null;
		this.#changed = new Set();
	}

	#run(scheduled: { timer: ReturnType<typeof setTimeout> | null }): void {
		// A flush that `flushNow` or `cancel` took over.
		if (this.#scheduled !== scheduled) return;
		if (scheduled.timer) clearTimeout(scheduled.timer);
		this.#scheduled = null;
		if (this.#minIntervalMs > 0) this.#lastFlushAt = performance.now();
		const changed = this.#changed;
		this.#changed = new Set();
		this.#flush(changed);
	}
}
