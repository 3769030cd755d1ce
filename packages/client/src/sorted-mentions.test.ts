import type { Mention } from "@switchboard/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byPostedAt, SortedMentions } from "./sorted-mentions.ts";
import { mention } from "./test-fixtures.ts";

const TIMES = ["2026-12-01T10:00:00.000Z", "2026-12-01T10:00:01.000Z", "2026-12-01T10:00:02.000Z"];
const at = (t: number) => TIMES[t] as string;

/** One change to the board: a mention put (new or replaced) or taken away, or the list read. */
type Step =
	| { kind: "set"; id: number; time: number; text: number }
	| { kind: "delete"; id: number }
	| { kind: "list" };

const step: fc.Arbitrary<Step> = fc.oneof(
	fc.record({
		kind: fc.constant("set" as const),
		id: fc.nat(12),
		time: fc.nat(TIMES.length - 1),
		text: fc.nat(3),
	}),
	fc.record({ kind: fc.constant("delete" as const), id: fc.nat(12) }),
	fc.record({ kind: fc.constant("list" as const) }),
);

describe("SortedMentions", () => {
	it("lists every mention oldest post first, id breaking ties, through any changes", () => {
		fc.assert(
			fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
				const sorted = new SortedMentions();
				const truth = new Map<string, Mention>();
				const check = () => {
					expect(sorted.list()).toEqual([...truth.values()].sort(byPostedAt));
					expect(sorted.size).toBe(truth.size);
				};
				for (const s of steps) {
					if (s.kind === "list") check();
					else if (s.kind === "delete") {
						sorted.delete(`m${s.id}`);
						truth.delete(`m${s.id}`);
					} else {
						const m = mention(`m${s.id}`, { postedAt: at(s.time), text: `text ${s.text}` });
						sorted.set(m);
						truth.set(m.id, m);
					}
				}
				check();
			}),
		);
	});

	it("hands out the same list until something changes, and never changes a list handed out", () => {
		const sorted = new SortedMentions();
		sorted.set(mention("b", { postedAt: at(1) }));
		sorted.set(mention("a", { postedAt: at(0) }));
		const first = sorted.list();
		expect(sorted.list()).toBe(first);
		sorted.set(mention("a", { postedAt: at(0), text: "edited" }));
		sorted.set(mention("c", { postedAt: at(2) }));
		sorted.delete("b");
		const second = sorted.list();
		expect(second).not.toBe(first);
		expect(first.map((m) => [m.id, m.text])).toEqual([
			["a", mention("a").text],
			["b", mention("b").text],
		]);
		expect(second.map((m) => [m.id, m.text])).toEqual([
			["a", "edited"],
			["c", mention("c").text],
		]);
	});
});
