import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChangeBatch } from "./value-store.ts";

type Part = "a" | "b" | "c";

/** A batch that records each flush's parts, sorted. */
function recorded(minIntervalMs?: number) {
	const flushes: Part[][] = [];
	const batch = new ChangeBatch<Part>(
		(changed) => flushes.push([...changed].sort()),
		minIntervalMs === undefined ? {} : { minIntervalMs },
	);
	return { batch, flushes };
}

describe("ChangeBatch", () => {
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	it("flushes a burst once, in a microtask", async () => {
		const { batch, flushes } = recorded();
		batch.mark(["a"]);
		batch.mark(["b", "a"]);
		expect(flushes).toEqual([]);
		await Promise.resolve();
		expect(flushes).toEqual([["a", "b"]]);
		batch.mark(["c"]);
		await Promise.resolve();
		expect(flushes).toEqual([["a", "b"], ["c"]]);
	});

	it("keeps held parts until a mark that is not held", async () => {
		const { batch, flushes } = recorded();
		batch.mark(["a"], true);
		await Promise.resolve();
		expect(flushes).toEqual([]);
		batch.mark(["b"]);
		await Promise.resolve();
		expect(flushes).toEqual([["a", "b"]]);
	});

	it("paces flushes: the first at once, what follows sooner together when the interval is up", async () => {
		const { batch, flushes } = recorded(100);
		batch.mark(["a"]);
		await Promise.resolve();
		expect(flushes).toEqual([["a"]]);

		await vi.advanceTimersByTimeAsync(30);
		batch.mark(["b"]);
		await vi.advanceTimersByTimeAsync(30);
		batch.mark(["c"]);
		await vi.advanceTimersByTimeAsync(39);
		expect(flushes).toEqual([["a"]]);
		await vi.advanceTimersByTimeAsync(1);
		expect(flushes).toEqual([["a"], ["b", "c"]]);

		// A quiet spell: the next change goes at once again.
		await vi.advanceTimersByTimeAsync(100);
		batch.mark(["a"]);
		await Promise.resolve();
		expect(flushes).toEqual([["a"], ["b", "c"], ["a"]]);
	});

	it("flushes what waits at once on flushNow, and not again when its time comes", async () => {
		const { batch, flushes } = recorded(100);
		batch.mark(["a"]);
		await Promise.resolve();
		batch.mark(["b"]);
		batch.flushNow();
		expect(flushes).toEqual([["a"], ["b"]]);
		await vi.advanceTimersByTimeAsync(200);
		expect(flushes).toEqual([["a"], ["b"]]);
		// Nothing scheduled: nothing to flush.
		batch.flushNow();
		expect(flushes).toEqual([["a"], ["b"]]);

		// A microtask's flush taken over by flushNow runs once, and paces what follows.
		await vi.advanceTimersByTimeAsync(100);
		batch.mark(["c"]);
		batch.flushNow();
		batch.mark(["a"]);
		await Promise.resolve();
		expect(flushes).toEqual([["a"], ["b"], ["c"]]);
		await vi.advanceTimersByTimeAsync(100);
		expect(flushes).toEqual([["a"], ["b"], ["c"], ["a"]]);
	});

	it("drops what waits on cancel", async () => {
		const { batch, flushes } = recorded(100);
		batch.mark(["a"]);
		await Promise.resolve();
		batch.mark(["b"]);
		batch.cancel();
		await vi.advanceTimersByTimeAsync(200);
		expect(flushes).toEqual([["a"]]);
	});
});
