/**
 * Reports for a chosen period: the totals, a day-by-day chart and table, and tables per
 * network, priority, tag and ambassador, each with its CSV download. Counted by the
 * server in SQL from the activity log; days are cut in the browser's time zone.
 */
import type { ReportPeriod } from "@switchboard/client";
import {
	HttpRoutes,
	MAX_REPORT_DAYS,
	type ReportColumn,
	type ReportName,
	type ReportRecord,
} from "@switchboard/domain";
import { createMemo, createSignal, For, Show } from "solid-js";
import { createLoader, useApi } from "../api.ts";
import { ModeratorPage, moderatorsOnly } from "../components/moderator-nav.tsx";
import { TimeChart } from "../components/time-chart.tsx";
import { formatCount } from "../format.ts";
import { cellText } from "../report-cells.ts";
import { column, createReport, localTimeZone, type Reports, useReports } from "../reports.ts";
import "../coverage.css";
import { Panel } from "../components/panel.tsx";

const DAY = 86_400_000;

/** `YYYY-MM-DD` of a local date. */
function dateInput(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, "0");
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Local midnight of a `YYYY-MM-DD`, plus `days`. */
function localMidnight(value: string, days = 0): Date {
	const [year, month, day] = value.split("-").map(Number);
	return new Date(year ?? 1970, (month ?? 1) - 1, (day ?? 1) + days);
}

export const ReportsPage = moderatorsOnly(ReportsView);

/** The breakdowns side by side under the daily figures, each a table with its CSV. */
const BREAKDOWNS: readonly { name: ReportName; title: string }[] = [
	{ name: "networks", title: "Per network" },
	{ name: "priorities", title: "Per priority" },
	{ name: "tags", title: "Per tag" },
	{ name: "ambassadors", title: "Per ambassador" },
];

/** Rows a breakdown shows until asked for all: the most active, as the server orders them. */
const BREAKDOWN_ROWS = 25;

/** The periods a tap chooses, in days back from today (today included). */
const PRESETS = [1, 7, 30] as const;
const PRESET_LABELS: Record<(typeof PRESETS)[number], string> = {
	1: "Today",
	7: "Last 7 days",
	30: "Last 30 days",
};

/** One end of the period: a labelled day that may not pass the other end (`min`, `max`). */
function PeriodEnd(props: {
	label: string;
	value: string;
	min?: string;
	max?: string;
	onChange: (day: string) => void;
	testId: string;
}) {
	return (
		<label class="period-field">
			{props.label}{" "}
			<input
				type="date"
				value={props.value}
				min={props.min}
				max={props.max}
				onChange={(event) => props.onChange(event.currentTarget.value)}
				data-testid={props.testId}
			/>
		</label>
	);
}

function ReportsView() {
	const reports = useReports();
	const today = dateInput(new Date());
	const [from, setFrom] = createSignal(dateInput(new Date(Date.now() - 6 * DAY)));
	const [to, setTo] = createSignal(today);
	// Coverage per board, or across every board (archived ones too: their past counts).
	const [board, setBoard] = createSignal("");
	const api = useApi();
	const boards = createLoader(
		async () => (await api.request(HttpRoutes.boards, { query: { include: "archived" } })).boards,
	);
	const period = createMemo<ReportPeriod>(() => ({
		from: localMidnight(from()).toISOString(),
		to: localMidnight(to(), 1).toISOString(),
		timeZone: localTimeZone(),
		...(board() ? { board: board() } : {}),
	}));
	const preset = (days: number) => {
		setTo(dateInput(new Date()));
		setFrom(dateInput(new Date(Date.now() - (days - 1) * DAY)));
	};
	/** Days in the period, both ends included. */
	const days = () =>
		Math.round((localMidnight(to(), 1).getTime() - localMidnight(from()).getTime()) / DAY);
	/** What is wrong with the period chosen, said before any report is asked for it. */
	const problem = () => {
		if (from() > to()) return "Pick a start before the end.";
		const most = MAX_REPORT_DAYS.day;
		if (days() > most)
			return `A report covers at most ${formatCount(most)} days: pick a later start or an earlier end.`;
		return null;
	};

	return (
		<ModeratorPage title="Reports" name="reports">
			<form
				class="period"
				aria-label="Period"
				aria-busy={boards.loading()}
				onSubmit={(event) => event.preventDefault()}
			>
				<PeriodEnd label="From" value={from()} max={to()} onChange={setFrom} testId="report-from" />
				<PeriodEnd label="To" value={to()} min={from()} onChange={setTo} testId="report-to" />
				<For each={PRESETS}>
					{(days) => (
						<button type="button" class="button button-small" onClick={() => preset(days)}>
							{PRESET_LABELS[days]}
						</button>
					)}
				</For>
				<Show when={(boards.data()?.length ?? 0) > 1}>
					<label class="period-field">
						Board{" "}
						<select
							value={board()}
							onChange={(event) => setBoard(event.currentTarget.value)}
							data-testid="report-board"
						>
							<option value="">All boards</option>
							<For each={boards.data()}>
								{(b) => (
									<option value={b.id}>
										{b.name}
										{b.archivedAt ? " (archived)" : ""}
									</option>
								)}
							</For>
						</select>
					</label>
				</Show>
				<span class="muted small">Days in {localTimeZone()}</span>
			</form>
			<Show
				when={!problem()}
				fallback={
					<p class="callout callout-warning" data-testid="report-period-problem">
						{problem()}
					</p>
				}
			>
				<Summary reports={reports} period={period()} />
				<Daily reports={reports} period={period()} />
				<div class="report-grid">
					<For each={BREAKDOWNS}>
						{(breakdown) => (
							<ReportSection
								reports={reports}
								period={period()}
								name={breakdown.name}
								title={breakdown.title}
							/>
						)}
					</For>
				</div>
			</Show>
		</ModeratorPage>
	);
}

function CsvLink(props: { reports: Reports; period: ReportPeriod; name: ReportName }) {
	return (
		<a
			class="button button-small"
			href={props.reports.csvHref(props.name, props.period)}
			download=""
			data-testid={`csv-${props.name}`}
		>
			CSV
		</a>
	);
}

function Summary(props: { reports: Reports; period: ReportPeriod }) {
	const [table, { error }] = createReport(props.reports, "summary", () => props.period);
	const row = () => table()?.rows[0];
	const tiles = () => (table()?.columns ?? []).filter((c) => !c.key.endsWith("_deadlines"));
	return (
		<Panel
			name="summary"
			testId="report-summary"
			busy={table.loading}
			title={
				<>
					The period at a glance
					<span class="toolbar-spacer" />
					<CsvLink reports={props.reports} period={props.period} name="summary" />
				</>
			}
		>
			<Show when={error()}>{(message) => <p class="callout callout-warning">{message()}</p>}</Show>
			<Show when={row()}>
				{(values) => (
					<div class="tiles">
						<For each={tiles()}>
							{(c) => (
								<div class="tile">
									<span class="tile-value" data-testid={`summary-${c.key}`}>
										{cellText(values()[c.key] ?? null, c.unit)}
									</span>
									<span class="tile-label">{c.label}</span>
								</div>
							)}
						</For>
					</div>
				)}
			</Show>
		</Panel>
	);
}

function Daily(props: { reports: Reports; period: ReportPeriod }) {
	const [table, { error }] = createReport(props.reports, "daily", () => props.period);
	const rows = () => table()?.rows ?? [];
	// A day's key is its local date; the chart puts each at local midnight.
	const times = () => rows().map((row) => localMidnight(String(row.day)).getTime());
	return (
		<Panel
			name="daily"
			busy={table.loading}
			title={
				<>
					Per day
					<span class="toolbar-spacer" />
					<CsvLink reports={props.reports} period={props.period} name="daily" />
				</>
			}
		>
			<Show when={error()}>{(message) => <p class="callout callout-warning">{message()}</p>}</Show>
			<Show when={table()}>
				<TimeChart
					testId="daily-chart"
					label="New, claimed and replied conversations per day"
					unit="Conversations per day"
					per="day"
					kind="count"
					times={times()}
					series={[
						{ label: "New", color: "#1d5fc4", values: column(rows(), "new") },
						{ label: "Claimed", color: "#8a4b00", values: column(rows(), "claimed") },
						{ label: "Replied", color: "#146c3a", values: column(rows(), "replied") },
					]}
				/>
				<DataTable
					columns={table()?.columns ?? []}
					rows={rows()}
					testId="report-daily"
					label="Per day, table"
				/>
			</Show>
		</Panel>
	);
}

function ReportSection(props: {
	reports: Reports;
	period: ReportPeriod;
	name: ReportName;
	title: string;
}) {
	const [table, { error }] = createReport(props.reports, props.name, () => props.period);
	const rows = () => table()?.rows ?? [];
	// The server sends the most active first: at a thousand ambassadors, every row drawn at
	// once held a phone's page for half a second. The CSV has them all.
	const [all, setAll] = createSignal(false);
	const shown = () => (all() ? rows() : rows().slice(0, BREAKDOWN_ROWS));
	return (
		<section class="panel" aria-label={props.title} aria-busy={table.loading}>
			<h2 class="panel-title">
				{props.title}
				<span class="toolbar-spacer" />
				<CsvLink reports={props.reports} period={props.period} name={props.name} />
			</h2>
			<Show when={error()}>{(message) => <p class="callout callout-warning">{message()}</p>}</Show>
			<Show when={table()}>
				<Show
					when={rows().length > 0}
					fallback={<p class="muted">Nothing happened in this period.</p>}
				>
					<DataTable
						columns={(table()?.columns ?? []).filter((c) => c.key !== "member_id")}
						rows={shown()}
						testId={`report-${props.name}`}
						label={`${props.title}, table`}
					/>
					<Show when={shown().length < rows().length}>
						<button
							type="button"
							class="button button-small report-all"
							onClick={() => setAll(true)}
							data-testid={`report-${props.name}-all`}
						>
							Show all {formatCount(rows().length)}
						</button>
					</Show>
				</Show>
			</Show>
		</section>
	);
}

function DataTable(props: {
	columns: ReportColumn[];
	rows: ReportRecord[];
	testId: string;
	label: string;
}) {
	return (
		// Focusable: on a phone the table is wider than the screen and scrolls in its box, and
		// keyboard users must be able to scroll it too.
		// biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region needs focus to scroll by keyboard.
		<section class="table-scroll" aria-label={props.label} tabIndex={0}>
			<table class="data-table" data-testid={props.testId}>
				<thead>
					<tr>
						<For each={props.columns}>
							{(c) => (
								<th scope="col" classList={{ numeric: c.unit !== "text" }}>
									{c.label}
								</th>
							)}
						</For>
					</tr>
				</thead>
				<tbody>
					<For each={props.rows}>
						{(row) => (
							<tr>
								<For each={props.columns}>
									{(c, index) =>
										index() === 0 && c.unit === "text" ? (
											<th scope="row">
												{row[c.key] == null
													? "(none)"
													: cellText(row[c.key] ?? null, c.unit, c.key)}
											</th>
										) : (
											<td classList={{ numeric: c.unit !== "text" }}>
												{cellText(row[c.key] ?? null, c.unit, c.key)}
											</td>
										)
									}
								</For>
							</tr>
						)}
					</For>
				</tbody>
			</table>
		</section>
	);
}
