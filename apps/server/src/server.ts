/**
 * One Switchboard process: the HTTP API, the WebSocket sync endpoint `/sync` and the
 * built web client, on one port.
 */
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Extension, Hocuspocus } from "@hocuspocus/server";
import { createAdaptorServer } from "@hono/node-server";
import { SESSION_COOKIE, threadMessageKey, withDefaults } from "@switchboard/domain";
import { openStorage, type Storage } from "@switchboard/storage";
import {
	AuthExtension,
	AwarenessGuard,
	BoardExtension,
	BoardProjector,
	BoardStates,
	type BoardStatesTuning,
	CommandExtension,
	createLocalBus,
	createLocalRevocationBus,
	createSessionService,
	createTokenService,
	DraftTexts,
	DurableDocuments,
	defaultSyncLimits,
	FollowUpSeenExtension,
	GroupCommitter,
	LimitsExtension,
	type MemberMessageBus,
	MemberSockets,
	MembershipWatcher,
	NoteMentionsWatcher,
	NotificationDelivery,
	RecordedReplies,
	type RevocationBus,
	RevocationExtension,
	type SessionService,
	SwitchboardHocuspocus,
	type SyncLimits,
	type SyncSocket,
	serveSyncSocket,
} from "@switchboard/sync";
import type { Hono } from "hono";
import { parse as parseCookie } from "hono/utils/cookie";
import { type Logger, pino } from "pino";
import { WebSocketServer } from "ws";
import { type AdminChannel, serveAdminChannel } from "./admin-channel.ts";
import { createAdminOperations } from "./admin-operations.ts";
import { createAuditApi } from "./audit.ts";
import { createBoardsApi } from "./boards-api.ts";
import { type Config, DEFAULT_MAIL_FROM, demoExposure } from "./config.ts";
import { type Coverage, type CoverageOptions, createCoverage } from "./coverage.ts";
import { createDataRemovalApi, DataRemovalService, type RetentionTuning } from "./data-removal.ts";
import { type DemoSummary, seedDemo } from "./demo.ts";
import { type ApiEnv, createHttpApi } from "./http-api.ts";
import { createIntegrations, type Integrations, type IntegrationsOptions } from "./integrations.ts";
import { createInvitationService, type InvitationService } from "./invitations.ts";
import { createMailer } from "./mailer.ts";
import { createMetricsRoutes, createServerMetrics, type ServerMetrics } from "./metrics.ts";
import { MemberMessageSchema, NOTIFICATION_CHANNEL, Notifier } from "./notifications.ts";
import { createNotificationsApi } from "./notifications-api.ts";
import { createExportApi } from "./org-export.ts";
import { createOriginPolicy } from "./origin-check.ts";
import { PasswordHasher, type ScryptParameters } from "./passwords.ts";
import { createPeopleApi, type PeopleApi } from "./people-api.ts";
import { PushSender, readOrCreateVapidKeys } from "./push.ts";
import {
	clientAddress,
	createRateLimiters,
	RateLimitedError,
	type RateLimiters,
	rateLimitsWith,
} from "./rate-limits.ts";
import { createRedisBus } from "./redis-bus.ts";
import { guardRedisPromises } from "./redis-incoming-guard.ts";
import { redisName } from "./redis-names.ts";
import { resyncAfterOutage } from "./redis-resync.ts";
import { createRedisRevocationBus, REVOCATION_CHANNEL } from "./redis-revocations.ts";
import { redisDeadlines } from "./redis-tuning.ts";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id.ts";
import { createSso } from "./sso.ts";

/**
 * Largest WebSocket frame accepted, in bytes. Larger frames close the socket with 1009.
 * @default 2 MiB: above the 1 MiB update limit plus framing.
 */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;

/**
 * How long an idle kept-alive HTTP connection stays open, in ms. Node's 5 s closes it under
 * a client that just chose it for its next request, which then fails (`other side closed`;
 * a load balancer answers 502): the side that closes idle connections must be the client,
 * so the instance waits longer than they do (undici 3 s after `Keep-Alive: timeout=5`,
 * nginx and AWS's balancers 60 s). Scenario 12 on four instances, whose starved event loops
 * ran their idle timers late, lost 19–100 webhook requests of 1,000 so.
 * @default 65 s
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * When a loaded document's update log is compacted into its snapshot (Hocuspocus'
 * `onStoreDocument`), and whether a document nobody has open any more leaves memory at once.
 * Every update is durable in the log before it is acknowledged, so these bound only how long
 * the log grows and how long a closed document stays warm.
 */
export interface StoreTuning {
	/**
	 * A document is stored this long after its last change (Hocuspocus' `debounce`), in ms.
	 * @default 5 s
	 */
	debounceMs: number;
	/**
	 * A document that keeps changing is stored at least this often (Hocuspocus'
	 * `maxDebounce`), in ms: a busy board's log does not grow without end.
	 * @default 30 s
	 */
	maxDebounceMs: number;
	/**
	 * Keep a document whose last client left loaded until its debounced store (Hocuspocus'
	 * `unloadImmediately: false`), instead of storing and unloading it at once: a board opened
	 * again within those seconds is not compacted and loaded a second time (1–3 s of the core
	 * on 10,000–20,000 mentions). Off: in scenario 6 it moved the compaction that a leave ran
	 * between the measured windows into them, and batches measured 1,583–2,096/s against
	 * main's 2,024–2,352/s in four exclusive holds (bench/findings/06.md).
	 * @default false
	 */
	keepLoadedUntilStored: boolean;
}

export const defaultStoreTuning: StoreTuning = {
	debounceMs: 5_000,
	maxDebounceMs: 30_000,
	keepLoadedUntilStored: false,
};

export interface Switchboard {
	/** `http://host:port` of the listener. */
	url: string;
	port: number;
	storage: Storage;
	/**
	 * Verifies tokens against revocations; `sign` makes a token without a session (tests,
	 * tools), `issue` a sign-in's, `revokeSessions(memberId)` ends every session of a member.
	 */
	tokens: SessionService;
	hocuspocus: Hocuspocus;
	logger: Logger;
	/** What the demo seed created, when it ran on this start. */
	demo: DemoSummary | null;
	/** Project newly stored mentions onto their board (ingest paths call this). */
	board: BoardExtension;
	/** Sources, triage, replies out and outgoing webhooks (see integrations.ts). */
	integrations: Integrations;
	/** The moderator's view: presence, SLA and lease watcher, reports (see coverage.ts). */
	coverage: Coverage;
	/** Members' notification feeds, told live and pushed (see notifications.ts). */
	notifier: Notifier;
	/** Web Push to members' devices (see push.ts). */
	push: PushSender;
	/** The HTTP API; tests list its routes. */
	api: Hono<ApiEnv>;
	/** Invitations and reset links (setup, invite, reset). */
	invitations: InvitationService;
	/** The people API; `deactivate` ends a member's sessions and releases their work. */
	people: PeopleApi;
	/** The local admin channel the CLI uses; null when another process serves it. */
	admin: AdminChannel | null;
	/** Sign-in, request and socket limits, and where their counters are kept. */
	rateLimits: RateLimiters;
	/** What `GET /metrics` serves (see metrics.ts). */
	metrics: ServerMetrics;
	/** Retention sweeps and erasures (see data-removal.ts); tests call `sweep(now)`. */
	dataRemoval: DataRemovalService;
	/** Stop accepting, store every document, close the database. */
	close(): Promise<void>;
}

export interface StartOptions {
	logger?: Logger;
	/**
	 * Poller, dispatcher and webhook delivery record settings (tests shorten timeouts,
	 * backoff and throttle windows).
	 */
	integrations?: Pick<
		IntegrationsOptions,
		"poller" | "dispatcher" | "tickMs" | "webhookDeliveries"
	>;
	/** Coverage watcher and heartbeat settings. */
	coverage?: Pick<CoverageOptions, "watcher" | "heartbeatMs">;
	/** Limits of every sync socket (tests lower them); the rest keep `defaultSyncLimits`. */
	limits?: Partial<SyncLimits>;
	/** How often open sockets are checked against memberships. @default 30000 */
	membershipCheckMs?: number;
	/** Retention sweep settings (tests lengthen or shorten them). */
	retention?: Partial<RetentionTuning>;
	/** A dump a new embedded database starts from (`openStorage`'s `template`; tests). */
	storageTemplate?: Blob;
	/** When documents are stored and unloaded (tests shorten it); the rest keep `defaultStoreTuning`. */
	store?: Partial<StoreTuning>;
	/** How boards' states go out over HTTP (tests keep them longer); see `defaultBoardStatesTuning`. */
	boardStates?: Partial<BoardStatesTuning>;
	/**
	 * What new password hashes are made with, and older ones rehashed to on sign-in.
	 * @default SCRYPT_PARAMETERS (OWASP's); tests whose subject is not the hashing pass cheaper ones
	 */
	passwordHashing?: ScryptParameters;
}

/** Hocuspocus' Redis extension; loaded only with REDIS_URL (it and ioredis hold ~40 MiB). */
async function redisExtension(
	url: string,
	prefix: string | undefined,
	logger: Logger,
): Promise<Extension> {
	const { Redis } = await import("@hocuspocus/extension-redis");
	const parsed = new URL(url);
	const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
	const extension = new Redis({
		// The extension's own default, in the deployment's namespace.
		prefix: redisName(prefix, "hocuspocus"),
		host: parsed.hostname,
		port: Number(parsed.port || 6379),
		options: {
			...redisDeadlines(),
			...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
			...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
			db,
		},
	});
	resyncAfterOutage(extension, logger);
	guardRedisPromises(extension, logger);
	return extension;
}

export async function startSwitchboard(
	config: Config,
	options: StartOptions = {},
): Promise<Switchboard> {
	const exposure = demoExposure(config);
	if (exposure) throw new Error(exposure);
	const logger = options.logger ?? pino({ level: config.logLevel });
	const startedAt = new Date();
	const storage = await openStorage({
		...(config.databaseUrl
			? { databaseUrl: config.databaseUrl }
			: {
					dataDir: config.dataDir,
					...(config.dataDirTightened ? { dataDirTightened: config.dataDirTightened } : {}),
				}),
		...(options.storageTemplate ? { template: options.storageTemplate } : {}),
		logger,
	});
	const demo = config.demo
		? await seedDemo(storage, { dataDir: config.demoDataDir, logger })
		: null;

	const revocations: RevocationBus = config.redisUrl
		? await createRedisRevocationBus(
				config.redisUrl,
				logger,
				redisName(config.redisPrefix, REVOCATION_CHANNEL),
			)
		: createLocalRevocationBus();
	const tokens = createSessionService({
		tokens: createTokenService({ secret: config.secret }),
		storage,
		bus: revocations,
		logger: logger.child({ component: "sessions" }),
	});
	const notificationBus: MemberMessageBus = config.redisUrl
		? await createRedisBus({
				url: config.redisUrl,
				channel: redisName(config.redisPrefix, NOTIFICATION_CHANNEL),
				schema: MemberMessageSchema,
				logger,
			})
		: createLocalBus();
	const rateLimits = createRateLimiters({
		limits: rateLimitsWith(config.rateLimits),
		redisUrl: config.redisUrl,
		prefix: redisName(config.redisPrefix, "switchboard"),
		storage,
		logger,
	});
	// Shared counters before the first request, as the revocation bus is connected first.
	await rateLimits.ready;
	const metrics = createServerMetrics({ logger });
	const committer = new GroupCommitter(storage, { metrics: metrics.sync });
	const projector = new BoardProjector({ storage });
	const board = new BoardExtension(projector, logger);
	const coverage = createCoverage({
		storage,
		logger,
		mentions: board,
		// The dispatcher exists by the time the watcher first runs.
		notifier: { slaBreached: (input) => integrations.dispatcher.slaBreached(input) },
		owners: {
			breachesRecorded: (orgId, boardId, breaches) =>
				notifier.breachesRecorded(orgId, boardId, breaches),
			leasesReleased: (orgId, boardId, released) =>
				notifier.leasesReleased(orgId, boardId, released),
		},
		...options.coverage,
	});
	const limits: SyncLimits = { ...defaultSyncLimits, ...options.limits };
	const sizeLimits = new LimitsExtension({ maxDocumentBytes: limits.maxDocumentBytes });
	const draftTexts = new DraftTexts({ storage });
	const boardStates = new BoardStates({
		logger,
		...(options.boardStates ? { tuning: options.boardStates } : {}),
	});
	const extensions: Extension[] = [
		new AuthExtension({
			tokens,
			storage,
			logger,
			sockets: new MemberSockets({ maxPerMember: rateLimits.limits.socketsPerMember }),
		}),
		new RevocationExtension({ bus: revocations, logger }),
		sizeLimits,
		new AwarenessGuard({ maxClientsPerConnection: limits.maxAwarenessClients }),
		new DurableDocuments({
			storage,
			committer,
			logger,
			maxUpdateBytes: limits.maxUpdateBytes,
			admitsEarly: (documentName, bytes) => sizeLimits.reserve(documentName, bytes),
			metrics: metrics.sync,
		}),
		board,
		coverage.extension,
		draftTexts,
		boardStates,
		new CommandExtension({
			storage,
			projector,
			logger,
			metrics: metrics.sync,
			draftTexts,
			replies: new RecordedReplies({ storage, publisher: board, drafts: draftTexts }),
			onApplied: (applied) => notifier.commandApplied(applied),
		}),
		new NotificationDelivery({ bus: notificationBus }),
		new NoteMentionsWatcher({ onMentions: (mentions) => notifier.noteMentions(mentions) }),
		new FollowUpSeenExtension({
			storage,
			publisher: board,
			logger,
			onSeen: (memberId, mentionId) => notifier.followUpsSeen(memberId, mentionId),
		}),
		new MembershipWatcher({
			storage,
			logger,
			...(options.membershipCheckMs ? { intervalMs: options.membershipCheckMs } : {}),
		}),
	];
	if (config.redisUrl) {
		extensions.push(await redisExtension(config.redisUrl, config.redisPrefix, logger));
	}

	const store = withDefaults(defaultStoreTuning, options.store);
	const hocuspocus = new SwitchboardHocuspocus({
		name: "switchboard",
		quiet: true,
		extensions,
		debounce: store.debounceMs,
		maxDebounce: store.maxDebounceMs,
		unloadImmediately: !store.keepLoadedUntilStored,
		timeout: 30_000,
		maxUnauthenticatedQueueMessages: limits.maxUnauthenticatedMessages * 2,
		maxUnauthenticatedQueueSize: limits.maxUnauthenticatedBytes * 2,
		maxPendingDocuments: limits.maxDocumentsPerSocket * 2,
		metrics: metrics.sync,
	});

	const dataRemoval = new DataRemovalService({
		storage,
		boards: board,
		documents: hocuspocus,
		logger: logger.child({ component: "data-removal" }),
		...options.retention,
	});

	const integrations = createIntegrations({
		storage,
		secret: config.secret,
		publisher: board,
		logger,
		drafts: draftTexts,
		metrics: metrics.integrations,
		...(config.outboundAllow ? { outboundAllow: config.outboundAllow } : {}),
		...options.integrations,
	});
	const push = new PushSender({
		storage,
		outbound: integrations.outbound,
		vapid: config.vapid ?? (await readOrCreateVapidKeys(config.dataDir)),
		...(config.vapidSubject ? { subject: config.vapidSubject } : {}),
		logger: logger.child({ component: "push" }),
	});
	const notifier = new Notifier({ storage, bus: notificationBus, push, logger });
	// Follow-ups on what a member owns (or owned, when it went back to the board) go to their feed.
	integrations.ingestor.onFollowUp((event) => {
		const last = event.messages.at(-1);
		if (!event.ownerId || !last) return;
		notifier.followUp({
			orgId: event.orgId,
			boardId: event.boardId,
			mentionId: event.mentionId,
			ownerId: event.ownerId,
			messageId: threadMessageKey(last),
			count: event.messages.length,
		});
	});
	const mailer = config.smtpUrl
		? createMailer({
				smtpUrl: config.smtpUrl,
				from: config.mailFrom ?? DEFAULT_MAIL_FROM,
				logger,
				...(config.smtpTimeouts ? { timeouts: config.smtpTimeouts } : {}),
			})
		: null;
	const invitations = createInvitationService({ storage, logger, mailer });
	// One queue for every scrypt hash: sign-ins, accepted invitations, password changes.
	const hasher = new PasswordHasher(rateLimits.limits.hashing, options.passwordHashing);
	const boards = createBoardsApi({ storage, tokens, board, states: boardStates, logger });
	const people = createPeopleApi({
		boardsLost: boards.boardsLost,
		hasher,
		storage,
		tokens,
		invitations,
		board,
		logger,
		publicUrl: config.publicUrl,
		rateLimits,
		ssoOnly: (orgId) => sso.ssoOnly(orgId),
	});
	const sso = createSso({
		storage,
		tokens,
		secrets: integrations.secrets,
		outbound: integrations.outbound,
		logger: logger.child({ component: "sso" }),
		publicUrl: config.publicUrl,
		allowHttpIssuer: config.ssoAllowHttpIssuer ?? false,
		publishMember: (member) => people.publishMember(member),
	});
	const api = createHttpApi({
		storage,
		tokens,
		logger,
		webDir: config.webDir,
		publicRoutes: [
			integrations.publicRoutes,
			createMetricsRoutes(metrics, config.metricsToken),
			people.publicRoutes,
			sso.publicRoutes,
		],
		routes: [
			coverage.routes,
			integrations.routes,
			createNotificationsApi({ storage, notifier, publicKey: push.publicKey }),
			people.routes,
			boards.routes,
			createAuditApi({ storage }),
			createExportApi({ storage }),
			createDataRemovalApi({ storage, service: dataRemoval }),
			sso.routes,
		],
		allowedOrigins: config.allowedOrigins ?? [],
		onEdgeRefusal: integrations.webhookEdgeRefusal,
		rateLimits,
		hasher,
		demo,
		publicUrl: config.publicUrl,
		ssoOnly: (orgId) => sso.ssoOnly(orgId),
	});
	const origins = createOriginPolicy(config.allowedOrigins, config.publicUrl);
	// Bodies are drained by the API's body limits, with bounds of their own (see there).
	const server = createAdaptorServer({ fetch: api.fetch, autoCleanupIncoming: false });
	(server as import("node:http").Server).keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
	const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
	const syncSockets = new Set<SyncSocket>();
	metrics.watch({ hocuspocus, storage, sockets: () => syncSockets.size });
	// Each socket's id, echoed in the upgrade's answer like an HTTP request's.
	const connectionIds = new WeakMap<IncomingMessage, string>();
	wss.on("headers", (headers, request) => {
		const id = connectionIds.get(request);
		if (id) headers.push(`${REQUEST_ID_HEADER}: ${id}`);
	});

	server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
		const path = new URL(request.url ?? "/", "http://localhost").pathname;
		if (path !== "/sync") {
			socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
			return;
		}
		// A WebSocket is not bound by CORS: a foreign page could open one with the cookie.
		if (!origins.allows(request.headers.origin, request.headers.host)) {
			logger.info({ origin: request.headers.origin }, "refused a WebSocket from a foreign origin");
			socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
			return;
		}
		// The web client's documents authenticate with the session cookie (HttpOnly, so page
		// scripts never see the token); the origin check above makes it this page's own.
		const sessionCookie = parseCookie(request.headers.cookie ?? "", SESSION_COOKIE)[SESSION_COOKIE];
		const address = clientAddress(
			request.socket.remoteAddress,
			[request.headers["x-forwarded-for"]].flat().join(","),
			rateLimits.limits.trustedProxies,
		);
		// Until ws takes the socket over, a reset while the count is made is not a crash.
		const dropped = () => socket.destroy();
		socket.on("error", dropped);
		rateLimits.take("socketsPerIp", address).then(
			() => {
				socket.off("error", dropped);
				if (socket.destroyed) return;
				const connectionId = requestIdFrom(request.headers[REQUEST_ID_HEADER.toLowerCase()]);
				connectionIds.set(request, connectionId);
				wss.handleUpgrade(request, socket, head, (ws) => {
					const syncSocket = serveSyncSocket(ws, request, {
						hocuspocus,
						limits,
						logger: logger.child({ connectionId }),
						sessionCookie,
					});
					syncSockets.add(syncSocket);
					ws.once("close", () => syncSockets.delete(syncSocket));
				});
			},
			(error: unknown) => {
				const retryAfter = error instanceof RateLimitedError ? error.retryAfterSeconds : 1;
				logger.info({ remote: address }, "refused a WebSocket: too many from this address");
				socket.end(
					`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfter}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
				);
			},
		);
	});

	await new Promise<void>((resolveListen, reject) => {
		server.once("error", reject);
		server.listen(config.port, config.host, () => resolveListen());
	});
	const { port } = server.address() as AddressInfo;
	const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
	const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
	const admin = await serveAdminChannel({
		dataDir: config.dataDir,
		operations: createAdminOperations({
			storage,
			ingestor: integrations.ingestor,
			invitations,
			baseUrl: config.publicUrl ?? url,
			startedAt,
		}),
		logger,
	});
	if (config.background) integrations.start();
	if (config.background) coverage.start();
	if (config.background) dataRemoval.start();

	let closing: Promise<void> | null = null;
	const close = () => {
		closing ??= (async () => {
			server.close();
			await admin?.close();
			await integrations.stop();
			await coverage.stop();
			await dataRemoval.stop();
			// Take note of the messages being handled, stop reading, let those finish (their
			// updates appended and applied), and only then store: nothing is applied after the
			// last compaction. (A connection leaves its document as soon as its socket closes,
			// so the messages must be collected first.)
			const inFlight: Promise<void>[] = [];
			for (const document of hocuspocus.documents.values()) {
				for (const connection of document.getConnections()) {
					inFlight.push(connection.waitForPendingMessages());
				}
			}
			for (const socket of syncSockets) socket.close(1001, "Server shutting down");
			hocuspocus.closeConnections();
			await Promise.all(inFlight);
			const deadline = Date.now() + 10_000;
			while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) {
				// A change applied late schedules another store: run it now, not in 5 s.
				hocuspocus.flushPendingStores();
				await new Promise((r) => setTimeout(r, 20));
			}
			await hocuspocus.hooks("onDestroy", { instance: hocuspocus });
			await committer.drain();
			await notifier.idle();
			await notificationBus.close();
			await revocations.close();
			await rateLimits.close();
			mailer?.close();
			await storage.close();
			(server as import("node:http").Server).closeAllConnections();
		})();
		return closing;
	};

	return {
		url,
		port,
		storage,
		tokens,
		hocuspocus,
		logger,
		demo,
		board,
		integrations,
		coverage,
		notifier,
		push,
		api,
		invitations,
		people,
		admin,
		rateLimits,
		metrics,
		dataRemoval,
		close,
	};
}
