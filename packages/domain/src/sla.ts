/**
 * Service levels. Each conversation has two targets, counted from when it arrived
 * (`ingestedAt`): someone should take it within the claim target, and the first reply
 * should be out within the reply target, both per priority (board settings). A follow-up
 * that reopens a replied conversation starts a new round (`slaFrom`): its targets count
 * from then, and only what happened since meets them. The server
 * decides breaches with these functions (the coverage watcher), the client draws the
 * same clocks on cards, and the reports count the same rules in SQL (docs/REPORTS.md).
 * A board with business hours counts its targets in working time (business-hours.ts):
 * the due time is that much working time after the round began.
 */
import { addWorkingTime, type BusinessHours } from "./business-hours.ts";
import type { BoardSettings, Mention, MentionStatus } from "./model.ts";
import { DONE_STATUSES } from "./model.ts";

export const SlaKinds = ["claim", "reply"] as const;
export type SlaKind = (typeof SlaKinds)[number];

const MINUTE = 60_000;

/**
 * What happened to a conversation so far, as the activity log tells it. The board alone
 * only approximates it (`slaProgressOf`): a claim released since leaves no trace there.
 */
export interface SlaProgress {
	/** First claim, claimNext or assign; null when nobody has taken it yet. */
	claimedAt: string | null;
	/** First reply recorded (markReplied); null when none yet. */
	repliedAt: string | null;
	/** First time it was finished (replied, dismissed or closed); null while open. */
	endedAt: string | null;
}

/** One target's clock. */
export interface SlaClock {
	kind: SlaKind;
	/** ISO time the target falls due. */
	dueAt: string;
	/** When the target was met; null while it is not. */
	metAt: string | null;
	/** The clock no longer runs: met, or the conversation ended without it. */
	stopped: boolean;
	/** Met late, ended after it fell due without being met, or still open past due. */
	breached: boolean;
	/** Milliseconds from now (or from when the clock stopped) to due; negative past due. */
	remainingMs: number;
}

export interface SlaState {
	claim: SlaClock;
	reply: SlaClock;
	/** The targets missed, claim before reply. */
	breached: SlaKind[];
	/**
	 * The clock someone should act on now: claim while nobody has taken the conversation,
	 * reply after; null when no clock runs (finished, or snoozed for later).
	 */
	running: SlaClock | null;
}

/** The settings the clocks read: targets per priority and, when set, the board's working hours. */
export type SlaSettings = Pick<BoardSettings, "slaClaimMinutes" | "slaReplyMinutes"> & {
	businessHours?: BusinessHours | null;
};

/** `minutes` after `iso`: of working time when the board has hours, else of wall time. */
export function slaDeadline(iso: string, minutes: number, hours?: BusinessHours | null): string {
	const from = Date.parse(iso);
	const due = hours ? addWorkingTime(hours, from, minutes * MINUTE) : from + minutes * MINUTE;
	return new Date(due).toISOString();
}

function isDone(status: MentionStatus): boolean {
	return DONE_STATUSES.includes(status);
}

/**
 * The progress the board itself shows: an owner means it was claimed (at the latest
 * when the current owner took it), a reply means it was replied, a finished status
 * ended it at its last change. The server passes the activity log's exact times instead.
 */
export function slaProgressOf(mention: Mention): SlaProgress {
	const done = isDone(mention.status);
	const from = mention.slaFrom;
	// In a later round, a reply from an earlier one meets nothing; an owner kept from an
	// earlier round took the conversation when the round began.
	const replied = mention.reply && (!from || mention.reply.sentAt >= from) ? mention.reply : null;
	const since = mention.owner
		? from && mention.owner.since < from
			? from
			: mention.owner.since
		: null;
	return {
		claimedAt: since ?? replied?.sentAt ?? null,
		repliedAt: replied?.sentAt ?? null,
		endedAt: done ? mention.updatedAt : null,
	};
}

/** What a round's start is read from; `slaFrom` absent reads as the first round. */
export type SlaStartFields = Pick<Mention, "ingestedAt"> & { slaFrom?: string | null };

/** When the conversation's current round of targets began: its arrival, or the follow-up that reopened it. */
export function slaStart(mention: SlaStartFields): string {
	return mention.slaFrom ?? mention.ingestedAt;
}

/** The claim and reply targets of a priority, as due times for a conversation. */
export function slaDueTimes(
	mention: SlaStartFields & Pick<Mention, "priority">,
	settings: SlaSettings,
): Record<SlaKind, string> {
	const start = slaStart(mention);
	return {
		claim: slaDeadline(start, settings.slaClaimMinutes[mention.priority], settings.businessHours),
		reply: slaDeadline(start, settings.slaReplyMinutes[mention.priority], settings.businessHours),
	};
}

/** A conversation snoozed until a later time: its clocks are not watched until it is back. */
function isPaused(mention: Mention, now: string): boolean {
	return mention.status === "snoozed" && (mention.snoozedUntil ?? "") > now;
}

function clock(
	kind: SlaKind,
	dueAt: string,
	metAt: string | null,
	endedAt: string | null,
	paused: boolean,
	now: string,
): SlaClock {
	const stoppedAt = metAt ?? endedAt;
	let breached: boolean;
	if (stoppedAt !== null) {
		// Ended without it after it fell due counts as missed; ended before, it was not needed.
		breached = stoppedAt > dueAt;
	} else {
		breached = !paused && now > dueAt;
	}
	return {
		kind,
		dueAt,
		metAt,
		stopped: stoppedAt !== null,
		breached,
		remainingMs: Date.parse(dueAt) - Date.parse(stoppedAt ?? now),
	};
}

/**
 * Where a conversation stands against its service levels at `now` (ISO). Pure: the
 * caller supplies the clock and, when it knows them, the exact times from the activity
 * log (`progress`).
 */
export function slaState(
	mention: Mention,
	settings: SlaSettings,
	now: string,
	progress: SlaProgress = slaProgressOf(mention),
): SlaState {
	const due = slaDueTimes(mention, settings);
	const paused = isPaused(mention, now);
	const claim = clock("claim", due.claim, progress.claimedAt, progress.endedAt, paused, now);
	const reply = clock("reply", due.reply, progress.repliedAt, progress.endedAt, paused, now);
	const breached = [claim, reply].filter((c) => c.breached).map((c) => c.kind);
	let running: SlaClock | null = null;
	if (!paused && progress.endedAt === null && !isDone(mention.status)) {
		running = mention.owner === null && !claim.stopped ? claim : reply.stopped ? null : reply;
	}
	return { claim, reply, breached, running };
}

/** Breaches of `state` not yet in `recorded`: what the watcher records now. */
export function newBreaches(state: SlaState, recorded: Iterable<SlaKind>): SlaClock[] {
	const seen = new Set(recorded);
	return [state.claim, state.reply].filter((c) => c.breached && !seen.has(c.kind));
}

/**
 * True when the conversation is in breach now: the clock someone should act on (claim
 * while nobody has it, else reply) has run out. This is what a moderator must act on; a
 * target missed earlier and met since, or a finished conversation, is not.
 */
export function isInBreach(mention: Mention, settings: SlaSettings, now: string): boolean {
	return slaState(mention, settings, now).running?.breached ?? false;
}
