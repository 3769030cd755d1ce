/**
 * The HTTP API (Hono): sign-in, health, and the read API that tools and tests use.
 * Every error answers `{ error: { code, message } }` with the status its kind maps to; a
 * 401 to a token whose session ended adds `reason`, why (a `SessionEndReason`).
 */

import type { HttpBindings } from "@hono/node-server";
import {
	AppError,
	type Board,
	CSRF_HEADER,
	HTTP_STATUS_OF_KIND,
	HttpRoutes,
	isActiveMembership,
	isAppError,
	isSessionEndReason,
	MEMBERSHIP_ENDED,
	type Member,
	type MemberListing,
	MODERATORS,
	SESSION_COOKIE,
	type SessionEndReason,
	SSO_ONLY_REFUSAL,
} from "@switchboard/domain";
import type {
	CommandArbiter,
	Directory,
	History,
	MentionStore,
	Storage,
} from "@switchboard/storage";
import type { SessionService, TokenClaims } from "@switchboard/sync";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { type BoardAccess, createBoardAccess } from "./boards-api.ts";
import { type BodyLimitRule, bodyLimits } from "./body-limits.ts";
import { handle } from "./contract-route.ts";
import { type DemoSummary, demoAccountsNow } from "./demo.ts";
import type { openApiDocument } from "./openapi.ts";
import { checkCookieRequest, createOriginPolicy } from "./origin-check.ts";
import { fetchPage, type PageRequest } from "./paging.ts";
import { PasswordHasher } from "./passwords.ts";
import {
	accountKey,
	clientAddress,
	createRateLimiters,
	type RateLimiters,
	rateLimitsWith,
} from "./rate-limits.ts";
import { type RequestIdVariables, requestIds } from "./request-id.ts";
import { securityHeaders } from "./security-headers.ts";
import { textGuard } from "./text-guard.ts";
import { serveWebClient } from "./web-client.ts";

/**
 * How long a health check waits for the database before calling it unreachable.
 * @default 2 s: a probe that hangs helps no load balancer.
 */
const PING_TIMEOUT_MS = 2_000;

export interface HttpApiOptions {
	storage: Directory &
		MentionStore &
		History &
		Pick<CommandArbiter, "listActivity"> &
		Pick<Storage, "ping">;
	/** Verifies every token against revocations; issues and ends sign-in sessions. */
	tokens: SessionService;
	logger: Logger;
	/**
	 * The address people open (`PUBLIC_URL`): when https, the session cookie is `Secure`
	 * and responses carry HSTS; browser requests must come from it (origin-check.ts).
	 */
	publicUrl?: string | undefined;
	/** Folder of the built web client, served for non-API GETs when it exists. */
	webDir?: string | undefined;
	/** More routes that need no session (they authenticate otherwise, e.g. signed webhooks). */
	publicRoutes?: Hono<ApiEnv>[];
	/** More routes behind the session; `c.get("member")` is the caller. */
	routes?: Hono<ApiEnv>[];
	/**
	 * Origins besides this server's own whose pages may use the session cookie
	 * (`ALLOWED_ORIGINS`). @default [] (same origin only)
	 */
	allowedOrigins?: readonly string[];
	/** Routes whose bodies may be larger than 1 MiB (see body-limits.ts). */
	bodyLimitExceptions?: readonly BodyLimitRule[];
	/**
	 * Told of each body the edge refuses before any route reads it (too large, or text that
	 * cannot be stored), before the refusal is answered: the webhook source posted to records it.
	 */
	onEdgeRefusal?: (
		request: { method: string; path: string },
		refusal: EdgeRefusal,
	) => Promise<void>;
	/**
	 * Sign-in, request and socket limits and their counters (rate-limits.ts).
	 * @default the default limits, counted in memory
	 */
	rateLimits?: RateLimiters;
	/** Computes password hashes a few at a time (passwords.ts). @default the default limits */
	hasher?: PasswordHasher;
	/** True when an organisation allows only single sign-on: its members' passwords are refused. */
	ssoOnly?: (orgId: string) => Promise<boolean>;
	/**
	 * The demo this server runs, shown on the sign-in page; null (the default) when it runs
	 * none, and then the page shows no account.
	 */
	demo?: DemoSummary | null;
}

/** What the edge refused before any route read the body (body-limits.ts, text-guard.ts). */
export type EdgeRefusal = { kind: "too_large"; maxBytes: number } | { kind: "invalid_text" };

/** Who a sign-in signs in, as its answer says. */
type SessionMember = Pick<Member, "id" | "orgId" | "role" | "name" | "email">;

/**
 * The claims of `token` while its session lasts; null when it is no token or no longer
 * valid. A database that does not answer throws: the caller must not act as if the
 * session had ended.
 */
async function liveSession(
	tokens: SessionService,
	token: string | undefined,
): Promise<TokenClaims | null> {
	if (!token) return null;
	return tokens.verify(token).catch((error: unknown) => {
		if (isAppError(error)) return null;
		throw error;
	});
}

/**
 * Sign a member in: a new session, its token, and the session cookie. What login answers;
 * accepting an invitation and single sign-on answer the same. With `endOthers` (a password
 * change or reset), every other session of the member ends, and its sockets close, first.
 *
 * The new cookie replaces the one the browser sent, if any: that session ends too, here
 * and on every instance as a sign-out ends it, its sockets included. Otherwise the member
 * who was signed in before (a colleague whose invitation was opened on their phone) would
 * keep a live session that no page holds any more and nobody can end but by waiting.
 */
export async function startSession(
	c: Context,
	tokens: SessionService,
	member: SessionMember,
	options: { secureCookies: boolean; endOthers?: SessionEndReason; boards?: BoardAccess },
): Promise<{ token: string; member: SessionMember; boards?: Board[] }> {
	const { id, orgId, role, name, email } = member;
	// What the client asks next, to open a board: read first, so that a database that does
	// not answer fails the sign-in before any session exists.
	const boards = await options.boards?.visibleBoards({ orgId, memberId: id, role });
	const replaced = await liveSession(tokens, getCookie(c, SESSION_COOKIE));
	// A reset's `endOthers` ends every session of the same member anyway.
	if (replaced && !(options.endOthers && replaced.memberId === member.id)) {
		await tokens.revoke(replaced, "replaced");
	}
	const claims = { memberId: member.id, orgId: member.orgId, role: member.role, name: member.name };
	const { token } = options.endOthers
		? await tokens.replaceSessions(claims, options.endOthers)
		: await tokens.issue(claims);
	setCookie(c, SESSION_COOKIE, token, {
		httpOnly: true,
		sameSite: "Lax",
		path: "/",
		secure: options.secureCookies,
		maxAge: 12 * 60 * 60,
	});
	return { token, member: { id, orgId, role, name, email }, ...(boards ? { boards } : {}) };
}

/** The address a request counts against in the rate limits (see `clientAddress`). */
export function requestAddress(c: Context, limits: Pick<RateLimiters, "limits">): string {
	return clientAddress(
		(c.env as Partial<HttpBindings> | undefined)?.incoming?.socket.remoteAddress,
		c.req.header("x-forwarded-for"),
		limits.limits.trustedProxies,
	);
}

/**
 * What the middleware puts on the context: the request's id and a logger carrying it
 * (request-id.ts), and for routes behind the session the caller.
 */
export type ApiEnv = { Variables: { member: TokenClaims } & RequestIdVariables };
type Env = ApiEnv;

/** Where a page of a mention list ends: lists of mentions are kept by posted time and id. */
interface MentionEnd {
	postedAt: string;
	id: string;
}

/** A page of a mention list; the cursor's key is the last mention's posted time. */
async function fetchMentionPage<T extends { mention: MentionEnd }>(
	request: PageRequest,
	list: (end: MentionEnd | undefined, limit: number) => Promise<T[]>,
): Promise<{ page: T["mention"][]; nextCursor: string | null }> {
	const { page, nextCursor } = await fetchPage(
		request,
		(after, limit) => list(after && { postedAt: after.key, id: after.id }, limit),
		({ mention }) => ({ key: mention.postedAt, id: mention.id }),
		(key) => !Number.isNaN(Date.parse(key)),
	);
	return { page: page.map(({ mention }) => mention), nextCursor };
}

function bearerToken(header: string | undefined): string | undefined {
	return header?.startsWith("Bearer ") ? header.slice(7) : undefined;
}

/** True when the database answers a round trip within PING_TIMEOUT_MS. */
async function databaseReachable(storage: Pick<Storage, "ping">): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<false>((resolveTimeout) => {
		timer = setTimeout(resolveTimeout, PING_TIMEOUT_MS, false);
	});
	try {
		return await Promise.race([
			storage.ping().then(
				() => true,
				() => false,
			),
			timeout,
		]);
	} finally {
		clearTimeout(timer);
	}
}

export function createHttpApi(options: HttpApiOptions): Hono<Env> {
	const { storage, tokens, logger } = options;
	const app = new Hono<Env>();
	const origins = createOriginPolicy(options.allowedOrigins, options.publicUrl);
	const https = options.publicUrl?.startsWith("https:") ?? false;
	const limits = options.rateLimits ?? createRateLimiters({ limits: rateLimitsWith(), logger });
	const hasher = options.hasher ?? new PasswordHasher(limits.limits.hashing);
	const addressOf = (c: Context<Env>) => requestAddress(c, limits);
	const boards = createBoardAccess(storage);

	// First, so that every answer (errors too) carries the id and every log line of it.
	app.use("*", requestIds(logger));

	app.onError(async (error, c) => {
		const log = c.get("log") ?? logger;
		if (error instanceof HTTPException) {
			// A client's mistake that a Hono helper noticed: its answer, and no stack trace.
			log.info({ path: c.req.path, status: error.status }, error.message);
			return error.getResponse();
		}
		if (isAppError(error)) {
			const retryAfter = error.details?.retryAfterSeconds;
			// Why a genuine token's session ended, for its device to say (session-ends.ts);
			// the session service gives one only to the bearer of that session's own token.
			const reason = error.details?.reason;
			return c.json(
				{
					error: {
						code: error.kind,
						message: error.message,
						...(isSessionEndReason(reason) ? { reason } : {}),
					},
				},
				HTTP_STATUS_OF_KIND[error.kind],
				typeof retryAfter === "number" ? { "Retry-After": String(retryAfter) } : {},
			);
		}
		// Drivers report a lost database in many shapes (ECONNREFUSED, 57P01, kysely's
		// "driver has already been destroyed", a closed PGlite); asking the database itself
		// tells an outage from a bug without knowing them all.
		if (!(await databaseReachable(storage))) {
			log.warn({ err: error, path: c.req.path }, "request failed: database unreachable");
			return c.json(
				{
					error: {
						code: "unavailable",
						message: "The database is not reachable; try again later.",
					},
				},
				503,
			);
		}
		log.error({ err: error, path: c.req.path }, "request failed");
		return c.json(
			{ error: { code: "internal", message: "Something went wrong on the server." } },
			500,
		);
	});
	app.notFound((c) =>
		c.json(
			{ error: { code: "not_found", message: `No route ${c.req.method} ${c.req.path}.` } },
			404,
		),
	);

	// Before any route reads a byte: the size, then the text (see each file for why). The
	// security headers first, so that every answer carries them, refusals included.
	const edgeRefusal = options.onEdgeRefusal;
	app.use(
		"*",
		securityHeaders({ hsts: https }),
		bodyLimits({
			...(options.bodyLimitExceptions ? { exceptions: options.bodyLimitExceptions } : {}),
			...(edgeRefusal
				? {
						onRefused: (request, maxBytes) => edgeRefusal(request, { kind: "too_large", maxBytes }),
					}
				: {}),
		}),
		textGuard(
			edgeRefusal ? { onRefused: (request) => edgeRefusal(request, { kind: "invalid_text" }) } : {},
		),
	);
	// Every API request from one address, before its session is checked. The health checks
	// (/healthz, /readyz) are outside /api: load balancers call them often and cheaply.
	app.use("/api/*", async (c, next) => {
		await limits.take("requestsPerIp", addressOf(c));
		await next();
	});

	handle(app, HttpRoutes.health, () => ({ ok: true }));
	handle(app, HttpRoutes.ready, async (c) => {
		if (await databaseReachable(storage)) return { ready: true };
		return c.json(
			{ ready: false, error: { code: "unavailable", message: "The database is not reachable." } },
			503,
		);
	});

	// Sign-in and sign-out set the cookie, and so does accepting an invitation: a foreign
	// page may not do any of them for the user.
	const sameOrigin: MiddlewareHandler = async (c, next) => {
		if (!origins.allows(c.req.header("origin"), c.req.header("host"))) {
			throw new AppError(
				"forbidden",
				`Requests from ${c.req.header("origin")} may not sign in here.`,
			);
		}
		await next();
	};
	app.use("/api/auth/*", sameOrigin);
	app.use("/api/invites/*", sameOrigin);
	// Not a sign-in, but a foreign page has no business making the server send mail either.
	app.use("/api/password/*", sameOrigin);
	app.use("/api/sso/start", sameOrigin);

	// Each attempt is counted against its address and its account before the password is
	// checked (concurrent guesses cannot slip past a count made afterwards); an attempt
	// that signs in is given back, so only failures add up.
	handle(app, HttpRoutes.login, async (c, { body: input }) => {
		// A full hasher answers 503 before anything is counted or read: a burst of a thousand
		// sign-ins is refused without five database statements per refusal.
		hasher.refuseIfFull();
		const address = addressOf(c);
		const account = accountKey(input.email);
		await limits.take("loginPerIp", address);
		await limits.take("loginPerAccount", account);
		const member = await storage.findMemberByEmail(input.email);
		const matches = await hasher
			.verify(input.password, member?.passwordHash)
			.catch(async (error: unknown) => {
				// The server was too busy to check: not a guess, nothing to count.
				await Promise.all([
					limits.giveBack("loginPerIp", address),
					limits.giveBack("loginPerAccount", account),
				]);
				throw error;
			});
		if (!member || !matches) {
			throw new AppError("unauthorized", "Wrong email or password.");
		}
		// Said only to someone who knew the password, so it tells a stranger nothing; it is
		// still a failure as far as the limits are concerned.
		if (!member.active) {
			throw new AppError(
				"forbidden",
				"This account was deactivated by an admin of your organisation: ask one of them to reactivate it.",
			);
		}
		if (await options.ssoOnly?.(member.orgId)) throw new AppError("forbidden", SSO_ONLY_REFUSAL);
		await Promise.all([
			limits.giveBack("loginPerIp", address),
			limits.forget("loginPerAccount", account),
		]);
		if (hasher.needsRehash(member.passwordHash)) {
			// Made with older scrypt parameters: replaced now that the password is at hand.
			// A busy hasher or a password changed meanwhile leaves it for the next sign-in.
			await hasher
				.hash(input.password)
				.then((next) => storage.replacePasswordHash(member.id, member.passwordHash, next))
				.catch((error: unknown) =>
					logger.info({ err: error, member: member.id }, "password rehash postponed"),
				);
		}
		return startSession(c, tokens, member, { secureCookies: https, boards });
	});

	// Ends the session of the token sent (bearer or cookie) everywhere, its sockets too.
	handle(app, HttpRoutes.logout, async (c) => {
		const token = bearerToken(c.req.header("authorization")) ?? getCookie(c, SESSION_COOKIE);
		// A token that is no longer valid has nothing to end; a database that does not answer
		// must fail the logout rather than report a session ended that is not.
		const claims = await liveSession(tokens, token);
		if (claims) await tokens.revoke(claims);
		deleteCookie(c, SESSION_COOKIE, { path: "/", secure: https });
		return { ok: true };
	});

	// What the terminal prints at a demo start, for whoever opens the sign-in page instead.
	handle(app, HttpRoutes.demo, async () => {
		const demo = options.demo ?? null;
		if (!demo) return { demo: null };
		const accounts = await demoAccountsNow(demo, storage);
		return {
			demo: {
				password: demo.password,
				accounts: accounts.map(({ email, role, organisation }) => ({ email, role, organisation })),
			},
		};
	});

	// Generated once, when first asked for: the contract does not change while the process
	// runs, and the JSON Schema converter is not loaded by a server nobody asks (idle memory).
	let openapi: Promise<ReturnType<typeof openApiDocument>> | undefined;
	handle(app, HttpRoutes.openapi, () => {
		openapi ??= import("./openapi.ts").then((module) => module.openApiDocument(SESSION_COOKIE));
		return openapi;
	});

	for (const routes of options.publicRoutes ?? []) app.route("/", routes);

	// Everything below needs a session: a bearer token or the session cookie.
	app.use("/api/*", async (c, next) => {
		const bearer = bearerToken(c.req.header("authorization"));
		const token = bearer ?? getCookie(c, SESSION_COOKIE);
		if (!token)
			throw new AppError("unauthorized", "Sign in first: no token or session cookie was sent.");
		if (bearer === undefined) {
			checkCookieRequest(origins, {
				method: c.req.method,
				origin: c.req.header("origin"),
				host: c.req.header("host"),
				csrf: c.req.header(CSRF_HEADER),
			});
		}
		const claims = await tokens.verify(token);
		// A token outlives a membership: check the member is still active on every request.
		const member = await storage.getMember(claims.memberId);
		if (!isActiveMembership(member, claims.orgId)) {
			throw new AppError("unauthorized", MEMBERSHIP_ENDED);
		}
		c.set("member", { ...claims, role: member.role, name: member.name });
		await limits.take("requestsPerMember", member.id);
		await next();
	});

	handle(app, HttpRoutes.me, async (c) => {
		const { memberId, orgId } = c.get("member");
		const member = await storage.getMember(memberId);
		if (!isActiveMembership(member, orgId)) throw new AppError("unauthorized", MEMBERSHIP_ENDED);
		const organisation = await storage.getOrganisation(member.orgId);
		return { member, organisation };
	});

	handle(app, HttpRoutes.members, async (c) => {
		const caller = c.get("member");
		const members = await storage.listMembers(caller.orgId);
		// Ambassadors work with names; addresses are for those who run the team.
		if (MODERATORS.includes(caller.role)) return { members };
		return { members: members.map(({ email, ...rest }): MemberListing => rest) };
	});

	handle(app, HttpRoutes.boards, async (c, { query }) => ({
		boards: await boards.visibleBoards(c.get("member"), { archived: query.include === "archived" }),
	}));

	handle(app, HttpRoutes.mentions, async (c, { params, query }) => {
		const { orgId } = c.get("member");
		const board = await boards.openBoard(c.get("member"), params.boardId);
		const { page, nextCursor } = await fetchMentionPage(query, (after, limit) =>
			storage.listMentions(orgId, board.id, {
				...(query.status ? { status: query.status } : {}),
				...(query.owner ? { ownerId: query.owner } : {}),
				...(after ? { after } : {}),
				limit,
			}),
		);
		return { mentions: page, nextCursor };
	});

	handle(app, HttpRoutes.history, async (c, { query }) => {
		const { orgId } = c.get("member");
		if (query.author === undefined && query.network !== undefined) {
			throw new AppError("invalid", "network: only with author.");
		}
		// An ambassador searches the boards they are on (archived ones included).
		const boardIds = await boards.boardFilter(c.get("member"));
		const { page, nextCursor } = await fetchMentionPage(query, (end, limit) =>
			storage.searchHistory(orgId, {
				...(boardIds ? { boardIds } : {}),
				...(query.q ? { text: query.q } : {}),
				...(query.author
					? {
							author: {
								handle: query.author,
								...(query.network ? { network: query.network } : {}),
							},
						}
					: {}),
				...(query.tag ? { tag: query.tag } : {}),
				...(query.owner ? { ownerId: query.owner } : {}),
				...(query.from ? { from: query.from } : {}),
				...(query.to ? { to: query.to } : {}),
				...(query.status ? { status: query.status } : {}),
				// Newest first: the next page is before the last one shown.
				...(end ? { before: end } : {}),
				limit,
			}),
		);
		return { conversations: page, nextCursor };
	});

	// Whoever may open the conversation may read what happened to it: the same rule as its
	// page (organisation, then board), checked before the log is read.
	handle(app, HttpRoutes.activity, async (c, { params, query }) => {
		const caller = c.get("member");
		await boards.openMentionBoard(caller, params.mentionId);
		// One more than the page tells whether another follows.
		const rows = await storage.listActivity(caller.orgId, {
			mentionId: params.mentionId,
			limit: query.limit + 1,
			...(query.cursor ? { before: query.cursor } : {}),
		});
		const page = rows.slice(0, query.limit);
		return {
			activity: page.map(({ id, action, actorId, fromStatus, toStatus, detail, at }) => ({
				id,
				action,
				actorId,
				fromStatus,
				toStatus,
				detail,
				at,
			})),
			nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
		};
	});

	for (const routes of options.routes ?? []) app.route("/", routes);

	// After every API route, so that the client's SPA fallback never shadows one.
	if (serveWebClient(app, options.webDir, { publicUrl: options.publicUrl })) {
		logger.debug({ webDir: options.webDir }, "serving the web client");
	}

	return app;
}
