/**
 * The HTTP API (Hono): sign-in, health, and the read API that tools and tests use.
 * Every error answers `{ error: { code, message } }` with the status its kind maps to.
 */
import {
	AppError,
	type ErrorKind,
	isActiveMembership,
	isAppError,
	MEMBERSHIP_ENDED,
	StatusSchema,
} from "@switchboard/domain";
import type { Directory, MentionStore, Storage } from "@switchboard/storage";
import type { SessionService, TokenClaims } from "@switchboard/sync";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import * as v from "valibot";
import { type BodyLimitRule, bodyLimits } from "./body-limits.ts";
import { CSRF_HEADER, checkCookieRequest, createOriginPolicy } from "./origin-check.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { textGuard } from "./text-guard.ts";
import { serveWebClient } from "./web-client.ts";

export const SESSION_COOKIE = "sb_session";

const STATUS_BY_KIND: Record<ErrorKind, ContentfulStatusCode> = {
	unauthorized: 401,
	forbidden: 403,
	not_found: 404,
	invalid: 400,
	too_large: 413,
	rate_limited: 429,
	conflict: 409,
	unavailable: 503,
	internal: 500,
};

/**
 * How long a health check waits for the database before calling it unreachable.
 * @default 2 s: a probe that hangs helps no load balancer.
 */
const PING_TIMEOUT_MS = 2_000;

const LoginSchema = v.object({
	email: v.pipe(v.string(), v.trim(), v.email("must be an email address")),
	password: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(1024)),
});

const MentionQuerySchema = v.object({
	status: v.optional(
		v.pipe(
			v.string(),
			v.transform((s) => s.split(",")),
			v.array(StatusSchema),
		),
	),
	owner: v.optional(v.pipe(v.string(), v.minLength(1))),
});

export interface HttpApiOptions {
	storage: Directory & MentionStore & Pick<Storage, "ping">;
	/** Verifies every token against revocations; issues and ends sign-in sessions. */
	tokens: SessionService;
	logger: Logger;
	/** Whether the session cookie is marked Secure (behind HTTPS). */
	secureCookies?: boolean;
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
}

/** What the session middleware puts on the context. */
export type ApiEnv = { Variables: { member: TokenClaims } };
type Env = ApiEnv;

/** Each issue as `field: message`, so the caller learns which field to fix. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
	return issues
		.map((issue) => {
			const path = v.getDotPath(issue);
			return path ? `${path}: ${issue.message}` : issue.message;
		})
		.join("; ");
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
	const origins = createOriginPolicy(options.allowedOrigins);
	// Compared against when an email is unknown, so sign-in takes as long either way.
	const decoyHash = hashPassword("decoy password that matches nothing");

	app.onError(async (error, c) => {
		if (error instanceof HTTPException) {
			// A client's mistake that a Hono helper noticed: its answer, and no stack trace.
			logger.info({ path: c.req.path, status: error.status }, error.message);
			return error.getResponse();
		}
		if (isAppError(error)) {
			return c.json(
				{ error: { code: error.kind, message: error.message } },
				STATUS_BY_KIND[error.kind],
			);
		}
		// Drivers report a lost database in many shapes (ECONNREFUSED, 57P01, kysely's
		// "driver has already been destroyed", a closed PGlite); asking the database itself
		// tells an outage from a bug without knowing them all.
		if (!(await databaseReachable(storage))) {
			logger.warn({ err: error, path: c.req.path }, "request failed: database unreachable");
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
		logger.error({ err: error, path: c.req.path }, "request failed");
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

	// Before any route reads a byte: the size, then the text (see each file for why).
	app.use(
		"*",
		bodyLimits(options.bodyLimitExceptions ? { exceptions: options.bodyLimitExceptions } : {}),
		textGuard(),
	);

	app.get("/healthz", (c) => c.json({ ok: true }));
	app.get("/readyz", async (c) => {
		if (await databaseReachable(storage)) return c.json({ ready: true });
		return c.json(
			{ ready: false, error: { code: "unavailable", message: "The database is not reachable." } },
			503,
		);
	});

	// Sign-in and sign-out set the cookie: a foreign page may not do either for the user.
	app.use("/api/auth/*", async (c, next) => {
		if (!origins.allows(c.req.header("origin"), c.req.header("host"))) {
			throw new AppError(
				"forbidden",
				`Requests from ${c.req.header("origin")} may not sign in here.`,
			);
		}
		await next();
	});

	app.post("/api/auth/login", async (c) => {
		const body = await c.req.json().catch(() => {
			throw new AppError("invalid", 'The body must be JSON: {"email": ..., "password": ...}.');
		});
		const input = v.safeParse(LoginSchema, body);
		if (!input.success) throw new AppError("invalid", describeIssues(input.issues));
		const member = await storage.findMemberByEmail(input.output.email);
		const matches = await verifyPassword(
			input.output.password,
			member?.passwordHash ?? (await decoyHash),
		);
		if (!member || !matches || !member.active) {
			throw new AppError("unauthorized", "Wrong email or password.");
		}
		const { token } = await tokens.issue({
			memberId: member.id,
			orgId: member.orgId,
			role: member.role,
			name: member.name,
		});
		setCookie(c, SESSION_COOKIE, token, {
			httpOnly: true,
			sameSite: "Lax",
			path: "/",
			secure: options.secureCookies ?? false,
			maxAge: 12 * 60 * 60,
		});
		return c.json({
			token,
			member: { id: member.id, orgId: member.orgId, role: member.role, name: member.name },
		});
	});

	// Ends the session of the token sent (bearer or cookie) everywhere, its sockets too.
	app.post("/api/auth/logout", async (c) => {
		const token = bearerToken(c.req.header("authorization")) ?? getCookie(c, SESSION_COOKIE);
		const claims = token ? await tokens.verify(token).catch(() => null) : null;
		if (claims) await tokens.revoke(claims);
		deleteCookie(c, SESSION_COOKIE, { path: "/" });
		return c.json({ ok: true });
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
		await next();
	});

	app.get("/api/me", async (c) => {
		const { memberId, orgId } = c.get("member");
		const member = await storage.getMember(memberId);
		if (!isActiveMembership(member, orgId)) throw new AppError("unauthorized", MEMBERSHIP_ENDED);
		const organisation = await storage.getOrganisation(member.orgId);
		return c.json({ member, organisation });
	});

	app.get("/api/members", async (c) =>
		c.json({ members: await storage.listMembers(c.get("member").orgId) }),
	);

	app.get("/api/boards", async (c) =>
		c.json({ boards: await storage.listBoards(c.get("member").orgId) }),
	);

	app.get("/api/boards/:boardId/mentions", async (c) => {
		const { orgId } = c.get("member");
		const board = await storage.getBoard(orgId, c.req.param("boardId"));
		if (!board) throw new AppError("not_found", "No such board in your organisation.");
		const query = v.safeParse(MentionQuerySchema, c.req.query());
		if (!query.success) throw new AppError("invalid", describeIssues(query.issues));
		const stored = await storage.listMentions(orgId, board.id, {
			...(query.output.status ? { status: query.output.status } : {}),
			...(query.output.owner ? { ownerId: query.output.owner } : {}),
		});
		return c.json({ mentions: stored.map(({ mention }) => mention) });
	});

	for (const routes of options.routes ?? []) app.route("/", routes);

	// After every API route, so that the client's SPA fallback never shadows one.
	if (serveWebClient(app, options.webDir)) {
		logger.debug({ webDir: options.webDir }, "serving the web client");
	}

	return app;
}
