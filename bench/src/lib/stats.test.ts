import { describe, expect, it } from "vitest";
import { mergeReport, scenarioSection, scenarioTable, targetsSummary } from "./report.ts";
import type { BenchRow } from "./scenario.ts";
import { formatNumber, median, medianOf, percentile, ratio } from "./stats.ts";

describe("stats", () => {
	it("takes percentiles by nearest rank", () => {
		const values = Array.from({ length: 100 }, (_, i) => 100 - i);
		expect(percentile(values, 50)).toBe(50);
		expect(percentile(values, 99)).toBe(99);
		expect(percentile(values, 100)).toBe(100);
		expect(percentile([7], 99)).toBe(7);
		expect(percentile([], 50)).toBeNaN();
	});

	it("takes medians of the numbers only, per key across repeats", () => {
		expect(median([3, 1, 2])).toBe(2);
		expect(median([4, 1, 3, 2])).toBe(2.5);
		expect(median([null, Number.NaN, undefined])).toBeNull();
		expect(medianOf([{ a: 1, b: 10 }, { a: 3, b: null }, { a: 2 }])).toEqual({ a: 2, b: 10 });
	});

	it("has no ratio without both sides or with a zero denominator", () => {
		expect(ratio(3, 2)).toBe(1.5);
		expect(ratio(null, 2)).toBeNull();
		expect(ratio(1, 0)).toBeNull();
	});

	it("rounds to three significant digits", () => {
		expect(formatNumber(0.012345)).toBe("0.0123");
		expect(formatNumber(12.345)).toBe("12.3");
		expect(formatNumber(12345.6)).toBe("12,346");
		expect(formatNumber(null)).toBe("–");
	});
});

describe("report", () => {
	const rows: BenchRow[] = [
		{
			metric: "p99 delivery, 200 readers",
			unit: "ms",
			switchboard: 30,
			hocuspocus: 20,
			yWebsocket: null,
			target: "< 50 ms",
			met: true,
		},
		{ metric: "a | b", unit: "µs", switchboard: 5, hocuspocus: 4, yWebsocket: 10, met: false },
	];

	it("writes values, ratios against each baseline, target and verdict", () => {
		const lines = scenarioTable(rows).split("\n");
		expect(lines[2]).toBe(
			"| p99 delivery, 200 readers | 30 ms | 20 ms | – | 1.5x | – | < 50 ms | yes |",
		);
		expect(lines[3]).toBe("| a \\| b | 5 µs | 4 µs | 10 µs | 1.25x | 0.5x |  | **no** |");
	});

	it("says in a section's first line which commit it measured and how loaded the machine was", () => {
		const text = scenarioSection({
			id: 4,
			title: "Four",
			rows,
			command: "pnpm bench --only 4",
			at: "2026-11-26T14:00:00.000Z",
			commit: "abc1234",
			load: 0.5,
			repeats: 3,
			full: false,
			seconds: 18,
		});
		expect(text.split("\n")[3]).toBe(
			"Measured 2026-11-26 14:00 UTC at abc1234, load average 0.50 at the start, with `pnpm bench --only 4` (quick; median of 3 repeats; took 18 s).",
		);
	});

	it("says 'one run' for a scenario measured once, not a median", () => {
		const text = scenarioSection({
			id: 10,
			title: "Ten",
			rows,
			command: "pnpm bench --only 10",
			at: "2026-11-26T14:00:00.000Z",
			repeats: 1,
			full: false,
			seconds: 18,
		});
		expect(text.split("\n")[3]).toBe(
			"Measured 2026-11-26 14:00 UTC, with `pnpm bench --only 10` (quick; one run; took 18 s).",
		);
	});

	it("replaces the sections of the scenarios run and keeps the others", () => {
		const section = (id: number, title: string, value: number) =>
			scenarioSection({
				id,
				title,
				rows: [{ ...rows[0]!, switchboard: value }],
				command: "pnpm bench",
				at: "2026-11-26T14:00:00.000Z",
				repeats: 3,
				full: false,
				seconds: 10,
				findings: "Noisy.",
			});
		const first = mergeReport(null, "# Benchmarks\n", [
			{
				id: 2,
				title: "Two",
				rows: [{ ...rows[0]!, switchboard: 1 }],
				command: "pnpm bench",
				at: "2026-11-26T14:00:00.000Z",
				repeats: 3,
				full: false,
				seconds: 10,
			},
		]);
		expect(first).toContain("## 2. Two");
		const again = mergeReport(`${first}\n${section(1, "One", 7)}\n`, "# Benchmarks (new)\n", [
			{
				id: 2,
				title: "Two",
				rows: [{ ...rows[0]!, switchboard: 99 }],
				command: "pnpm bench --only 2",
				at: "2026-11-26T15:00:00.000Z",
				repeats: 3,
				full: false,
				seconds: 10,
			},
		]);
		expect(again.startsWith("# Benchmarks (new)")).toBe(true);
		expect(again.indexOf("## 1. One")).toBeLessThan(again.indexOf("## 2. Two"));
		expect(again).toContain("| 99 ms |");
		expect(again).not.toContain("| 1 ms |");
		expect(again).toContain("`pnpm bench --only 2`");
		expect(again).toContain("Noisy.");

		// `pnpm bench --findings`: no run, the kept sections get the findings as they are now.
		const refreshed = mergeReport(again, "# Benchmarks (new)\n", [], (id) =>
			id === 1 ? "Found the cause." : null,
		);
		expect(refreshed).toContain("Found the cause.");
		expect(refreshed).not.toContain("Noisy.");
		expect(refreshed).toContain("| 99 ms |");
		expect(refreshed.match(/### What we found/g)).toHaveLength(1);
	});
	it("gathers every target at the top: met per scenario, then each one missed", () => {
		const section = (id: number, title: string, judged: BenchRow[]) =>
			scenarioSection({
				id,
				title,
				rows: judged,
				command: `pnpm bench --only ${id}`,
				at: "2026-11-26T14:00:00.000Z",
				commit: `c0ffee${id}`,
				repeats: 3,
				full: false,
				seconds: 10,
			});
		const report = mergeReport(null, "# Benchmarks\n", [], undefined);
		expect(report).not.toContain("Targets at a glance");

		// A table in the findings is not the scenario's.
		const first = `${section(1, "Hot draft", rows)}\n\n### What we found\n\n| run | value | target | x | y | z | w | Met |\n|---|---|---|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 | <= 1 | **no** |\n`;
		const second = section(2, "Durable ack, p99", [
			{ ...rows[0]!, metric: "p99 ack | PostgreSQL", target: "<= 10 ms", met: false },
			{ ...rows[0]!, metric: "p99 ack, PGlite", target: "<= 10 ms", met: null },
			{ ...rows[1]!, metric: "no target", met: undefined },
		]);
		const lines = targetsSummary([first, second]).split("\n");
		expect(lines).toContain(
			"| [1. Hot draft](#1-hot-draft) | 1 of 1 | 2026-11-26 14:00, c0ffee1 |",
		);
		expect(lines).toContain(
			"| [2. Durable ack, p99](#2-durable-ack-p99) | 0 of 2 | 2026-11-26 14:00, c0ffee2 |",
		);
		expect(lines).toContain(
			"| [2. Durable ack, p99](#2-durable-ack-p99) | p99 ack \\| PostgreSQL | 30 ms | 1.5x | <= 10 ms | **no** |",
		);
		expect(lines).toContain(
			"| [2. Durable ack, p99](#2-durable-ack-p99) | p99 ack, PGlite | 30 ms | 1.5x | <= 10 ms | ? |",
		);
		expect(lines.join("\n")).toContain("**1 of 3 met**");
		expect(lines.join("\n")).not.toContain("no target");
	});

	it("gathers the targets again when sections are replaced or only the findings change", () => {
		const result = (id: number, met: boolean) => ({
			id,
			title: `Scenario ${id}`,
			rows: [{ ...rows[0]!, met }],
			command: "pnpm bench",
			at: "2026-11-26T14:00:00.000Z",
			repeats: 1,
			full: false,
			seconds: 10,
		});
		const first = mergeReport(null, "# Benchmarks\n", [result(1, false), result(2, true)]);
		expect(first).toContain("**1 of 2 met**");
		expect(first.indexOf("Targets at a glance")).toBeLessThan(first.indexOf("## 1. Scenario 1"));
		const again = mergeReport(first, "# Benchmarks\n", [result(1, true)]);
		expect(again).toContain("**2 of 2 met**");
		// `pnpm bench --findings` passes the earlier report's head, targets and all.
		const head = again.slice(0, again.search(/<!-- scenario \d+ -->/));
		const refreshed = mergeReport(again, head, [], () => null);
		expect(refreshed.match(/Targets at a glance/g)).toHaveLength(1);
		expect(refreshed).toBe(again);
	});
});
