/**
 * The data-removal port (issue 16): what an organisation deletes. Retention deletes its
 * finished conversations after a number of days; erasure deletes one public author's posts
 * on request. A conversation goes with everything that hangs off it, in one transaction:
 * its thread's index rows, ownerships, activity, replies sent, notifications, queued
 * webhook deliveries about it, and its draft document (snapshot and update log, which hold
 * the reply text and the internal notes). The search index is over the mention rows, so
 * it loses them with the rows. The audit log keeps the record that it happened, never the
 * content. docs/STORAGE.md.
 */
import type { Network } from "@switchboard/domain";
import type { ConversationRef, StoredMention } from "./storage.ts";

/** An organisation's retention; `finishedDays` null keeps finished conversations. */
export interface RetentionSettings {
	finishedDays: number | null;
}

/** What a deletion removed, by kind. */
export interface RemovalCounts {
	conversations: number;
	/** Thread messages of the deleted conversations, and messages cut out of other threads. */
	threadMessages: number;
	/** Draft documents (reply text and notes) with anything stored. */
	drafts: number;
	/** Their update-log rows. */
	draftUpdates: number;
	notifications: number;
	activity: number;
}

/** Counts of a removal that has removed nothing yet, to add to. */
export function noRemovalCounts(): RemovalCounts {
	return {
		conversations: 0,
		threadMessages: 0,
		drafts: 0,
		draftUpdates: 0,
		notifications: 0,
		activity: 0,
	};
}

/** The conversations deleted (for the boards), and the counts. */
export interface Removal {
	deleted: ConversationRef[];
	counts: RemovalCounts;
}

/** An erasure: the author's conversations deleted, and the threads their messages left. */
export interface AuthorErasure extends Removal {
	/** Conversations of other authors whose threads lost the author's messages, as now stored. */
	edited: (StoredMention & { boardId: string })[];
}

export interface DataRemoval {
	getRetention(orgId: string): Promise<RetentionSettings>;
	/** Set (or, with null, switch off) an organisation's retention; answers it as stored. */
	setRetention(orgId: string, settings: RetentionSettings): Promise<RetentionSettings>;
	/** Organisations whose retention is on, with their setting. */
	listRetentions(): Promise<(RetentionSettings & { orgId: string; finishedDays: number })[]>;
	/**
	 * Delete up to `limit` of the organisation's finished conversations (replied, closed,
	 * dismissed) last changed before `finishedBefore` (ISO), oldest first. Checked again under
	 * row locks: a conversation reopened meanwhile (a follow-up) is kept.
	 */
	deleteFinishedBefore(orgId: string, finishedBefore: string, limit: number): Promise<Removal>;
	/**
	 * Erase one public author of a network: every conversation they started is deleted, and
	 * their messages are cut out of other conversations' threads. The handle is compared as
	 * history search does (case-blind, without a leading @). Running it again finds nothing.
	 */
	eraseAuthor(orgId: string, network: Network, handle: string, now: string): Promise<AuthorErasure>;
	/**
	 * Delete the stored draft documents of these conversations (or, without ids, of every
	 * conversation of the organisation) when no such conversation exists: a draft open on a
	 * server while its conversation was deleted is stored once more when that server unloads
	 * it, and a server other than the one that deleted it goes on storing its client's edits.
	 * Answers how many documents were removed.
	 */
	deleteOrphanDrafts(orgId: string, mentionIds?: readonly string[]): Promise<number>;
}
