/**
 * The storage interface: everything Switchboard keeps in PostgreSQL (or PGlite).
 * One implementation on kysely serves both; the contract suite (`storage-contract.ts`)
 * runs against each.
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
	Organisation,
	RejectCode,
	Role,
} from "@switchboard/domain";

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
}

/** A mention to ingest; work fields default to a new, unowned conversation. */
export type NewMention = Omit<MentionContent, "id"> & {
	id?: string;
	priority?: MentionWork["priority"];
	tags?: string[];
	status?: MentionStatus;
};

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
}

export interface ExecuteCommandInput {
	orgId: string;
	boardId: string;
	actorId: string;
	/** The client-made command id; a repeat returns the stored outcome and changes nothing. */
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
	  }
	| { ok: false; code: RejectCode; message: string; replayed: boolean };

export interface StoredDocument {
	snapshot: Uint8Array | null;
	/** Log entries not yet merged into the snapshot, oldest first. */
	updates: Uint8Array[];
	/** Id of the newest log entry included above (0 when none). */
	lastUpdateId: number;
}

export interface Storage {
	readonly dialect: "pglite" | "postgres";

	/** Cheap round trip; throws when the database is unreachable. */
	ping(): Promise<void>;
	close(): Promise<void>;

	createOrganisation(input: { id?: string; name: string }): Promise<Organisation>;
	getOrganisation(id: string): Promise<Organisation | null>;
	listOrganisations(): Promise<Organisation[]>;

	createMember(input: NewMember): Promise<Member>;
	getMember(id: string): Promise<Member | null>;
	findMemberByEmail(email: string): Promise<MemberWithSecret | null>;
	listMembers(orgId: string): Promise<Member[]>;

	createBoard(input: { id?: string; orgId: string; name: string }): Promise<Board>;
	getBoard(orgId: string, boardId: string): Promise<Board | null>;
	listBoards(orgId: string): Promise<Board[]>;

	/**
	 * Ingest mentions onto a board, idempotent by (organisation, network, external id):
	 * a mention seen before is skipped. Returns the stored mentions that are new.
	 */
	insertMentions(orgId: string, boardId: string, mentions: NewMention[]): Promise<StoredMention[]>;
	getMention(orgId: string, mentionId: string): Promise<StoredMention | null>;
	listMentions(orgId: string, boardId: string, filter?: MentionFilter): Promise<StoredMention[]>;

	/**
	 * Run one command in one transaction: idempotency check, locks, the domain decision,
	 * the mention's new state, ownership, the activity record and the processed id.
	 */
	executeCommand(input: ExecuteCommandInput): Promise<CommandOutcome>;

	listActivity(orgId: string, filter?: { mentionId?: string; limit?: number }): Promise<Activity[]>;

	/** Append updates to a document's log in one statement (the caller batches). */
	appendUpdates(documentName: string, updates: Uint8Array[]): Promise<void>;
	loadDocument(documentName: string): Promise<StoredDocument>;
	/**
	 * Replace the snapshot and drop the log entries it includes (id <= upToUpdateId), in one
	 * transaction. Entries appended meanwhile stay.
	 */
	storeSnapshot(documentName: string, snapshot: Uint8Array, upToUpdateId: number): Promise<void>;
}
