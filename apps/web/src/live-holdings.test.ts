import { describe, expect, it } from "vitest";
import { changedHolders, heldOnBoard } from "./live-holdings.ts";
import { mention } from "./test-fixtures.ts";

describe("holdings on the live board", () => {
	it("counts the open conversations each member owns, and names whose count changed", () => {
		const owned = (id: string, memberId: string, status: "claimed" | "replied" = "claimed") =>
			mention(id, { status, owner: { memberId, since: "2026-01-01T00:00:00.000Z" } });
		const before = heldOnBoard([owned("m1", "dana"), owned("m2", "sam"), owned("m3", "sam")]);
		expect(before).toEqual(
			new Map([
				["dana", 1],
				["sam", 2],
			]),
		);
		// Dana releases hers, Sam's reply is recorded (no longer open), Kim claims one.
		const after = heldOnBoard([
			mention("m1"),
			owned("m2", "sam"),
			owned("m3", "sam", "replied"),
			owned("m4", "kim"),
		]);
		expect(after).toEqual(
			new Map([
				["sam", 1],
				["kim", 1],
			]),
		);
		expect([...changedHolders(before, after)].sort()).toEqual(["dana", "kim", "sam"]);
		expect(changedHolders(after, after).size).toBe(0);
	});
});
