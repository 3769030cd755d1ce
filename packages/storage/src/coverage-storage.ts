/**
 * The ports that serve the moderator's view: board settings, who is connected (for
 * leases) and SLA breaches (`CoverageStore`), and reports computed in SQL from the activity
 * log (`Reports`). System commands are the command arbiter's (`storage.ts`); their input
 * is declared here, next to the watcher's other types.
 */
import type {
	BoardSettings,
	Command,
	MentionStatus,
	PresenceRecord,
	ReportDimension,
	ReportRow,
	SlaKind,
	SlaProgress,
	SystemAction,
} from "@switchboard/domain";
import type { StoredMention } from "./storage.ts";

/** One instance's count of a member's board connections, as of `at`. */
export interface PresenceWrite {
	orgId: string;
	memberId: string;
	instanceId: string;
	connections: number;
	/** ISO time; a row's last sighting only ever moves forward. */
	at: string;
}

/** A conversation the SLA watcher looks at, with what the activity log knows of it. */
export interface SlaCandidate {
	stored: StoredMention;
	progress: SlaProgress;
	/** Breaches already recorded for it. */
	recorded: SlaKind[];
}

export interface NewSlaBreach {
	mentionId: string;
	kind: SlaKind;
	/** When the target fell due (ISO). */
	dueAt: string;
	/** The conversation's status and owner when the breach was found, for the record. */
	status: MentionStatus;
	ownerId: string | null;
	priority: string;
	/**
	 * The round it belongs to: the conversation's `slaFrom` when a follow-up reopened it
	 * (each round may breach each target once), else null or absent.
	 */
	round?: string | null;
}

/** A breach as recorded in the activity log. */
export interface RecordedSlaBreach {
	/** The activity record's id; the board uses it as the entry's revision. */
	id: number;
	mentionId: string;
	kind: SlaKind;
	dueAt: string;
	/** When it was recorded (ISO). */
	at: string;
}

/** A command the server runs on its own, with no member behind it. */
export interface ExecuteSystemCommandInput {
	orgId: string;
	boardId: string;
	command: Command;
	/** What the activity log records instead of the command's name. */
	action: SystemAction;
	/** Added to the activity record's detail (why: offline since, lease length…). */
	detail?: Record<string, unknown>;
	/** ISO time the server decides at. */
	now: string;
	/**
	 * Apply only while this member still owns the conversation: between the caller's look
	 * and the transaction, someone may have released or taken it.
	 */
	expectOwnerId?: string;
	/**
	 * Apply only while the owner has not been seen since this time (ISO): they may have
	 * come back meanwhile, on this or another server instance.
	 */
	unlessSeenAfter?: string;
	/**
	 * Apply only while the conversation is snoozed until this time (ISO) or earlier: it may
	 * have been snoozed again, for longer, meanwhile.
	 */
	snoozedDueBy?: string;
}

export interface ReportQuery {
	orgId: string;
	/** One board; all of the organisation's boards when left out. */
	boardId?: string;
	dimension: ReportDimension;
	/** The period, ISO, `from` inclusive, `to` exclusive. */
	from: string;
	to: string;
	/** Deadlines after this time (ISO) have not fallen due yet and are not counted. */
	now: string;
	/** IANA time zone days and hours are cut in. @default "UTC" */
	timeZone?: string;
}

/** What the coverage watcher keeps an eye on: board settings, presence and SLA breaches. */
export interface CoverageStore {
	/** The board's settings: stored fields over the defaults. */
	getBoardSettings(orgId: string, boardId: string): Promise<BoardSettings>;
	/** Store a board's settings whole; returns them as read back. */
	saveBoardSettings(
		orgId: string,
		boardId: string,
		settings: BoardSettings,
	): Promise<BoardSettings>;

	/** Record instances' counts of members' board connections (upsert, sightings only advance). */
	recordPresence(writes: PresenceWrite[]): Promise<void>;
	/** Every instance's record of the organisation's members. */
	listPresence(orgId: string): Promise<PresenceRecord[]>;
	/** Forget records not refreshed since `before` (ISO); returns how many. */
	prunePresence(before: string): Promise<number>;

	/**
	 * Conversations of a board that may have an SLA breach not recorded yet at `now`: open
	 * ones, and finished ones changed since `since`, with a kind not recorded yet in their
	 * current round that they are old enough to have missed (`shortestMinutes`: the
	 * shortest target of each kind). Progress counts from the round's start.
	 */
	listSlaCandidates(
		orgId: string,
		boardId: string,
		input: { now: string; since: string; shortestMinutes: Record<SlaKind, number> },
	): Promise<SlaCandidate[]>;
	/**
	 * Record breaches in the activity log (action `sla_breached`, no actor), each once per
	 * conversation, kind and round (a follow-up that reopens a conversation starts a round). Returns the ones recorded now; those recorded before are skipped.
	 */
	recordSlaBreaches(
		orgId: string,
		breaches: NewSlaBreach[],
		at: string,
	): Promise<RecordedSlaBreach[]>;
	/** The recorded breaches of a board's conversations (optionally only these ones). */
	listSlaBreaches(
		orgId: string,
		boardId: string,
		filter?: { mentionIds?: string[] },
	): Promise<RecordedSlaBreach[]>;
}

/** Reports over the activity log. */
export interface Reports {
	/** A report's rows, counted in SQL from the activity log (see docs/REPORTS.md). */
	report(query: ReportQuery): Promise<ReportRow[]>;
}
