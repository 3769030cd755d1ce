import { describe, expect, it } from "vitest";
import { detailFacts } from "./audit-words.ts";

const names = new Map([
	["main", "Acme mentions"],
	["press", "Press"],
]);
const boardName = (id: string) => names.get(id) ?? id;

describe("an audit entry's details in words", () => {
	it("names the boards an invitation lists, and keeps the other details as recorded", () => {
		expect(
			detailFacts(
				{ email: "kim@acme.test", role: "ambassador", boards: ["main", "press"] },
				boardName,
			),
		).toEqual(["email: kim@acme.test", "role: ambassador", "boards: Acme mentions, Press"]);
	});

	it("names the boards on both sides of a member's change, and a removed board by its id", () => {
		expect(
			detailFacts(
				{
					changed: ["boards", "role"],
					from: { boards: ["main"], role: "ambassador" },
					to: { boards: ["main", "gone"], role: "moderator" },
				},
				boardName,
			),
		).toEqual(["boards: Acme mentions → Acme mentions, gone", "role: ambassador → moderator"]);
	});

	it("says none for no boards, and leaves a value named boards that is no list alone", () => {
		expect(detailFacts({ boards: [] }, boardName)).toEqual(["boards: none"]);
		expect(detailFacts({ boards: "main" }, boardName)).toEqual(["boards: main"]);
	});
	it("says a record of values by their keys, as a board's targets by priority, and deeper ones as recorded", () => {
		expect(
			detailFacts({
				changed: ["slaClaimMinutes"],
				from: { slaClaimMinutes: { high: 15, normal: 60, low: 240 } },
				to: { slaClaimMinutes: { high: 10, normal: 60, low: 240 } },
			}),
		).toEqual(["slaClaimMinutes: high 15, normal 60, low 240 → high 10, normal 60, low 240"]);
		expect(detailFacts({ rules: { every: [{ tag: "press" }] } })).toEqual([
			'rules: {"every":[{"tag":"press"}]}',
		]);
	});
});
