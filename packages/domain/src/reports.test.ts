import { describe, expect, it } from "vitest";
import {
	attainmentPercent,
	type ReportRow,
	reportColumns,
	reportCsv,
	reportRecords,
} from "./reports.ts";

const row = (key: string | null, overrides: Partial<ReportRow> = {}): ReportRow => ({
	key,
	new: 4,
	claimed: 3,
	replied: 2,
	closed: 2,
	claimMedianSeconds: 600.4,
	replyMedianSeconds: 3600,
	closeMedianSeconds: null,
	claimDue: 3,
	claimMet: 2,
	replyDue: 0,
	replyMet: 0,
	breaches: 1,
	woken: 0,
	...overrides,
});

describe("report tables", () => {
	it("computes SLA attainment in percent, and none when nothing fell due", () => {
		expect(attainmentPercent(2, 3)).toBe(66.7);
		expect(attainmentPercent(3, 3)).toBe(100);
		expect(attainmentPercent(0, 0)).toBeNull();
	});

	it("lays rows out under the report's columns", () => {
		const [record] = reportRecords("networks", [row("twitter")]);
		expect(record).toEqual({
			network: "twitter",
			new: 4,
			claimed: 3,
			replied: 2,
			closed: 2,
			median_claim_seconds: 600,
			median_reply_seconds: 3600,
			median_close_seconds: null,
			claim_sla_percent: 66.7,
			reply_sla_percent: null,
			claim_deadlines: 3,
			reply_deadlines: 0,
			breaches: 1,
			back_from_snooze: 0,
		});
		expect(Object.keys(record ?? {})).toEqual(reportColumns("networks").map((c) => c.key));
	});

	it("says which columns are measured in working time when a board has business hours", () => {
		const labels = (workingTime: boolean) =>
			Object.fromEntries(reportColumns("summary", workingTime).map((c) => [c.key, c.label]));
		expect(labels(true)).toMatchObject({
			median_claim_seconds: "Median time to claim (working time)",
			claim_sla_percent: "Claimed within SLA (working time)",
			new: "New",
			breaches: "Deadlines missed",
		});
		expect(labels(false).median_claim_seconds).toBe("Median time to claim");
	});

	it("names ambassadors and leaves arrivals, which belong to nobody, out", () => {
		const records = reportRecords("ambassadors", [row("m-1"), row(null)], (key) =>
			key === "m-1" ? "Dana" : "Nobody",
		);
		expect(records.map((r) => [r.member_id, r.ambassador, "new" in r])).toEqual([
			["m-1", "Dana", false],
			[null, "Nobody", false],
		]);
		expect(reportColumns("ambassadors").map((c) => c.key)).not.toContain("new");
		expect(reportColumns("summary")[0]?.key).toBe("new");
	});

	it("writes RFC 4180 CSV that a spreadsheet will not run as a formula", () => {
		const columns = reportColumns("tags");
		const csv = reportCsv(
			columns,
			reportRecords("tags", [row('say "hi", ok'), row("=HYPERLINK(1)"), row("-5")]),
		);
		const lines = csv.split("\r\n");
		expect(lines[0]).toBe(columns.map((c) => c.key).join(","));
		expect(lines[1]?.startsWith('"say ""hi"", ok",4,3,2,2,600,3600,,66.7,,3,0,1')).toBe(true);
		expect(lines[2]?.startsWith("'=HYPERLINK(1),")).toBe(true);
		expect(lines[3]?.startsWith("'-5,")).toBe(true);
		expect(lines.at(-1)).toBe("");
	});
});
