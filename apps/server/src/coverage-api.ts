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
	MAX_REPORT_DAYS,
	Networks,
	Priorities,
	REPORT_DIMENSION,
	type ReportName,
	ReportNames,
	type ReportTable,
	reportColumns,
	reportCsv,
	reportRecords,
} from "@switchboard/domain";
import type { CoverageStore, Directory, Reports } from "@switchboard/storage";
import { type Context, Hono } from "hono";
import * as v from "valibot";
import { type ApiEnv, describeIssues } from "./http-api.ts";

export interface CoverageApiOptions {
	storage: Directory & CoverageStore & Reports;
	/** Projects saved settings onto the board document. */
	publishSettings(orgId: string, boardId: string, settings: BoardSettings): Promise<void>;
	/** The clock; tests pass a fixed one. */
	now?: () => Date;
}

const DAY_MS = 86_400_000;

/** An ISO timestamp, or a date (`2026-11-26`: midnight UTC). */
const Instant = v.pipe(
	v.string(),
	v.check(
		(text) =>
			/^\d{4}-\d{2}-\d{2}$/.test(text) ||
			(/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))),
		"must be an ISO date or timestamp",
	),
	v.transform((text) => new Date(/T/.test(text) ? text : `${text}T00:00:00Z`).toISOString()),
);

const TimeZone = v.pipe(
	v.string(),
	v.check((zone) => {
		try {
			new Intl.DateTimeFormat("en", { timeZone: zone });
			return true;
		} catch {
			return false;
		}
	}, "must be an IANA time zone such as Europe/Berlin"),
);

const ReportQuerySchema = v.object({
	from: v.optional(Instant),
	to: v.optional(Instant),
	format: v.optional(v.picklist(["json", "csv"]), "json"),
	board: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a board id"))),
	tz: v.optional(TimeZone, "UTC"),
});

const Minutes = v.pipe(v.number(), v.minValue(1), v.maxValue(60 * 24 * 90));
const PerPriority = v.strictObject({ high: Minutes, normal: Minutes, low: Minutes });
const ReplyLimit = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000));

/** The whole settings document; fields left out keep their current value. */
const SettingsSchema = v.strictObject({
	slaClaimMinutes: v.optional(PerPriority),
	slaReplyMinutes: v.optional(PerPriority),
	leaseMinutes: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(60 * 24 * 30))),
	replyLimits: v.optional(
		v.strictObject(
			Object.fromEntries(Networks.map((network) => [network, ReplyLimit])) as Record<
				(typeof Networks)[number],
				typeof ReplyLimit
			>,
		),
	),
	approval: v.optional(
		v.strictObject({
			priorities: v.pipe(v.array(v.picklist(Priorities)), v.maxLength(3)),
			tags: v.pipe(
				v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64))),
				v.maxLength(50),
			),
			newMembers: v.pipe(
				v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
				v.maxLength(500),
			),
		}),
	),
});

function orgMember(c: Context<ApiEnv>, roles: readonly string[], what: string) {
	const member = c.get("member");
	if (member.orgId !== c.req.param("orgId")) {
		throw new AppError("forbidden", "That is another organisation.");
	}
	if (!roles.includes(member.role)) throw new AppError("forbidden", `Only ${what}.`);
	return member;
}

export function createCoverageApi(options: CoverageApiOptions): Hono<ApiEnv> {
	const { storage } = options;
	const now = () => options.now?.() ?? new Date();
	const app = new Hono<ApiEnv>();

	app.get("/api/orgs/:orgId/reports/:name", async (c) => {
		const member = orgMember(c, ["moderator", "admin"], "moderators and admins read reports");
		const name = c.req.param("name");
		if (!(ReportNames as readonly string[]).includes(name)) {
			throw new AppError("not_found", `No report "${name}"; there are ${ReportNames.join(", ")}.`);
		}
		const report = name as ReportName;
		const parsed = v.safeParse(ReportQuerySchema, c.req.query());
		if (!parsed.success) throw new AppError("invalid", describeIssues(parsed.issues));
		const query = parsed.output;
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
		if (query.board !== undefined && !(await storage.getBoard(member.orgId, query.board))) {
			throw new AppError("not_found", "No such board in your organisation.");
		}
		const rows = await storage.report({
			orgId: member.orgId,
			...(query.board !== undefined ? { boardId: query.board } : {}),
			dimension,
			from,
			to,
			now: at.toISOString(),
			timeZone: query.tz,
		});
		let label: ((key: string | null) => string) | undefined;
		if (dimension === "ambassador") {
			const names = new Map(
				(await storage.listMembers(member.orgId)).map((m) => [m.id, m.name] as const),
			);
			label = (key) => (key === null ? "Nobody" : (names.get(key) ?? "Former member"));
		}
		const table: ReportTable = {
			report,
			from,
			to,
			timeZone: query.tz,
			columns: reportColumns(report),
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
		return c.json(table);
	});

	app.get("/api/boards/:boardId/settings", async (c) => {
		const { orgId } = c.get("member");
		const board = await storage.getBoard(orgId, c.req.param("boardId"));
		if (!board) throw new AppError("not_found", "No such board in your organisation.");
		return c.json({ settings: await storage.getBoardSettings(orgId, board.id) });
	});

	app.put("/api/orgs/:orgId/boards/:boardId/settings", async (c) => {
		const { orgId } = orgMember(c, ["admin"], "admins change board settings");
		const board = await storage.getBoard(orgId, c.req.param("boardId"));
		if (!board) throw new AppError("not_found", "No such board in your organisation.");
		const json = await c.req.json().catch(() => {
			throw new AppError("invalid", "The body must be JSON.");
		});
		const parsed = v.safeParse(SettingsSchema, json);
		if (!parsed.success) throw new AppError("invalid", describeIssues(parsed.issues));
		const current = await storage.getBoardSettings(orgId, board.id);
		const patch = Object.fromEntries(
			Object.entries(parsed.output).filter(([, value]) => value !== undefined),
		) as Partial<BoardSettings>;
		const saved = await storage.saveBoardSettings(orgId, board.id, { ...current, ...patch });
		await options.publishSettings(orgId, board.id, saved);
		return c.json({ settings: saved });
	});

	return app;
}
