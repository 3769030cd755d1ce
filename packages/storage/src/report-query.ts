/**
 * Reports in SQL. One statement per report: each conversation's facts come from the
 * activity log (first claim, first reply, first finish), become events at the time they
 * happened (arrived, claimed, replied, closed, a deadline falling due, a breach), and
 * the events in the period are counted by the report's dimension. Documents are never
 * replayed. docs/REPORTS.md says what each measure means.
 */
import type { BoardSettings, Priority, ReportDimension, ReportRow } from "@switchboard/domain";
import {
	OPEN_OWNED_STATUSES,
	Priorities,
	SystemActions,
	workingSpansBetween,
} from "@switchboard/domain";
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { ReportQuery } from "./coverage-storage.ts";
import { CLAIM_ACTIONS, toNumber } from "./rows.ts";
import type { Database } from "./schema.ts";

const DONE = ["replied", "dismissed", "closed"];

interface RawRow {
	key: string | null;
	new: string | number | null;
	claimed: string | number | null;
	replied: string | number | null;
	closed: string | number | null;
	claim_median: number | string | null;
	reply_median: number | string | null;
	close_median: number | string | null;
	claim_due: string | number | null;
	claim_met: string | number | null;
	reply_due: string | number | null;
	reply_met: string | number | null;
	breaches: string | number | null;
	woken: string | number | null;
}

function list(values: readonly string[]) {
	return sql.join(values.map((value) => sql.lit(value)));
}

function num(value: string | number | null): number {
	return value === null ? 0 : toNumber(value);
}

function numOrNull(value: string | number | null): number | null {
	return value === null ? null : Number(value);
}

/** The key an event is counted under, by dimension. */
function keyExpression(dimension: ReportDimension, timeZone: string): RawBuilder<string | null> {
	switch (dimension) {
		case "total":
			return sql`null::text`;
		case "day":
			return sql`to_char((ev.at at time zone ${timeZone})::date, 'YYYY-MM-DD')`;
		case "hour":
			// Hours are absolute (UTC hour starts); the app shows them in local time.
			return sql`to_char(date_trunc('hour', ev.at, 'UTC') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`;
		case "network":
			return sql`mm.network`;
		case "priority":
			return sql`mm.priority`;
		case "tag":
			return sql`t.tag`;
		case "ambassador":
			return sql`ev.member_id`;
		default: {
			const unreachable: never = dimension;
			return unreachable;
		}
	}
}

/** Every key of a time dimension in the period, so empty hours and days show as zeros. */
function bucketSeries(query: ReportQuery, timeZone: string): RawBuilder<{ key: string }> | null {
	const from = sql`${query.from}::timestamptz`;
	const last = sql`(${query.to}::timestamptz - interval '1 microsecond')`;
	if (query.dimension === "day") {
		return sql`select to_char(d, 'YYYY-MM-DD') as key from generate_series(
			(${from} at time zone ${timeZone})::date::timestamp,
			(${last} at time zone ${timeZone})::date::timestamp,
			interval '1 day') as d`;
	}
	if (query.dimension === "hour") {
		return sql`select to_char(h at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"') as key
			from generate_series(date_trunc('hour', ${from}, 'UTC'), ${last}, interval '1 hour') as h`;
	}
	return null;
}

/** Working spans older than this before the period are not laid out: time before it counts as none. */
const HOURS_LOOKBACK_DAYS = 400;
/** How much further back than its longest target a deadline in the period may have started, on a board with hours. */
const HOURS_SLACK_MS = 31 * 86_400_000;

/**
 * The working spans of the boards that have business hours, over `[fromMs, toMs)`, as one
 * JSON parameter the statement reads as a table: each span with the working seconds of the
 * board before it (`cum`), so the working time up to an instant is one lookup.
 */
function spansTable(settings: readonly [string, BoardSettings][], fromMs: number, toMs: number) {
	const rows: { board_id: string; s: string; e: string; cum: number; len: number }[] = [];
	for (const [boardId, s] of settings) {
		if (!s.businessHours) continue;
		let cum = 0;
		for (const [start, end] of workingSpansBetween(s.businessHours, fromMs, toMs)) {
			const len = (end - start) / 1000;
			rows.push({
				board_id: boardId,
				s: new Date(start).toISOString(),
				e: new Date(end).toISOString(),
				cum,
				len,
			});
			cum += len;
		}
	}
	return sql`select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
		as x(board_id text, s timestamptz, e timestamptz, cum float8, len float8)`;
}

/** Working seconds of board `board` from the start of the spans table up to `at`. */
function workedBy(board: RawBuilder<unknown>, at: RawBuilder<unknown>) {
	return sql`coalesce((select h.cum + least(extract(epoch from ${at} - h.s), h.len) from spans h
		where h.board_id = ${board} and h.s <= ${at} order by h.s desc limit 1), 0)`;
}

/** Seconds from `from` to `to`: working seconds on a board with hours, else wall-clock seconds. */
function elapsed(
	hours: RawBuilder<unknown>,
	board: RawBuilder<unknown>,
	from: RawBuilder<unknown>,
	to: RawBuilder<unknown>,
) {
	return sql`case when ${hours} then ${workedBy(board, to)} - ${workedBy(board, from)}
		else extract(epoch from ${to} - ${from}) end::float8`;
}

/** `minutes` after `from`: of working time on a board with hours (null past the spans), else of wall time. */
function deadline(
	hours: RawBuilder<unknown>,
	board: RawBuilder<unknown>,
	from: RawBuilder<unknown>,
	minutes: RawBuilder<unknown>,
) {
	const target = sql`(${workedBy(board, from)} + ${minutes} * 60)`;
	return sql`case when ${hours} then (select h.s + (${target} - h.cum) * interval '1 second' from spans h
			where h.board_id = ${board} and h.cum + h.len >= ${target} order by h.s limit 1)
		else ${from} + ${minutes} * interval '1 minute' end`;
}

/**
 * Run one report. `settings` holds the SLA targets (and business hours) of every board the
 * report covers. Each conversation is measured in rounds: its arrival starts the first, and
 * every follow-up that reopened it starts another, with its own claim and reply deadlines
 * and times (as the coverage watcher judges them).
 */
export async function runReport(
	db: Kysely<Database>,
	query: ReportQuery,
	settings: ReadonlyMap<string, BoardSettings>,
): Promise<ReportRow[]> {
	const timeZone = query.timeZone ?? "UTC";
	const boards = [...settings.entries()];
	if (boards.length === 0) return [];
	// Targets per board and priority, as a VALUES table the statement joins.
	const targets = sql.join(
		boards.flatMap(([boardId, s]) =>
			Priorities.map(
				(priority: Priority) =>
					sql`(${boardId}::text, ${priority}::text, ${s.slaClaimMinutes[priority]}::float8, ${s.slaReplyMinutes[priority]}::float8, ${s.businessHours !== null}::boolean)`,
			),
		),
	);
	const withHours = boards.some(([, s]) => s.businessHours !== null);
	// A round that started earlier than this cannot have a deadline in the period.
	const longest = Math.max(
		...boards.flatMap(([, s]) => [
			...Object.values(s.slaClaimMinutes),
			...Object.values(s.slaReplyMinutes),
		]),
	);
	const fromMs = Date.parse(query.from);
	const since = new Date(
		fromMs - longest * 60_000 - (withHours ? HOURS_SLACK_MS : 0),
	).toISOString();
	const spansFrom = fromMs - longest * 60_000 - HOURS_SLACK_MS - HOURS_LOOKBACK_DAYS * 86_400_000;
	const spansTo = Math.max(Date.parse(query.now), Date.parse(query.to));
	const spans = withHours ? spansTable(boards, spansFrom, spansTo) : spansTable([], 0, 0);
	const board = query.boardId === undefined ? sql`` : sql`and m.board_id = ${query.boardId}`;
	const breachBoard = query.boardId === undefined ? sql`` : sql`and mm.board_id = ${query.boardId}`;
	const ambassador = query.dimension === "ambassador";
	const ownerAtReplyDue = ambassador
		? sql`(select o.member_id from ownerships o
				where o.mention_id = r.id and o.since <= r.reply_due
					and (o.until is null or o.until > r.reply_due)
				order by o.id desc limit 1)`
		: sql`null::text`;
	const key = keyExpression(query.dimension, timeZone);
	const tags =
		query.dimension === "tag"
			? sql`left join lateral jsonb_array_elements_text(mm.tags) as t(tag) on true`
			: sql``;
	// Arrivals belong to nobody: not counted per ambassador.
	const kinds = ambassador ? sql`and ev.kind <> 'new'` : sql``;
	// What happened within a round: from its start (the first round: any time) to the next.
	const inRound = sql`(r.n = 0 or a.at >= r.start) and (r.next_start is null or a.at < r.next_start)`;
	const hours = sql`r.hours`;
	const boardRef = sql`r.board_id`;

	const aggregate = sql`
		with targets (board_id, priority, claim_minutes, reply_minutes, hours) as (values ${targets}),
		spans as (${spans}),
		m as (
			select m.id, m.board_id, m.priority, m.ingested_at,
				-- Imported already finished: no activity, its last change ended it.
				case when m.status in (${list(DONE)}) then m.updated_at end as done_at
			from mentions m
			where m.org_id = ${query.orgId} ${board}
				and m.ingested_at < ${query.to}::timestamptz
				and (m.ingested_at >= ${since}::timestamptz
					or m.status not in (${list(DONE)})
					or m.updated_at >= ${since}::timestamptz)
		),
		starts as (
			select m.id, 0 as n, m.ingested_at as start, false as kept from m
			union all
			-- A follow-up that reopened the conversation: a new round; kept by its owner, it
			-- was taken from the round's first moment.
			select a.mention_id, row_number() over (partition by a.mention_id order by a.at, a.id),
				a.at, a.to_status in (${list(OPEN_OWNED_STATUSES)})
			from activity a join m on m.id = a.mention_id
			where a.action = ${SystemActions.followUp} and (a.detail->>'reopened')::boolean is true
		),
		r0 as (
			select s.id, s.n, s.start, s.kept, m.board_id, m.ingested_at, t.hours,
				lead(s.start) over (partition by s.id order by s.n) as next_start,
				t.claim_minutes, t.reply_minutes,
				case when s.n = 0 then m.done_at end as done_at
			from starts s join m on m.id = s.id
			join targets t on t.board_id = m.board_id and t.priority = m.priority
		),
		r as (
			select r.*,
				${deadline(hours, boardRef, sql`r.start`, sql`r.claim_minutes`)} as claim_due,
				${deadline(hours, boardRef, sql`r.start`, sql`r.reply_minutes`)} as reply_due
			from r0 as r
		),
		f as (
			select r.id, r.n, r.start, r.board_id, r.hours, r.claim_due, r.reply_due,
				c.at as claimed_at, c.member_id as claimed_by,
				case when r.kept then r.start else c.at end as taken_at,
				p.at as replied_at, p.actor_id as replied_by,
				coalesce(e.at, r.done_at) as ended_at,
				${ownerAtReplyDue} as reply_due_owner
			from r
			left join lateral (
				select a.at, case when a.action = 'assign' then a.detail->>'to' else a.actor_id end as member_id
				from activity a
				where a.mention_id = r.id and a.action in (${list(CLAIM_ACTIONS)}) and ${inRound}
				order by a.at, a.id limit 1
			) c on true
			left join lateral (
				select a.at, a.actor_id from activity a
				where a.mention_id = r.id and a.action = 'markReplied' and ${inRound}
				order by a.at, a.id limit 1
			) p on true
			left join lateral (
				select a.at from activity a
				where a.mention_id = r.id and a.action <> 'sla_breached' and a.to_status in (${list(DONE)})
					and ${inRound}
				order by a.at, a.id limit 1
			) e on true
		),
		ev (kind, at, value, member_id, mention_id) as (
			select 'new', f.start, null::float8, null::text, f.id from f where f.n = 0
			union all
			select 'claimed', f.claimed_at,
				${elapsed(sql`f.hours`, sql`f.board_id`, sql`f.start`, sql`f.claimed_at`)},
				f.claimed_by, f.id
			from f where f.claimed_at is not null
			union all
			select 'replied', f.replied_at,
				${elapsed(sql`f.hours`, sql`f.board_id`, sql`f.start`, sql`f.replied_at`)},
				f.replied_by, f.id
			from f where f.replied_at is not null
			union all
			select 'closed', f.ended_at,
				${elapsed(sql`f.hours`, sql`f.board_id`, sql`f.start`, sql`f.ended_at`)},
				null::text, f.id
			from f where f.ended_at is not null
			union all
			-- A deadline counts when it falls due, unless the round ended before it without
			-- meeting it (dismissed in time: nothing was owed).
			select 'claim_due', f.claim_due,
				case when f.taken_at <= f.claim_due then 1 else 0 end::float8, f.claimed_by, f.id
			from f
			where f.claim_due <= ${query.now}::timestamptz
				and not (coalesce(f.taken_at > f.claim_due, true) and coalesce(f.ended_at <= f.claim_due, false))
			union all
			select 'reply_due', f.reply_due,
				case when f.replied_at <= f.reply_due then 1 else 0 end::float8, f.reply_due_owner, f.id
			from f
			where f.reply_due <= ${query.now}::timestamptz
				and not (coalesce(f.replied_at > f.reply_due, true) and coalesce(f.ended_at <= f.reply_due, false))
			union all
			select 'breach', a.at, null::float8, a.detail->>'ownerId', a.mention_id
			from activity a join mentions mm on mm.id = a.mention_id
			where a.org_id = ${query.orgId} and a.action = ${SystemActions.slaBreached} ${breachBoard}
				and a.at >= ${query.from}::timestamptz and a.at < ${query.to}::timestamptz
			union all
			-- A snooze that ran out: the conversation came back to the board.
			select 'woken', a.at, null::float8, null::text, a.mention_id
			from activity a join mentions mm on mm.id = a.mention_id
			where a.org_id = ${query.orgId} and a.action = ${SystemActions.snoozeEnded} ${breachBoard}
				and a.at >= ${query.from}::timestamptz and a.at < ${query.to}::timestamptz
		)
		select ${key} as key,
			count(*) filter (where ev.kind = 'new') as new,
			count(*) filter (where ev.kind = 'claimed') as claimed,
			count(*) filter (where ev.kind = 'replied') as replied,
			count(*) filter (where ev.kind = 'closed') as closed,
			percentile_cont(0.5) within group (order by ev.value) filter (where ev.kind = 'claimed') as claim_median,
			percentile_cont(0.5) within group (order by ev.value) filter (where ev.kind = 'replied') as reply_median,
			percentile_cont(0.5) within group (order by ev.value) filter (where ev.kind = 'closed') as close_median,
			count(*) filter (where ev.kind = 'claim_due') as claim_due,
			coalesce(sum(ev.value) filter (where ev.kind = 'claim_due'), 0) as claim_met,
			count(*) filter (where ev.kind = 'reply_due') as reply_due,
			coalesce(sum(ev.value) filter (where ev.kind = 'reply_due'), 0) as reply_met,
			count(*) filter (where ev.kind = 'breach') as breaches,
			count(*) filter (where ev.kind = 'woken') as woken
		from ev
		join mentions mm on mm.id = ev.mention_id
		${tags}
		where ev.at >= ${query.from}::timestamptz and ev.at < ${query.to}::timestamptz ${kinds}
		group by 1
	`;
	const series = bucketSeries(query, timeZone);
	const statement = series
		? sql<RawRow>`with agg as (${aggregate}), buckets as (${series})
			select b.key, agg.new, agg.claimed, agg.replied, agg.closed, agg.claim_median,
				agg.reply_median, agg.close_median, agg.claim_due, agg.claim_met, agg.reply_due,
				agg.reply_met, agg.breaches, agg.woken
			from buckets b left join agg on agg.key = b.key order by b.key`
		: sql<RawRow>`${aggregate}`;
	const { rows } = await statement.execute(db);
	const out = rows.map(
		(row): ReportRow => ({
			key: row.key,
			new: num(row.new),
			claimed: num(row.claimed),
			replied: num(row.replied),
			closed: num(row.closed),
			claimMedianSeconds: numOrNull(row.claim_median),
			replyMedianSeconds: numOrNull(row.reply_median),
			closeMedianSeconds: numOrNull(row.close_median),
			claimDue: num(row.claim_due),
			claimMet: num(row.claim_met),
			replyDue: num(row.reply_due),
			replyMet: num(row.reply_met),
			breaches: num(row.breaches),
			woken: num(row.woken),
		}),
	);
	return sortRows(query.dimension, out);
}

const PRIORITY_ORDER = new Map<string | null, number>(Priorities.map((p, i) => [p, i]));

/** Time keys in order, priorities high to low, others busiest first; the empty key last. */
function sortRows(dimension: ReportDimension, rows: ReportRow[]): ReportRow[] {
	const byKey = (a: ReportRow, b: ReportRow) => (a.key ?? "").localeCompare(b.key ?? "");
	const nullLast = (a: ReportRow, b: ReportRow) => Number(a.key === null) - Number(b.key === null);
	switch (dimension) {
		case "total":
		case "day":
		case "hour":
			return rows;
		case "priority":
			return rows.sort(
				(a, b) => (PRIORITY_ORDER.get(a.key) ?? 9) - (PRIORITY_ORDER.get(b.key) ?? 9),
			);
		case "ambassador":
			return rows.sort(
				(a, b) => nullLast(a, b) || b.claimed - a.claimed || b.replied - a.replied || byKey(a, b),
			);
		case "network":
		case "tag":
			return rows.sort((a, b) => nullLast(a, b) || b.new - a.new || byKey(a, b));
		default: {
			const unreachable: never = dimension;
			return unreachable;
		}
	}
}
