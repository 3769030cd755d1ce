/**
 * Text that PostgreSQL and every client can hold. A NUL character is refused by PostgreSQL's
 * `text` (the query fails, which looked like a server error), and a lone UTF-16 surrogate
 * has no UTF-8 form (drivers silently turn it into U+FFFD, so what was stored is not what
 * was sent). Both are refused at the edge instead, as the client's mistake.
 */

/** A NUL, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const INVALID_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a NUL character or a lone surrogate. */
export function isInvalidText(text: string): boolean {
	return INVALID_TEXT.test(text);
}

interface Step {
	value: unknown;
	key: string;
	parent: Step | null;
}

function pathOf(step: Step): string {
	const keys: string[] = [];
	for (let at: Step | null = step; at?.parent; at = at.parent) keys.push(at.key);
	return keys.reverse().join(".");
}

/**
 * The dotted path of the first string (object keys included) in a parsed JSON value that
 * holds invalid text, `""` for the value itself, or null when every string is valid.
 * Iterative, and a path is only spelled out once found: a hostile body may nest deeper than
 * the call stack, and building every path on the way would take quadratic time.
 */
export function findInvalidText(value: unknown): string | null {
	const pending: Step[] = [{ value, key: "", parent: null }];
	for (let step = pending.pop(); step; step = pending.pop()) {
		const item = step.value;
		if (typeof item === "string") {
			if (isInvalidText(item)) return pathOf(step);
			continue;
		}
		if (typeof item !== "object" || item === null) continue;
		const entries = Array.isArray(item)
			? item.map((element, i): [string, unknown] => [String(i), element])
			: Object.entries(item);
		for (const [key, element] of entries.reverse()) {
			const child = { value: element, key, parent: step };
			if (isInvalidText(key)) return pathOf(child);
			pending.push(child);
		}
	}
	return null;
}

/** A text's length as people count it: in characters (code points), not UTF-16 units. */
export function characterCount(text: string): number {
	let count = 0;
	for (const _ of text) count++;
	return count;
}

/** A count with its noun: "1 change", "3 changes", "1 person", "2 people". */
export function plural(count: number, one: string, many = `${one}s`): string {
	return `${count} ${count === 1 ? one : many}`;
}
