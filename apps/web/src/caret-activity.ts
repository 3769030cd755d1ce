/**
 * Whose names show over their carets in the shared draft. As in Google Docs, a teammate's
 * name shows while they are active (they typed or moved their cursor within the last few
 * seconds), then fades, leaving their coloured caret; the avatar row over the editor names
 * everyone present. A name shown at all times covered the line above its caret, on a phone
 * a good part of the reply being written.
 */

/** How long a teammate's name stays over their caret after they last typed or moved it. */
export const NAME_SHOWN_MS = 3_000;

/** What an awareness state says about a caret: whose, and where (y-codemirror.next's `cursor`). */
export interface CaretState {
	user?: { name?: string; color?: string };
	cursor?: unknown;
}

/** y-codemirror.next's stand-ins for a state without a user. */
const DEFAULT_NAME = "Anonymous";
const DEFAULT_COLOR = "#30bced";

/**
 * A caret as y-codemirror.next draws it: its colour and the name over it, all its element
 * says of whose it is.
 */
export function caretKey(color: string, name: string): string {
	return `${color}\n${name}`;
}

/**
 * When each teammate last acted in the draft, from its awareness states (their cursor moved
 * or appeared) and its updates (they wrote). Both are needed: y-codemirror.next keeps a
 * cursor relative to the character after it, which typing before it does not change, so a
 * teammate writing on says so only through their updates.
 */
export class CaretActivity {
	/** Each teammate's cursor as last seen, by awareness client id (also their doc's). */
	readonly #cursors = new Map<number, string>();
	/** When each teammate last acted, by client id. */
	readonly #actedAt = new Map<number, number>();

	constructor(readonly shownMs: number = NAME_SHOWN_MS) {}

	/**
	 * Takes the awareness `states` as they are at `now` (mine, `me`, left out). True when a
	 * teammate's cursor moved or appeared: their name shows again. Another field of theirs
	 * changing (typing, here) is not a move.
	 */
	update(states: ReadonlyMap<number, CaretState>, me: number, now: number): boolean {
		let moved = false;
		for (const [client, state] of states) {
			if (client === me) continue;
			const cursor = state.cursor == null ? null : JSON.stringify(state.cursor);
			if (cursor === null) {
				this.#forget(client);
				continue;
			}
			if (cursor !== this.#cursors.get(client)) {
				this.#cursors.set(client, cursor);
				this.#actedAt.set(client, now);
				moved = true;
			}
		}
		for (const client of this.#actedAt.keys()) if (!states.has(client)) this.#forget(client);
		return moved;
	}

	/** The teammate of awareness client `client` wrote to the draft at `now`. */
	wrote(client: number, now: number): void {
		this.#actedAt.set(client, now);
	}

	#forget(client: number): void {
		this.#cursors.delete(client);
		this.#actedAt.delete(client);
	}

	/** The carets (see caretKey) whose names show at `now`: of those with a cursor. */
	named(states: ReadonlyMap<number, CaretState>, now: number): Set<string> {
		const named = new Set<string>();
		for (const [client, at] of this.#actedAt) {
			const user = states.get(client)?.user;
			if (now - at < this.shownMs && this.#cursors.has(client))
				named.add(caretKey(user?.color ?? DEFAULT_COLOR, user?.name ?? DEFAULT_NAME));
		}
		return named;
	}

	/** When the next name that shows at `now` fades, or null when none shows. */
	nextFade(now: number): number | null {
		let next: number | null = null;
		for (const [client, at] of this.#actedAt) {
			const fade = at + this.shownMs;
			if (this.#cursors.has(client) && fade > now && (next === null || fade < next)) next = fade;
		}
		return next;
	}
}

/**
 * How far left to move a caret's name, drawn from the caret rightwards (`left`, `width`), so
 * that it ends inside the editor's visible box (`boxLeft` to `boxRight`), which clips it: near
 * the right edge of a phone's editor "Sam Ambassador" showed as "Sam Amba". Never so far that
 * it starts before the box.
 */
export function nameShift(left: number, width: number, boxLeft: number, boxRight: number): number {
	const over = left + width - boxRight;
	return over <= 0 ? 0 : Math.max(0, Math.min(over, left - boxLeft));
}
