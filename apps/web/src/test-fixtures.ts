/**
 * Builders for the web client's unit tests, on top of the domain's
 * (`@switchboard/domain/testing`).
 */
import type { BoardMention } from "@switchboard/client";
import { makeMention, T0 } from "@switchboard/domain/testing";

export { at, makeCard } from "@switchboard/domain/testing";

/** The fixtures' start time (`at(0)`), in milliseconds, for the models that take a clock. */
export const START = Date.parse(T0);

/** A mention as the board store hands it to the pages: the domain's defaults, nothing pending. */
export function mention(id: string, overrides: Partial<BoardMention> = {}): BoardMention {
	return { ...makeMention({ id }), pending: [], ...overrides };
}

/** localStorage's and sessionStorage's shape over a Map. */
export function memoryStorage(): Storage {
	const items = new Map<string, string>();
	return {
		get length() {
			return items.size;
		},
		clear: () => items.clear(),
		getItem: (key) => items.get(key) ?? null,
		key: (index) => [...items.keys()][index] ?? null,
		removeItem: (key) => void items.delete(key),
		setItem: (key, value) => void items.set(key, String(value)),
	};
}
