import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { BoardBatches } from "./board-batches.ts";

/** Batches that answer each item with itself and remember what ran together. */
function recording(maxBatch: number, lingerMs: number) {
	const batches: number[][] = [];
	const batchesOf = new BoardBatches<number, number>(
		async (batch) => {
			batches.push([...batch]);
			await nextTurn();
			return batch.map((item) => ({ status: "fulfilled", value: item }));
		},
		maxBatch,
		lingerMs,
	);
	return { batches, batchesOf };
}

/** Submit `perTurn` items on each of `turns` consecutive event-loop turns, as a wave being read. */
async function wave(batchesOf: BoardBatches<number, number>, turns: number, perTurn: number) {
	const answers: Promise<number>[] = [];
	for (let turn = 0; turn < turns; turn++) {
		for (let i = 0; i < perTurn; i++) answers.push(batchesOf.submit("board", turn * perTurn + i));
		await nextTurn();
	}
	return Promise.all(answers);
}

describe("BoardBatches", () => {
	it("makes one batch of a wave read over consecutive turns instead of one for its first item", async () => {
		const { batches, batchesOf } = recording(200, 1_000);
		const answers = await wave(batchesOf, 6, 10);
		expect(answers).toEqual([...Array(60).keys()]);
		expect(batches.map((batch) => batch.length)).toEqual([60]);
	});

	it("without lingering, a wave's first turn is a batch and the rest wait for it", async () => {
		const { batches, batchesOf } = recording(200, 0);
		await wave(batchesOf, 6, 10);
		expect(batches[0]).toHaveLength(10);
		expect(batches.flat()).toEqual([...Array(60).keys()]);
	});

	it("starts a lone item's batch after a turn that brings nothing, not after the linger", async () => {
		const { batches, batchesOf } = recording(200, 60_000);
		const answered = batchesOf.submit("board", 1);
		const soon = sleep(50).then(() => "still waiting");
		expect(await Promise.race([answered, soon])).toBe(1);
		expect(batches).toEqual([[1]]);
	});

	it("stops waiting for more at the batch size, and at the linger's end", async () => {
		const full = recording(25, 60_000);
		await wave(full.batchesOf, 6, 10);
		expect(full.batches[0]).toHaveLength(25);
		expect(full.batches.flat()).toEqual([...Array(60).keys()]);
		const brief = recording(200, 5);
		const answers: Promise<number>[] = [];
		const until = performance.now() + 40;
		// An item every turn for 40 ms: the first batch must not wait for the end of it.
		for (let i = 0; performance.now() < until; i++) {
			answers.push(brief.batchesOf.submit("board", i));
			await nextTurn();
		}
		await Promise.all(answers);
		expect(brief.batches.length).toBeGreaterThan(1);
		expect(brief.batches.flat()).toEqual([...answers.keys()]);
	});
});
