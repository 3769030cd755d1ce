/**
 * The reports port on kysely: each report is one SQL statement over the activity log
 * (`report-query.ts`), cut by the boards' own SLA targets.
 */
import { NO_MEASURES, type ReportRow } from "@switchboard/domain";
import type { ReportQuery, Reports } from "./coverage-storage.ts";
import { boardSettingsOf } from "./kysely-coverage-store.ts";
import { KyselyPort } from "./kysely-port.ts";
import { runReport } from "./report-query.ts";

export class KyselyReports extends KyselyPort implements Reports {
	async report(query: ReportQuery): Promise<ReportRow[]> {
		const settings = await boardSettingsOf(this.db, query.orgId, query.boardId);
		const rows = await runReport(this.db, query, settings);
		// A period in which nothing happened totals a row of zeros, not an empty report.
		if (query.dimension === "total" && rows.length === 0) return [{ key: null, ...NO_MEASURES }];
		return rows;
	}
}
