/**
 * The moderator's live coverage: what nobody has picked up (by age and priority, the most
 * urgent first with one-click assign), the SLA breaches the server found, load per member
 * against capacity with re-assign and un-assign, who is online and what they look at,
 * and throughput over the last day. Everything but the chart follows the board store,
 * so it changes as the board does, without a reload.
 */
import type { BoardMention } from "@switchboard/client";
import type { MemberCard } from "@switchboard/domain";
import { createMemo, createSignal, For, Index, onCleanup, Show } from "solid-js";
import { STATUS_LABELS } from "../board-model.ts";
import { Avatar, PriorityBadge, SlaBadge } from "../components/bits.tsx";
import { CommandButton } from "../components/command-button.tsx";
import { ListLink } from "../components/list-link.tsx";
import { ModeratorPage, moderatorsOnly } from "../components/moderator-nav.tsx";
import { TimeChart } from "../components/time-chart.tsx";
import {
	AGE_BUCKETS,
	conversationsInBreach,
	createBreachRows,
	type MemberLoad,
	memberLoads,
	suggestAssignee,
	unclaimedMatrix,
	unclaimedQueue,
	viewingByMember,
} from "../coverage-model.ts";
import {
	compareText,
	excerpt,
	formatAge,
	formatDateTime,
	formatRelative,
	plural,
} from "../format.ts";
import { column, createReport, localTimeZone, useReports } from "../reports.ts";
import { useWorkspace } from "../workspace.tsx";
import "../coverage.css";
import { submitHandler } from "../components/forms.tsx";
import { MemberPicker } from "../components/member-picker.tsx";
import { Panel } from "../components/panel.tsx";
import type { PickerOption } from "../member-picker.ts";

const HOUR = 3_600_000;
/** How many of the most urgent unclaimed conversations are listed. */
const URGENT_SHOWN = 8;
const BREACHES_SHOWN = 30;
/**
 * Members listed under "Load against capacity" until the moderator asks for all: the most
 * loaded first. An organisation of a thousand would otherwise draw a thousand rows.
 */
const LOADS_SHOWN = 100;

export const CoveragePage = moderatorsOnly(Coverage);

/** The same ids in the same order: a list keyed by them need not change. */
const sameIds = (a: readonly string[], b: readonly string[]) =>
	a.length === b.length && a.every((id, i) => id === b[i]);

/** A member in the assign pickers: who, how loaded, online or not. */
const assignChoice = (load: MemberLoad): PickerOption => ({
	id: load.member.id,
	name: load.member.name,
	label: `${load.member.name} (${load.open.length}/${load.member.capacity}${load.online ? ", online" : ""})`,
});

const sameChoices = (a: readonly PickerOption[], b: readonly PickerOption[]) =>
	a.length === b.length &&
	a.every((choice, i) => choice.id === b[i]?.id && choice.label === b[i]?.label);

function Coverage() {
	const ws = useWorkspace();
	const mentions = () => ws.board().mentions;
	const matrix = createMemo(() => unclaimedMatrix(mentions(), ws.now()));
	const urgent = createMemo(() => unclaimedQueue(mentions(), ws.now(), URGENT_SHOWN));
	const onlineIds = createMemo(() => new Set(ws.board().online.map((member) => member.id)));
	const viewing = createMemo(() => viewingByMember(ws.board().presence));
	const loads = createMemo(() =>
		memberLoads(ws.board().members, mentions(), onlineIds(), viewing()),
	);
	// Rows keyed by member id, so an expanded row stays expanded as the board changes.
	const loadOrder = createMemo(() => loads().map((load) => load.member.id), [], {
		equals: sameIds,
	});
	const loadById = createMemo(() => new Map(loads().map((load) => [load.member.id, load])));
	const [allLoads, setAllLoads] = createSignal(false);
	const shownLoads = () => (allLoads() ? loadOrder() : loadOrder().slice(0, LOADS_SHOWN));
	// One list of everyone with room for every picker on the page, online and least loaded
	// first, the same while nobody's load changes (new mentions arriving change no one's).
	const choices = createMemo(
		() =>
			loads()
				.filter((load) => load.room > 0)
				.sort(
					(a, b) =>
						Number(b.online) - Number(a.online) ||
						a.ratio - b.ratio ||
						compareText(a.member.name, b.member.name),
				)
				.map(assignChoice),
		[],
		{ equals: sameChoices },
	);
	const breachRows = createBreachRows();
	const breaches = createMemo(() =>
		breachRows(ws.board().breaches, ws.mentionsById(), ws.board().settings, ws.now()),
	);
	const openBreaches = createMemo(() => conversationsInBreach(breaches()));
	const inReview = () => mentions().filter((m) => m.status === "in_review").length;

	return (
		<ModeratorPage title="Coverage" name="coverage">
			<section class="tiles" aria-label="At a glance">
				<Tile label="Unclaimed" value={matrix().total} testId="unclaimed-count" />
				<Tile
					label="High priority unclaimed"
					value={matrix().byPriority.high}
					testId="unclaimed-high"
					alert={matrix().byPriority.high > 0}
				/>
				<Tile
					label="Conversations in breach now"
					value={openBreaches()}
					testId="breach-count"
					alert={openBreaches() > 0}
				/>
				<Tile label="Waiting for review" value={inReview()} testId="review-count" />
				<Tile label="Online now" value={ws.board().online.length} testId="online-count" />
			</section>

			<div class="coverage-grid">
				<Panel name="unclaimed" title="Unclaimed by age and priority">
					<table class="data-table matrix" data-testid="unclaimed-matrix">
						<thead>
							<tr>
								<th scope="col">Priority</th>
								<For each={AGE_BUCKETS}>{(bucket) => <th scope="col">{bucket.label}</th>}</For>
								<th scope="col">All</th>
							</tr>
						</thead>
						<tbody>
							<For each={["high", "normal", "low"] as const}>
								{(priority) => (
									<tr data-priority={priority}>
										<th scope="row">
											<PriorityBadge priority={priority} />
										</th>
										<For each={AGE_BUCKETS}>
											{(bucket) => (
												<td
													classList={{
														zero: matrix().cells[priority][bucket.id] === 0,
														hot: priority === "high" && matrix().cells[priority][bucket.id] > 0,
													}}
													data-bucket={bucket.id}
												>
													{matrix().cells[priority][bucket.id]}
												</td>
											)}
										</For>
										<td class="total">{matrix().byPriority[priority]}</td>
									</tr>
								)}
							</For>
						</tbody>
					</table>

					<h3 class="subheading">Most urgent first</h3>
					<Show
						when={urgent().length > 0}
						fallback={<p class="muted">Everything is claimed. Nicely done.</p>}
					>
						<ol class="urgent-list" data-testid="urgent">
							<For each={urgent()}>
								{(mention) => <UrgentItem mention={mention} loads={loads()} choices={choices()} />}
							</For>
						</ol>
						<Show when={matrix().total > URGENT_SHOWN}>
							<p class="muted small">
								and {plural(matrix().total - URGENT_SHOWN, "more conversation")} waiting.
							</p>
						</Show>
					</Show>
				</Panel>

				<Panel
					name="breaches"
					title={
						<>
							SLA breaches
							<span class="muted small"> · found by the server, newest first</span>
						</>
					}
				>
					<Show
						when={breaches().length > 0}
						fallback={<p class="muted">No conversation on the board has missed a target.</p>}
					>
						<ul class="breach-list" data-testid="breaches">
							<Index each={breaches().slice(0, BREACHES_SHOWN)}>
								{(row) => (
									<li
										class="breach"
										classList={{ "breach-open": row().open }}
										data-testid="breach"
										data-mention-id={row().breach.mentionId}
										data-kind={row().breach.kind}
										data-open={row().open ? "true" : "false"}
									>
										<span class="badge sla sla-breached">
											{row().breach.kind === "claim" ? "Claim missed" : "Reply missed"}
										</span>
										<Show when={row().settled}>
											<span class="muted small" data-testid="breach-settled">
												settled
											</span>
										</Show>
										<Show
											when={row().mention}
											fallback={<span class="muted">a conversation no longer on the board</span>}
										>
											{(mention) => (
												<>
													<ListLink href={`/m/${encodeURIComponent(mention().id)}`}>
														@{mention().author.handle}
													</ListLink>
													<PriorityBadge priority={mention().priority} />
													<span class="muted small">
														{STATUS_LABELS[mention().status]}
														<Show when={mention().owner}>
															{(owner) => <> · {ws.memberName(owner().memberId)}</>}
														</Show>
													</span>
												</>
											)}
										</Show>
										<span class="muted small breach-time">
											due{" "}
											<time
												datetime={row().breach.dueAt}
												title={formatDateTime(row().breach.dueAt)}
											>
												{formatRelative(row().breach.dueAt, ws.now(), "past")}
											</time>
										</span>
									</li>
								)}
							</Index>
						</ul>
					</Show>
				</Panel>

				<Panel name="load" title="Load against capacity">
					<ul class="load-list" data-testid="loads">
						<For each={shownLoads()}>
							{(memberId) => (
								<Show when={loadById().get(memberId)}>
									{(load) => <LoadRow load={load()} loads={loads()} choices={choices()} />}
								</Show>
							)}
						</For>
					</ul>
					<Show when={!allLoads() && loadOrder().length > LOADS_SHOWN}>
						<button
							type="button"
							class="button"
							onClick={() => setAllLoads(true)}
							data-testid="loads-all"
						>
							Show all {loadOrder().length.toLocaleString()} members
						</button>
					</Show>
				</Panel>

				<Panel name="online" title="Online now">
					<ul class="online-list" data-testid="online-list">
						<For each={ws.board().online}>
							{(member) => <OnlineRow member={member} viewing={viewing().get(member.id) ?? []} />}
						</For>
					</ul>
				</Panel>
			</div>

			<Throughput />
		</ModeratorPage>
	);
}

function Tile(props: { label: string; value: number; testId: string; alert?: boolean }) {
	return (
		<div class="tile" classList={{ "tile-alert": props.alert === true }}>
			<span class="tile-value" data-testid={props.testId} data-value={props.value}>
				{props.value.toLocaleString()}
			</span>
			<span class="tile-label">{props.label}</span>
		</div>
	);
}

/**
 * Pick someone and assign; the suggestion (never the moderator choosing) is preselected, so
 * one click does it. With nobody to suggest, no one is chosen, and Assign says so.
 */
function AssignControl(props: {
	mention: BoardMention;
	loads: MemberLoad[];
	choices: readonly PickerOption[];
	exclude?: string;
	label?: string;
}) {
	const ws = useWorkspace();
	// Once per change of the loads, not per read: the picker's list and the target both ask.
	const suggested = createMemo(() =>
		suggestAssignee(
			props.mention,
			props.loads.filter((load) => load.member.id !== props.exclude),
			ws.me.id,
		),
	);
	// The picker lists the suggestion first, then everyone else with room.
	const pickable = createMemo(() => {
		const first = suggested()?.member.id;
		const rest = props.choices.filter(
			(choice) => choice.id !== props.exclude && choice.id !== first,
		);
		const top = props.choices.find((choice) => choice.id === first);
		return top ? [top, ...rest] : rest;
	});
	// null until the moderator chooses; "" when what they typed named nobody.
	const [picked, setPicked] = createSignal<string | null>(null);
	const [missing, setMissing] = createSignal<string | undefined>();
	const target = () => picked() ?? suggested()?.member.id ?? "";
	const id = `assign-${props.mention.id}-${props.exclude ?? "new"}`;
	const verb = () => (props.exclude ? "Re-assign" : "Assign");
	return (
		<Show when={pickable().length > 0} fallback={<span class="muted small">Nobody has room</span>}>
			<form
				class="inline-form assign-form"
				onSubmit={submitHandler(() => {
					const memberId = target();
					if (!memberId) {
						setMissing(
							`Choose whom to ${verb().toLowerCase()} @${props.mention.author.handle} to.`,
						);
						document.getElementById(id)?.focus();
						return;
					}
					void ws
						.run(
							{ name: "assign", args: { mentionId: props.mention.id, memberId } },
							`Assigned to ${ws.memberName(memberId)}.`,
						)
						.then(() => setPicked(null));
				})}
			>
				<MemberPicker
					id={id}
					label={props.label ?? "Assign to"}
					hideLabel
					options={pickable()}
					value={target()}
					onChange={(memberId) => {
						setPicked(memberId);
						setMissing(undefined);
					}}
					placeholder="Type a name…"
					error={missing()}
					testId="assign-picker"
				/>
				<button type="submit" class="button button-small button-primary" data-testid="assign">
					{verb()}
					{target() ? ` to ${ws.memberName(target())}` : "…"}
				</button>
			</form>
		</Show>
	);
}

function UrgentItem(props: {
	mention: BoardMention;
	loads: MemberLoad[];
	choices: readonly PickerOption[];
}) {
	const ws = useWorkspace();
	return (
		<li class="urgent" data-testid="urgent-item" data-mention-id={props.mention.id}>
			<div class="urgent-head">
				<PriorityBadge priority={props.mention.priority} />
				<ListLink href={`/m/${encodeURIComponent(props.mention.id)}`} class="urgent-link">
					@{props.mention.author.handle}
				</ListLink>
				<span class="muted small">
					waiting{" "}
					<time datetime={props.mention.ingestedAt}>
						{formatAge(props.mention.ingestedAt, ws.now())}
					</time>
				</span>
				<SlaBadge mention={props.mention} settings={ws.board().settings} now={ws.now()} compact />
			</div>
			<p class="urgent-text">{excerpt(props.mention.text, 120)}</p>
			<AssignControl mention={props.mention} loads={props.loads} choices={props.choices} />
		</li>
	);
}

function LoadRow(props: {
	load: MemberLoad;
	loads: MemberLoad[];
	choices: readonly PickerOption[];
}) {
	const ws = useWorkspace();
	// The open conversations, each with a re-assign picker of everyone with room, are drawn
	// once the row is opened: closed, they cost nothing (a thousand members' rows drew
	// hundreds of thousands of options, and the page never appeared).
	const [opened, setOpened] = createSignal(false);
	const percent = () => Math.min(100, Math.round(props.load.ratio * 100));
	const full = () => props.load.member.capacity > 0 && props.load.room === 0;
	const looking = () =>
		props.load.viewing
			.map((id) => ws.mentionsById().get(id))
			.filter((mention): mention is BoardMention => mention !== undefined);
	return (
		<li
			class="load"
			data-testid="load"
			data-member-id={props.load.member.id}
			data-open={props.load.open.length}
			data-capacity={props.load.member.capacity}
		>
			<div class="load-head">
				<Avatar member={props.load.member} />
				<span class="load-name">{props.load.member.name}</span>
				<span
					class="presence-dot"
					classList={{ "is-online": props.load.online }}
					data-testid="online-dot"
					data-online={props.load.online ? "true" : "false"}
				>
					<span class="sr-only">{props.load.online ? "online" : "offline"}</span>
				</span>
				<span class="toolbar-spacer" />
				<span class="load-count" data-testid="load-count">
					{props.load.open.length} / {props.load.member.capacity}
					<span class="sr-only"> open conversations against capacity</span>
				</span>
			</div>
			<div
				class="load-bar"
				classList={{ "load-full": full() }}
				aria-hidden="true"
				data-testid="load-bar"
				data-percent={percent()}
			>
				<div class="load-fill" style={{ width: `${percent()}%` }} />
			</div>
			<Show when={looking().length > 0}>
				<p class="muted small load-viewing">
					Looking at{" "}
					<For each={looking()}>
						{(mention, index) => (
							<>
								{index() > 0 ? ", " : ""}
								<ListLink href={`/m/${encodeURIComponent(mention.id)}`}>
									@{mention.author.handle}
								</ListLink>
							</>
						)}
					</For>
				</p>
			</Show>
			<Show when={props.load.open.length > 0}>
				<details class="load-details" onToggle={(event) => setOpened(event.currentTarget.open)}>
					<summary>{plural(props.load.open.length, "open conversation")}</summary>
					<Show when={opened()}>
						<ul class="owned-list">
							<For each={props.load.open}>
								{(mention) => (
									<li data-testid="owned" data-mention-id={mention.id}>
										<ListLink href={`/m/${encodeURIComponent(mention.id)}`}>
											@{mention.author.handle}
										</ListLink>
										<span class={`badge status status-${mention.status}`}>
											{STATUS_LABELS[mention.status]}
										</span>
										<SlaBadge
											mention={mention}
											settings={ws.board().settings}
											now={ws.now()}
											compact
										/>
										<span class="toolbar-spacer" />
										<CommandButton
											class="button button-small"
											testId="unassign"
											command={{ name: "unassign", args: { mentionId: mention.id } }}
											success="Back on the board, unassigned."
										>
											Unassign
										</CommandButton>
										<AssignControl
											mention={mention}
											loads={props.loads}
											exclude={props.load.member.id}
											label={`Re-assign @${mention.author.handle} to`}
											choices={props.choices}
										/>
									</li>
								)}
							</For>
						</ul>
					</Show>
				</details>
			</Show>
		</li>
	);
}

function OnlineRow(props: { member: MemberCard; viewing: string[] }) {
	const ws = useWorkspace();
	const typing = (mentionId: string) =>
		ws
			.board()
			.presence.get(mentionId)
			?.typers.some((typer) => typer.id === props.member.id) ?? false;
	return (
		<li class="online-row" data-testid="online-member" data-member-id={props.member.id}>
			<Avatar member={props.member} />
			<span>
				{props.member.name}
				<Show when={props.member.id === ws.me.id}>
					<span class="muted"> (you)</span>
				</Show>
				<span class="muted small"> · {props.member.role}</span>
			</span>
			<span class="toolbar-spacer" />
			<span class="muted small" data-testid="online-viewing">
				<Show
					when={props.viewing.length > 0}
					fallback={props.member.id === ws.me.id ? "" : "on the board"}
				>
					<For each={props.viewing}>
						{(mentionId) => {
							const mention = () => ws.mentionsById().get(mentionId);
							return (
								<Show when={mention()}>
									{(m) => (
										<span>
											{typing(mentionId) ? "typing in " : "looking at "}
											<ListLink href={`/m/${encodeURIComponent(mentionId)}`}>
												@{m().author.handle}
											</ListLink>{" "}
										</span>
									)}
								</Show>
							);
						}}
					</For>
				</Show>
			</span>
		</li>
	);
}

/** New, claimed and replied per hour over the last day, and the median times, from the reports API. */
function Throughput() {
	const reports = useReports();
	const period = () => {
		const to = Math.ceil(Date.now() / HOUR) * HOUR;
		return {
			from: new Date(to - 24 * HOUR).toISOString(),
			to: new Date(to).toISOString(),
			timeZone: localTimeZone(),
		};
	};
	const [stamp, setStamp] = createSignal(period());
	// Fresh numbers every minute: the chart is history, not the live board.
	const timer = setInterval(() => setStamp(period()), 60_000);
	onCleanup(() => clearInterval(timer));
	const [table, { refetch, error }] = createReport(reports, "hourly", stamp);
	const times = () => (table()?.rows ?? []).map((row) => Date.parse(String(row.hour)));

	return (
		<section class="panel throughput" aria-labelledby="throughput-title" aria-busy={table.loading}>
			<h2 id="throughput-title" class="panel-title">
				Throughput, last 24 hours
				<span class="toolbar-spacer" />
				<button type="button" class="button button-small" onClick={refetch}>
					Refresh
				</button>
			</h2>
			<Show when={error()}>{(message) => <p class="callout callout-warning">{message()}</p>}</Show>
			<Show when={table()}>
				<div class="chart-pair">
					<div>
						<h3 class="subheading">New, claimed and replied</h3>
						<TimeChart
							testId="throughput-chart"
							label="New, claimed and replied conversations per hour over the last 24 hours"
							unit="Conversations per hour"
							per="hour"
							kind="count"
							times={times()}
							series={[
								{ label: "New", color: "#1d5fc4", values: column(table()?.rows ?? [], "new") },
								{
									label: "Claimed",
									color: "#8a4b00",
									values: column(table()?.rows ?? [], "claimed"),
								},
								{
									label: "Replied",
									color: "#146c3a",
									values: column(table()?.rows ?? [], "replied"),
								},
							]}
						/>
					</div>
					<div>
						<h3 class="subheading">Time to claim and to reply</h3>
						<TimeChart
							testId="median-chart"
							label="Median time to claim and to first reply per hour over the last 24 hours"
							unit="Median of each hour"
							per="hour"
							kind="duration"
							times={times()}
							series={[
								{
									label: "To claim",
									color: "#8a4b00",
									values: column(table()?.rows ?? [], "median_claim_seconds"),
								},
								{
									label: "To reply",
									color: "#146c3a",
									values: column(table()?.rows ?? [], "median_reply_seconds"),
								},
							]}
						/>
					</div>
				</div>
			</Show>
		</section>
	);
}
