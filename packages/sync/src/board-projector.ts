/**
 * The board document is a projection of the database: the database decides, the
 * projector writes the result into the Y.Doc that clients sync. Every entry carries the
 * mention's revision, so a stale or repeated write is skipped and a board loaded after
 * a crash is brought up to date from the database (`reconcile`).
 */
import { Document } from "@hocuspocus/server";
import {
	boardRevisions,
	compactBoard,
	DEFAULT_BOARD_SETTINGS,
	DONE_STATUSES,
	type MemberCard,
	type MentionStatus,
	type MentionWork,
	memberCard,
	mentionContent,
	mentionRevision,
	mentionWork,
	readSettings,
	removeMentions,
	Statuses,
	writeMember,
	writeMentions,
	writeSettings,
	writeWork,
} from "@switchboard/domain";
import type { Directory, MentionStore, StoredMention } from "@switchboard/storage";
import type * as Y from "yjs";
import { Origins } from "./context.ts";

export interface BoardProjectorOptions {
	storage: MentionStore & Directory;
	/**
	 * How long a finished conversation (replied, dismissed, closed) stays on the live
	 * board before only the database keeps it, in milliseconds.
	 * @default defaultBoardRetentionMs
	 */
	retentionMs?: number;
}

/**
 * How long a finished conversation stays on the live board, in milliseconds.
 * @default 86400000 (one day: the team still sees today's answers)
 */
export const defaultBoardRetentionMs = 24 * 60 * 60 * 1000;

/** A command's result waiting for its board write. */
interface WorkWrite {
	mentionId: string;
	work: MentionWork;
	rev: number;
	written(): void;
	failed(error: unknown): void;
}

const LIVE_STATUSES = Statuses.filter(
	(status) => !DONE_STATUSES.includes(status),
) as MentionStatus[];

export class BoardProjector {
	private readonly storage: MentionStore & Directory;
	private readonly retentionMs: number;
	/** Command results to write into each document at the end of this turn (`applyWork`). */
	private readonly pendingWork = new Map<Y.Doc, WorkWrite[]>();

	constructor(options: BoardProjectorOptions) {
		this.storage = options.storage;
		this.retentionMs = options.retentionMs ?? defaultBoardRetentionMs;
	}

	/** Bring a loaded board document up to date with the database. */
	async reconcile(doc: Y.Doc, orgId: string, boardId: string, now = new Date()): Promise<void> {
		const since = new Date(now.getTime() - this.retentionMs).toISOString();
		const [live, done, members] = await Promise.all([
			this.storage.listMentions(orgId, boardId, { status: LIVE_STATUSES }),
			this.storage.listMentions(orgId, boardId, { status: [...DONE_STATUSES] }),
			this.storage.listMembers(orgId),
		]);
		const wanted = [...live, ...done.filter(({ mention }) => mention.updatedAt >= since)];
		const keep = new Set(wanted.map(({ mention }) => mention.id));
		doc.transact(() => {
			// Duplicates left by instances writing the same entry at once.
			compactBoard(doc);
			// Writes skip what is already there, so a reconcile of an up-to-date board writes nothing.
			writeSettings(doc, { ...DEFAULT_BOARD_SETTINGS, ...readSettings(doc) });
			for (const member of members) writeMember(doc, memberCard(member));
			this.write(doc, wanted);
			removeMentions(
				doc,
				[...boardRevisions(doc).keys()].filter((id) => !keep.has(id)),
			);
		}, Origins.projection);
	}

	/** Write mentions that were just stored (ingest) or changed (commands). */
	apply(doc: Y.Doc, stored: StoredMention[]): void {
		doc.transact(() => this.write(doc, stored), Origins.projection);
	}

	/** Take conversations that no longer exist (retention, erasure) off the board. */
	remove(doc: Y.Doc, mentionIds: readonly string[]): void {
		doc.transact(() => removeMentions(doc, mentionIds), Origins.projection);
	}

	/**
	 * Write members' cards (name, role, capacity, skills, languages, and whether they are
	 * active) after an admin changed them, deactivation and reactivation included.
	 */
	applyMembers(doc: Y.Doc, members: readonly MemberCard[]): void {
		doc.transact(() => {
			for (const member of members) writeMember(doc, memberCard(member));
		}, Origins.projection);
	}

	/**
	 * Write a command's result; loads the mention when the document does not have it yet.
	 * The results a document gets in the same turn (a claimNext batch answers all its
	 * commands at once) are written in one transaction, after the turn's other work: one
	 * update to log, to publish to other instances and to decode for every reader, instead
	 * of one per command, and no merge of hundreds of them before the broadcast. Resolves
	 * once the change is on its way to this instance's clients (`broadcastNow`): the
	 * command's ack goes after it.
	 */
	async applyWork(
		doc: Y.Doc,
		orgId: string,
		mentionId: string,
		work: MentionWork,
		rev: number,
	): Promise<void> {
		if (mentionRevision(doc, mentionId) !== undefined) {
			return new Promise<void>((written, failed) => {
				const pending = this.pendingWork.get(doc);
				const write = { mentionId, work, rev, written, failed };
				if (pending) {
					pending.push(write);
					return;
				}
				this.pendingWork.set(doc, [write]);
				// After the continuations already queued: those of one batch run in lockstep.
				queueMicrotask(() => this.writePending(doc));
			});
		}
		const stored = await this.storage.getMention(orgId, mentionId);
		if (stored) this.apply(doc, [stored]);
		broadcastNow(doc);
	}

	private writePending(doc: Y.Doc): void {
		const writes = this.pendingWork.get(doc) ?? [];
		this.pendingWork.delete(doc);
		const failures = new Map<WorkWrite, unknown>();
		try {
			doc.transact(() => {
				for (const write of writes) {
					try {
						writeWork(doc, write.mentionId, write.work, write.rev);
					} catch (error) {
						failures.set(write, error);
					}
				}
			}, Origins.projection);
			broadcastNow(doc);
		} catch (error) {
			// An observer failed after the writes: nobody can tell which were sent.
			for (const write of writes) write.failed(error);
			return;
		}
		for (const write of writes) {
			if (failures.has(write)) write.failed(failures.get(write));
			else write.written();
		}
	}

	private write(doc: Y.Doc, stored: readonly StoredMention[]): void {
		writeMentions(
			doc,
			stored.map(({ mention, rev }) => ({
				content: mentionContent(mention),
				work: mentionWork(mention),
				rev,
			})),
		);
	}
}

/**
 * Send what the document holds back for its clients now rather than at the end of the
 * event-loop turn. Hocuspocus (4.7, `flushDelay: 0`) broadcasts a document's updates from
 * a `setImmediate`, while a command's ack is sent in the turn its result was written: every
 * client read the ack before the board change (all 590 answers of a bench claim storm), and
 * the SDK, which drops a command's overlay at its ack, showed the board as it was until the
 * update came. PROTOCOL.md promises the board change first. A plain `Y.Doc` (tests) has
 * nothing held back.
 */
function broadcastNow(doc: Y.Doc): void {
	if (doc instanceof Document) doc.flush();
}
