/**
 * Data the organisation deletes (issue 16), on the server:
 *
 * - **Retention** is an organisation's setting, not a board's: how long personal data is
 *   kept is decided once by the organisation that answers for it, whichever team handled a
 *   conversation (a conversation handed from one board to another keeps one rule). Off until
 *   an admin sets it (`PUT /api/orgs/:orgId/retention`, audited as `retention.changed`).
 *   The `RetentionSweeper` deletes, on a timer, finished conversations (replied, closed,
 *   dismissed) not changed for that many days, and records each sweep that deleted
 *   something as `retention.deleted` (actor `system`) with its counts.
 * - **Erasure** of one public author on request (`POST /api/orgs/:orgId/erasures`,
 *   audited as `author.erased` with who asked, whom and the counts, never the content).
 *
 * Either way the conversations leave the live boards at once (connected clients see the
 * cards go), and a draft open on this server is closed and what it stored when unloading is
 * deleted too. Everything else about a deletion is one transaction in storage (the
 * `DataRemoval` port).
 */
import { type AuditDetails, draftDocumentName, HttpRoutes } from "@switchboard/domain";
import {
	type AuditLog,
	type ConversationRef,
	type DataRemoval,
	type Directory,
	noRemovalCounts,
	type RemovalCounts,
	recordAudit,
	type StoredMention,
} from "@switchboard/storage";
import { type Context, Hono } from "hono";
import type { Logger } from "pino";
import { auditRequest, changesOf } from "./audit.ts";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";
import type { MentionPublisher } from "./ingest.ts";
import { TimedRounds } from "./timed-rounds.ts";

/** The sweeper's tuning; every value has its default in `defaultRetentionTuning`. */
export interface RetentionTuning {
	/**
	 * How often a sweep runs with `start()`, in milliseconds.
	 * @default 3600000 (hourly: retention counts in days, and a sweep is a few queries)
	 */
	tickMs: number;
	/**
	 * Conversations deleted per transaction. Each batch locks its rows only while it runs.
	 * @default 200
	 */
	batchSize: number;
	/**
	 * Most conversations one sweep deletes per organisation; the rest go in the next sweeps,
	 * so switching retention on over years of history does not hold a round for hours.
	 * @default 20000
	 */
	maxPerSweep: number;
	/**
	 * How long to wait for an open draft of a deleted conversation to unload after its
	 * connections were closed, before deleting what it stored, in milliseconds.
	 * @default 10000
	 */
	unloadWaitMs: number;
}

export const defaultRetentionTuning: RetentionTuning = {
	tickMs: 3_600_000,
	batchSize: 200,
	maxPerSweep: 20_000,
	unloadWaitMs: 10_000,
};

const DAY_MS = 86_400_000;

/** The live side of a deletion: boards, and drafts open on this server. */
export interface LiveBoards extends MentionPublisher {
	withdraw(orgId: string, boardId: string, mentionIds: readonly string[]): Promise<void>;
}

/** What this server holds open (the Hocuspocus instance). */
export interface OpenDocuments {
	documents: ReadonlyMap<string, unknown>;
	closeConnections(documentName?: string): void;
	/** Run the debounced stores now; a document without connections unloads after its store. */
	flushPendingStores(): void;
}

export interface DataRemovalOptions extends Partial<RetentionTuning> {
	storage: DataRemoval & AuditLog & Pick<Directory, "listOrganisations">;
	boards: LiveBoards;
	documents: OpenDocuments;
	logger: Pick<Logger, "info" | "warn">;
}

/** What one sweep deleted in one organisation. */
export interface SweepResult {
	orgId: string;
	finishedDays: number;
	finishedBefore: string;
	deleted: ConversationRef[];
	counts: RemovalCounts;
}

function addCounts(into: RemovalCounts, more: RemovalCounts): void {
	for (const key of Object.keys(into) as (keyof RemovalCounts)[]) into[key] += more[key];
}

function groupByBoard<T extends { boardId: string }>(items: readonly T[]): Map<string, T[]> {
	const boards = new Map<string, T[]>();
	for (const item of items) boards.set(item.boardId, [...(boards.get(item.boardId) ?? []), item]);
	return boards;
}

export class DataRemovalService extends TimedRounds<
	RetentionTuning,
	DataRemovalOptions,
	SweepResult[]
> {
	constructor(options: DataRemovalOptions) {
		super(options, defaultRetentionTuning, "retention sweep");
	}

	/**
	 * One sweep at `now` over every organisation with retention on. Sweeps never overlap: a
	 * call while one runs waits for it. Tests drive the clock by passing a future `now`.
	 */
	sweep(now: Date = new Date()): Promise<SweepResult[]> {
		return this.roundAt(now);
	}

	/** Erase one author of a network in an organisation (see `DataRemoval.eraseAuthor`). */
	async eraseAuthor(
		orgId: string,
		network: Parameters<DataRemoval["eraseAuthor"]>[1],
		author: string,
	) {
		const erased = await this.options.storage.eraseAuthor(
			orgId,
			network,
			author,
			new Date().toISOString(),
		);
		await this.afterDeletion(orgId, erased.deleted);
		for (const [boardId, edited] of groupByBoard(erased.edited)) {
			await this.options.boards.publish(orgId, boardId, edited as StoredMention[]);
		}
		return erased;
	}

	protected override async round(now: Date): Promise<SweepResult[]> {
		const { storage, logger } = this.options;
		const results: SweepResult[] = [];
		for (const { orgId, finishedDays } of await storage.listRetentions()) {
			const finishedBefore = new Date(now.getTime() - finishedDays * DAY_MS).toISOString();
			const result: SweepResult = {
				orgId,
				finishedDays,
				finishedBefore,
				deleted: [],
				counts: noRemovalCounts(),
			};
			while (result.deleted.length < this.tuning.maxPerSweep) {
				const limit = Math.min(
					this.tuning.batchSize,
					this.tuning.maxPerSweep - result.deleted.length,
				);
				const batch = await storage.deleteFinishedBefore(orgId, finishedBefore, limit);
				result.deleted.push(...batch.deleted);
				addCounts(result.counts, batch.counts);
				await this.afterDeletion(orgId, batch.deleted);
				if (batch.deleted.length < limit) break;
			}
			// A sweep that found nothing is not an act on the organisation's data: not logged.
			if (result.deleted.length === 0) continue;
			await recordAudit(storage, {
				orgId,
				actor: { kind: "system" },
				action: "retention.deleted",
				target: { type: "organisation", id: orgId },
				details: { finishedDays, finishedBefore, ...result.counts },
				at: now.toISOString(),
			});
			logger.info({ orgId, ...result.counts }, "retention sweep deleted finished conversations");
			results.push(result);
		}
		// Drafts of deleted conversations that another instance had open went on being stored
		// there (the close is local to the instance that deleted them): remove what is left.
		for (const org of await storage.listOrganisations()) {
			const orphans = await storage.deleteOrphanDrafts(org.id);
			if (orphans > 0) {
				logger.info({ orgId: org.id, drafts: orphans }, "deleted drafts of deleted conversations");
			}
		}
		return results;
	}

	/** The deleted conversations leave the boards; their drafts open here close. */
	private async afterDeletion(orgId: string, deleted: readonly ConversationRef[]): Promise<void> {
		if (deleted.length === 0) return;
		for (const [boardId, refs] of groupByBoard(deleted)) {
			await this.options.boards.withdraw(
				orgId,
				boardId,
				refs.map((ref) => ref.mentionId),
			);
		}
		const { documents, storage } = this.options;
		const open = deleted.filter((ref) =>
			documents.documents.has(draftDocumentName(orgId, ref.mentionId)),
		);
		if (open.length === 0) return;
		// A reconnect is refused (the conversation is gone); the unload stores the document
		// once more, and that is deleted below.
		for (const ref of open) documents.closeConnections(draftDocumentName(orgId, ref.mentionId));
		const deadline = Date.now() + this.tuning.unloadWaitMs;
		const loaded = () =>
			open.some((ref) => documents.documents.has(draftDocumentName(orgId, ref.mentionId)));
		for (let round = 0; loaded() && Date.now() < deadline; round++) {
			// With keepLoadedUntilStored a closed document stays loaded until its debounced
			// store: run the pending stores now and once a second (they only come earlier).
			if (round % 50 === 0) documents.flushPendingStores();
			await new Promise((r) => setTimeout(r, 20));
		}
		await storage.deleteOrphanDrafts(
			orgId,
			open.map((ref) => ref.mentionId),
		);
	}
}

/** Retention and erasure routes (admins). */
export function createDataRemovalApi(options: {
	storage: DataRemoval & AuditLog;
	service: DataRemovalService;
}): Hono<ApiEnv> {
	const { storage, service } = options;
	const app = new Hono<ApiEnv>();

	handle(app, HttpRoutes.retention, (_c, { params }) => storage.getRetention(params.orgId));

	handle(app, HttpRoutes.setRetention, async (c: Context<ApiEnv>, { params, body }) => {
		const before = await storage.getRetention(params.orgId);
		const after = await storage.setRetention(params.orgId, body);
		if (before.finishedDays !== after.finishedDays) {
			await auditRequest(storage, c, {
				orgId: params.orgId,
				action: "retention.changed",
				target: { type: "organisation", id: params.orgId },
				details: changesOf(before, after),
			});
		}
		return after;
	});

	handle(app, HttpRoutes.erasure, async (c: Context<ApiEnv>, { params, body }) => {
		const author = body.author.replace(/^@/, "").toLowerCase();
		const erased = await service.eraseAuthor(params.orgId, body.network, author);
		const counts = {
			conversations: erased.counts.conversations,
			threadMessages: erased.counts.threadMessages,
			drafts: erased.counts.drafts,
			notifications: erased.counts.notifications,
		};
		const details: AuditDetails = { network: body.network, author, ...counts };
		await auditRequest(storage, c, {
			orgId: params.orgId,
			action: "author.erased",
			target: { type: "author", id: `${body.network}:${author}` },
			details,
		});
		return { network: body.network, author, ...counts };
	});

	return app;
}
