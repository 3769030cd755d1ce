/**
 * Reports over HTTP (`GET /api/orgs/:orgId/reports/<name>`, docs/REPORTS.md), for the
 * web client and tests: the JSON table, and the address of the same report as CSV (a
 * plain link works: the session cookie authenticates it).
 */
import type { ErrorKind, ReportName, ReportTable } from "@switchboard/domain";
import { type ApiClientOptions, ApiError } from "./api-client.ts";

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

/** The path of a report, as JSON or CSV. */
export function reportPath(
	orgId: string,
	name: ReportName,
	period: ReportPeriod,
	format: "json" | "csv" = "json",
): string {
	const query = new URLSearchParams({ from: period.from, to: period.to });
	if (period.board) query.set("board", period.board);
	if (period.timeZone) query.set("tz", period.timeZone);
	if (format === "csv") query.set("format", "csv");
	return `/api/orgs/${encodeURIComponent(orgId)}/reports/${name}?${query}`;
}

/** Fetch a report as a table; failures throw an ApiError with the server's words. */
export async function fetchReport(
	options: ApiClientOptions,
	orgId: string,
	name: ReportName,
	period: ReportPeriod,
): Promise<ReportTable> {
	const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
	let response: Response;
	try {
		response = await doFetch(`${options.baseUrl ?? ""}${reportPath(orgId, name, period)}`, {
			headers: { authorization: `Bearer ${options.token}` },
		});
	} catch {
		throw new ApiError("network", 0, "The server cannot be reached. Check your connection.");
	}
	const body = (await response.json().catch(() => null)) as
		| ReportTable
		| { error?: { code?: string; message?: string } }
		| null;
	if (response.ok && body && "rows" in body) return body;
	const error = body && "error" in body ? body.error : undefined;
	throw new ApiError(
		(error?.code as ErrorKind | undefined) ?? "internal",
		response.status,
		error?.message ?? `The server answered ${response.status} ${response.statusText}.`,
	);
}
