/**
 * The coverage watcher: on a timer (only with `background`), or when a test calls
 * `runOnce(now)`, it
 *
 * 1. finds SLA breaches with the domain's `slaState` over what the activity log knows of
 *    each open conversation, records each once (activity `sla_breached`, kind claim or
 *    reply), puts it on the board for moderators at once, and queues the
 *    `mention.sla_breached` webhook event;
 * 2. gives back the conversations of owners offline longer than the board's lease,
 *    through the same command transaction as a member's release (activity
 *    `lease_expired`, no actor), projects the result onto the board, and tells each
 *    former owner (a `lease_expired` notification);
 * 3. brings snoozed conversations whose time is up back to the board as new, through the
 *    same transaction as a member's reopen (activity `snooze_ended`, no actor), so the
 *    Snoozed column empties and the New column fills for everyone.
 *
 * Several instances may run it at once: a breach is recorded once (a unique index), and
 * a release checks inside its transaction that the owner is still the one that expired;
 * only the instance whose transaction made a breach or a release tells the owner of it.
 */
import {
	type BoardSettings,
	expiredLeases,
	newBreaches,
	OPEN_OWNED_STATUSES,
	type SlaKind,
	SlaKinds,
	SystemActions,
	slaState,
	summarizePresence,
	WebhookEvents,
} from "@switchboard/domain";
import type {
	CommandArbiter,
	CoverageStore,
	Directory,
	MentionStore,
	NewSlaBreach,
	RecordedSlaBreach,
	StoredMention,
	WebhookStore,
} from "@switchboard/storage";
import type { Logger } from "pino";
import type { MentionPublisher } from "./ingest.ts";
import { runSystemCommand } from "./system-command.ts";
import { TimedRounds } from "./timed-rounds.ts";

/** Where recorded breaches are shown (the coverage extension: onto the board). */
export interface BreachPublisher {
	publishBreaches(
		orgId: string,
		boardId: string,
		breaches: readonly RecordedSlaBreach[],
	): Promise<void>;
}

/** Where breaches are announced outside (the outgoing webhook dispatcher). */
export interface BreachNotifier {
	slaBreached(input: {
		orgId: string;
		boardId: string;
		mention: StoredMention["mention"];
		kind: SlaKind;
		dueAt: string;
		now?: Date;
	}): Promise<number>;
}

/** A breach just recorded, with the conversation's owner when it was found. */
export interface OwnedBreach {
	mentionId: string;
	kind: SlaKind;
	dueAt: string;
	ownerId: string | null;
}

/** A conversation given back because its owner's lease ran out. */
export interface ReleasedLease {
	mentionId: string;
	/** The owner it was taken from. */
	memberId: string;
	/** Since when the owner counted as offline (ISO). */
	offlineSince: string;
	/** When it went back (ISO). */
	releasedAt: string;
	/** The conversation's revision the release made: one per release, whoever made it. */
	rev: number;
}

/** Where the owners of breached and released conversations are told (the notifier). */
export interface BreachOwners {
	breachesRecorded(orgId: string, boardId: string, breaches: readonly OwnedBreach[]): void;
	leasesReleased(orgId: string, boardId: string, released: readonly ReleasedLease[]): void;
}

export interface CoverageWatcherOptions extends Partial<CoverageWatcherTuning> {
	storage: Directory & MentionStore & CommandArbiter & CoverageStore & WebhookStore;
	logger: Pick<Logger, "warn" | "info" | "debug">;
	/** Confirms this instance's connected members as seen, before leases are judged. */
	heartbeat: (now: Date) => Promise<void>;
	breaches: BreachPublisher;
	mentions: MentionPublisher;
	notifier: BreachNotifier | null;
	/** Tells each breached or released conversation's owner. @default nobody */
	owners?: BreachOwners | null;
}

/** The watcher's tuning; every value has its default in `defaultCoverageWatcherTuning`. */
export interface CoverageWatcherTuning {
	/**
	 * How often a round runs with `start()`, in milliseconds.
	 * @default 30000 (a breach shows within half a minute; rounds are a few queries)
	 */
	tickMs: number;
	/**
	 * How long an instance's presence rows count without a heartbeat, in milliseconds.
	 * @default 120000 (four heartbeats; an instance that died stops counting after it)
	 */
	presenceStaleMs: number;
	/**
	 * How far back finished conversations are checked for a breach that came at the end
	 * (a reply sent late between two rounds), in milliseconds.
	 * @default 86400000 (one day)
	 */
	lookbackMs: number;
	/**
	 * Most breaches recorded per board and round; the rest come in the next rounds, so a
	 * backlog (an import of old mentions) does not make one huge board update.
	 * @default 500
	 */
	maxBreachesPerRound: number;
	/**
	 * Presence rows not refreshed for this long are deleted, in milliseconds.
	 * @default 2592000000 (30 days)
	 */
	presenceRetentionMs: number;
}

export const defaultCoverageWatcherTuning: CoverageWatcherTuning = {
	tickMs: 30_000,
	presenceStaleMs: 120_000,
	lookbackMs: 86_400_000,
	maxBreachesPerRound: 500,
	presenceRetentionMs: 30 * 86_400_000,
};

/** What one round did. */
export interface CoverageRound {
	/** Breaches recorded in this round. */
	breaches: RecordedSlaBreach[];
	/** Conversations given back because their owner's lease ran out. */
	released: { orgId: string; mentionId: string; memberId: string }[];
	/** Snoozed conversations back on the board because their snooze ended. */
	woken: { orgId: string; mentionId: string }[];
}

export class CoverageWatcher extends TimedRounds<
	CoverageWatcherTuning,
	CoverageWatcherOptions,
	CoverageRound
> {
	constructor(options: CoverageWatcherOptions) {
		super(options, defaultCoverageWatcherTuning, "coverage round");
	}

	/**
	 * Run one round at `now`. Rounds never overlap: a call while one runs waits for it.
	 * Tests drive the clock by passing a future `now`.
	 */
	runOnce(now: Date = new Date()): Promise<CoverageRound> {
		return this.roundAt(now);
	}

	protected override async round(now: Date): Promise<CoverageRound> {
		const { storage } = this.options;
		const result: CoverageRound = { breaches: [], released: [], woken: [] };
		await this.options.heartbeat(now);
		const retention = this.tuning.presenceRetentionMs;
		await storage.prunePresence(new Date(now.getTime() - retention).toISOString());
		for (const org of await storage.listOrganisations()) {
			const records = await storage.listPresence(org.id);
			const presence = summarizePresence(records, now.toISOString(), this.tuning.presenceStaleMs);
			for (const board of await storage.listBoards(org.id)) {
				const settings = await storage.getBoardSettings(org.id, board.id);
				result.breaches.push(...(await this.breaches(org.id, board.id, settings, now)));
				for (const lease of await this.leases(org.id, board.id, settings, presence, now)) {
					result.released.push({
						orgId: org.id,
						mentionId: lease.mentionId,
						memberId: lease.memberId,
					});
				}
				for (const mentionId of await this.wake(org.id, board.id, now)) {
					result.woken.push({ orgId: org.id, mentionId });
				}
			}
		}
		if (result.breaches.length > 0 || result.released.length > 0 || result.woken.length > 0) {
			this.options.logger.info(
				{
					breaches: result.breaches.length,
					released: result.released.length,
					woken: result.woken.length,
				},
				"coverage round",
			);
		}
		return result;
	}

	private async breaches(
		orgId: string,
		boardId: string,
		settings: BoardSettings,
		now: Date,
	): Promise<RecordedSlaBreach[]> {
		const { storage } = this.options;
		const nowIso = now.toISOString();
		const candidates = await storage.listSlaCandidates(orgId, boardId, {
			now: nowIso,
			since: new Date(now.getTime() - this.tuning.lookbackMs).toISOString(),
			shortestMinutes: {
				claim: Math.min(...Object.values(settings.slaClaimMinutes)),
				reply: Math.min(...Object.values(settings.slaReplyMinutes)),
			},
		});
		const found: NewSlaBreach[] = [];
		const byId = new Map<string, StoredMention["mention"]>();
		for (const { stored, progress, recorded } of candidates) {
			const { mention } = stored;
			const state = slaState(mention, settings, nowIso, progress);
			for (const clock of newBreaches(state, recorded)) {
				byId.set(mention.id, mention);
				found.push({
					mentionId: mention.id,
					kind: clock.kind,
					dueAt: clock.dueAt,
					status: mention.status,
					ownerId: mention.owner?.memberId ?? null,
					priority: mention.priority,
					round: mention.slaFrom,
				});
			}
		}
		// Oldest deadline first, so a capped round takes the longest-missed ones.
		found.sort(
			(a, b) =>
				a.dueAt.localeCompare(b.dueAt) ||
				SlaKinds.indexOf(a.kind) - SlaKinds.indexOf(b.kind) ||
				a.mentionId.localeCompare(b.mentionId),
		);
		const recorded = await storage.recordSlaBreaches(
			orgId,
			found.slice(0, this.tuning.maxBreachesPerRound),
			nowIso,
		);
		if (recorded.length === 0) return recorded;
		await this.options.breaches.publishBreaches(orgId, boardId, recorded);
		this.options.owners?.breachesRecorded(
			orgId,
			boardId,
			recorded.map((breach) => ({
				...breach,
				ownerId: byId.get(breach.mentionId)?.owner?.memberId ?? null,
			})),
		);
		// One queued event per breach and endpoint: skip the queries when nobody listens.
		const listening = (await storage.listWebhookEndpoints(orgId)).some(
			(endpoint) => endpoint.enabled && endpoint.events.includes(WebhookEvents.slaBreached),
		);
		for (const breach of recorded) {
			const mention = byId.get(breach.mentionId);
			if (!mention || !this.options.notifier || !listening) continue;
			await this.options.notifier.slaBreached({
				orgId,
				boardId,
				mention,
				kind: breach.kind,
				dueAt: breach.dueAt,
				now,
			});
		}
		return recorded;
	}

	private async leases(
		orgId: string,
		boardId: string,
		settings: BoardSettings,
		presence: ReturnType<typeof summarizePresence>,
		now: Date,
	): Promise<ReleasedLease[]> {
		const { storage, logger } = this.options;
		const owned = await storage.listMentions(orgId, boardId, {
			status: [...OPEN_OWNED_STATUSES],
		});
		const expired = expiredLeases(
			owned.map(({ mention }) => mention),
			presence,
			settings.leaseMinutes,
			now.toISOString(),
		);
		const released: ReleasedLease[] = [];
		for (const lease of expired) {
			const outcome = await runSystemCommand(storage, {
				orgId,
				boardId,
				command: { name: "release", args: { mentionId: lease.mentionId } },
				action: SystemActions.leaseExpired,
				detail: { offlineSince: lease.offlineSince, leaseMinutes: settings.leaseMinutes },
				now: now.toISOString(),
				expectOwnerId: lease.memberId,
				unlessSeenAfter: lease.offlineSince,
			});
			if (!outcome.ok) {
				logger.debug({ mentionId: lease.mentionId, code: outcome.code }, "lease kept");
				continue;
			}
			if (outcome.stored) await this.options.mentions.publish(orgId, boardId, [outcome.stored]);
			released.push({
				mentionId: lease.mentionId,
				memberId: lease.memberId,
				offlineSince: lease.offlineSince,
				releasedAt: now.toISOString(),
				rev: outcome.rev,
			});
		}
		if (released.length > 0) this.options.owners?.leasesReleased(orgId, boardId, released);
		return released;
	}

	/** Snoozed conversations whose snooze is over, back to the board as new. */
	private async wake(orgId: string, boardId: string, now: Date): Promise<string[]> {
		const { storage, logger } = this.options;
		const nowIso = now.toISOString();
		const snoozed = await storage.listMentions(orgId, boardId, { status: "snoozed" });
		const woken: string[] = [];
		for (const { mention } of snoozed) {
			const until = mention.snoozedUntil;
			if (until !== null && Date.parse(until) > now.getTime()) continue;
			const outcome = await runSystemCommand(storage, {
				orgId,
				boardId,
				command: { name: "reopen", args: { mentionId: mention.id } },
				action: SystemActions.snoozeEnded,
				detail: { snoozedUntil: until },
				now: nowIso,
				snoozedDueBy: nowIso,
			});
			if (!outcome.ok) {
				logger.debug({ mentionId: mention.id, code: outcome.code }, "snooze kept");
				continue;
			}
			if (outcome.stored) await this.options.mentions.publish(orgId, boardId, [outcome.stored]);
			woken.push(mention.id);
		}
		return woken;
	}
}
