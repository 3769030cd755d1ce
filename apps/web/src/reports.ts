/**
 * Reports for the signed-in session: fetched as tables, kept as signals, and the CSV
 * address of the same report for download links (the session cookie authenticates them).
 */
import { fetchReport, type ReportPeriod, reportPath } from "@switchboard/client";
import type { ReportName, ReportRecord, ReportTable } from "@switchboard/domain";
import { type Accessor, createResource } from "solid-js";
import { errorMessage } from "./api.ts";
import { useSession } from "./session-context.tsx";

export interface Reports {
	load(name: ReportName, period: ReportPeriod): Promise<ReportTable>;
	csvHref(name: ReportName, period: ReportPeriod): string;
}

export function useReports(): Reports {
	const current = useSession().session();
	if (!current) throw new Error("useReports() needs a signed-in session");
	const { me } = current;
	return {
		load: (name, period) => fetchReport({}, me.orgId, name, period),
		csvHref: (name, period) => reportPath(me.orgId, name, period, "csv"),
	};
}

/** A report's table as it loads: undefined while it loads, and when it failed. */
export interface ReportLoad {
	(): ReportTable | undefined;
	readonly loading: boolean;
}

/**
 * A report that loads again whenever its period changes; `refetch` for a fresh look, and
 * `error` says why the server refused it. A resource read while errored throws its error:
 * a report the server refused (a period over its 1,100 days) emptied the page's panels, and
 * its reason went to the console only. The table read here never throws.
 */
export function createReport(
	reports: Reports,
	name: ReportName,
	period: Accessor<ReportPeriod>,
): [ReportLoad, { refetch: () => void; error: () => string | null }] {
	const [table, { refetch }] = createResource(period, (p) => reports.load(name, p));
	const read = () => (table.error ? undefined : table());
	const load: ReportLoad = Object.defineProperty(read, "loading", {
		get: () => table.loading,
	}) as ReportLoad;
	return [
		load,
		{
			refetch: () => void refetch(),
			error: () => (table.error ? errorMessage(table.error) : null),
		},
	];
}

/** The browser's time zone, for days cut where the user lives. */
export function localTimeZone(): string {
	return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** A column of a report's records as numbers (null where empty). */
export function column(rows: readonly ReportRecord[], key: string): (number | null)[] {
	return rows.map((row) => {
		const value = row[key];
		return typeof value === "number" ? value : null;
	});
}
