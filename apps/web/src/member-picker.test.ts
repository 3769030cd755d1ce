import { describe, expect, it } from "vitest";
import { foldForSearch, type PickerOption, pickerMatches, pickerNamed } from "./member-picker.ts";

const option = (name: string): PickerOption => ({ id: name, name, label: `${name} (0/5)` });
const team = ["Dana Reyes", "Zoë Adeyemi", "Sam Dana", "Adana Okoro", "Eli Morgan"].map(option);

describe("the member picker's list", () => {
	it("lists names with a word starting with what was typed first, then names holding it", () => {
		expect(pickerMatches(team, "dana").shown.map((o) => o.name)).toEqual([
			"Dana Reyes",
			"Sam Dana",
			"Adana Okoro",
		]);
		expect(pickerMatches(team, "  ZOE ").shown.map((o) => o.name)).toEqual(["Zoë Adeyemi"]);
		expect(pickerMatches(team, "nobody")).toEqual({ shown: [], total: 0 });
		expect(foldForSearch("  Zoë   Adeyemi ")).toBe("zoe adeyemi");
	});

	it("shows a few of a thousand at a time, in the order given, and says how many match", () => {
		const crowd = Array.from({ length: 1_000 }, (_, i) => option(`Member ${i}`));
		expect(pickerMatches(crowd, "")).toMatchObject({ total: 1_000, shown: { length: 8 } });
		expect(pickerMatches(crowd, "member 99")).toMatchObject({ total: 11 });
		expect(pickerMatches(crowd, "member 99").shown[0]?.name).toBe("Member 99");
		expect(pickerMatches(crowd, "", 3).shown.map((o) => o.name)).toEqual([
			"Member 0",
			"Member 1",
			"Member 2",
		]);
	});

	it("names the one member typed: a whole name, else the only match; nobody for several or none", () => {
		expect(pickerNamed(team, "zoe")?.name).toBe("Zoë Adeyemi");
		expect(pickerNamed(team, "dana reyes")?.name).toBe("Dana Reyes");
		expect(pickerNamed(team, "dana")).toBeUndefined();
		expect(pickerNamed(team, "nobody")).toBeUndefined();
		expect(pickerNamed(team, "  ")).toBeUndefined();
	});
});
