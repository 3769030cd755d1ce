/**
 * What an HTTP route promises, as data: method, path, who may call it, and a valibot
 * schema for its path parameters, query, body and answer. The server registers and
 * validates each route from its entry, the client SDK builds its one `request` from it,
 * and the OpenAPI document is generated from it, so the three cannot drift apart.
 */
import * as v from "valibot";
import { ErrorKinds } from "../errors.ts";
import type { Role } from "../model.ts";

export const HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HttpMethods)[number];

/**
 * How a route authenticates its caller:
 * `public` nobody; `session` a bearer token or the session cookie;
 * `signature` an HMAC over the body with a source's secret (docs/SOURCES.md);
 * `operator` a bearer token from the server's configuration (docs/OPERATIONS.md).
 */
export const RouteAuths = ["public", "session", "signature", "operator"] as const;
export type RouteAuth = (typeof RouteAuths)[number];

/** The HttpOnly cookie `POST /api/auth/login` sets; it carries the same token as the answer. */
export const SESSION_COOKIE = "sb_session";

/**
 * Header a write authenticated by the session cookie must carry (any value): a foreign
 * page cannot set it without a CORS preflight the server never grants.
 */
export const CSRF_HEADER = "x-switchboard-csrf";

/** A schema whose input and output are objects (path parameters, a query string). */
type ObjectLike = v.GenericSchema<Record<string, unknown>, Record<string, unknown>>;

/** An answer a route documents besides its success and the error envelope. */
export interface OtherAnswer {
	description: string;
	schema: v.GenericSchema;
}

/** One route of the HTTP API. */
export interface RouteContract {
	readonly method: HttpMethod;
	/** Hono-style: `/api/boards/:boardId/mentions`. */
	readonly path: `/${string}`;
	/** One line for people reading the OpenAPI document. */
	readonly summary: string;
	readonly auth: RouteAuth;
	/**
	 * Roles that may call it; every member when absent. On a path with `:orgId` the
	 * caller must also belong to that organisation.
	 */
	readonly roles?: readonly Role[];
	/** Path parameters; a value that does not fit answers 404 (the path names nothing). */
	readonly params?: ObjectLike;
	/** Query string, as strings in; a value that does not fit answers 400. */
	readonly query?: ObjectLike;
	/** JSON body; absent when the route reads none. */
	readonly body?: v.GenericSchema;
	/** The JSON answer on success. */
	readonly answer: v.GenericSchema;
	/** Status of a success. @default 200 */
	readonly status?: 200 | 201 | 202;
	/** Also answers the success as CSV when asked with `format=csv`. */
	readonly csv?: boolean;
	/**
	 * The success is text of this content type, not JSON (`answer` is then a string
	 * schema): the Prometheus exposition format.
	 */
	readonly text?: string;
	/**
	 * The success is bytes of this content type, not JSON (`answer` is then a `Uint8Array`
	 * schema), compressed as the request's `Accept-Encoding` allows: a board's Yjs state.
	 */
	readonly bytes?: string;
	/** Answers besides success and the error envelope, by status. */
	readonly otherAnswers?: Readonly<Record<number, OtherAnswer>>;
}

/** Keeps a route's literal types (its schemas, its path) for the server and client. */
export function defineRoute<const R extends RouteContract>(route: R): R {
	return route;
}

/** What every error answers: a kind from the closed set and words for a person. */
export const ErrorEnvelopeSchema = v.object({
	error: v.object({
		code: v.picklist(Object.keys(ErrorKinds) as [keyof typeof ErrorKinds]),
		message: v.string(),
		/**
		 * A finer reason a machine can branch on: the signed webhook's refusals, and why a
		 * session ended (a `SessionEndReason`) on a 401 to that session's own token.
		 */
		reason: v.optional(v.string()),
	}),
});
export type ErrorEnvelope = v.InferOutput<typeof ErrorEnvelopeSchema>;

type Output<S> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;
type Input<S> = S extends v.GenericSchema ? v.InferInput<S> : undefined;

/** What the server hands a route's handler: every part parsed by its schema. */
export interface ParsedInput<R extends RouteContract> {
	params: Output<R["params"]>;
	query: Output<R["query"]>;
	body: Output<R["body"]>;
}

/** The parts a route takes that a caller must give; keys without a schema are left out. */
type Given<
	R extends RouteContract,
	K extends "params" | "query" | "body",
> = R[K] extends v.GenericSchema
	? // A query of optional fields alone may be left out as a whole.
		K extends "query"
		? { [P in K]?: Input<R[K]> }
		: { [P in K]: Input<R[K]> }
	: { [P in K]?: never };

/** What a caller passes to call a route. */
export type RouteRequest<R extends RouteContract> = Given<R, "params"> &
	Given<R, "query"> &
	Given<R, "body">;

/** What a route answers on success. */
export type RouteAnswer<R extends RouteContract> = v.InferOutput<R["answer"]>;

/** The path of a route with its parameters filled in (each one URL-encoded). */
export function routePath(route: RouteContract, params?: Record<string, string>): string {
	return route.path.replace(/:([A-Za-z]+)/g, (_whole, name: string) => {
		const value = params?.[name];
		if (value === undefined) throw new Error(`${route.path} needs the parameter ${name}`);
		return encodeURIComponent(value);
	});
}

/** A query string (with its `?`) for the values given; "" when none is. */
export function queryString(query?: Record<string, unknown>): string {
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(query ?? {})) {
		if (value !== undefined && value !== null) search.set(key, String(value));
	}
	const text = search.toString();
	return text ? `?${text}` : "";
}
