/**
 * Request and connection ids. Every HTTP request and every sync WebSocket gets an id that
 * its log lines carry (a pino child logger) and that its response echoes in `X-Request-Id`,
 * so a person reporting a failure, a reverse proxy's access log and the server's log can be
 * matched. An id sent by the client or a proxy in front is kept when it is sane (a trace id
 * a proxy already logged); anything else, which could forge log lines or bloat them, is
 * replaced with a fresh UUID.
 */
import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { ApiEnv } from "./http-api.ts";

export const REQUEST_ID_HEADER = "X-Request-Id";

/** UUIDs, trace ids and base64 tokens; no spaces, quotes or control characters. */
const SANE_ID = /^[\w.:=+/-]{1,128}$/;

/** The incoming id when it is sane, otherwise a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
	return typeof header === "string" && SANE_ID.test(header) ? header : randomUUID();
}

/** What the middleware puts on the context: the id and a logger that carries it. */
export type RequestIdVariables = { requestId: string; log: Logger };

/**
 * Hono middleware: names the request, echoes the id in the response (errors included) and
 * sets `c.var.log`, a child of `logger` with `requestId`.
 */
export function requestIds(logger: Logger): MiddlewareHandler<ApiEnv> {
	return async (c, next) => {
		const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
		c.set("requestId", requestId);
		c.set("log", logger.child({ requestId }));
		const started = performance.now();
		await next();
		// After the route: its answer may be a Response of its own, or the error handler's.
		c.header(REQUEST_ID_HEADER, requestId);
		c.get("log").debug(
			{
				method: c.req.method,
				path: c.req.path,
				status: c.res.status,
				ms: Math.round(performance.now() - started),
			},
			"answered",
		);
	};
}
