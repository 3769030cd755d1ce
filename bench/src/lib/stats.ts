/**
 * Small statistics: percentiles of a sample, medians across repeats, units.
 */

/**
 * The p-th percentile (0..100) by the nearest-rank method: the smallest value with at
 * least p% of the sample at or below it. NaN for an empty sample.
 */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** The median of the values that are numbers; null when there are none. */
export function median(values: readonly (number | null | undefined)[]): number | null {
	const numbers = values
		.filter((v): v is number => typeof v === "number" && Number.isFinite(v))
		.sort((a, b) => a - b);
	if (numbers.length === 0) return null;
	const middle = Math.floor(numbers.length / 2);
	return numbers.length % 2 === 1
		? (numbers[middle] as number)
		: ((numbers[middle - 1] as number) + (numbers[middle] as number)) / 2;
}

/** Median per key of several repeats of the same measurement. */
export function medianOf<K extends string>(
	repeats: readonly Partial<Record<K, number | null>>[],
): Record<K, number | null> {
	const keys = new Set<K>();
	for (const repeat of repeats) for (const key of Object.keys(repeat) as K[]) keys.add(key);
	const result = {} as Record<K, number | null>;
	for (const key of keys) result[key] = median(repeats.map((repeat) => repeat[key]));
	return result;
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null, b: number | null): number | null {
	if (a === null || b === null || b === 0 || !Number.isFinite(a) || !Number.isFinite(b))
		return null;
	return a / b;
}

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** A growing histogram-free sample of latencies that keeps every value (bench sizes are small). */
export class Latencies {
	readonly values: number[] = [];
	add(ms: number): void {
		this.values.push(ms);
	}
	get count(): number {
		return this.values.length;
	}
	p(p: number): number {
		return percentile(this.values, p);
	}
}

/** Round for a table: 3 significant digits, no trailing zeros; "–" for null. */
export function formatNumber(value: number | null): string {
	if (value === null || !Number.isFinite(value)) return "–";
	if (value === 0) return "0";
	const abs = Math.abs(value);
	if (abs >= 1000) return Math.round(value).toLocaleString("en-GB");
	const digits = Math.max(0, 2 - Math.floor(Math.log10(abs)));
	return Number(value.toFixed(Math.min(digits, 4))).toString();
}
