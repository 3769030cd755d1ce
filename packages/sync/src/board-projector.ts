/**
 * The board document is a projection of the database: the database decides, the
 * projector writes the result into the Y.Doc that clients sync. Every entry carries the
 * mention's revision, so a stale or repeated write is skipped and a board loaded after
 * a crash is brought up to date from the database (`reconcile`).
 */
import {
	type BoardSettings,
	boardRevisions,
	DEFAULT_BOARD_SETTINGS,
	DONE_STATUSES,
	type Member,
	type MentionContent,
	type MentionWork,
	type MentionStatus,
	readBoard,
	removeMention,
	Statuses,
	writeMember,
	writeMention,
	writeSettings,
	writeWork,
} from "@switchboard/domain";
import type { Storage, StoredMention } from "@switchboard/storage";
import type * as Y from "yjs";
import { Origins } from "./context.ts";

export interface BoardProjectorOptions {
	storage: Storage;
	/**
	 * How long a finished conversation (replied, dismissed, closed) stays on the live
	 * board before only the database keeps it, in milliseconds.
	 * @default 86400000 (one day: the team still sees today's answers)
	 */
	retentionMs?: number;
}

const LIVE_STATUSES = Statuses.filter((status) => !DONE_STATUSES.includes(status)) as MentionStatus[];

function contentOf(mention: StoredMention["mention"]): MentionContent {
	const { status, priority, tags, owner, review, reply, snoozedUntil, updatedAt, ...content } = mention;
	return content;
}

function workOf(mention: StoredMention["mention"]): MentionWork {
	const { status, priority, tags, owner, review, reply, snoozedUntil, updatedAt } = mention;
	return { status, priority, tags, owner, review, reply, snoozedUntil, updatedAt };
}

function memberCard(member: Member) {
	const { id, name, role, capacity, skills, languages } = member;
	return { id, name, role, capacity, skills, languages };
}

export class BoardProjector {
	private readonly storage: Storage;
	private readonly retentionMs: number;

	constructor(options: BoardProjectorOptions) {
		this.storage = options.storage;
		this.retentionMs = options.retentionMs ?? 24 * 60 * 60 * 1000;
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
		const view = readBoard(doc);
		const cards = new Map(view.members.map((card) => [card.id, JSON.stringify(card)]));
		const revisions = boardRevisions(doc);
		const keep = new Set(wanted.map(({ mention }) => mention.id));
		doc.transact(() => {
			if (!view.settingsStored) writeSettings(doc, DEFAULT_BOARD_SETTINGS);
			for (const member of members) {
				const card = memberCard(member);
				if (cards.get(member.id) !== JSON.stringify(card)) writeMember(doc, card);
			}
			for (const stored of wanted) this.write(doc, stored, revisions);
			for (const id of revisions.keys()) if (!keep.has(id)) removeMention(doc, id);
		}, Origins.projection);
	}

	/** Write mentions that were just stored (ingest) or changed (commands). */
	apply(doc: Y.Doc, stored: StoredMention[]): void {
		const revisions = boardRevisions(doc);
		doc.transact(() => {
			for (const entry of stored) this.write(doc, entry, revisions);
		}, Origins.projection);
	}

	/** Write a command's result; loads the mention when the document does not have it yet. */
	async applyWork(doc: Y.Doc, orgId: string, mentionId: string, work: MentionWork, rev: number): Promise<void> {
		const revisions = boardRevisions(doc);
		if (revisions.has(mentionId)) {
			doc.transact(() => writeWork(doc, mentionId, work, rev), Origins.projection);
			return;
		}
		const stored = await this.storage.getMention(orgId, mentionId);
		if (stored) this.apply(doc, [stored]);
	}

	/** Board settings as stored on the document (defaults until an admin changes them). */
	settings(doc: Y.Doc): BoardSettings {
		return readBoard(doc).settings;
	}

	private write(doc: Y.Doc, { mention, rev }: StoredMention, revisions: Map<string, number>): void {
		const current = revisions.get(mention.id);
		if (current === undefined) writeMention(doc, contentOf(mention), workOf(mention), rev);
		else if (current < rev) writeWork(doc, mention.id, workOf(mention), rev);
	}
}
