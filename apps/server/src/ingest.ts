/**
 * The one way mentions enter Switchboard, whatever the source (webhook, feed, Mastodon,
 * Bluesky, import): triage with the organisation's rules, store idempotently by network
 * and external id, project the new ones onto the live board, and queue the
 * high-priority event for the organisation's webhooks.
 */
import { type IncomingMention, triageMention } from "@switchboard/connectors";
import { WebhookEvents } from "@switchboard/domain";
import type { MentionStore, SourceStore, StoredMention, WebhookStore } from "@switchboard/storage";
import type { Logger } from "pino";

/** Where newly stored mentions are projected (the board extension in a running server). */
export interface MentionPublisher {
	publish(orgId: string, boardId: string, stored: StoredMention[]): Promise<void>;
}

export interface IngestResult {
	/** Mentions stored now. */
	accepted: number;
	/** Mentions already stored (same network and external id), skipped. */
	duplicates: number;
	stored: StoredMention[];
}

export interface IngestorOptions {
	storage: MentionStore & SourceStore & WebhookStore;
	/** Null where no board is live in this process (the import CLI). */
	publisher: MentionPublisher | null;
	logger: Pick<Logger, "warn">;
}

export class Ingestor {
	private readonly options: IngestorOptions;

	constructor(options: IngestorOptions) {
		this.options = options;
	}

	async ingest(
		orgId: string,
		boardId: string,
		incoming: readonly IncomingMention[],
		now: Date = new Date(),
	): Promise<IngestResult> {
		const { storage, publisher, logger } = this.options;
		const rules = await storage.getTriageRules(orgId);
		// One mention per network and id, even within a batch.
		const unique = new Map<string, IncomingMention>();
		for (const mention of incoming)
			unique.set(`${mention.network}\u0000${mention.externalId}`, mention);
		const triaged = [...unique.values()].map((mention) => triageMention(mention, rules));
		const stored = await storage.insertMentions(orgId, boardId, triaged);
		if (stored.length > 0 && publisher) {
			try {
				await publisher.publish(orgId, boardId, stored);
			} catch (error) {
				// Stored is what counts: the board reconciles with the database when it loads.
				logger.warn({ err: error, orgId, boardId }, "new mentions could not be projected now");
			}
		}
		for (const { mention } of stored) {
			if (mention.priority !== "high") continue;
			await storage.enqueueWebhookEvent({
				orgId,
				event: WebhookEvents.highPriority,
				dedupeKey: `mention:${mention.id}:high`,
				payload: {
					orgId,
					boardId,
					mentionId: mention.id,
					mention: {
						network: mention.network,
						externalId: mention.externalId,
						url: mention.url,
						author: mention.author,
						text: mention.text,
						language: mention.language,
						sentiment: mention.sentiment,
						priority: mention.priority,
						tags: mention.tags,
						postedAt: mention.postedAt,
					},
				},
				now: now.toISOString(),
			});
		}
		return { accepted: stored.length, duplicates: incoming.length - stored.length, stored };
	}
}
