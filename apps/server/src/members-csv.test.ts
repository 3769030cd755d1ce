import { describe, expect, it } from "vitest";
import {
	dryRunSummary,
	invitedSummary,
	parseMembersCsv,
	refusedFileSummary,
} from "./members-csv.ts";

describe("parseMembersCsv", () => {
	it("reads any column order and case, lists in cells, and the line each row starts on", () => {
		const parsed = parseMembersCsv(
			[
				"\uFEFFTeam,EMAIL,name,Skills,languages,capacity,role",
				'press;main,ana@example.org,"Ana, of the press",billing | returns,fr;en,4,Moderator',
				"",
				'main,bo@example.org,"Bo',
				'Bo",,,,',
				"main,cy@example.org,Cy,,,",
				"main,dee@example.org",
			].join("\n"),
		);
		expect(parsed.rows).toEqual([
			{
				line: 2,
				invite: {
					email: "ana@example.org",
					role: "moderator",
					name: "Ana, of the press",
					capacity: 4,
					skills: ["billing", "returns"],
					languages: ["fr", "en"],
					boards: ["press", "main"],
				},
			},
			{
				line: 4,
				invite: { email: "bo@example.org", name: "Bo\nBo", boards: ["main"] },
			},
		]);
		expect(parsed.problems.map((problem) => [problem.line, problem.email])).toEqual([
			[6, "cy@example.org"],
			[7, "dee@example.org"],
		]);
	});

	it("reads a file separated by semicolons, as a spreadsheet saves CSV where the decimal mark is a comma", () => {
		const parsed = parseMembersCsv(
			[
				"\uFEFFEmail;Name;Role;Skills;Team",
				'ana@example.org;"Ana; of the press";moderator;billing|returns;main',
			].join("\r\n"),
		);
		expect(parsed.problems).toEqual([]);
		expect(parsed.rows).toEqual([
			{
				line: 2,
				invite: {
					email: "ana@example.org",
					role: "moderator",
					name: "Ana; of the press",
					skills: ["billing", "returns"],
					boards: ["main"],
				},
			},
		]);
	});

	it("refuses a file without an email column, or that is not CSV", () => {
		expect(() => parseMembersCsv("name,role\nAna,admin")).toThrow(/no email column/);
		expect(() => parseMembersCsv('email,name\n"ana@example.org,Ana')).toThrow(/not valid CSV/);
	});
});

describe("the invite command's summaries", () => {
	it("count one person and one row in the singular", () => {
		expect(refusedFileSummary(3, 4, 1)).toBe(
			"3 of 4 rows are refused (above); nobody was invited. Fix them, or pass --good-rows-only to invite the 1 good row.",
		);
		expect(refusedFileSummary(1, 1, 0)).toBe(
			"1 of 1 row is refused (above); nobody was invited. Fix it.",
		);
		expect(invitedSummary(1, "initech", 1, true)).toBe(
			"Invited 1 person to initech, 1 row refused. The links were mailed.",
		);
		expect(invitedSummary(2, "initech", 0, false)).toBe(
			"Invited 2 people to initech. Hand each person their link (above); each works once, for 7 days.",
		);
		expect(dryRunSummary(1, "initech", 1)).toBe(
			"Dry run: 1 person would be invited to initech, 1 row refused; nobody was invited.",
		);
	});
});
