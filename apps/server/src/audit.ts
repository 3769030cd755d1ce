/**
 * The admin audit log on the server (issue 12, part 7): who in a request is the actor,
 * what a change changed (as a small `details`), and the admins' read of the log,
 * `GET /api/orgs/:orgId/audit`, as JSON pages or as one CSV file.
 */
import {
	AppError,
	type AuditActor,
	type AuditDetails,
	type AuditDetailValue,
	type AuditEntry,
	csvLine,
	HttpRoutes,
	parseAuditActor,
} from "@switchboard/domain";
import {
	type AuditLog,
	type AuditQuery,
	type NewAuditEntry,
	recordAudit,
} from "@switchboard/storage";
import { type Context, Hono } from "hono";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";

/** The member making the request, as the actor of what it does. */
export function requestActor(c: Context<ApiEnv>): AuditActor {
	return { kind: "member", memberId: c.get("member").memberId };
}

/** Records what the request's member did, with them as the actor. */
export function auditRequest(
	log: Pick<AuditLog, "appendAuditEntries">,
	c: Context<ApiEnv>,
	entry: Omit<NewAuditEntry, "actor">,
): Promise<AuditEntry> {
	return recordAudit(log, { ...entry, actor: requestActor(c) });
}

/** A value longer than this as JSON is named among the changed fields, not quoted. */
const MAX_QUOTED_VALUE = 200;

/**
 * What changed between two versions of a settings object, for an entry's details:
 * `{changed: [keys], from: {key: old}, to: {key: new}}`. Long values (templates, lists)
 * are only named, so details stay small and carry no content.
 */
export function changesOf(before: object, after: object): AuditDetails {
	const changed: string[] = [];
	const from: Record<string, AuditDetailValue> = {};
	const to: Record<string, AuditDetailValue> = {};
	for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
		const old = JSON.stringify(Reflect.get(before, key) ?? null);
		const now = JSON.stringify(Reflect.get(after, key) ?? null);
		if (old === now) continue;
		changed.push(key);
		if (old.length <= MAX_QUOTED_VALUE && now.length <= MAX_QUOTED_VALUE) {
			from[key] = JSON.parse(old) as AuditDetailValue;
			to[key] = JSON.parse(now) as AuditDetailValue;
		}
	}
	return { changed, from, to };
}

/** Entries one page of the log holds, and one query of the CSV export reads. */
const CSV_CHUNK = 1000;
/** Most rows one CSV export writes; a longer log is exported a period at a time. */
export const MAX_AUDIT_CSV_ROWS = 100_000;

const CSV_COLUMNS = ["at", "actor", "actor_name", "action", "target_type", "target_id", "details"];

function csvOf(entry: AuditEntry): string {
	return csvLine([
		entry.at,
		entry.actor,
		entry.actorName,
		entry.action,
		entry.target?.type ?? null,
		entry.target?.id ?? null,
		JSON.stringify(entry.details),
	]);
}

export interface AuditApiOptions {
	storage: AuditLog;
}

/** `GET /api/orgs/:orgId/audit` (admins): JSON pages, or CSV with `format=csv` or `Accept: text/csv`. */
export function createAuditApi(options: AuditApiOptions): Hono<ApiEnv> {
	const { storage } = options;
	const app = new Hono<ApiEnv>();

	handle(app, HttpRoutes.audit, async (c, { params, query }) => {
		if (query.from && query.to && query.from >= query.to) {
			throw new AppError("invalid", "from must be before to.");
		}
		const filter: Omit<AuditQuery, "limit"> = {
			...(query.action ? { actions: query.action } : {}),
			...(query.actor ? { actor: parseAuditActor(query.actor) } : {}),
			...(query.from ? { from: query.from } : {}),
			...(query.to ? { to: query.to } : {}),
		};
		const csv = query.format === "csv" || (query.format === undefined && wantsCsv(c));
		if (!csv) {
			const rows = await storage.listAuditEntries(params.orgId, {
				...filter,
				...(query.cursor ? { before: cursorId(query.cursor) } : {}),
				limit: query.limit + 1,
			});
			const entries = rows.slice(0, query.limit);
			const last = entries.at(-1);
			return { entries, nextCursor: rows.length > query.limit && last ? last.id : null };
		}
		const orgId = params.orgId;
		let before = query.cursor ? cursorId(query.cursor) : undefined;
		let written = 0;
		const encoder = new TextEncoder();
		// Read and written a chunk at a time: a long log never sits whole in memory.
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(encoder.encode(csvLine(CSV_COLUMNS)));
			},
			async pull(controller) {
				const limit = Math.min(CSV_CHUNK, MAX_AUDIT_CSV_ROWS - written);
				const rows =
					limit > 0
						? await storage.listAuditEntries(orgId, {
								...filter,
								...(before ? { before } : {}),
								limit,
							})
						: [];
				if (rows.length > 0) controller.enqueue(encoder.encode(rows.map(csvOf).join("")));
				written += rows.length;
				before = rows.at(-1)?.id;
				if (rows.length < limit || limit === 0) controller.close();
			},
		});
		const day = new Date().toISOString().slice(0, 10);
		return c.body(body, 200, {
			"content-type": "text/csv; charset=utf-8",
			"content-disposition": `attachment; filename="switchboard-audit-${orgId}-${day}.csv"`,
		});
	});

	return app;
}

function wantsCsv(c: Context<ApiEnv>): boolean {
	const accept = c.req.header("accept") ?? "";
	return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

function cursorId(cursor: string): string {
	if (!/^\d{1,18}$/.test(cursor)) {
		throw new AppError("invalid", "cursor: not a cursor of this list; pass nextCursor as it came.");
	}
	return cursor;
}
