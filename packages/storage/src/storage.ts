/**
 * Storage as narrow ports: everything Switchboard keeps in PostgreSQL (or PGlite), cut
 * by who uses it. This file holds the core ports (directory, mentions, command arbiter,
 * document log) and the aggregate `Storage`; `integration-storage.ts` the sources,
 * replies and webhooks ports, `coverage-storage.ts` the coverage and reports ports.
 * Each port has one kysely implementation (`kysely-<port>.ts`) and its own part of the
 * contract suite (`<port>-contract.ts`), run on PGlite and on PostgreSQL alike.
 * docs/STORAGE.md is the map.
 */
import type {
	Activity,
	Board,
	Command,
	Member,
	Mention,
	MentionContent,
	MentionStatus,
	MentionWork,
	Network,
	Organisation,
	RejectCode,
	Role,
	ThreadMessage,
} from "@switchboard/domain";
import type { AuditLog } from "./audit-storage.ts";
import type { CoverageStore, ExecuteSystemCommandInput, Reports } from "./coverage-storage.ts";
import type {
	NewWebhookEvent,
	ReplyStore,
	SourceStore,
	WebhookStore,
} from "./integration-storage.ts";
import type { NotificationStore, PushDeviceStore } from "./notification-storage.ts";
import type { PeopleStore } from "./people-storage.ts";
import type { RateLimitTable } from "./rate-limit-storage.ts";
import type { DataRemoval } from "./removal-storage.ts";
import type { SessionStore } from "./session-storage.ts";
import type { SsoStore } from "./sso-storage.ts";

/** A member as stored, with the scrypt hash of their password. */
export type MemberWithSecret = Member & { passwordHash: string };

export interface NewMember {
	id?: string;
	orgId: string;
	email: string;
	name: string;
	role: Role;
	capacity: number;
	skills?: string[];
	languages?: string[];
	passwordHash: string;
	/**
	 * Boards (teams) of the organisation the member belongs to; `[]` for none.
	 * @default every board of the organisation that is not archived (as the migration that
	 * brought boards in did for existing members): the demo and tools that make members
	 * directly keep working; invitations and single sign-on always name the boards.
	 */
	boards?: string[];
}

/** A mention to ingest; work fields default to a new, unowned conversation. */
export type NewMention = Omit<MentionContent, "id"> & {
	id?: string;
	priority?: MentionWork["priority"];
	tags?: string[];
	status?: MentionStatus;
};

/**
 * A mention as an ingest writes it, its id chosen and its defaults filled in: what it holds
 * once stored, apart from the work state that PostgreSQL decides.
 */
export type MentionAsSent = MentionContent & Pick<MentionWork, "priority" | "tags" | "status">;

/** A mention with its revision: bumped on every change, so projections can skip stale writes. */
export interface StoredMention {
	mention: Mention;
	rev: number;
}

export interface MentionFilter {
	status?: MentionStatus | MentionStatus[];
	ownerId?: string;
	/** Only these mentions. */
	ids?: string[];
	/** Only those after this one in the list's order (posted time, then id): keyset paging. */
	after?: { postedAt: string; id: string };
	/** At most this many. */
	limit?: number;
}

export interface ExecuteCommandInput {
	orgId: string;
	boardId: string;
	actorId: string;
	/**
	 * The client-made command id (a UUID); a repeat returns the stored outcome and changes
	 * nothing. An id already used by another actor or command is rejected as `invalid`.
	 */
	commandId: string;
	command: Command;
	/** ISO time the server decides at. */
	now: string;
}

export type CommandOutcome =
	| {
			ok: true;
			mentionId: string;
			work: MentionWork;
			rev: number;
			result?: Record<string, unknown>;
			/** True when this id had been processed before and the stored outcome is returned. */
			replayed: boolean;
			/**
			 * Who owned the conversation before the command (null: nobody). Absent from the
			 * replay of an outcome stored before the field existed.
			 */
			ownerBefore?: string | null;
	  }
	| { ok: false; code: RejectCode; message: string; replayed: boolean };

/** One entry for a document's update log. */
export interface DocumentUpdate {
	/** The document name, e.g. `draft/<orgId>/<mentionId>`. */
	name: string;
	update: Uint8Array;
}

export interface StoredDocument {
	snapshot: Uint8Array | null;
	/** Log entries not yet merged into the snapshot, oldest first. */
	updates: Uint8Array[];
	/** The log id of each entry in `updates`, in the same order. */
	updateIds: number[];
	/** Id of the newest log entry included above, in the snapshot or the updates (0 when none). */
	lastUpdateId: number;
}

/** Organisations, their members and their boards: who may do what, where. */
export interface Directory {
	createOrganisation(input: { id?: string; name: string }): Promise<Organisation>;
	getOrganisation(id: string): Promise<Organisation | null>;
	listOrganisations(): Promise<Organisation[]>;

	createMember(input: NewMember): Promise<Member>;
	getMember(id: string): Promise<Member | null>;
	findMemberByEmail(email: string): Promise<MemberWithSecret | null>;
	/**
	 * Store a new hash of the member's password (a rehash at stronger parameters) if the
	 * stored one is still `expected`: a password changed meanwhile is not overwritten.
	 * True when it was replaced.
	 */
	replacePasswordHash(memberId: string, expected: string, next: string): Promise<boolean>;
	listMembers(orgId: string): Promise<Member[]>;

	/**
	 * A new board. `conflict` when the organisation has a board with that id, or an active
	 * board with that name (any case).
	 */
	createBoard(input: { id?: string; orgId: string; name: string }): Promise<Board>;
	getBoard(orgId: string, boardId: string): Promise<Board | null>;
	/** Every board of the organisation, archived ones included, by name. */
	listBoards(orgId: string): Promise<Board[]>;
	/**
	 * Rename, archive or bring back a board, in one transaction that locks the organisation's
	 * boards: `not_found` when there is no such board, `conflict` for archiving the last
	 * active board or for a name another active board has. Answers the board before and after.
	 */
	updateBoard(
		orgId: string,
		boardId: string,
		change: BoardChange,
		now?: Date,
	): Promise<{ before: Board; after: Board }>;
	/** The ids of the boards a member belongs to. */
	boardIdsOf(memberId: string): Promise<string[]>;
}

/** What `updateBoard` changes. */
export interface BoardChange {
	name?: string;
	archived?: boolean;
}

/** Mentions as ingested and as commands left them; commands change them, never this port. */
export interface MentionStore {
	/**
	 * Ingest mentions onto a board, idempotent by (organisation, network, external id):
	 * a mention seen before is skipped. Returns the stored mentions that are new.
	 * `announce` names the webhook events of a mention should it be new. It is asked of each
	 * mention before the insert, and the events of those the insert finds new are queued in
	 * the same commit: a crash or an error keeps neither, so a retried delivery stores both.
	 */
	insertMentions(
		orgId: string,
		boardId: string,
		mentions: NewMention[],
		announce?: (mention: MentionAsSent) => NewWebhookEvent[],
	): Promise<StoredMention[]>;
	getMention(orgId: string, mentionId: string): Promise<StoredMention | null>;
	listMentions(orgId: string, boardId: string, filter?: MentionFilter): Promise<StoredMention[]>;
	/** The board a mention is on, or null when the organisation has no such mention. */
	getMentionBoardId(orgId: string, mentionId: string): Promise<string | null>;
}

/** A message, by network and external id, as a follow-up names its parent. */
export interface MessageRef {
	network: string;
	externalId: string;
}

/** Where a known message belongs. */
export interface ConversationRef {
	mentionId: string;
	boardId: string;
}

export interface AppendToThreadInput {
	orgId: string;
	mentionId: string;
	/** Messages for the thread; those it holds already are skipped (the domain's `mergeThread`). */
	messages: ThreadMessage[];
	/** ISO time they arrived. */
	now: string;
}

/** What joining a thread did. */
export interface ThreadAppend {
	/** The conversation after it (the same when nothing was added). */
	stored: StoredMention;
	boardId: string;
	/** The messages the thread did not have, in posted order. */
	added: ThreadMessage[];
	/** How many of them are follow-ups (from the public, see the domain's `isFollowUp`). */
	followUps: number;
	/** A replied or closed conversation was opened again. */
	reopened: boolean;
	/**
	 * Whom to tell of the follow-ups: the owner, or the one it had before it went back to
	 * the board; null when there were none or nobody owned it.
	 */
	notify: string | null;
}

/**
 * Conversations that go on: finding the conversation a message belongs to, and adding
 * messages to a thread. A follow-up changes the work state like a command does (one
 * transaction, the owner locked before the conversation, one activity record).
 */
export interface ThreadStore {
	/**
	 * The conversation of each known message: a mention (by its own external id) or a
	 * message of a thread. Keyed by the domain's `batchKey(network, externalId)`; unknown
	 * messages are left out.
	 */
	findConversations(
		orgId: string,
		refs: readonly MessageRef[],
	): Promise<Map<string, ConversationRef>>;
	/**
	 * Add messages to a conversation's thread, idempotently by message (its external id,
	 * else its text, author and time), on whichever board the conversation is. Follow-ups
	 * among them count as unseen, reopen a replied or closed conversation and start its
	 * reply target again (the domain's `applyFollowUps`), recorded as activity `follow_up`.
	 * Null when the organisation has no such conversation.
	 */
	appendToThread(input: AppendToThreadInput): Promise<ThreadAppend | null>;
	/**
	 * The member opened the conversation: when they own it, its follow-ups are seen. Returns
	 * the conversation when that changed it, else null.
	 */
	markFollowUpsSeen(
		orgId: string,
		mentionId: string,
		memberId: string,
	): Promise<{ stored: StoredMention; boardId: string } | null>;
}

/** What `searchHistory` looks for; every field narrows the search, none is required. */
export interface HistoryQuery {
	/** Words, in web-search syntax (`"exact phrase"`, `or`, `-not`), in the mention or its thread. */
	text?: string;
	/** The public author's handle (with or without `@`, any case), on one network or any. */
	author?: { handle: string; network?: Network };
	tag?: string;
	/** Conversations this member owns or has owned. */
	ownerId?: string;
	/** Posted at or after this ISO time. */
	from?: string;
	/** Posted before this ISO time. */
	to?: string;
	status?: MentionStatus[];
	/** Only conversations on these boards (a member who does not see every board). */
	boardIds?: readonly string[];
	/** Only those after this one in the search's order (newest first): keyset paging. */
	before?: { postedAt: string; id: string };
	limit: number;
}

/**
 * Every conversation an organisation has had, on any board and finished ones included
 * (the live board holds only open work): found by words, author, tag, owner and period.
 */
export interface History {
	/** Matching conversations, newest first. */
	searchHistory(orgId: string, query: HistoryQuery): Promise<StoredMention[]>;
}

/** Which entries of the activity log `listActivity` reads. */
export interface ActivityFilter {
	/** One conversation's entries only. */
	mentionId?: string;
	/** Only entries older than this one (its id): the next page after it. */
	before?: string;
	/** At most this many; all of them when left out. */
	limit?: number;
}

/**
 * The one place a conversation's work state changes: each command is decided by the
 * domain's `decide` inside one transaction that locks what the decision reads, so two
 * instances arbitrating the same conversation agree. The activity log is what it wrote.
 */
export interface CommandArbiter {
	/**
	 * Run one command in one transaction: idempotency check, locks, the domain decision,
	 * the mention's new state, ownership, the activity record and the processed id.
	 */
	executeCommand(input: ExecuteCommandInput): Promise<CommandOutcome>;
	/**
	 * Run a command for the server itself (a lease expiry's release) through the same
	 * transaction as members' commands: lock, decide, the mention's new state, ownership
	 * and one activity record with no actor. Not idempotent by id: the preconditions make
	 * a repeat a reject that changes nothing.
	 */
	executeSystemCommand(input: ExecuteSystemCommandInput): Promise<CommandOutcome>;
	/**
	 * The activity log of an organisation (or one mention), newest first: a conversation's
	 * page shows what happened last (how it was settled) without reading its whole past.
	 * `before` (an entry's id) pages on: only entries older than it.
	 */
	listActivity(orgId: string, filter?: ActivityFilter): Promise<Activity[]>;
}

/** Each Yjs document's durable update log and snapshot. */
export interface DocumentLog {
	/**
	 * Append entries to the update logs in one statement (the caller batches, across
	 * documents). Resolves once they are durable, with each entry's log id in input order.
	 */
	appendUpdates(entries: DocumentUpdate[]): Promise<number[]>;
	/**
	 * The snapshot and the log entries not yet merged into it. No entry with an id at or
	 * below `lastUpdateId` can appear after this read (appends in flight are waited for).
	 */
	loadDocument(documentName: string): Promise<StoredDocument>;
	/**
	 * Store a snapshot and drop exactly the log entries named, which the caller knows the
	 * snapshot contains, in one transaction. Other entries stay, whatever their id.
	 *
	 * With `merge`, the stored snapshot is combined with the new one under the document's
	 * lock instead of replaced: several instances holding the same document may compact
	 * it, and one whose copy lags must not drop what another already compacted.
	 * `holds`: the md5 (hex) of a snapshot the caller's copy contains all of. When the stored
	 * snapshot is that one, the new one replaces it without it being read back or merged.
	 */
	compactDocument(
		documentName: string,
		snapshot: Uint8Array,
		includedIds: number[],
		merge?: (stored: Uint8Array, fresh: Uint8Array) => Uint8Array,
		holds?: string,
	): Promise<void>;
	/**
	 * Replace the snapshot and drop the log entries it includes (id <= upToUpdateId), in one
	 * transaction. Entries appended meanwhile stay. A snapshot with a lower `upToUpdateId`
	 * than the last one stored this way is ignored, so concurrent compactions cannot roll a
	 * document back. For a caller that loaded the document itself (`lastUpdateId`); a live
	 * server that tracks its entries uses `compactDocument`.
	 */
	storeSnapshot(documentName: string, snapshot: Uint8Array, upToUpdateId: number): Promise<void>;
}

/**
 * Every port on one database: what `openStorage` returns and the server wires once.
 *
 * The aggregate is the intersection of the ports rather than an object of them
 * (`storage.documents.appendUpdates`): a caller holding the whole storage passes it
 * where a narrow port is asked for and TypeScript checks the fit structurally, so the
 * ports narrow what each extension and service may touch without rewriting a single
 * call. Each consumer declares the ports it uses (`storage: DocumentLog`), which is what
 * a test double has to provide.
 */
export interface Storage
	extends Directory,
		MentionStore,
		ThreadStore,
		History,
		CommandArbiter,
		DocumentLog,
		SourceStore,
		ReplyStore,
		WebhookStore,
		CoverageStore,
		Reports,
		SessionStore,
		NotificationStore,
		PushDeviceStore,
		RateLimitTable,
		PeopleStore,
		AuditLog,
		SsoStore,
		DataRemoval {
	readonly dialect: "pglite" | "postgres";

	/** Cheap round trip; throws when the database is unreachable. */
	ping(): Promise<void>;
	close(): Promise<void>;
}
