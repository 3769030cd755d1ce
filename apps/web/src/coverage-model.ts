/**
 * What the moderator's pages show, as pure functions of the board snapshot: unclaimed
 * work by age and priority, the most urgent unclaimed conversations with a suggested
 * assignee, load per member against capacity, who looks at what, the breaches the
 * server recorded, the review queue. Tested without a browser.
 */
import { type BoardMention, compareIsoTimes, type Presence } from "@switchboard/client";
import {
	countsAgainstCapacity,
	isActiveMember,
	isClaimable,
	type MemberCard,
	Priorities,
	type Priority,
	type SlaBreachEntry,
	type SlaSettings,
	slaStart,
	slaState,
} from "@switchboard/domain";
import { claimableAt, compareUrgency } from "./board-model.ts";
import { compareText } from "./format.ts";

const MINUTE = 60_000;

/** Age buckets of unclaimed work, youngest first. `max` is exclusive, in minutes. */
export const AGE_BUCKETS = [
	{ id: "lt15m", label: "< 15 min", max: 15 },
	{ id: "lt1h", label: "15–60 min", max: 60 },
	{ id: "lt4h", label: "1–4 h", max: 240 },
	{ id: "lt1d", label: "4–24 h", max: 1440 },
	{ id: "older", label: "> 1 day", max: Number.POSITIVE_INFINITY },
] as const;
export type AgeBucketId = (typeof AGE_BUCKETS)[number]["id"];

/** Nobody owns it and it can be taken now (snoozed ones only once their time is up). */
export const isUnclaimed = claimableAt;

/**
 * `isUnclaimed` at `now` for many conversations: the time is put in words once, not once a
 * conversation (the Coverage page asks it of the whole board ten times a second in a surge).
 */
function unclaimedAt(now: number): (mention: BoardMention) => boolean {
	const at = new Date(now).toISOString();
	return (mention) => isClaimable(mention, at);
}

/** The age bucket of a conversation that arrived at `ingestedAt`. */
export function ageBucket(ingestedAt: string, now: number): AgeBucketId {
	const minutes = (now - Date.parse(ingestedAt)) / MINUTE;
	return (AGE_BUCKETS.find((bucket) => minutes < bucket.max) ?? AGE_BUCKETS[4]).id;
}

export interface UnclaimedMatrix {
	/** Count per priority and age bucket. */
	cells: Record<Priority, Record<AgeBucketId, number>>;
	byPriority: Record<Priority, number>;
	byBucket: Record<AgeBucketId, number>;
	total: number;
}

function zeroBuckets(): Record<AgeBucketId, number> {
	return Object.fromEntries(AGE_BUCKETS.map((bucket) => [bucket.id, 0])) as Record<
		AgeBucketId,
		number
	>;
}

/** Unclaimed conversations counted by priority and age. */
export function unclaimedMatrix(mentions: readonly BoardMention[], now: number): UnclaimedMatrix {
	const cells = Object.fromEntries(Priorities.map((p) => [p, zeroBuckets()])) as Record<
		Priority,
		Record<AgeBucketId, number>
	>;
	const byPriority = { high: 0, normal: 0, low: 0 };
	const byBucket = zeroBuckets();
	let total = 0;
	const unclaimed = unclaimedAt(now);
	for (const mention of mentions) {
		if (!unclaimed(mention)) continue;
		const bucket = ageBucket(mention.ingestedAt, now);
		cells[mention.priority][bucket] += 1;
		byPriority[mention.priority] += 1;
		byBucket[bucket] += 1;
		total += 1;
	}
	return { cells, byPriority, byBucket, total };
}

/**
 * Unclaimed conversations, most urgent first: high priority before lower, oldest first. With
 * `limit`, only the first `limit` of them, picked in one pass over the board rather than by
 * sorting every unclaimed one.
 */
export function unclaimedQueue(
	mentions: readonly BoardMention[],
	now: number,
	limit = Number.POSITIVE_INFINITY,
): BoardMention[] {
	const unclaimed = unclaimedAt(now);
	if (!Number.isFinite(limit)) return mentions.filter(unclaimed).sort(compareUrgency);
	const top: BoardMention[] = [];
	for (const mention of mentions) {
		if (!unclaimed(mention)) continue;
		const last = top[top.length - 1];
		if (top.length === limit && last && compareUrgency(mention, last) >= 0) continue;
		let i = top.length;
		while (i > 0 && compareUrgency(mention, top[i - 1] as BoardMention) < 0) i--;
		top.splice(i, 0, mention);
		if (top.length > limit) top.pop();
	}
	return top;
}

/** How much one member holds against their capacity. */
export interface MemberLoad {
	member: MemberCard;
	/** Open conversations they own, oldest first. */
	open: BoardMention[];
	/** `open.length / capacity`, 1 or more when full; 0 for a capacity of 0. */
	ratio: number;
	/** Room for more. */
	room: number;
	online: boolean;
	/** The conversations they are looking at now (from presence). */
	viewing: string[];
}

/** Who is looking at which conversation, by member id (from the board's presence). */
export function viewingByMember(presence: ReadonlyMap<string, Presence>): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const [mentionId, { viewers }] of presence) {
		for (const viewer of viewers) {
			const list = out.get(viewer.id) ?? [];
			list.push(mentionId);
			out.set(viewer.id, list);
		}
	}
	return out;
}

/**
 * Load of every active member who can hold conversations (capacity above zero) or holds
 * some, fullest first, then by name. A deactivated member is left out: their card stays on
 * the board for their name in history, but nobody can give them work (their conversations
 * went back to the board when they were deactivated).
 */
export function memberLoads(
	members: readonly MemberCard[],
	mentions: readonly BoardMention[],
	online: ReadonlySet<string>,
	viewing: ReadonlyMap<string, string[]>,
): MemberLoad[] {
	const owned = new Map<string, BoardMention[]>();
	for (const mention of mentions) {
		const owner = mention.owner?.memberId;
		if (!owner || !countsAgainstCapacity(mention.status)) continue;
		const list = owned.get(owner) ?? [];
		list.push(mention);
		owned.set(owner, list);
	}
	return members
		.filter((member) => isActiveMember(member) && (member.capacity > 0 || owned.has(member.id)))
		.map((member) => {
			const open = (owned.get(member.id) ?? []).sort((a, b) =>
				compareIsoTimes(a.ingestedAt, b.ingestedAt),
			);
			return {
				member,
				open,
				ratio: member.capacity > 0 ? open.length / member.capacity : 0,
				room: Math.max(0, member.capacity - open.length),
				online: online.has(member.id),
				viewing: viewing.get(member.id) ?? [],
			};
		})
		.sort(
			(a, b) =>
				b.ratio - a.ratio ||
				b.open.length - a.open.length ||
				compareText(a.member.name, b.member.name),
		);
}

/**
 * Whom to give a conversation to with one click: someone with room who writes its
 * language, online before offline, skills matching its tags, the least loaded; null
 * when nobody has room. Never `chooser`, the moderator assigning: they almost never mean
 * themselves, and, online on the page as they choose, they came first whenever no
 * ambassador was online.
 */
export function suggestAssignee(
	mention: BoardMention,
	loads: readonly MemberLoad[],
	chooser: string,
): MemberLoad | null {
	const writes = (load: MemberLoad) =>
		load.member.languages.length === 0 ||
		mention.language === null ||
		load.member.languages.includes(mention.language);
	const skilled = (load: MemberLoad) =>
		mention.tags.some((tag) => load.member.skills.includes(tag)) ? 0 : 1;
	const before = (a: MemberLoad, b: MemberLoad) =>
		Number(b.online) - Number(a.online) ||
		Number(b.member.role === "ambassador") - Number(a.member.role === "ambassador") ||
		skilled(a) - skilled(b) ||
		a.ratio - b.ratio ||
		compareText(a.member.name, b.member.name);
	// The first in that order, in one pass: every urgent row of Coverage asks, and sorting a
	// thousand members for each took a phone 100 ms on opening the page.
	let best: MemberLoad | null = null;
	for (const load of loads) {
		if (load.room <= 0 || !writes(load) || load.member.id === chooser) continue;
		if (best === null || before(load, best) < 0) best = load;
	}
	return best;
}

/** A breach with the conversation it belongs to, when that is on the board. */
export interface BreachRow {
	breach: SlaBreachEntry;
	mention: BoardMention | undefined;
	/**
	 * History: what the target measured has happened since (claimed for a claim target,
	 * replied for a reply target), the conversation finished without it (or left the board,
	 * which holds only open work), or a follow-up began a new round after it fell due.
	 */
	settled: boolean;
	/**
	 * Someone must act on it now: not settled, and its conversation's clocks run (not
	 * snoozed for later). A reply missed on a conversation nobody has claimed is open as
	 * well as its claim: nobody has answered it, whichever clock runs first.
	 */
	open: boolean;
}

/**
 * The board's breaches (the server decided them, by its clock), newest first, each marked
 * settled or open by the same clocks the server and the cards read (`slaState`): a breach
 * is settled by its own target's clock stopping, not by which clock runs now.
 */
export function breachRows(
	breaches: readonly SlaBreachEntry[],
	mentionsById: Pick<ReadonlyMap<string, BoardMention>, "get">,
	settings: SlaSettings,
	now: number,
): BreachRow[] {
	const iso = new Date(now).toISOString();
	return breaches.map((breach) =>
		breachRow(breach, mentionsById.get(breach.mentionId), settings, iso),
	);
}

function breachRow(
	breach: SlaBreachEntry,
	mention: BoardMention | undefined,
	settings: SlaSettings,
	iso: string,
): BreachRow {
	if (mention === undefined) return { breach, mention, settled: true, open: false };
	const state = slaState(mention, settings, iso);
	const settled = breach.dueAt < slaStart(mention) || state[breach.kind].stopped;
	// No clock runs while it is snoozed for later: not settled, but not due now either.
	return { breach, mention, settled, open: !settled && state.running !== null };
}

/**
 * `breachRows` that keeps each row while its breach, its conversation, the settings and the
 * time are the ones it was made from. The board changes ten times a second while 50 new
 * mentions a second arrive, and each change made every moderator's page (the header's breach
 * count) run every breach's SLA clocks again: 7 % of a phone's main thread on the Reviews
 * page, for new conversations that no breach names. A row kept is the same object, so what
 * shows it is left alone too.
 */
export function createBreachRows(): typeof breachRows {
	let made: { settings: SlaSettings; now: number; iso: string } | null = null;
	let rows = new WeakMap<SlaBreachEntry, BreachRow>();
	return (breaches, mentionsById, settings, now) => {
		if (made === null || made.settings !== settings || made.now !== now) {
			made = { settings, now, iso: new Date(now).toISOString() };
			rows = new WeakMap();
		}
		const { iso } = made;
		return breaches.map((breach) => {
			const mention = mentionsById.get(breach.mentionId);
			const kept = rows.get(breach);
			if (kept && kept.mention === mention) return kept;
			const row = breachRow(breach, mention, settings, iso);
			rows.set(breach, row);
			return row;
		});
	};
}

/**
 * The "Conversations in breach now" figure: how many conversations are in breach now, each once,
 * which is what a moderator must act on. It falls as the team catches up instead of
 * adding up every breach ever recorded (a claim and a reply breach per card).
 */
export function conversationsInBreach(rows: readonly BreachRow[]): number {
	return new Set(rows.filter((row) => row.open).map((row) => row.breach.mentionId)).size;
}

/** The review queue: submitted drafts oldest first, then approved ones not yet posted. */
export function reviewQueue(mentions: readonly BoardMention[]): {
	waiting: BoardMention[];
	approved: BoardMention[];
} {
	const submittedAt = (m: BoardMention) => m.review?.at ?? m.updatedAt;
	const byTime = (a: BoardMention, b: BoardMention) =>
		submittedAt(a).localeCompare(submittedAt(b)) || a.id.localeCompare(b.id);
	return {
		waiting: mentions.filter((m) => m.status === "in_review").sort(byTime),
		approved: mentions.filter((m) => m.status === "approved").sort(byTime),
	};
}

/** Seconds as people read a duration: "45 s", "12 min", "3.5 h", "2.1 d". */
export function formatSeconds(seconds: number | null): string {
	if (seconds === null) return "–";
	if (seconds < 60) return `${Math.round(seconds)} s`;
	if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
	if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
	return `${(seconds / 86_400).toFixed(1)} d`;
}
