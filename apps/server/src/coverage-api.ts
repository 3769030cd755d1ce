/**
 * HTTP API of the moderator's view, behind the session:
 *
 * - `GET /api/orgs/:orgId/reports/:name?from=&to=&format=csv|json&board=&tz=`:
 *   a report over a period (moderators and admins of the organisation);
 * - `GET /api/boards/:boardId/settings`: the board's settings (every member);
 * - `PUT /api/orgs/:orgId/boards/:boardId/settings`: replace them (admins), stored and
 *   projected onto the board at once.
 *
 * docs/REPORTS.md defines the reports and their columns.
 */
import {
	AppError,
	type BoardSettings,
	boardArchived,
	HttpRoutes,
	MAX_REPORT_DAYS,
	REPORT_DIMENSION,
	type ReportTable,
	reportColumns,
	reportCsv,
	reportRecords,
	slaTargetProblems,
} from "@switchboard/domain";
import type {
	AuditLog,
	CoverageStore,
	Directory,
	MentionStore,
	Reports,
} from "@switchboard/storage";
import { Hono } from "hono";
import { auditRequest, changesOf } from "./audit.ts";
import { createBoardAccess } from "./boards-api.ts";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";

export interface CoverageApiOptions {
	storage: Directory & CoverageStore & Reports & AuditLog & Pick<MentionStore, "getMentionBoardId">;
	/** Projects saved settings onto the board document. */
	publishSettings(orgId: string, boardId: string, settings: BoardSettings): Promise<void>;
	/** The clock; tests pass a fixed one. */
	now?: () => Date;
}

const DAY_MS = 86_400_000;

export function createCoverageApi(options: CoverageApiOptions): Hono<ApiEnv> {
	const { storage } = options;
	const now = () => options.now?.() ?? new Date();
	const app = new Hono<ApiEnv>();
	const boards = createBoardAccess(storage);

	handle(app, HttpRoutes.report, async (c, { params, query }) => {
		const { orgId } = c.get("member");
		const report = params.name;
		const at = now();
		const to = query.to ?? at.toISOString();
		const from = query.from ?? new Date(Date.parse(to) - 7 * DAY_MS).toISOString();
		if (from >= to) throw new AppError("invalid", "from must be before to.");
		const dimension = REPORT_DIMENSION[report];
		const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
		if (days > MAX_REPORT_DAYS[dimension]) {
			throw new AppError(
				"invalid",
				`The ${report} report covers at most ${MAX_REPORT_DAYS[dimension]} days; ask for a shorter period.`,
			);
		}
		if (query.board !== undefined && !(await storage.getBoard(orgId, query.board))) {
			throw new AppError("not_found", "No such board in your organisation.");
		}
		const rows = await storage.report({
			orgId,
			...(query.board !== undefined ? { boardId: query.board } : {}),
			dimension,
			from,
			to,
			now: at.toISOString(),
			timeZone: query.tz,
		});
		let label: ((key: string | null) => string) | undefined;
		if (dimension === "ambassador") {
			const names = new Map((await storage.listMembers(orgId)).map((m) => [m.id, m.name] as const));
			label = (key) => (key === null ? "Nobody" : (names.get(key) ?? "Former member"));
		}
		const covered =
			query.board !== undefined
				? [query.board]
				: (await storage.listBoards(orgId)).map((b) => b.id);
		const workingTimeBoards: string[] = [];
		for (const boardId of covered) {
			if ((await storage.getBoardSettings(orgId, boardId)).businessHours) {
				workingTimeBoards.push(boardId);
			}
		}
		const table: ReportTable = {
			report,
			from,
			to,
			timeZone: query.tz,
			workingTimeBoards,
			columns: reportColumns(report, workingTimeBoards.length > 0),
			rows: reportRecords(report, rows, label),
		};
		if (query.format === "csv") {
			const file = `switchboard-${report}-${from.slice(0, 10)}-${to.slice(0, 10)}.csv`;
			return c.body(reportCsv(table.columns, table.rows), 200, {
				"content-type": "text/csv; charset=utf-8",
				"content-disposition": `attachment; filename="${file}"`,
				"cache-control": "no-store",
			});
		}
		return table;
	});

	handle(app, HttpRoutes.boardSettings, async (c, { params }) => {
		const board = await boards.openBoard(c.get("member"), params.boardId);
		return { settings: await storage.getBoardSettings(board.orgId, board.id) };
	});

	handle(app, HttpRoutes.saveBoardSettings, async (c, { params: { orgId, boardId }, body }) => {
		const board = await storage.getBoard(orgId, boardId);
		if (!board) throw new AppError("not_found", "No such board in your organisation.");
		if (board.archivedAt) throw new AppError("conflict", boardArchived(board.name));
		const current = await storage.getBoardSettings(orgId, board.id);
		const patch = Object.fromEntries(
			Object.entries(body).filter(([, value]) => value !== undefined),
		) as Partial<BoardSettings>;
		const merged = { ...current, ...patch };
		// A patch of one kind of target is checked against the other's stored values; one that
		// changes no target leaves them as they were, whatever they are.
		const touchesTargets =
			patch.slaClaimMinutes !== undefined || patch.slaReplyMinutes !== undefined;
		const wrong = touchesTargets ? Object.entries(slaTargetProblems(merged)) : [];
		if (wrong.length > 0) {
			throw new AppError(
				"invalid",
				wrong.map(([priority, problem]) => `slaReplyMinutes.${priority}: ${problem}`).join("; "),
			);
		}
		const saved = await storage.saveBoardSettings(orgId, board.id, merged);
		await options.publishSettings(orgId, board.id, saved);
		await auditRequest(storage, c, {
			orgId,
			action: "board.settings_changed",
			target: { type: "board", id: board.id },
			details: changesOf(current, saved),
		});
		return { settings: saved };
	});

	return app;
}
