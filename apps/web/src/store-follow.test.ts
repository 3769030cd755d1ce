import type { Store } from "@switchboard/client";
import { describe, expect, it } from "vitest";
import { followStore } from "./store-follow.ts";

/** A store as the SDK's are: listeners called in the task that sets it. */
class ValueStore<T> implements Store<T> {
	readonly #listeners = new Set<(value: T) => void>();
	constructor(private value: T) {}
	get(): T {
		return this.value;
	}
	set(value: T): void {
		this.value = value;
		for (const listener of [...this.#listeners]) listener(value);
	}
	subscribe(listener: (value: T) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve));

interface Board {
	ready: boolean;
	cards: number;
}

/** As the workspace follows the board: its first complete data a task after it came. */
const firstReadyLater = (next: Board, shown: Board) => next.ready && !shown.ready;

describe("followStore", () => {
	it("delivers in the store's task, except what `later` holds back a task, latest first", async () => {
		const store = new ValueStore<Board>({ ready: false, cards: 0 });
		const seen: Board[] = [];
		const stop = followStore(store, (board) => seen.push(board), firstReadyLater);
		store.set({ ready: false, cards: 1_000 });
		expect(seen).toEqual([{ ready: false, cards: 1_000 }]);
		// The board's first complete data: not in this task, which applied it.
		store.set({ ready: true, cards: 10_000 });
		expect(seen).toHaveLength(1);
		// A change while it waits replaces it: the page never goes back in time.
		store.set({ ready: true, cards: 10_001 });
		expect(seen).toHaveLength(1);
		await nextTask();
		expect(seen).toEqual([
			{ ready: false, cards: 1_000 },
			{ ready: true, cards: 10_001 },
		]);
		// Once the page has it, every change comes at once again.
		store.set({ ready: true, cards: 10_002 });
		expect(seen.at(-1)).toEqual({ ready: true, cards: 10_002 });
		stop();
	});

	it("drops a value still waiting when it stops, and hears nothing after", async () => {
		const store = new ValueStore<Board>({ ready: false, cards: 0 });
		const seen: Board[] = [];
		const stop = followStore(store, (board) => seen.push(board), firstReadyLater);
		store.set({ ready: true, cards: 3 });
		stop();
		store.set({ ready: true, cards: 4 });
		await nextTask();
		expect(seen).toEqual([]);
	});
});
