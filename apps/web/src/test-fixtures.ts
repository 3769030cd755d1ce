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
