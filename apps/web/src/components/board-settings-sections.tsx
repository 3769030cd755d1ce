/**
 * The sections of a board's settings screen (pages/board-settings-page.tsx), in the order
 * they are shown. Each section is one form that saves its own fields (a `PUT` of just
 * those: the server keeps the rest), checks them with the same schema the server uses and
 * shows each problem beside its field.
 *
 * To add a section: write a component taking `SettingsSectionProps` that renders a
 * `<SettingsForm>` around its fields, and add it to `BOARD_SETTINGS_SECTIONS`.
 */

import { A } from "@solidjs/router";
import {
	type BoardSettings,
	BoardSettingsPatchSchema,
	type BusinessHours,
	type MemberListing,
	Networks,
	Priorities,
	type Priority,
	problemsByField,
	type ReplyTemplate,
	type Weekday,
	Weekdays,
} from "@switchboard/domain";
import {
	type Component,
	createContext,
	createSignal,
	createUniqueId,
	For,
	type JSX,
	onCleanup,
	Show,
	useContext,
} from "solid-js";
import { createStore } from "solid-js/store";
import { createAction, type Loader } from "../api.ts";
import { NETWORK_LABELS, PRIORITY_LABELS } from "../board-model.ts";
import { holdFocus } from "../focus.ts";
import { intervalsText, parseIntervals } from "../working-hours-text.ts";
import {
	CheckSet,
	describedBy,
	FieldProblem,
	type FieldSpec,
	FormActions,
	FormError,
	FormFields,
	focusFirstProblem,
	submitHandler,
	TextField,
} from "./forms.tsx";

/** The fields a section sends; the server keeps the others as they are. */
export type BoardSettingsPatch = Partial<BoardSettings>;

export interface SettingsSectionProps {
	orgId: string;
	boardId: string;
	/** The settings as the server last answered them. */
	settings: BoardSettings;
	/**
	 * The organisation's members (names for the approval rules): `data` undefined while they load,
	 * `error` why the last load failed, `reload` to try again.
	 */
	members: Pick<Loader<readonly MemberListing[]>, "data" | "error" | "reload">;
	/** Store these fields; resolves with the settings the server then holds, throws its refusal. */
	save(patch: BoardSettingsPatch): Promise<BoardSettings>;
}

export interface SettingsSection {
	id: string;
	component: Component<SettingsSectionProps>;
}

type Problems = Record<string, string>;

/**
 * Which sections have changes not saved, by title. Each section saves on its own, so a change
 * in one and Save pressed in another (or none) left the page with the change lost, unsaid:
 * the page asks before leaving while any is unsaved (board-settings-page.tsx).
 */
export interface UnsavedSettings {
	mark(title: string, unsaved: boolean): void;
}

export const UnsavedSettingsContext = createContext<UnsavedSettings>();

/**
 * One section's form: its heading and intro, its fields, Save, the server's refusal and a
 * "Saved" note. `patch` reads the fields; when the schema finds problems they are handed
 * to `onProblems` (the fields show them) and nothing is sent.
 */
export function SettingsForm(props: {
	id: string;
	title: string;
	intro: JSX.Element;
	patch: () => BoardSettingsPatch;
	onProblems: (problems: Problems) => void;
	save: SettingsSectionProps["save"];
	/** Told once the patch is stored: the fields may show it as it was read. */
	onSaved?: () => void;
	children: JSX.Element;
}) {
	const [saved, setSaved] = createSignal(false);
	const unsaved = useContext(UnsavedSettingsContext);
	onCleanup(() => unsaved?.mark(props.title, false));
	const action = createAction(async (patch: BoardSettingsPatch) => {
		await props.save(patch);
		props.onSaved?.();
		setSaved(true);
		unsaved?.mark(props.title, false);
	});
	let form: HTMLFormElement | undefined;
	const submit = submitHandler(() => {
		setSaved(false);
		const patch = props.patch();
		const problems = problemsByField(BoardSettingsPatchSchema, patch);
		props.onProblems(problems);
		if (Object.keys(problems).length > 0) {
			focusFirstProblem(form);
			return;
		}
		// Save is disabled while it runs, which drops the focus on the page itself: it goes back
		// to Save, beside the "Saved" note, saved or refused.
		const focus = holdFocus();
		void action.run(patch).then(() => focus());
	});
	return (
		<section
			class="panel settings-section"
			aria-labelledby={`${props.id}-title`}
			data-testid={`settings-${props.id}`}
		>
			<h2 id={`${props.id}-title`} class="panel-title">
				{props.title}
			</h2>
			<p class="muted small">{props.intro}</p>
			<form
				ref={form}
				class="admin-form"
				onSubmit={submit}
				onInput={() => {
					setSaved(false);
					unsaved?.mark(props.title, true);
				}}
				novalidate
			>
				{props.children}
				<FormActions
					error={action.error()}
					errorTestId={`settings-${props.id}-error`}
					label="Save"
					busy={action.busy()}
					testId={`settings-${props.id}-save`}
				/>
				<p class="small muted" role="status" data-testid={`settings-${props.id}-saved`}>
					{saved() ? "Saved. Everyone on the board sees the change now." : ""}
				</p>
			</form>
		</section>
	);
}

/** A number typed into a field; an empty or non-numeric field reads as NaN (not a number). */
function numberOf(text: string): number {
	return text.trim() === "" ? Number.NaN : Number(text);
}

const minutesHint = "Minutes (60 is an hour, 1440 a day).";

/** One number field of a section: its settings path names it and finds its problem. */
interface NumberEntry {
	path: string;
	label: string;
	value: string;
	set(value: string): void;
	hint?: string;
}

/**
 * Number fields in a grid, each with its problem beside it as a sentence about `noun`
 * ("The target must be a number of minutes from 1 to 129,600 (90 days).").
 */
function NumberGrid(props: { entries: readonly NumberEntry[]; problems: Problems; noun: string }) {
	const problem = (path: string) => {
		const found = props.problems[path];
		return found ? `${props.noun} ${found}.` : undefined;
	};
	const id = createUniqueId();
	return (
		<div class="form-grid settings-grid">
			<For each={props.entries}>
				{(entry) => (
					<TextField
						id={`${id}-${entry.path.replace(/\./g, "-")}`}
						cell="field"
						label={entry.label}
						hint={entry.hint}
						type="number"
						inputMode="numeric"
						min="1"
						value={entry.value}
						onInput={(value) => entry.set(value)}
						error={problem(entry.path)}
						testId={entry.path.replace(/\./g, "-")}
					/>
				)}
			</For>
		</div>
	);
}

function SlaSection(props: SettingsSectionProps) {
	const asText = (record: Record<Priority, number>) =>
		Object.fromEntries(Priorities.map((p) => [p, String(record[p])])) as Record<Priority, string>;
	const [claim, setClaim] = createStore(asText(props.settings.slaClaimMinutes));
	const [reply, setReply] = createStore(asText(props.settings.slaReplyMinutes));
	const [problems, setProblems] = createSignal<Problems>({});
	const asNumbers = (record: Record<Priority, string>) =>
		Object.fromEntries(Priorities.map((p) => [p, numberOf(record[p])])) as Record<Priority, number>;
	const group = (
		key: "slaClaimMinutes" | "slaReplyMinutes",
		legend: string,
		values: Record<Priority, string>,
		set: (priority: Priority, value: string) => void,
	) => (
		<fieldset class="settings-group">
			<legend class="field-label">{legend}</legend>
			<NumberGrid
				problems={problems()}
				noun="The target"
				entries={Priorities.map((priority) => ({
					path: `${key}.${priority}`,
					label: `${PRIORITY_LABELS[priority]} priority`,
					get value() {
						return values[priority];
					},
					set: (value: string) => set(priority, value),
				}))}
			/>
		</fieldset>
	);
	return (
		<SettingsForm
			id="sla"
			title="Service-level targets"
			intro={`How soon a new conversation should be claimed, and its first reply sent, by priority. ${minutesHint} Cards count down to them and moderators see the breaches.`}
			patch={() => ({ slaClaimMinutes: asNumbers(claim), slaReplyMinutes: asNumbers(reply) })}
			onProblems={setProblems}
			save={props.save}
		>
			{group("slaClaimMinutes", "Claimed within", claim, (p, value) => setClaim(p, value))}
			{group("slaReplyMinutes", "First reply within", reply, (p, value) => setReply(p, value))}
		</SettingsForm>
	);
}

function LeaseSection(props: SettingsSectionProps) {
	const [lease, setLease] = createSignal(String(props.settings.leaseMinutes));
	const [problems, setProblems] = createSignal<Problems>({});
	return (
		<SettingsForm
			id="lease"
			title="Lease"
			intro="How long an owner may be offline before their conversations go back to the board for someone else."
			patch={() => ({ leaseMinutes: numberOf(lease()) })}
			onProblems={setProblems}
			save={props.save}
		>
			<NumberGrid
				problems={problems()}
				noun="The time offline"
				entries={[
					{
						path: "leaseMinutes",
						label: "Offline for at most",
						hint: minutesHint,
						get value() {
							return lease();
						},
						set: setLease,
					},
				]}
			/>
		</SettingsForm>
	);
}

function ReplyLimitsSection(props: SettingsSectionProps) {
	const [limits, setLimits] = createStore(
		Object.fromEntries(Networks.map((n) => [n, String(props.settings.replyLimits[n])])) as Record<
			(typeof Networks)[number],
			string
		>,
	);
	const [problems, setProblems] = createSignal<Problems>({});
	return (
		<SettingsForm
			id="limits"
			title="Reply limits"
			intro="The most characters a reply may have on each network. A longer reply cannot be submitted, approved or sent."
			patch={() => ({
				replyLimits: Object.fromEntries(
					Networks.map((n) => [n, numberOf(limits[n])]),
				) as BoardSettings["replyLimits"],
			})}
			onProblems={setProblems}
			save={props.save}
		>
			<NumberGrid
				problems={problems()}
				noun="The limit"
				entries={Networks.map((network) => ({
					path: `replyLimits.${network}`,
					label: NETWORK_LABELS[network],
					get value() {
						return limits[network];
					},
					set: (value: string) => setLimits(network, value),
				}))}
			/>
		</SettingsForm>
	);
}

/** Tags as typed: separated by commas or spaces, a leading # left out. */
function tagsOf(text: string): string[] {
	return [
		...new Set(
			text
				.split(/[,\s]+/)
				.map((tag) => tag.replace(/^#/, "").trim())
				.filter(Boolean),
		),
	];
}

function ApprovalSection(props: SettingsSectionProps) {
	const id = createUniqueId();
	const [priorities, setPriorities] = createSignal<Priority[]>([
		...props.settings.approval.priorities,
	]);
	const [tags, setTags] = createSignal(props.settings.approval.tags.join(", "));
	const [newMembers, setNewMembers] = createSignal<string[]>([
		...props.settings.approval.newMembers,
	]);
	const [adding, setAdding] = createSignal("");
	const [problems, setProblems] = createSignal<Problems>({});
	const nameOf = (memberId: string) => {
		const members = props.members.data();
		// Before the members load (or when they failed to), a name is not known, not gone.
		if (members === undefined) return "A member";
		return members.find((m) => m.id === memberId)?.name ?? "Former member";
	};
	const candidates = () =>
		(props.members.data() ?? []).filter((m) => m.active && !newMembers().includes(m.id));
	const add = () => {
		const memberId = adding() || candidates()[0]?.id;
		if (!memberId) return;
		setNewMembers((list) => [...list, memberId]);
		setAdding("");
	};
	const tagProblem = () =>
		Object.entries(problems()).find(([path]) => path.startsWith("approval.tags"))?.[1];
	return (
		<SettingsForm
			id="approval"
			title="Approval rules"
			intro="Which replies a moderator approves before they are sent. A conversation needs approval when any rule matches; with no rule, no reply waits."
			patch={() => ({
				approval: { priorities: priorities(), tags: tagsOf(tags()), newMembers: newMembers() },
			})}
			onProblems={setProblems}
			save={props.save}
		>
			<fieldset class="settings-group">
				<legend class="field-label">Conversations of priority</legend>
				<div class="form-checks">
					<CheckSet
						values={Priorities}
						chosen={priorities()}
						onChange={setPriorities}
						label={(priority) => PRIORITY_LABELS[priority]}
						testId="approval-priority"
					/>
				</div>
			</fieldset>
			<div class="form-grid settings-grid">
				<TextField
					id={`${id}-tags`}
					cell="wide"
					label="Conversations tagged"
					hint="Tags separated by commas, e.g. legal, press."
					type="text"
					value={tags()}
					onInput={setTags}
					error={tagProblem()}
					testId="approval-tags"
				/>
			</div>
			<fieldset class="settings-group">
				<legend class="field-label">Replies of these members (new to the team)</legend>
				<Show
					when={newMembers().length > 0}
					fallback={<p class="small muted">Nobody is marked as new.</p>}
				>
					<ul class="chip-list" data-testid="approval-new-members">
						<For each={newMembers()}>
							{(memberId) => (
								<li class="chip">
									{nameOf(memberId)}{" "}
									<button
										type="button"
										class="button button-small button-danger-quiet"
										aria-label={`Remove ${nameOf(memberId)} from the new members`}
										onClick={() => setNewMembers((list) => list.filter((m) => m !== memberId))}
									>
										Remove
									</button>
								</li>
							)}
						</For>
					</ul>
				</Show>
				{/* Nobody left to choose: say why, and where someone new comes from, instead of an
				    empty choice beside a button that does nothing. */}
				<Show
					when={candidates().length > 0}
					fallback={
						<p class="small muted" data-testid="approval-no-candidates">
							{props.members.data() === undefined ? (
								<Show when={props.members.error()} fallback="Loading the members…">
									{(error) => (
										<>
											Nobody can be marked as new until the members load. {error()}{" "}
											<button
												type="button"
												class="button button-small line-action"
												onClick={() => void props.members.reload()}
												data-testid="approval-members-retry"
											>
												Try again
											</button>
										</>
									)}
								</Show>
							) : (
								<>
									Everyone on the team is marked as new. To mark someone else, invite them first
									under <A href="/admin?tab=members">Admin › Members</A>.
								</>
							)}
						</p>
					}
				>
					<div class="inline-add">
						<label for={`${id}-add-member`} class="sr-only">
							Member to mark as new
						</label>
						<select
							id={`${id}-add-member`}
							value={adding()}
							onChange={(e) => setAdding(e.currentTarget.value)}
							data-testid="approval-member-select"
						>
							<For each={candidates()}>{(m) => <option value={m.id}>{m.name}</option>}</For>
						</select>
						<button
							type="button"
							class="button button-small"
							onClick={add}
							data-testid="approval-member-add"
						>
							Mark as new
						</button>
					</div>
				</Show>
				<FieldProblem id={`${id}-members`} error={problems()["approval.newMembers"]} />
			</fieldset>
		</SettingsForm>
	);
}

/** An id for a new template from its name, unlike every id in `taken`. */
function templateId(name: string, taken: ReadonlySet<string>): string {
	const base =
		name
			.toLowerCase()
			.normalize("NFKD")
			.replace(/[^a-z0-9]+/g, "-")
			.replace(/^-+|-+$/g, "")
			.slice(0, 48) || "template";
	let id = base;
	for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
	return id;
}

interface TemplateRow extends ReplyTemplate {
	/** Made here and not saved yet: its id is made from its name when saved. */
	fresh: boolean;
	key: string;
}

function TemplatesSection(props: SettingsSectionProps) {
	const id = createUniqueId();
	let next = 0;
	const rowOf = (template: ReplyTemplate, fresh = false): TemplateRow => ({
		...template,
		fresh,
		key: `t${next++}`,
	});
	const [rows, setRows] = createStore<TemplateRow[]>(props.settings.templates.map((t) => rowOf(t)));
	const [problems, setProblems] = createSignal<Problems>({});
	const patch = (): BoardSettingsPatch => {
		const taken = new Set(rows.filter((row) => !row.fresh).map((row) => row.id));
		const templates = rows.map((row) => {
			if (!row.fresh) return { id: row.id, name: row.name, body: row.body };
			const made = templateId(row.name, taken);
			taken.add(made);
			return { id: made, name: row.name, body: row.body };
		});
		return { templates };
	};
	const add = () => {
		setRows(rows.length, rowOf({ id: "", name: "", body: "" }, true));
		queueMicrotask(() =>
			document.getElementById(`${id}-${rows[rows.length - 1]?.key}-name`)?.focus(),
		);
	};
	const move = (index: number, by: -1 | 1) => {
		const to = index + by;
		if (to < 0 || to >= rows.length) return;
		const list = [...rows];
		const [row] = list.splice(index, 1);
		if (row) list.splice(to, 0, row);
		setRows(list);
	};
	return (
		<SettingsForm
			id="templates"
			title="Reply templates"
			intro={
				<>
					Offered in every conversation of this board, in this order. <code>{"{{handle}}"}</code> is
					the author's @handle, <code>{"{{firstName}}"}</code> their first name (left out when they
					gave none), <code>{"{{myName}}"}</code> the name of who replies.
				</>
			}
			patch={patch}
			onProblems={setProblems}
			save={props.save}
		>
			<FieldProblem id={`${id}-list`} error={problems().templates} />
			<Show when={rows.length === 0}>
				<p class="small muted">No templates: the conversation offers none.</p>
			</Show>
			<ol class="template-list" data-testid="templates">
				<For each={rows}>
					{(row, index) => {
						const field = (name: string) => `${id}-${row.key}-${name}`;
						const bodyProblem = () => problems()[`templates.${index()}.body`];
						return (
							<li class="template-row" data-testid="template-row">
								<TextField
									id={field("name")}
									label={`Template ${index() + 1}: name`}
									type="text"
									maxLength={100}
									value={row.name}
									onInput={(value) => setRows(index(), "name", value)}
									error={problems()[`templates.${index()}.name`]}
									testId="template-name"
								/>
								<label for={field("body")} class="field-label">
									Text
								</label>
								<textarea
									id={field("body")}
									rows={3}
									maxLength={5000}
									value={row.body}
									onInput={(e) => setRows(index(), "body", e.currentTarget.value)}
									aria-invalid={bodyProblem() ? true : undefined}
									aria-describedby={describedBy(field("body"), undefined, bodyProblem())}
									data-testid="template-body"
								/>
								<FieldProblem id={field("body")} error={bodyProblem()} />
								<div class="template-actions">
									<button
										type="button"
										class="button button-small"
										disabled={index() === 0}
										aria-label={`Move template ${index() + 1} up`}
										onClick={() => move(index(), -1)}
									>
										Up
									</button>
									<button
										type="button"
										class="button button-small"
										disabled={index() === rows.length - 1}
										aria-label={`Move template ${index() + 1} down`}
										onClick={() => move(index(), 1)}
									>
										Down
									</button>
									<button
										type="button"
										class="button button-small button-danger-quiet"
										aria-label={`Remove template ${index() + 1}`}
										onClick={() => setRows((list) => list.filter((other) => other.key !== row.key))}
										data-testid="template-remove"
									>
										Remove
									</button>
								</div>
							</li>
						);
					}}
				</For>
			</ol>
			<button type="button" class="button" onClick={add} data-testid="template-add">
				Add a template
			</button>
		</SettingsForm>
	);
}

const DAY_LABELS: Record<Weekday, string> = Object.fromEntries(
	Weekdays.map((day, i) => [
		day,
		new Intl.DateTimeFormat("en", { weekday: "long", timeZone: "UTC" }).format(
			Date.UTC(2024, 0, 1 + i),
		),
	]),
) as Record<Weekday, string>;

function localTimeZone(): string {
	return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The working hours as their form edits them: each weekday's intervals as typed text. */
type HoursFields = Record<Weekday, string> & { timeZone: string; holidays: string };

/** The working hours' fields; the time zone's suggestions are the datalist `zoneList`. */
const hoursFields = (zoneList: string): FieldSpec<HoursFields>[] => [
	{
		name: "timeZone",
		label: "Time zone",
		wide: true,
		hint: "An IANA name such as Europe/Berlin; the hours and holidays are in it.",
		list: zoneList,
		autocomplete: "off",
		testId: "hours-zone",
	},
	...Weekdays.map(
		(day): FieldSpec<HoursFields> => ({
			name: day,
			label: DAY_LABELS[day],
			hint: day === "mon" ? "Like 09:00–12:00, 13:00–17:30; empty: a day off." : undefined,
			placeholder: "Day off",
			autocomplete: "off",
			testId: `hours-${day}`,
		}),
	),
	{
		name: "holidays",
		label: "Holidays",
		wide: true,
		hint: "Dates on which nobody works, like 2026-12-25, 2026-12-26.",
		autocomplete: "off",
		testId: "hours-holidays",
	},
];

function WorkingHoursSection(props: SettingsSectionProps) {
	const initial = props.settings.businessHours;
	const office = [{ start: "09:00", end: "17:30" }];
	const [enabled, setEnabled] = createSignal(initial !== null);
	const values = createStore<HoursFields>({
		timeZone: initial?.timeZone ?? localTimeZone(),
		...(Object.fromEntries(
			Weekdays.map((day) => [
				day,
				intervalsText(initial ? initial.weekly[day] : day === "sat" || day === "sun" ? [] : office),
			]),
		) as Record<Weekday, string>),
		holidays: (initial?.holidays ?? []).join(", "),
	});
	const [fields, setFields] = values;
	const [problems, setProblems] = createSignal<Problems>({});
	const id = createUniqueId();
	const zones =
		typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
	const hours = (): BusinessHours => ({
		timeZone: fields.timeZone.trim(),
		weekly: Object.fromEntries(
			Weekdays.map((day) => [day, parseIntervals(fields[day])]),
		) as BusinessHours["weekly"],
		holidays: fields.holidays.split(/[\s,;]+/).filter((date) => date.length > 0),
	});
	/** The first problem under `prefix` (the schema names a field by its dot path). */
	const problemAt = (prefix: string) =>
		Object.entries(problems()).find(
			([path]) => path === prefix || path.startsWith(`${prefix}.`),
		)?.[1];
	/** Each field's problem: the schema names the value by its path in the settings. */
	const errors = () => ({
		timeZone: problemAt("businessHours.timeZone"),
		holidays: problemAt("businessHours.holidays"),
		...Object.fromEntries(Weekdays.map((day) => [day, problemAt(`businessHours.weekly.${day}`)])),
	});
	return (
		<SettingsForm
			id="hours"
			title="Working hours"
			intro="When the board works. With working hours, SLA targets count working time only: a conversation that arrives Friday evening with an hour to claim is due an hour into Monday. Reports then measure SLA figures in working time."
			patch={() => ({ businessHours: enabled() ? hours() : null })}
			onProblems={setProblems}
			save={props.save}
			// "9-17" saved reads "09:00–17:00": what the board keeps, as a reload shows it.
			onSaved={() => {
				for (const day of Weekdays) setFields(day, intervalsText(parseIntervals(fields[day])));
			}}
		>
			<div class="form-checks">
				<label class="check check-wrap">
					<input
						type="checkbox"
						checked={enabled()}
						onChange={(event) => setEnabled(event.currentTarget.checked)}
						data-testid="hours-enabled"
					/>
					The board keeps working hours (off: targets count round the clock)
				</label>
			</div>
			<Show when={enabled()}>
				{/* Each day's, the zone's and the holidays' problems are at their fields; only a
				    problem of the whole week (no working time at all) is said here. */}
				<FormError error={problems().businessHours ?? null} testId="hours-week-error" />
				<div class="form-grid settings-grid">
					<FormFields store={values} fields={hoursFields(`${id}-zones`)} errors={errors()} />
					<datalist id={`${id}-zones`}>
						<For each={zones}>{(name) => <option value={name} />}</For>
					</datalist>
				</div>
			</Show>
		</SettingsForm>
	);
}

/** The screen's sections, in order. Add a section here (see the file's comment). */
export const BOARD_SETTINGS_SECTIONS: readonly SettingsSection[] = [
	{ id: "sla", component: SlaSection },
	{ id: "hours", component: WorkingHoursSection },
	{ id: "lease", component: LeaseSection },
	{ id: "approval", component: ApprovalSection },
	{ id: "limits", component: ReplyLimitsSection },
	{ id: "templates", component: TemplatesSection },
];
