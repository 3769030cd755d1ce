/**
 * Reports: how the team did over a period, counted in SQL from the activity log (the
 * storage computes `ReportRow`s) and laid out here as tables, the same for JSON, CSV and
 * the app. Every measure is counted when it happens: a claim in the period it was made,
 * a deadline in the period it fell due. docs/REPORTS.md defines each one.
 */
import { csvLine } from "./csv.ts";

/** The reports the API serves, by the name in `/api/orgs/:orgId/reports/<name>`. */
export const ReportNames = [
	"summary",
	"daily",
	"hourly",
	"networks",
	"priorities",
	"tags",
	"ambassadors",
] as const;
export type ReportName = (typeof ReportNames)[number];

/** What a report groups by. */
export const ReportDimensions = [
	"total",
	"day",
	"hour",
	"network",
	"priority",
	"tag",
	"ambassador",
] as const;
export type ReportDimension = (typeof ReportDimensions)[number];

export const REPORT_DIMENSION: Record<ReportName, ReportDimension> = {
	summary: "total",
	daily: "day",
	hourly: "hour",
	networks: "network",
	priorities: "priority",
	tags: "tag",
	ambassadors: "ambassador",
};

/** Longest period a report covers, in days: hourly rows are many. */
export const MAX_REPORT_DAYS: Record<ReportDimension, number> = {
	total: 1100,
	day: 1100,
	hour: 31,
	network: 1100,
	priority: 1100,
	tag: 1100,
	ambassador: 1100,
};

/** What the storage counts for one group of a report. */
export interface ReportMeasures {
	/** Conversations that arrived. */
	new: number;
	/** First claims (claim, claimNext or assign). */
	claimed: number;
	/** First replies recorded. */
	replied: number;
	/** Conversations finished: replied, dismissed or closed, the first time. */
	closed: number;
	/** Median seconds from arrival to first claim, over the claims counted. */
	claimMedianSeconds: number | null;
	replyMedianSeconds: number | null;
	closeMedianSeconds: number | null;
	/** Claim deadlines that fell due, and how many of them were met. */
	claimDue: number;
	claimMet: number;
	replyDue: number;
	replyMet: number;
	/** SLA breaches the server recorded. */
	breaches: number;
	/** Snoozes that ran out: conversations back on the board (activity `snooze_ended`). */
	woken: number;
}

/** The measures of a group in which nothing happened: zero counts, no medians. */
export const NO_MEASURES: Readonly<ReportMeasures> = {
	new: 0,
	claimed: 0,
	replied: 0,
	closed: 0,
	claimMedianSeconds: null,
	replyMedianSeconds: null,
	closeMedianSeconds: null,
	claimDue: 0,
	claimMet: 0,
	replyDue: 0,
	replyMet: 0,
	breaches: 0,
	woken: 0,
};

/** One group: `key` is the day, hour (ISO), network, priority, tag or member id; null for none. */
export interface ReportRow extends ReportMeasures {
	key: string | null;
}

export type ReportUnit = "text" | "count" | "seconds" | "percent";

export interface ReportColumn {
	key: string;
	label: string;
	unit: ReportUnit;
}

export type ReportCell = string | number | null;
export type ReportRecord = Record<string, ReportCell>;

/** A report as the API answers it. */
export interface ReportTable {
	report: ReportName;
	from: string;
	to: string;
	timeZone: string;
	/**
	 * Boards whose SLA figures (medians and deadlines) are measured in working time, as
	 * their business hours say; empty when every board covered counts round the clock.
	 */
	workingTimeBoards: string[];
	columns: ReportColumn[];
	rows: ReportRecord[];
}

const MEASURE_COLUMNS: ReportColumn[] = [
	{ key: "new", label: "New", unit: "count" },
	{ key: "claimed", label: "Claimed", unit: "count" },
	{ key: "replied", label: "Replied", unit: "count" },
	{ key: "closed", label: "Closed", unit: "count" },
	{ key: "median_claim_seconds", label: "Median time to claim", unit: "seconds" },
	{ key: "median_reply_seconds", label: "Median time to first reply", unit: "seconds" },
	{ key: "median_close_seconds", label: "Median time to close", unit: "seconds" },
	{ key: "claim_sla_percent", label: "Claimed within SLA", unit: "percent" },
	{ key: "reply_sla_percent", label: "Replied within SLA", unit: "percent" },
	{ key: "claim_deadlines", label: "Claim deadlines", unit: "count" },
	{ key: "reply_deadlines", label: "Reply deadlines", unit: "count" },
	// Missed deadlines, not conversations: one can miss its claim and its reply deadline. Named
	// apart from Coverage's "Conversations in breach now", which counts conversations.
	{ key: "breaches", label: "Deadlines missed", unit: "count" },
	{ key: "back_from_snooze", label: "Back from snooze", unit: "count" },
];

/** Columns measured in working time on a board with business hours. */
const WORKING_TIME_COLUMNS = new Set([
	"median_claim_seconds",
	"median_reply_seconds",
	"median_close_seconds",
	"claim_sla_percent",
	"reply_sla_percent",
	"claim_deadlines",
	"reply_deadlines",
]);

const KEY_COLUMNS: Record<ReportDimension, ReportColumn[]> = {
	total: [],
	day: [{ key: "day", label: "Day", unit: "text" }],
	hour: [{ key: "hour", label: "Hour", unit: "text" }],
	network: [{ key: "network", label: "Network", unit: "text" }],
	priority: [{ key: "priority", label: "Priority", unit: "text" }],
	tag: [{ key: "tag", label: "Tag", unit: "text" }],
	ambassador: [
		{ key: "member_id", label: "Member id", unit: "text" },
		{ key: "ambassador", label: "Ambassador", unit: "text" },
	],
};

/**
 * The columns of a report, key columns first. With `workingTime` (a board covered has
 * business hours) the SLA columns say they are measured in working time.
 */
export function reportColumns(name: ReportName, workingTime = false): ReportColumn[] {
	const dimension = REPORT_DIMENSION[name];
	// Arrivals belong to nobody: the per-ambassador report leaves them out.
	const measures = (
		dimension === "ambassador" ? MEASURE_COLUMNS.filter((c) => c.key !== "new") : MEASURE_COLUMNS
	).map((column) =>
		workingTime && WORKING_TIME_COLUMNS.has(column.key)
			? { ...column, label: `${column.label} (working time)` }
			: column,
	);
	return [...KEY_COLUMNS[dimension], ...measures];
}

/** Share of deadlines met, in percent with one decimal; null when none fell due. */
export function attainmentPercent(met: number, due: number): number | null {
	return due === 0 ? null : Math.round((met / due) * 1000) / 10;
}

function roundSeconds(value: number | null): number | null {
	return value === null ? null : Math.round(value);
}

/**
 * Lay storage rows out as a report's records. `label` names a key for people (a
 * member's name); the key itself stays in its own column where it is an id.
 */
export function reportRecords(
	name: ReportName,
	rows: readonly ReportRow[],
	label: (key: string | null) => string = (key) => key ?? "",
): ReportRecord[] {
	const dimension = REPORT_DIMENSION[name];
	return rows.map((row) => {
		const keys: ReportRecord =
			dimension === "total"
				? {}
				: dimension === "ambassador"
					? { member_id: row.key, ambassador: label(row.key) }
					: { [dimension]: row.key };
		const record: ReportRecord = {
			...keys,
			new: row.new,
			claimed: row.claimed,
			replied: row.replied,
			closed: row.closed,
			median_claim_seconds: roundSeconds(row.claimMedianSeconds),
			median_reply_seconds: roundSeconds(row.replyMedianSeconds),
			median_close_seconds: roundSeconds(row.closeMedianSeconds),
			claim_sla_percent: attainmentPercent(row.claimMet, row.claimDue),
			reply_sla_percent: attainmentPercent(row.replyMet, row.replyDue),
			claim_deadlines: row.claimDue,
			reply_deadlines: row.replyDue,
			breaches: row.breaches,
			back_from_snooze: row.woken,
		};
		if (dimension === "ambassador") delete record.new;
		return record;
	});
}

/** RFC 4180 CSV with a header row of column keys, CRLF line ends. */
export function reportCsv(columns: readonly ReportColumn[], rows: readonly ReportRecord[]): string {
	let csv = csvLine(columns.map((column) => column.key));
	for (const row of rows) csv += csvLine(columns.map((column) => row[column.key] ?? null));
	return csv;
}
