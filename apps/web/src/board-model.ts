/**
 * What the board shows, as pure functions of the board snapshot: columns, filters, order,
 * SLA timers. Kept apart from the components so it is tested without a browser.
 */
import { type BoardMention, compareCodeUnits, compareIsoTimes } from "@switchboard/client";
import {
	type BoardSettings,
	DONE_STATUSES,
	isClaimable,
	type MentionStatus,
	NETWORK_NAMES,
	type Network,
	type Priority,
	type ReviewStanding,
	slaState,
} from "@switchboard/domain";
import { compareText } from "./format.ts";

/** Each status in words, as a column's title and a badge say it. */
export const STATUS_LABELS: Record<MentionStatus, string> = {
	new: "New",
	claimed: "Claimed",
	// The status a review sends a reply back to: that is all it means (a first draft is
	// "Claimed"), and a column called "Drafting" hid that a moderator asked for changes.
	drafting: "Changes requested",
	in_review: "In review",
	approved: "Approved",
	escalated: "Escalated",
	snoozed: "Snoozed",
	replied: "Replied",
	dismissed: "Dismissed",
	closed: "Closed",
};

/** A column of the board: the conversations of one status, under its title. */
export interface ColumnHead {
	status: MentionStatus;
	title: string;
}

const column = (status: MentionStatus): ColumnHead => ({ status, title: STATUS_LABELS[status] });

/** The board's columns, left to right. Done work (dismissed, closed) is hidden by default. */
export const BOARD_COLUMNS: readonly ColumnHead[] = (
	[
		"new",
		"claimed",
		"drafting",
		"in_review",
		"approved",
		"escalated",
		"snoozed",
		"replied",
	] as const
).map(column);

export const DONE_COLUMNS: readonly ColumnHead[] = (["dismissed", "closed"] as const).map(column);

export const NETWORK_LABELS: Record<Network, string> = NETWORK_NAMES;

export const PRIORITY_LABELS: Record<Priority, string> = {
	high: "High",
	normal: "Normal",
	low: "Low",
};

const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export interface BoardFilters {
	network: Network | "";
	priority: Priority | "";
	/** Only conversations nobody owns. */
	unclaimed: boolean;
	/** Only conversations I own. */
	mine: boolean;
	tag: string;
	/** Matched against the author's handle and name and the text, case-insensitively. */
	search: string;
	/** Show the dismissed and closed columns. */
	showDone: boolean;
}

export const EMPTY_FILTERS: BoardFilters = {
	network: "",
	priority: "",
	unclaimed: false,
	mine: false,
	tag: "",
	search: "",
	showDone: false,
};

export function matchesFilters(
	mention: BoardMention,
	filters: BoardFilters,
	meId: string,
): boolean {
	return filterFor(filters, meId)(mention);
}

/** `matchesFilters` as one test for a whole pass: the search is normalised once, not per card. */
function filterFor(filters: BoardFilters, meId: string): (mention: BoardMention) => boolean {
	const { network, priority, unclaimed, mine, tag } = filters;
	const search = filters.search.trim().toLowerCase().replace(/^@/, "");
	return (mention) => {
		if (network && mention.network !== network) return false;
		if (priority && mention.priority !== priority) return false;
		if (unclaimed && mention.owner !== null) return false;
		if (mine && mention.owner?.memberId !== meId) return false;
		if (tag && !mention.tags.includes(tag)) return false;
		if (search) {
			const { handle, name } = mention.author;
			const haystack = `${handle}\n${name}\n${mention.text}`.toLowerCase();
			if (!haystack.includes(search)) return false;
		}
		return true;
	};
}

/** Most urgent first: priority, then the oldest. */
export function compareUrgency(a: BoardMention, b: BoardMention): number {
	return (
		PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
		compareIsoTimes(a.ingestedAt, b.ingestedAt) ||
		compareCodeUnits(a.id, b.id)
	);
}

export interface BoardColumn extends ColumnHead {
	mentions: BoardMention[];
}

/** The visible columns with their filtered, sorted cards. */
export function boardColumns(
	mentions: readonly BoardMention[],
	filters: BoardFilters,
	meId: string,
): BoardColumn[] {
	const columns = filters.showDone ? [...BOARD_COLUMNS, ...DONE_COLUMNS] : BOARD_COLUMNS;
	const byStatus = new Map<MentionStatus, BoardMention[]>(
		columns.map(({ status }) => [status, []]),
	);
	const matches = filterFor(filters, meId);
	for (const mention of mentions) {
		const column = byStatus.get(mention.status);
		if (column && matches(mention)) column.push(mention);
	}
	return columns.map(({ status, title }) => ({
		status,
		title,
		mentions: byUrgency(byStatus.get(status) ?? []),
	}));
}

/**
 * `compareUrgency`'s order, sorted per priority. The board is passed oldest post first, and a
 * conversation is taken in about when it was posted, so each priority's cards are nearly in
 * order already and sort in about one pass, where the three priorities interleaved do not.
 */
function byUrgency(mentions: BoardMention[]): BoardMention[] {
	const ranks: BoardMention[][] = [[], [], []];
	for (const mention of mentions) ranks[PRIORITY_RANK[mention.priority]]?.push(mention);
	const [high = [], normal = [], low = []] = ranks.map((rank) => rank.sort(compareUrgency));
	return high.concat(normal, low);
}

/** The cards of every column, left to right, top to bottom: the order j and k move through. */
export function columnOrder(columns: readonly BoardColumn[]): BoardMention[] {
	return ([] as BoardMention[]).concat(...columns.map((column) => column.mentions));
}

/** Mentions by id, for the few passes that look one up: built on the first look-up. */
export interface MentionIndex {
	get(id: string): BoardMention | undefined;
	has(id: string): boolean;
}

export function indexById(mentions: readonly BoardMention[]): MentionIndex {
	let byId: Map<string, BoardMention> | undefined;
	const map = () => {
		byId ??= new Map(mentions.map((mention) => [mention.id, mention]));
		return byId;
	};
	return { get: (id) => map().get(id), has: (id) => map().has(id) };
}

/** Every tag on the board, for the tag filter. */
export function boardTags(mentions: readonly BoardMention[]): string[] {
	const tags = new Set<string>();
	for (const mention of mentions) for (const tag of mention.tags) tags.add(tag);
	return [...tags].sort(compareText);
}

/**
 * The status as a badge says it, from the server's state: an approval whose text changed
 * since reads as such, never as "Approved" (an approval names the exact text).
 */
export function statusLabel(status: MentionStatus, standing: ReviewStanding | null): string {
	if (status === "approved" && standing === "approval_stale") return "Approval no longer applies";
	if (status === "in_review" && standing === "requested_changed") return "In review, text changed";
	return STATUS_LABELS[status];
}

/** The status the server has: pending commands never make a review look decided. */
export function serverStatus(mention: BoardMention): MentionStatus {
	return mention.confirmed?.status ?? mention.status;
}

/** Replied, closed or dismissed: nothing left to do (the domain's done statuses). */
export function isDone(mention: { status: MentionStatus }): boolean {
	return DONE_STATUSES.includes(mention.status);
}

/**
 * Whether Claim is offered at `now` (ms): the rule the server decides by, so the button
 * shows exactly when a claim would be accepted: unowned, and new, escalated, or snoozed
 * with its snooze over.
 */
export function claimableAt(mention: BoardMention, now: number): boolean {
	return isClaimable(mention, new Date(now).toISOString());
}

/** My open conversations, in the board's order. */
export function myOpen(mentions: readonly BoardMention[], meId: string): BoardMention[] {
	return mentions.filter((mention) => mention.owner?.memberId === meId && !isDone(mention));
}

/**
 * My open conversations in the order to answer them: first those where the customer wrote
 * again since I last looked (someone is waiting on a message I have not read), then by the
 * reply deadline, the first due (or longest overdue) first, then any with no clock
 * running; oldest first among equals.
 */
export function myQueue(
	mentions: readonly BoardMention[],
	meId: string,
	settings: BoardSettings,
	now: number,
): BoardMention[] {
	const due = (mention: BoardMention) =>
		slaTimer(mention, settings, now)?.dueAt ?? Number.POSITIVE_INFINITY;
	return myOpen(mentions, meId)
		.map((mention) => ({ mention, unseen: (mention.unseenFollowUps ?? 0) > 0, due: due(mention) }))
		.sort(
			(a, b) =>
				Number(b.unseen) - Number(a.unseen) ||
				(a.due === b.due ? 0 : a.due < b.due ? -1 : 1) ||
				compareIsoTimes(a.mention.ingestedAt, b.mention.ingestedAt) ||
				compareCodeUnits(a.mention.id, b.mention.id),
		)
		.map(({ mention }) => mention);
}

export interface SlaTimer {
	/** What the clock runs for: someone to claim it, or the owner to reply. */
	kind: "claim" | "reply";
	dueAt: number;
	/** Milliseconds left; negative when breached. */
	remaining: number;
	breached: boolean;
}

/**
 * The SLA clock of a conversation, as the domain's `slaState` runs it (the server judges
 * breaches with the same function): time left to claim it while nobody has taken it,
 * time left to reply after. No clock for finished or snoozed work.
 */
export function slaTimer(
	mention: BoardMention,
	settings: BoardSettings,
	now: number,
): SlaTimer | null {
	if (mention.status === "snoozed") return null;
	const clock = slaState(mention, settings, new Date(now).toISOString()).running;
	if (!clock) return null;
	return {
		kind: clock.kind,
		dueAt: Date.parse(clock.dueAt),
		remaining: clock.remainingMs,
		breached: clock.remainingMs < 0,
	};
}
