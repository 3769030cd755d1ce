/**
 * Reports over HTTP (`GET /api/orgs/:orgId/reports/<name>`, docs/REPORTS.md), for the
 * web client and tests: the JSON table, and the address of the same report as CSV (a
 * plain link works: the session cookie authenticates it).
 */
import {
	HttpRoutes,
	queryString,
	type ReportName,
	type ReportTable,
	routePath,
} from "@switchboard/domain";
import { type ApiClientOptions, createApiRequest } from "./api-client.ts";

export interface ReportPeriod {
	/** ISO; inclusive. */
	from: string;
	/** ISO; exclusive. */
	to: string;
	/** One board; the organisation's boards together when left out. */
	board?: string;
	/** IANA time zone days are cut in. @default "UTC" */
	timeZone?: string;
}

function reportQuery(period: ReportPeriod, format: "json" | "csv") {
	return {
		from: period.from,
		to: period.to,
		board: period.board || undefined,
		tz: period.timeZone || undefined,
		format: format === "csv" ? ("csv" as const) : undefined,
	};
}

/** The path of a report, as JSON or CSV. */
export function reportPath(
	orgId: string,
	name: ReportName,
	period: ReportPeriod,
	format: "json" | "csv" = "json",
): string {
	const path = routePath(HttpRoutes.report, { orgId, name });
	return `${path}${queryString(reportQuery(period, format))}`;
}

/** Fetch a report as a table; failures throw an ApiError with the server's words. */
export function fetchReport(
	options: ApiClientOptions,
	orgId: string,
	name: ReportName,
	period: ReportPeriod,
): Promise<ReportTable> {
	return createApiRequest(options)(HttpRoutes.report, {
		params: { orgId, name },
		query: reportQuery(period, "json"),
	});
}
