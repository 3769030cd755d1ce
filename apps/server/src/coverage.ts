/**
 * The moderator's view, wired for one server: the sync extension (presence for leases,
 * breaches and settings on the board), the coverage watcher, and the reports and
 * settings routes. The presence heartbeat always runs while the server does (other
 * instances judge leases by it); the watcher runs on a timer only when started
 * (`background`), and tests call `watcher.runOnce(now)`.
 */
import { randomUUID } from "node:crypto";
import type { Storage } from "@switchboard/storage";
import { CoverageExtension } from "@switchboard/sync";
import type { Hono } from "hono";
import type { Logger } from "pino";
import { createCoverageApi } from "./coverage-api.ts";
import {
	type BreachNotifier,
	type BreachOwners,
	CoverageWatcher,
	type CoverageWatcherTuning,
} from "./coverage-watcher.ts";
import type { ApiEnv } from "./http-api.ts";
import type { MentionPublisher } from "./ingest.ts";

export interface CoverageOptions {
	storage: Storage;
	logger: Logger;
	/** Projects released conversations onto their board. */
	mentions: MentionPublisher;
	/** The outgoing webhook dispatcher, for `mention.sla_breached`. */
	notifier: BreachNotifier | null;
	/** Tells the owners of breached conversations (the notifier). */
	owners?: BreachOwners | null;
	/** Watcher settings (tests shorten or lengthen them). */
	watcher?: Partial<CoverageWatcherTuning>;
	/** How often this instance confirms its connected members. @default defaultHeartbeatMs */
	heartbeatMs?: number;
}

/**
 * How often an instance confirms its connected members as seen, in milliseconds.
 * @default 30000 (well inside the watcher's 2-minute staleness: four heartbeats)
 */
export const defaultHeartbeatMs = 30_000;

export interface Coverage {
	/** This process's id in `member_presence`. */
	instanceId: string;
	extension: CoverageExtension;
	watcher: CoverageWatcher;
	/** Routes behind the session. Mount before routes that guard all of `/api/orgs/:orgId/*`. */
	routes: Hono<ApiEnv>;
	/** Run the watcher on its timer. */
	start(): void;
	/** Stop the heartbeat and the watcher, and wait for a round in progress. */
	stop(): Promise<void>;
}

export function createCoverage(options: CoverageOptions): Coverage {
	const { storage } = options;
	const logger = options.logger.child({ component: "coverage" });
	const instanceId = randomUUID();
	const extension = new CoverageExtension({ storage, logger, instanceId });
	const watcher = new CoverageWatcher({
		storage,
		logger,
		heartbeat: (now) => extension.heartbeat(now),
		breaches: extension,
		mentions: options.mentions,
		notifier: options.notifier,
		owners: options.owners ?? null,
		...options.watcher,
	});
	const heartbeat = setInterval(() => {
		void extension.heartbeat();
	}, options.heartbeatMs ?? defaultHeartbeatMs);
	heartbeat.unref();

	return {
		instanceId,
		extension,
		watcher,
		routes: createCoverageApi({
			storage,
			publishSettings: (orgId, boardId, settings) =>
				extension.publishSettings(orgId, boardId, settings),
		}),
		start: () => watcher.start(),
		async stop() {
			clearInterval(heartbeat);
			await watcher.stop();
		},
	};
}
