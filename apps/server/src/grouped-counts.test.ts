/**
 * Grouped rate-limit counts against a store that counts like rate-limiter-flexible's (a
 * fixed window, refusing a count that passes the limit but keeping it): the takes that
 * wait go as one count, and each is judged as it would have been counted alone.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Consume, GroupedCounts, type TakeVerdict } from "./grouped-counts.ts";

/** A store of counts per key whose every count takes a macrotask to answer. */
function store(limit: number) {
	const points = new Map<string, number>();
	const calls: { key: string; points: number }[] = [];
	const consume: Consume = async (key, taken) => {
		calls.push({ key, points: taken });
		await new Promise((resolve) => setTimeout(resolve, 1));
		const consumedPoints = (points.get(key) ?? 0) + taken;
		points.set(key, consumedPoints);
		return { refused: consumedPoints > limit, consumedPoints, msBeforeNext: 5_000 };
	};
	return { consume, calls, points };
}

const kinds = (verdicts: TakeVerdict[]) => verdicts.map((verdict) => verdict.kind);

describe("grouped rate-limit counts", () => {
	it("counts the takes that wait together in one statement, each judged by its place", async () => {
		const { consume, calls, points } = store(4);
		const counts = new GroupedCounts(consume, 4);
		const verdicts = await Promise.all(Array.from({ length: 10 }, () => counts.take("a")));
		// The first went alone; the nine that arrived while it was counted, as one.
		expect(calls).toEqual([
			{ key: "a", points: 1 },
			{ key: "a", points: 9 },
		]);
		expect(kinds(verdicts)).toEqual([...Array(4).fill("counted"), ...Array(6).fill("refused")]);
		expect(verdicts[9]).toEqual({ kind: "refused", msBeforeNext: 5_000 });
		expect(points.get("a")).toBe(10);
	});

	it("does not hold one key's takes behind another's", async () => {
		const { consume, calls } = store(1);
		const counts = new GroupedCounts(consume, 1);
		const verdicts = await Promise.all([counts.take("a"), counts.take("b"), counts.take("a")]);
		expect(kinds(verdicts)).toEqual(["counted", "counted", "refused"]);
		expect(calls.map(({ key }) => key)).toEqual(["a", "b", "a"]);
	});

	it("refuses the whole group when the store refuses without counting (a blocked key)", async () => {
		const counts = new GroupedCounts(
			async () => ({ refused: true, consumedPoints: 0, msBeforeNext: 900 }),
			3,
		);
		const verdicts = await Promise.all([counts.take("a"), counts.take("a"), counts.take("a")]);
		expect(kinds(verdicts)).toEqual(["refused", "refused", "refused"]);
	});

	it("answers a failed count as uncounted, and counts the next group anyway", async () => {
		let fail = true;
		const failure = new Error("the store did not answer");
		const counts = new GroupedCounts(async () => {
			await new Promise((resolve) => setTimeout(resolve, 1));
			if (fail) {
				fail = false;
				throw failure;
			}
			return { refused: false, consumedPoints: 2, msBeforeNext: 1_000 };
		}, 5);
		const verdicts = await Promise.all([counts.take("a"), counts.take("a"), counts.take("a")]);
		expect(verdicts).toEqual([
			{ kind: "uncounted", error: failure },
			{ kind: "counted" },
			{ kind: "counted" },
		]);
	});

	it("lets through exactly the first `limit` takes of a key, whatever their arrival", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 1, max: 8 }),
				// Takes as waves: the takes of a wave arrive together, a wave after the previous
				// one's count was sent or answered.
				fc.array(fc.record({ takes: fc.integer({ min: 1, max: 6 }), wait: fc.boolean() }), {
					minLength: 1,
					maxLength: 6,
				}),
				async (limit, waves) => {
					const { consume, points } = store(limit);
					const counts = new GroupedCounts(consume, limit);
					const pending: Promise<TakeVerdict>[] = [];
					for (const wave of waves) {
						for (let i = 0; i < wave.takes; i++) pending.push(counts.take("k"));
						if (wave.wait) await new Promise((resolve) => setTimeout(resolve, 1));
					}
					const verdicts = kinds(await Promise.all(pending));
					const total = pending.length;
					const allowed = Math.min(limit, total);
					expect(verdicts).toEqual([
						...Array(allowed).fill("counted"),
						...Array(total - allowed).fill("refused"),
					]);
					expect(points.get("k")).toBe(total);
				},
			),
			{ numRuns: 60 },
		);
	});
});
