/**
 * Registers an HTTP route from its contract entry (`HttpRoutes` in @switchboard/domain):
 * checks the caller's organisation and role, parses path parameters, query and body with
 * the entry's schemas, and answers the handler's value as JSON with the entry's status.
 * Every failure is an AppError, so it answers the one error envelope.
 *
 * Parsing is done here rather than by Hono's `validator` middleware: that one answers a
 * body without a JSON content type with its own plain-text 400, and checks before the
 * role, so a stranger would learn which fields a route takes.
 */
import {
	AppError,
	describeIssues,
	type ErrorKind,
	type ParsedInput,
	type RouteAnswer,
	type RouteContract,
} from "@switchboard/domain";
import type { Context, Hono } from "hono";
import * as v from "valibot";
import type { ApiEnv } from "./http-api.ts";

/** What a route's handler does with its parsed input: an answer, or a Response of its own. */
export type RouteHandler<R extends RouteContract> = (
	c: Context<ApiEnv>,
	input: ParsedInput<R>,
) => Promise<RouteAnswer<R> | Response> | RouteAnswer<R> | Response;

export interface HandleOptions {
	/**
	 * The handler reads the body itself (the signed webhook: the signature covers the raw
	 * bytes, and its refusals carry a `reason`). The entry's body schema still documents it.
	 */
	rawBody?: boolean;
}

const ROLE_WORDS = { ambassador: "ambassadors", moderator: "moderators", admin: "admins" };

function parsePart<S extends v.GenericSchema>(
	schema: S,
	value: unknown,
	kind: ErrorKind,
): v.InferOutput<S> {
	const parsed = v.safeParse(schema, value);
	if (!parsed.success) throw new AppError(kind, describeIssues(parsed.issues));
	return parsed.output;
}

/** Organisation and role, checked before any input so a stranger learns nothing of it. */
function authorize(c: Context<ApiEnv>, route: RouteContract): void {
	const member = c.get("member");
	const orgId = c.req.param("orgId");
	if (orgId !== undefined && member.orgId !== orgId) {
		throw new AppError("forbidden", "That is another organisation.");
	}
	if (route.roles && !route.roles.includes(member.role)) {
		const who = route.roles.map((role) => ROLE_WORDS[role]).join(" and ");
		throw new AppError("forbidden", `Only ${who} may do this.`);
	}
}

/** Register `route` on `app`, served by `handler` with its input parsed. */
export function handle<const R extends RouteContract>(
	app: Hono<ApiEnv>,
	route: R,
	handler: RouteHandler<R>,
	options: HandleOptions = {},
): void {
	app.on(route.method, route.path, async (c) => {
		if (route.auth === "session") authorize(c, route);
		const params = route.params ? parsePart(route.params, c.req.param(), "not_found") : undefined;
		const query = route.query ? parsePart(route.query, c.req.query(), "invalid") : undefined;
		let body: unknown;
		if (route.body && !options.rawBody) {
			const json = await c.req.json().catch(() => {
				throw new AppError("invalid", "The body must be JSON.");
			});
			body = parsePart(route.body, json, "invalid");
		}
		const answer = await handler(c, { params, query, body } as ParsedInput<R>);
		if (answer instanceof Response) return answer;
		return c.json(answer as object, route.status ?? 200);
	});
}
