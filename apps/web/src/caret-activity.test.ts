import { describe, expect, it } from "vitest";
import {
	CaretActivity,
	type CaretState,
	caretKey,
	NAME_SHOWN_MS,
	nameShift,
} from "./caret-activity.ts";

const ME = 1;
const SAM = 2;
const KIM = 3;
const sam = (cursor: unknown, typing = false): CaretState & { typing: boolean } => ({
	user: { name: "Sam Ambassador", color: "#0e7490" },
	cursor,
	typing,
});
const kim = (cursor: unknown): CaretState => ({
	user: { name: "Kim Ambassador", color: "#be123c" },
	cursor,
});
const SAM_CARET = caretKey("#0e7490", "Sam Ambassador");
const KIM_CARET = caretKey("#be123c", "Kim Ambassador");
const at = (head: number) => ({ anchor: { item: { client: SAM, clock: head } }, head });

describe("teammates' names over their carets", () => {
	it("shows a name while its teammate types or moves, then lets it fade, and shows it again at their next move", () => {
		const activity = new CaretActivity();
		const mine: CaretState = { user: { name: "Dana Ambassador", color: "#1d4ed8" }, cursor: at(0) };
		// Sam arrives with a cursor: named for a few seconds, I never am.
		let states = new Map<number, CaretState>([
			[ME, mine],
			[SAM, sam(at(4))],
		]);
		expect(activity.update(states, ME, 0)).toBe(true);
		expect(activity.named(states, 0)).toEqual(new Set([SAM_CARET]));
		expect(activity.nextFade(0)).toBe(NAME_SHOWN_MS);
		expect(activity.named(states, NAME_SHOWN_MS - 1)).toEqual(new Set([SAM_CARET]));
		// Idle: the name fades, the caret stays (drawn by y-codemirror.next).
		expect(activity.named(states, NAME_SHOWN_MS)).toEqual(new Set());
		expect(activity.nextFade(NAME_SHOWN_MS)).toBeNull();
		// Sam stops typing: a change of their state, but not of their cursor.
		states = new Map([
			[ME, mine],
			[SAM, sam(at(4), false)],
		]);
		expect(activity.update(states, ME, 5_000)).toBe(false);
		expect(activity.named(states, 5_000)).toEqual(new Set());
		// Sam moves their cursor: named again, for as long.
		states = new Map([
			[ME, mine],
			[SAM, sam(at(5), true)],
		]);
		expect(activity.update(states, ME, 6_000)).toBe(true);
		expect(activity.named(states, 6_000 + NAME_SHOWN_MS - 1)).toEqual(new Set([SAM_CARET]));
		expect(activity.named(states, 6_000 + NAME_SHOWN_MS)).toEqual(new Set());
		// Sam types on: their cursor, kept relative to the character after it, stays as it was,
		// and their writing says they are active.
		activity.wrote(SAM, 10_000);
		expect(activity.update(states, ME, 10_000)).toBe(false);
		expect(activity.named(states, 10_000)).toEqual(new Set([SAM_CARET]));
		expect(activity.nextFade(10_000)).toBe(10_000 + NAME_SHOWN_MS);
	});

	it("times each teammate on their own, and forgets one who leaves or drops their cursor", () => {
		const activity = new CaretActivity(1_000);
		let states = new Map<number, CaretState>([
			[SAM, sam(at(1))],
			[KIM, kim(at(2))],
		]);
		activity.update(states, ME, 0);
		states = new Map([
			[SAM, sam(at(1))],
			[KIM, kim(at(3))],
		]);
		activity.update(states, ME, 600);
		expect(activity.named(states, 900)).toEqual(new Set([SAM_CARET, KIM_CARET]));
		expect(activity.nextFade(900)).toBe(1_000);
		expect(activity.named(states, 1_200)).toEqual(new Set([KIM_CARET]));
		expect(activity.nextFade(1_200)).toBe(1_600);
		// Kim's cursor goes (their editor lost it), then Kim leaves: nothing named.
		states = new Map([
			[SAM, sam(at(1))],
			[KIM, kim(null)],
		]);
		expect(activity.update(states, ME, 1_300)).toBe(false);
		expect(activity.named(states, 1_300)).toEqual(new Set());
		states = new Map([[SAM, sam(at(1))]]);
		activity.update(states, ME, 1_400);
		expect(activity.nextFade(1_400)).toBeNull();
		// Back with their cursor where it was: a move, as their arrival was.
		states = new Map([
			[SAM, sam(at(1))],
			[KIM, kim(at(3))],
		]);
		expect(activity.update(states, ME, 2_000)).toBe(true);
		expect(activity.named(states, 2_000)).toEqual(new Set([KIM_CARET]));
	});
});

describe("a caret's name inside the editor", () => {
	it("stays where it is while it fits, and moves left by what would be cut off at the right", () => {
		expect(nameShift(100, 120, 38, 322)).toBe(0);
		expect(nameShift(202, 120, 38, 322)).toBe(0);
		expect(nameShift(246, 125, 38, 322)).toBe(49);
	});

	it("never starts before the editor's left edge, even for a name wider than the editor", () => {
		expect(nameShift(60, 400, 38, 322)).toBe(22);
		expect(nameShift(38, 400, 38, 322)).toBe(0);
	});
});
