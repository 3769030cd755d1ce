/**
 * The reports port on kysely: each report is one SQL statement over the activity log
 * (`report-query.ts`), cut by the boards' own SLA targets.
 */
import type { ReportRow } from "@switchboard/domain";
import type { Kysely } from "kysely";
import type { ReportQuery, Reports } from "./coverage-storage.ts";
import { boardSettingsOf } from "./kysely-coverage-store.ts";
import { runReport } from "./report-query.ts";
import type { Database } from "./schema.ts";

/** The total of a period in which nothing happened: a row of zeros, not an empty report. */
const NOTHING_HAPPENED: ReportRow = {
	key: null,
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
};

export class KyselyReports implements Reports {
	readonly #db: Kysely<Database>;

	constructor(db: Kysely<Database>) {
		this.#db = db;
	}

	async report(query: ReportQuery): Promise<ReportRow[]> {
		const settings = await boardSettingsOf(this.#db, query.orgId, query.boardId);
		const rows = await runReport(this.#db, query, settings);
		if (query.dimension === "total" && rows.length === 0) return [{ ...NOTHING_HAPPENED }];
		return rows;
	}
}
