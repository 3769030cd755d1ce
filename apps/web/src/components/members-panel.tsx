/**
 * Members and invitations (admins): find a member, change their role, capacity, boards or
 * whether they are active, send a password-reset link; invite one person or a CSV of
 * them, see the links made (stored hashed, so shown this once), withdraw an invitation.
 */
import { ApiError } from "@switchboard/client";
import {
	type Board,
	HttpRoutes,
	InviteInputSchema,
	type InviteLink,
	MAX_CAPACITY,
	MAX_PEOPLE_PAGE,
	type MemberRecord,
	type PendingInvite,
	problemsByField,
	type RejectedInvite,
	type Role,
	Roles,
} from "@switchboard/domain";
import {
	createContext,
	createEffect,
	createMemo,
	createSignal,
	createUniqueId,
	For,
	type JSX,
	on,
	onCleanup,
	Show,
	type Signal,
	untrack,
	useContext,
} from "solid-js";
import { createStore } from "solid-js/store";
import {
	createAction,
	createLoader,
	createPagedLoader,
	errorMessage,
	type Page,
	useApi,
} from "../api.ts";
import { holdFocus } from "../focus.ts";
import { formatList, plural } from "../format.ts";
import {
	earlierLinks,
	invitesDelivery,
	type MadeResetLink,
	refusalInWords,
	resetLinkDelivery,
} from "../invite-model.ts";
import { changedHolders, heldOnBoard } from "../live-holdings.ts";
import { ROLE_LABELS } from "../roles.ts";
import { useWorkspace } from "../workspace.tsx";
import {
	ActionButton,
	AdminSection,
	ConfirmButton,
	CopyButton,
	describedBy,
	FieldProblem,
	type FieldSpec,
	FormError,
	FormFields,
	focusFirstProblem,
	optionsOf,
	SearchField,
	submitHandler,
	When,
} from "./forms.tsx";
import { PagedList } from "./paged-list.tsx";

/** The roles to choose from. */
export const ROLE_OPTIONS = optionsOf(Roles, ROLE_LABELS);

/** What one batch of invitations did: the links, or the rows refused and why. */
interface BatchOutcome {
	invites: InviteLink[];
	/** Links made earlier in this visit, listed under the batch's own until Done. */
	earlier: InviteLink[];
	rejected: RejectedInvite[];
	mailed: boolean;
	/** The batch was refused as a whole; it can be sent again for its good rows only. */
	refused: boolean;
	/** Of a refused batch, how many rows would be invited with its good rows only. */
	goodRows: number;
}

/** Every link an outcome lists: its batch's, then those made earlier. */
function shownLinks(outcome: BatchOutcome | null): InviteLink[] {
	return outcome ? [...outcome.invites, ...outcome.earlier] : [];
}

const InviteOutcomeContext = createContext<Signal<BatchOutcome | null>>();

/**
 * Keeps what the last invitations made while its children come and go: the admin area's
 * tabs. Their links are shown only once; going to Sources and back lost them.
 */
export function InviteOutcomeKeeper(props: { children: JSX.Element }) {
	return (
		<InviteOutcomeContext.Provider value={createSignal<BatchOutcome | null>(null)}>
			{props.children}
		</InviteOutcomeContext.Provider>
	);
}

/** How long the board's changes gather before the listed members' loads are asked for again. */
const HOLDINGS_SETTLE_MS = 500;

/**
 * Keeps the listed members' "holds N" live: when the live board shows one of them claiming,
 * releasing or finishing a conversation, their loads are read again from the server (which
 * counts every board, not only this one), in one request for a burst of changes. Holdings on
 * the member's other boards follow at the next change here or the next visit.
 */
function followHoldings(
	orgId: string,
	query: () => string,
	listed: () => readonly MemberRecord[],
	onLoads: (loads: ReadonlyMap<string, number>) => void,
): void {
	const api = useApi();
	const ws = useWorkspace();
	const held = createMemo(
		() => (ws.board().ready ? heldOnBoard(ws.board().mentions) : null),
		null,
		{
			equals: (a, b) => a === b || (a !== null && b !== null && changedHolders(a, b).size === 0),
		},
	);
	let timer: ReturnType<typeof setTimeout> | undefined;
	onCleanup(() => clearTimeout(timer));
	const refresh = async () => {
		const shown = untrack(listed);
		if (shown.length === 0) return;
		const q = untrack(query).trim();
		const page = await api.request(HttpRoutes.orgMembers, {
			params: { orgId },
			query: { ...(q ? { q } : {}), limit: String(Math.min(shown.length, MAX_PEOPLE_PAGE)) },
		});
		onLoads(new Map(page.members.map((member) => [member.id, member.load])));
	};
	createEffect(
		on(
			held,
			(now, before) => {
				if (!now) return;
				// A board that comes after the list was read may show claims the list missed.
				const changed = changedHolders(before ?? new Map(), now);
				if (!untrack(listed).some((member) => changed.has(member.id))) return;
				clearTimeout(timer);
				timer = setTimeout(() => void refresh().catch(() => undefined), HOLDINGS_SETTLE_MS);
			},
			// Ready as the panel opens: the list is being read with it.
			{ defer: true },
		),
	);
}

/** A refused batch's rows, and how many of the others are good; null for another error. */
function refusedRows(error: unknown): { rejected: RejectedInvite[]; goodRows: number } | null {
	if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 409)) return null;
	const body = error.body as { rejected?: RejectedInvite[]; goodRows?: number } | null;
	if (!Array.isArray(body?.rejected)) return null;
	return { rejected: body.rejected, goodRows: body.goodRows ?? 0 };
}

/** The emails whose earlier open link a batch replaced, as one phrase; null for none. */
function replacedLinks(invites: readonly InviteLink[]): string | null {
	const emails = invites.filter((link) => link.replaced).map((link) => link.email);
	if (emails.length === 0) return null;
	return emails.length <= 3 ? emails.join(", ") : plural(emails.length, "person", "people");
}

/** Links listed after an import; the rest are copied with "Copy all as CSV". */
const LINKS_SHOWN = 200;

export function MembersPanel(props: { orgId: string; meId: string }) {
	const api = useApi();
	const [query, setQuery] = createSignal("");
	const members = createPagedLoader(async (cursor): Promise<Page<MemberRecord>> => {
		const q = query().trim();
		const page = await api.request(HttpRoutes.orgMembers, {
			params: { orgId: props.orgId },
			query: { ...(q ? { q } : {}), limit: "50", ...(cursor ? { cursor } : {}) },
		});
		return { items: page.members, nextCursor: page.nextCursor };
	});
	// Archived boards too: a member may still be on one (and reads its history there).
	const boards = createLoader(
		async () => (await api.request(HttpRoutes.boards, { query: { include: "archived" } })).boards,
	);
	const invites = createPagedLoader(async (cursor): Promise<Page<PendingInvite>> => {
		const q = query().trim();
		const page = await api.request(HttpRoutes.invites, {
			params: { orgId: props.orgId },
			query: { ...(q ? { q } : {}), limit: "50", ...(cursor ? { cursor } : {}) },
		});
		return { items: page.invites, nextCursor: page.nextCursor };
	});
	let searchTimer: ReturnType<typeof setTimeout> | undefined;
	const search = (text: string) => {
		setQuery(text);
		clearTimeout(searchTimer);
		searchTimer = setTimeout(() => {
			setEmptied(false);
			void members.reload();
			void invites.reload();
		}, 250);
	};
	/** The form's "invite again", for a pending row: its outcome (the new link) shows there. */
	let inviteAgain: ((email: string) => Promise<void>) | undefined;
	const replaceMember = (next: MemberRecord) =>
		members.update((m) => (m.id === next.id ? next : m));
	followHoldings(props.orgId, query, members.items, (loads) =>
		members.update((m) => (loads.has(m.id) ? { ...m, load: loads.get(m.id) ?? m.load } : m)),
	);
	// Withdrawing the last invitation keeps the list's heading, saying none is left, so that
	// focus has somewhere to land that tells what happened.
	const [emptied, setEmptied] = createSignal(false);
	let pendingList: HTMLUListElement | undefined;
	let pendingHeading: HTMLHeadingElement | undefined;
	/** The row gone, focus goes to the next row's button (the one before, after the last), else the heading. */
	const withdrawn = (invite: PendingInvite) => {
		const rest = invites.items();
		const index = rest.findIndex((other) => other.id === invite.id);
		const focus = holdFocus();
		setEmptied(rest.length === 1 && !invites.hasMore());
		invites.remove((other) => other.id === invite.id);
		const rows = pendingList?.isConnected ? pendingList.children : [];
		const row = rows[Math.min(index, rows.length - 1)];
		focus(row?.querySelector<HTMLElement>('[data-testid="invite-revoke"]') ?? pendingHeading);
	};

	return (
		<AdminSection
			name="members"
			title="Members"
			intro="Invite your colleagues one by one or from a CSV export. Each gets a link that works once, for 7 days; they choose their own password."
			class="members-panel"
		>
			<InviteForms
				orgId={props.orgId}
				ref={(again) => {
					inviteAgain = again;
				}}
				onInvited={() => {
					setEmptied(false);
					void invites.reload();
				}}
			/>

			<SearchField
				id="members-search"
				label="Search members and invitations"
				placeholder="Search by name or email…"
				value={query()}
				onInput={search}
				class="members-search"
			/>

			<PagedList
				list={members}
				testId="members"
				errorTestId="members-error"
				empty={<p class="muted">No member matches.</p>}
				more={{ label: "More members", testId: "members-more" }}
				key={(member) => member.id}
			>
				{(member) => (
					<MemberItem
						orgId={props.orgId}
						boards={boards.data() ?? []}
						member={member()}
						self={member().id === props.meId}
						onChanged={replaceMember}
					/>
				)}
			</PagedList>

			<Show when={invites.items().length > 0 || emptied()}>
				<h3 class="members-subtitle" tabIndex={-1} ref={pendingHeading}>
					Pending invitations
				</h3>
				<Show
					when={invites.items().length > 0}
					fallback={
						<p class="muted" data-testid="pending-none">
							No pending invitations.
						</p>
					}
				>
					<ul class="admin-list" data-testid="pending-invites" ref={pendingList}>
						<For each={invites.items()}>
							{(invite) => (
								<PendingItem
									orgId={props.orgId}
									invite={invite}
									onRevoked={() => withdrawn(invite)}
									onInviteAgain={() => inviteAgain?.(invite.email) ?? Promise.resolve()}
								/>
							)}
						</For>
					</ul>
				</Show>
				{/* Fifty at a time: an organisation that invited a thousand reaches every one. */}
				<Show when={invites.hasMore()}>
					<ActionButton action={invites.loadMore} testId="invites-more">
						More invitations
					</ActionButton>
				</Show>
				<FormError error={invites.loadMore.error()} />
			</Show>
		</AdminSection>
	);
}

interface InviteFields {
	email: string;
	name: string;
	/** "": no role sent (a new person is an ambassador; someone invited again keeps theirs). */
	role: Role | "";
}

type InviteProblems = Partial<Record<keyof InviteFields, string>>;

/**
 * A refused row of a one-person invitation at its field: the server says which ("email: …
 * already belongs to a member"); anything else is about the email, the one required field.
 */
function rowProblems(row: RejectedInvite): InviteProblems {
	const named = /^(email|name|role): (.*)$/s.exec(row.message);
	return named
		? { [named[1] as keyof InviteFields]: named[2] }
		: { email: row.message.replace(/^\w+: /, "") };
}

/**
 * The invitation's roles, after the one that sends none. A select that showed "Ambassador"
 * and sent nothing invited a pending moderator or admin again as what their open link said,
 * and choosing the Ambassador it showed changed nothing: what the select shows is what is sent.
 */
const INVITE_ROLE_OPTIONS = optionsOf(Roles, ROLE_LABELS, [
	{ value: "", label: "Ambassador, or as already invited" },
]);

/** The one-person form's fields; `emailRef` is given the email input. */
const inviteFields = (emailRef: (input: HTMLInputElement) => void): FieldSpec<InviteFields>[] => [
	{
		name: "email",
		label: "Email",
		type: "email",
		required: true,
		testId: "invite-email",
		ref: emailRef,
	},
	{ name: "name", label: "Name (optional)", testId: "invite-name" },
	{ name: "role", label: "Role", options: INVITE_ROLE_OPTIONS, testId: "invite-role" },
];

function InviteForms(props: {
	orgId: string;
	onInvited: () => void;
	/** Receives "invite again": a new link for an email, keeping what its invitation says. */
	ref?: (inviteAgain: (email: string) => Promise<void>) => void;
}) {
	const api = useApi();
	const id = createUniqueId();
	// The role is sent when one is chosen: left on its first option, someone invited again
	// keeps the role their open invitation gives (a moderator's fresh link does not make them
	// an ambassador), and someone new is an ambassador all the same.
	const form = createStore<InviteFields>({ email: "", name: "", role: "" });
	const [fields, setFields] = form;
	// Until Done, each batch's links are listed above those shown before (`linksSoFar`).
	const [outcome, setOutcome] =
		useContext(InviteOutcomeContext) ?? createSignal<BatchOutcome | null>(null);
	const [csv, setCsv] = createSignal<string | null>(null);
	// The one-person form's problems, each at its field.
	const [problems, setProblems] = createSignal<InviteProblems>({});
	let oneForm: HTMLFormElement | undefined;
	let emailInput: HTMLInputElement | undefined;
	let outcomeBox: HTMLDivElement | undefined;
	/** Where focus lands on the outcome: what was made ("2 invitations made."), else what was refused. */
	const outcomeMessage = () =>
		outcomeBox?.querySelector<HTMLElement>(".outcome-made") ??
		outcomeBox?.querySelector<HTMLElement>(".outcome-refused");
	/**
	 * Focus on the outcome's message scrolls only the message into view: on a phone the links
	 * or the refused rows under it stayed below the fold. The whole block comes into view,
	 * as little scrolled as it takes (its top first, when it is taller than the screen).
	 */
	const showOutcome = (focus: ReturnType<typeof holdFocus>) => {
		if (focus(outcomeMessage())) outcomeBox?.scrollIntoView({ block: "nearest" });
	};
	const fieldSpecs = inviteFields((input) => {
		emailInput = input;
	});
	const showProblems = (found: InviteProblems) => {
		setProblems(found);
		focusFirstProblem(oneForm);
	};

	/**
	 * Sends a batch; its refused rows go to `onRefused`, by default shown as the outcome. The
	 * button pressed is disabled meanwhile (or gone, for "Invite the good rows only"): focus
	 * goes to the outcome shown.
	 */
	const settle = async (
		send: () => Promise<Omit<BatchOutcome, "refused" | "goodRows" | "earlier">>,
		onRefused?: (rejected: RejectedInvite[]) => void,
	) => {
		const focus = holdFocus();
		try {
			const made = await send();
			setOutcome((before) => ({
				...made,
				earlier: earlierLinks(made.invites, shownLinks(before)),
				refused: false,
				goodRows: 0,
			}));
			showOutcome(focus);
			props.onInvited();
		} catch (error) {
			const refused = refusedRows(error);
			if (!refused) throw error;
			if (onRefused) return onRefused(refused.rejected);
			setOutcome((before) => ({
				invites: [],
				earlier: shownLinks(before),
				mailed: false,
				refused: true,
				...refused,
			}));
			showOutcome(focus);
		}
	};
	const inviteOne = createAction(async () => {
		const invite = {
			email: fields.email.trim(),
			...(fields.role ? { role: fields.role } : {}),
			...(fields.name.trim() ? { name: fields.name.trim() } : {}),
		};
		const found: InviteProblems = problemsByField(InviteInputSchema, invite);
		if (Object.keys(found).length > 0) return showProblems(found);
		setProblems({});
		await settle(
			async () => {
				const answer = await api.request(HttpRoutes.invite, {
					params: { orgId: props.orgId },
					body: { invites: [invite] },
				});
				setFields({ email: "", name: "" });
				return answer;
			},
			(rejected) => showProblems(rejected[0] ? rowProblems(rejected[0]) : {}),
		);
	});
	const inviteCsv = createAction((goodRowsOnly: boolean) =>
		settle(() =>
			api.request(HttpRoutes.inviteCsv, {
				params: { orgId: props.orgId },
				body: { csv: csv() ?? "", goodRowsOnly },
			}),
		),
	);
	// The email alone: the server keeps the name, role and teams of the invitation it replaces.
	props.ref?.((email) =>
		settle(() =>
			api.request(HttpRoutes.invite, {
				params: { orgId: props.orgId },
				body: { invites: [{ email }] },
			}),
		),
	);
	const chooseFile = async (file: File | undefined) => {
		if (!file) return;
		setCsv(await file.text());
		void inviteCsv.run(false);
	};

	return (
		<div class="panel form-panel">
			<form
				ref={oneForm}
				class="admin-form"
				novalidate
				onSubmit={submitHandler(() => {
					// A failure is told in an alert; the button, disabled meanwhile, has focus back.
					const focus = holdFocus();
					void inviteOne.run().then((ok) => ok || focus());
				})}
				data-testid="invite-form"
			>
				<h3 class="panel-title">Invite someone</h3>
				<div class="form-grid">
					<FormFields store={form} fields={fieldSpecs} errors={problems()} />
				</div>
				<FormError error={inviteOne.error()} testId="invite-error" />
				<div class="form-actions">
					<button
						type="submit"
						class="button button-primary"
						disabled={inviteOne.busy()}
						data-testid="invite-submit"
					>
						Invite
					</button>
					<label class="button" for={`${id}-csv`}>
						Invite from a CSV…
					</label>
					<input
						id={`${id}-csv`}
						class="sr-only"
						type="file"
						accept=".csv,text/csv"
						onChange={(e) => {
							void chooseFile(e.currentTarget.files?.[0]);
							e.currentTarget.value = "";
						}}
						data-testid="invite-csv"
					/>
				</div>
				<p class="small muted field-hint">
					CSV columns: email, name, role, capacity, skills, languages, team (several skills or teams
					separated by ;).
				</p>
				<FormError error={inviteCsv.error()} testId="invite-csv-error" />
			</form>

			<Show when={outcome()}>
				{(result) => (
					<div class="invite-outcome" data-testid="invite-outcome" ref={outcomeBox}>
						<Show when={result().rejected.length > 0}>
							<p role="alert" class="form-error outcome-refused" tabIndex={-1}>
								{result().refused
									? `${plural(result().rejected.length, "row")} refused; nobody was invited.`
									: `${plural(result().rejected.length, "row")} refused.`}
							</p>
							<ul class="rejected-rows" data-testid="invite-rejected">
								<For each={result().rejected}>
									{(row) => (
										<li>
											{row.line !== undefined ? `Line ${row.line}` : `Row ${row.index + 1}`}
											{row.email ? ` (${row.email})` : ""}: {refusalInWords(row.message)}
										</li>
									)}
								</For>
							</ul>
							<Show when={result().refused && csv() !== null}>
								<Show
									when={result().goodRows > 0}
									fallback={
										<p class="small" data-testid="invite-no-good-rows">
											No row can be invited as it is: fix the file, then choose it again.
										</p>
									}
								>
									<ActionButton action={inviteCsv} args={[true]} testId="invite-good-rows">
										Invite the good {plural(result().goodRows, "row")} only
									</ActionButton>
								</Show>
							</Show>
						</Show>
						<Show when={result().invites.length > 0}>
							<p role="status" class="outcome-made" tabIndex={-1}>
								{invitesDelivery(
									result().invites.map((link) => link.email),
									result().mailed,
								)}
							</p>
							<Show when={replacedLinks(result().invites)}>
								{(emails) => (
									<p class="muted" data-testid="invite-replaced">
										{emails()} already had an open invitation: its earlier link no longer works. The
										new one keeps the earlier name, role and teams, except those you gave this time.
									</p>
								)}
							</Show>
						</Show>
						<Show when={shownLinks(result()).length > 0}>
							<Show when={result().earlier.length > 0}>
								<p class="muted small" data-testid="invite-earlier">
									Also listed, until you press Done: {plural(result().earlier.length, "link")} made
									earlier in this visit.
								</p>
							</Show>
							<ul class="invite-links" data-testid="invite-links">
								<For each={shownLinks(result()).slice(0, LINKS_SHOWN)}>
									{(link) => (
										<li>
											<span class="invite-email">{link.email}</span>
											<code class="invite-url">{link.url}</code>
											<CopyButton
												text={link.url}
												label="Copy"
												accessibleLabel={`Copy the link for ${link.email}`}
											/>
										</li>
									)}
								</For>
							</ul>
							<Show when={shownLinks(result()).length > LINKS_SHOWN}>
								<p class="muted" data-testid="invite-links-more">
									The first {LINKS_SHOWN} of {shownLinks(result()).length.toLocaleString()} links
									are listed; “Copy all as CSV” copies every one.
								</p>
							</Show>
							<Show when={shownLinks(result()).length > 1}>
								<CopyButton
									text={shownLinks(result())
										.map((link) => `${link.email},${link.url}`)
										.join("\n")}
									label="Copy all as CSV"
								/>
							</Show>
						</Show>
						<button
							type="button"
							class="button button-ghost button-small"
							onClick={() => {
								setOutcome(null);
								emailInput?.focus();
							}}
						>
							Done
						</button>
					</div>
				)}
			</Show>
		</div>
	);
}

function MemberItem(props: {
	orgId: string;
	boards: readonly Board[];
	member: MemberRecord;
	self: boolean;
	onChanged: (member: MemberRecord) => void;
}) {
	const api = useApi();
	const id = createUniqueId();
	const [capacity, setCapacity] = createSignal(String(props.member.capacity));
	const [capacityError, setCapacityError] = createSignal<string | undefined>();
	const [resetLink, setResetLink] = createSignal<(MadeResetLink & { url: string }) | null>(null);
	const [note, setNote] = createSignal<string | null>(null);
	const change = createAction(async (patch: Parameters<typeof sendPatch>[0]) => sendPatch(patch));
	async function sendPatch(body: {
		role?: Role;
		capacity?: number;
		active?: boolean;
		boards?: string[];
	}) {
		const answer = await api.request(HttpRoutes.updateMember, {
			params: { orgId: props.orgId, memberId: props.member.id },
			body,
		});
		props.onChanged(answer.member);
		setCapacity(String(answer.member.capacity));
		// Focus moves from Deactivate to Activate (or back), or from Save role to the role: this
		// says, politely, what happened. A capacity or a board saved as it is changed says so too,
		// as a role saved does: nothing else on the screen changes to show it was.
		const state =
			body.active !== undefined
				? `${answer.member.name} is ${body.active ? "active again" : "deactivated"}.`
				: body.role !== undefined
					? `${answer.member.name}'s role is now ${ROLE_LABELS[answer.member.role]}.`
					: body.capacity !== undefined
						? `${answer.member.name}'s capacity is now ${answer.member.capacity}.`
						: body.boards !== undefined
							? boardsSaid(answer.member.name, answer.member.boards)
							: "";
		const released =
			answer.released > 0
				? `${plural(answer.released, "conversation")} went back to the board.`
				: "";
		setNote([state, released].filter(Boolean).join(" ") || null);
	}
	/** "Kim Ambassador is now on Support and Sales.", the boards named in the boxes' order. */
	const boardsSaid = (name: string, boardIds: readonly string[]) => {
		const names = props.boards
			.filter((board) => boardIds.includes(board.id))
			.map((board) => board.name);
		return names.length === 0
			? `${name} is now on no board.`
			: `${name} is now on ${formatList(names)}.`;
	};
	const reset = createAction(async () => {
		const link = await api.request(HttpRoutes.resetPassword, {
			params: { orgId: props.orgId, memberId: props.member.id },
		});
		setResetLink({ url: link.url, email: link.email, mailed: link.mailed });
	});
	// An emptied field is not 0 (Number("") is): the text must be a whole number itself.
	const saveCapacity = () => {
		const text = capacity().trim();
		const value = Number(text);
		if (!/^\d+$/.test(text) || value > MAX_CAPACITY) {
			setCapacityError(`Capacity must be a whole number from 0 to ${MAX_CAPACITY}.`);
			return;
		}
		setCapacityError(undefined);
		if (value !== props.member.capacity) void change.run({ capacity: value });
	};
	/**
	 * Sends a change from a control (a board's box) that is disabled meanwhile: focus,
	 * lost while it was, goes back to it.
	 */
	const changeFrom = async (patch: Parameters<typeof sendPatch>[0]) => {
		const focus = holdFocus();
		const ok = await change.run(patch);
		focus();
		return ok;
	};
	// The role chosen and not saved yet. A role is given with Save, not by choosing alone: an
	// arrow key on the focused select changes its value at once (Chromium), and a keyboard user
	// passing over it promoted the member. Saved or refused, the select shows the stored role.
	const [role, setRole] = createSignal<Role | null>(null);
	let roleSelect: HTMLSelectElement | undefined;
	// Save role goes once pressed, saved or refused: focus goes to the role it saved (or the
	// stored one, said refused under it), not to the page.
	const saveRole = async () => {
		const next = role();
		if (!next) return;
		const focus = holdFocus();
		await change.run({ role: next });
		setRole(null);
		focus(roleSelect);
	};
	// Deactivate and Activate replace each other: focus follows from one to the other.
	let deactivateButton: HTMLButtonElement | undefined;
	let activateButton: HTMLButtonElement | undefined;
	let resetLinkLine: HTMLDivElement | undefined;

	return (
		<li
			class="admin-item member-item"
			classList={{ "member-inactive": !props.member.active }}
			data-testid="member"
			data-email={props.member.email}
		>
			<div class="admin-item-head">
				<strong class="admin-item-title">{props.member.name}</strong>
				<span class="muted small member-email">{props.member.email}</span>
				<Show when={!props.member.active}>
					<span class="badge" data-testid="member-deactivated">
						Deactivated
					</span>
				</Show>
			</div>
			<div class="member-controls">
				<span class="inline-field">
					<label class="field-label" for={`${id}-role`}>
						Role
					</label>
					<select
						ref={roleSelect}
						id={`${id}-role`}
						value={role() ?? props.member.role}
						disabled={change.busy()}
						onChange={(e) => {
							const chosen = e.currentTarget.value as Role;
							setRole(chosen === props.member.role ? null : chosen);
						}}
						data-testid="member-role"
					>
						<For each={Roles}>{(r) => <option value={r}>{ROLE_LABELS[r]}</option>}</For>
					</select>
				</span>
				<Show when={role()}>
					<span class="member-role-change">
						<button
							type="button"
							class="button button-small button-primary"
							disabled={change.busy()}
							onClick={() => void saveRole()}
							aria-label={`Save ${props.member.name}'s role`}
							data-testid="member-role-save"
						>
							Save role
						</button>
						<button
							type="button"
							class="button button-small"
							onClick={() => setRole(null)}
							aria-label={`Keep ${props.member.name} ${ROLE_LABELS[props.member.role].toLowerCase()}`}
							data-testid="member-role-keep"
						>
							Cancel
						</button>
					</span>
				</Show>
				<span class="inline-field">
					<label class="field-label" for={`${id}-capacity`}>
						Capacity
					</label>
					<input
						id={`${id}-capacity`}
						type="number"
						min="0"
						max={MAX_CAPACITY}
						inputmode="numeric"
						class="input-number"
						value={capacity()}
						onInput={(e) => setCapacity(e.currentTarget.value)}
						onChange={saveCapacity}
						aria-describedby={describedBy(`${id}-capacity`, undefined, capacityError())}
						aria-invalid={capacityError() ? true : undefined}
						data-testid="member-capacity"
					/>
				</span>
				<span class="small muted" data-testid="member-load">
					holds {props.member.load}
					<Show when={props.member.load > props.member.capacity}>
						{" "}
						(over capacity: no new claims)
					</Show>
				</span>
			</div>
			<FieldProblem id={`${id}-capacity`} error={capacityError()} />
			<MemberBoards
				boards={props.boards}
				member={props.member}
				busy={change.busy()}
				onChange={(boards) => void changeFrom({ boards })}
			/>
			<FormError error={change.error()} testId="member-error" />
			{/* Present before its text comes: a live region added with its text is often not read. */}
			<p class="small member-note" role="status" data-testid="member-note">
				{note() ?? ""}
			</p>
			<Show when={resetLink()}>
				{(link) => (
					<div class="small" data-testid="member-reset-link" tabIndex={-1} ref={resetLinkLine}>
						<p>
							Reset link (works once, 24 hours): <code class="invite-url">{link().url}</code>{" "}
							<CopyButton text={link().url} label="Copy" />
						</p>
						<p
							role="status"
							data-testid="member-reset-delivery"
							data-mailed={String(link().mailed)}
						>
							{resetLinkDelivery(link(), props.member.name)}
						</p>
					</div>
				)}
			</Show>
			<FormError error={reset.error()} />
			<div class="admin-item-actions">
				<Show
					when={props.member.active}
					fallback={
						<ActionButton
							action={change}
							args={[{ active: true }]}
							class="button button-small"
							ref={activateButton}
							focusAfter={() => deactivateButton}
							testId="member-activate"
						>
							Activate
						</ActionButton>
					}
				>
					<ConfirmButton
						label={props.self ? "Deactivate me" : "Deactivate"}
						question={
							props.self
								? "Deactivate your own account? You are signed out at once and your open conversations go back to the board."
								: `Deactivate ${props.member.name}? They are signed out at once and their open conversations go back to the board.`
						}
						confirmLabel="Deactivate"
						busy={change.busy()}
						onConfirm={() => change.run({ active: false })}
						ref={deactivateButton}
						focusAfter={() => activateButton}
						testId="member-deactivate"
						// "Deactivate me" names itself; a name spoken that differs from the one shown
						// would not match what a voice-control user says.
						accessibleLabel={props.self ? undefined : `Deactivate ${props.member.name}`}
					/>
					<ActionButton
						action={reset}
						class="button button-small"
						focusAfter={() => resetLinkLine}
						testId="member-reset"
					>
						Password reset link
					</ActionButton>
				</Show>
			</div>
		</li>
	);
}

/**
 * The boards (teams) a member is on, one box each: an ambassador sees only these. Archived
 * boards are listed only for a member still on one, marked as such.
 */
function MemberBoards(props: {
	boards: readonly Board[];
	member: MemberRecord;
	busy: boolean;
	onChange: (boards: string[]) => void;
}) {
	const shown = () =>
		props.boards.filter((board) => !board.archivedAt || props.member.boards.includes(board.id));
	const toggle = (boardId: string, on: boolean) =>
		props.onChange(
			on ? [...props.member.boards, boardId] : props.member.boards.filter((id) => id !== boardId),
		);
	return (
		<Show when={shown().length > 0}>
			<fieldset class="member-boards" data-testid="member-boards">
				<legend class="field-label">Boards</legend>
				<For each={shown()}>
					{(board) => (
						<label class="check check-wrap">
							<input
								type="checkbox"
								checked={props.member.boards.includes(board.id)}
								disabled={props.busy}
								onChange={(event) => toggle(board.id, event.currentTarget.checked)}
								data-testid="member-board"
								data-board-id={board.id}
							/>
							{board.name}
							<Show when={board.archivedAt}>
								<span class="muted small"> (archived)</span>
							</Show>
						</label>
					)}
				</For>
			</fieldset>
		</Show>
	);
}

function PendingItem(props: {
	orgId: string;
	invite: PendingInvite;
	onRevoked: () => void;
	onInviteAgain: () => Promise<void>;
}) {
	const api = useApi();
	const again = createAction(() => props.onInviteAgain());
	const revoke = createAction(async () => {
		await api.request(HttpRoutes.revokeInvite, {
			params: { orgId: props.orgId, inviteId: props.invite.id },
		});
		props.onRevoked();
	});
	return (
		<li class="admin-item" data-testid="pending-invite" data-email={props.invite.email}>
			<div class="admin-item-head">
				<strong class="admin-item-title">{props.invite.name ?? props.invite.email}</strong>
				<span class="muted small">{props.invite.email}</span>
				<span class="badge">
					{props.invite.kind === "reset" ? "Password reset" : ROLE_LABELS[props.invite.role]}
				</span>
			</div>
			<p class="small muted">
				{props.invite.expired ? "Expired " : "Expires "}
				<When
					iso={props.invite.expiresAt}
					now={Date.now()}
					tense={props.invite.expired ? "past" : "future"}
				/>
				{props.invite.expired ? " — make a new link." : ""}
			</p>
			<FormError error={revoke.error() ? errorMessage(revoke.error()) : null} />
			<FormError error={again.error() ? errorMessage(again.error()) : null} />
			<div class="admin-item-actions">
				<Show when={props.invite.kind === "invite"}>
					<button
						type="button"
						class="button button-small"
						disabled={again.busy()}
						onClick={() => void again.run()}
						data-testid="invite-again"
						aria-label={`Make a new link for ${props.invite.email}`}
					>
						Make a new link
					</button>
				</Show>
				<ConfirmButton
					label="Withdraw"
					question={`Withdraw the link for ${props.invite.email}?`}
					confirmLabel="Withdraw"
					busy={revoke.busy()}
					onConfirm={() => revoke.run()}
					testId="invite-revoke"
					accessibleLabel={`Withdraw the invitation of ${props.invite.email}`}
				/>
			</div>
		</li>
	);
}
