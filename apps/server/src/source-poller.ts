/**
 * Polls the organisations' RSS/Atom, Mastodon and Bluesky sources when they are due,
 * ingests what they bring, and records each outcome on the source: the error an admin
 * sees, and exponential backoff after failures. Sources are leased while they are
 * polled, so several instances can run the poller without polling one source twice.
 */
import {
	defaultConnectorTuning,
	feedToMentions,
	fetchFeed,
	type IncomingMention,
	loginBluesky,
	pollBluesky,
	pollMastodon,
	SourceError,
} from "@switchboard/connectors";
import { exponentialBackoff, SOURCE_CONFIG_SCHEMAS, withDefaults } from "@switchboard/domain";
import type { SourceStore, SourceWithSecret } from "@switchboard/storage";
import * as v from "valibot";
import type { Ingestor } from "./ingest.ts";
import type { IntegrationWorkerOptions } from "./integration-worker.ts";

/** The poller's tuning; every value has its default in `defaultSourcePollerTuning`. */
export interface SourcePollerTuning {
	/** Per request to a feed or network, in ms. @default defaultConnectorTuning.timeoutMs */
	timeoutMs: number;
	/**
	 * Delay after the first failure, in ms; doubles with each one after. `null`: the
	 * source's own interval, so a failing source is asked as often as a working one at first.
	 * @default null
	 */
	backoffBaseMs: number | null;
	/** Longest delay after failures, in ms: a source that comes back is seen within the hour. @default 3600000 */
	backoffMaxMs: number;
	/**
	 * How long a source being polled is hidden from other pollers, in ms: longer than a
	 * round of polls with their timeouts, so no source is polled twice at once.
	 * @default 300000 (5 min)
	 */
	leaseMs: number;
}

export const defaultSourcePollerTuning: SourcePollerTuning = {
	timeoutMs: defaultConnectorTuning.timeoutMs,
	backoffBaseMs: null,
	backoffMaxMs: 3_600_000,
	leaseMs: 300_000,
};

export interface SourcePollerOptions
	extends Partial<SourcePollerTuning>,
		IntegrationWorkerOptions<"sourcePolled"> {
	storage: SourceStore;
	ingestor: Ingestor;
}

export interface PollReport {
	sourceId: string;
	ok: boolean;
	accepted: number;
	duplicates: number;
	error: string | null;
}

interface PollOutcome {
	mentions: IncomingMention[];
	cursor: Record<string, unknown>;
}

const BATCH = 20;

type BlueskyAgent = Awaited<ReturnType<typeof loginBluesky>>;

export class SourcePoller {
	private readonly options: SourcePollerOptions;
	private readonly tuning: SourcePollerTuning;
	/** Signed-in Bluesky agents per source, so a poll does not create a session each time. */
	private readonly agents = new Map<string, { key: string; agent: BlueskyAgent }>();

	constructor(options: SourcePollerOptions) {
		this.options = options;
		this.tuning = withDefaults(defaultSourcePollerTuning, options);
	}

	/** Poll every source due at `now`; one failing source does not stop the others. */
	async runOnce(now: Date = new Date()): Promise<PollReport[]> {
		const leaseUntil = new Date(now.getTime() + this.tuning.leaseMs).toISOString();
		const reports: PollReport[] = [];
		for (;;) {
			const due = await this.options.storage.claimDueSources(now.toISOString(), leaseUntil, BATCH);
			for (const source of due) reports.push(await this.pollOne(source, now));
			if (due.length < BATCH) break;
		}
		return reports;
	}

	private async pollOne(source: SourceWithSecret, now: Date): Promise<PollReport> {
		const { storage, ingestor, logger } = this.options;
		const intervalMs = (Number(source.config.intervalSeconds) || 300) * 1000;
		try {
			const outcome = await this.fetch(source, now);
			const result = await ingestor.ingest(source.orgId, source.boardId, outcome.mentions, now);
			await storage.recordSourcePoll(source.id, {
				cursor: outcome.cursor,
				lastError: null,
				lastPolledAt: now.toISOString(),
				nextPollAt: new Date(now.getTime() + intervalMs).toISOString(),
				failures: 0,
			});
			this.options.metrics?.sourcePolled(source.kind, "ok");
			return {
				sourceId: source.id,
				ok: true,
				accepted: result.accepted,
				duplicates: result.duplicates,
				error: null,
			};
		} catch (error) {
			const message =
				error instanceof SourceError || error instanceof Error ? error.message : String(error);
			if (!(error instanceof SourceError)) {
				logger.warn({ err: error, source: source.id }, "source poll failed unexpectedly");
			}
			if ((error as SourceError).status === 401) this.agents.delete(source.id);
			const failures = source.status.failures + 1;
			const delay = exponentialBackoff(failures, {
				baseMs: this.tuning.backoffBaseMs ?? intervalMs,
				maxMs: this.tuning.backoffMaxMs,
			});
			await storage.recordSourcePoll(source.id, {
				lastError: message,
				lastPolledAt: now.toISOString(),
				nextPollAt: new Date(now.getTime() + delay).toISOString(),
				failures,
			});
			this.options.metrics?.sourcePolled(source.kind, "error");
			logger.debug({ source: source.id, failures, error: message }, "source poll failed");
			return { sourceId: source.id, ok: false, accepted: 0, duplicates: 0, error: message };
		}
	}

	private async fetch(source: SourceWithSecret, now: Date): Promise<PollOutcome> {
		const { timeoutMs } = this.tuning;
		switch (source.kind) {
			case "rss": {
				const config = v.parse(SOURCE_CONFIG_SCHEMAS.rss, source.config);
				const cursor = source.cursor as { etag?: string; lastModified?: string };
				const result = await fetchFeed({
					url: config.url,
					cursor,
					timeoutMs,
					outbound: this.options.outbound,
				});
				if (result.status === "not_modified") return { mentions: [], cursor };
				return {
					mentions: feedToMentions(result.feed, {
						feedUrl: config.url,
						keywords: config.keywords,
						now,
					}),
					cursor: { ...result.cursor },
				};
			}
			case "mastodon": {
				const config = v.parse(SOURCE_CONFIG_SCHEMAS.mastodon, source.config);
				const result = await pollMastodon({
					outbound: this.options.outbound,
					instanceUrl: config.instanceUrl,
					accessToken: this.credential(source),
					mentions: config.mentions,
					keywords: config.keywords,
					cursor: source.cursor,
					timeoutMs,
					now,
				});
				return { mentions: result.mentions, cursor: { ...result.cursor } };
			}
			case "bluesky": {
				const config = v.parse(SOURCE_CONFIG_SCHEMAS.bluesky, source.config);
				const key = `${source.updatedAt}`;
				let cached = this.agents.get(source.id);
				if (!cached || cached.key !== key) {
					const agent = await loginBluesky({
						outbound: this.options.outbound,
						service: config.service,
						identifier: config.identifier,
						password: this.credential(source),
						timeoutMs,
					});
					cached = { key, agent };
					this.agents.set(source.id, cached);
				}
				const mentions = await pollBluesky(cached.agent, {
					mentions: config.mentions,
					keywords: config.keywords,
					now,
				});
				return { mentions, cursor: {} };
			}
			case "webhook":
				return { mentions: [], cursor: {} };
			default: {
				const unreachable: never = source.kind;
				return unreachable;
			}
		}
	}

	private credential(source: SourceWithSecret): string {
		if (!source.sealedSecret) throw new SourceError("The source has no credential; set one.");
		return this.options.secrets.open(source.sealedSecret);
	}
}
