/**
 * Body limits, enforced on every route before a handler reads a byte: a declared
 * Content-Length above the limit is refused at once, a chunked body is counted as it
 * arrives and refused when it passes the limit. Without this, one unauthenticated 300 MB
 * login body held 600 MB of memory for 30 s.
 *
 * The 413 is answered while the client is still sending; the rest of the body is then read
 * and thrown away (up to `DRAIN_MAX_BYTES` within `DRAIN_MAX_MS`), so a `fetch` sender reads
 * the 413 instead of failing with EPIPE on a closed socket and retrying the same oversized
 * batch for ever. @hono/node-server's own clean-up gives up after 500 ms, which a busy
 * server or a slow link exceeds: the server turns it off (`autoCleanupIncoming: false`)
 * and drains here instead. Every body within the limit is read by the text guard.
 */
import type { IncomingMessage } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Most of a refused body read and discarded before the connection is closed anyway.
 * @default 256 MiB: the sizes seen in the attack, read at no memory cost
 */
export const DRAIN_MAX_BYTES = 256 * 1024 * 1024;
/** Longest a refused body is drained. @default 60 s */
export const DRAIN_MAX_MS = 60_000;

/**
 * Read and discard the rest of a refused body. Every other reader is detached first (the
 * Fetch API body adapter would otherwise queue what is discarded), as Node does for a body
 * nobody read.
 */
function drain(incoming: IncomingMessage): void {
	if (incoming.readableEnded || incoming.destroyed) return;
	let bytes = 0;
	const stop = () => {
		clearTimeout(timer);
		incoming.socket?.destroySoon();
	};
	const timer = setTimeout(stop, DRAIN_MAX_MS);
	timer.unref();
	incoming.removeAllListeners("data");
	incoming.on("data", (chunk: Buffer) => {
		bytes += chunk.byteLength;
		if (bytes > DRAIN_MAX_BYTES) stop();
	});
	incoming.once("end", () => clearTimeout(timer));
	incoming.once("error", () => clearTimeout(timer));
	incoming.resume();
}

/** The limit of every route not listed in `BODY_LIMIT_EXCEPTIONS`. @default 1 MiB */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** A route whose bodies may be larger (or must be smaller) than the default, and why. */
export interface BodyLimitRule {
	method: string;
	/** Matched against the request path. */
	path: RegExp;
	maxBytes: number;
	/** Why this route differs, for docs/SECURITY.md and the next reader. */
	why: string;
}

/**
 * Routes with their own limit. Each one says why; the bulk and import routes of later
 * issues add theirs here rather than raising the default.
 */
export const BODY_LIMIT_EXCEPTIONS: readonly BodyLimitRule[] = [
	{
		method: "POST",
		path: /^\/api\/auth\/login$/,
		maxBytes: 16 * 1024,
		why: "an email and a password of at most 1024 characters: anything bigger is not a sign-in, and this route needs no session",
	},
	{
		method: "POST",
		path: /^\/api\/invites\/[^/]+\/accept$/,
		maxBytes: 16 * 1024,
		why: "a name and a password: like a sign-in, it needs no session",
	},
	{
		method: "POST",
		path: /^\/api\/orgs\/[^/]+\/invites(\/csv)?$/,
		maxBytes: 12 * 1024 * 1024,
		why: "an organisation's employees at once: 10,000 rows of CSV or JSON, from an admin's session",
	},
];

/** The 413 body, the same shape as every other error. */
function tooLarge(maxBytes: number): Response {
	return Response.json(
		{
			error: {
				code: "too_large",
				message: `The body is larger than ${maxBytes} bytes; send less at once.`,
			},
		},
		{ status: 413 },
	);
}

/**
 * Middleware that applies the limit of the request's route (`exceptions` first, else
 * `defaultMaxBytes`).
 */
export function bodyLimits(
	options: {
		defaultMaxBytes?: number;
		exceptions?: readonly BodyLimitRule[];
		/** Told of each refusal before it is answered (the webhook source it was posted to records it). */
		onRefused?: (request: { method: string; path: string }, maxBytes: number) => Promise<void>;
	} = {},
): MiddlewareHandler {
	const defaultMaxBytes = options.defaultMaxBytes ?? DEFAULT_BODY_LIMIT_BYTES;
	const refuse = async (c: Context, maxBytes: number): Promise<Response> => {
		await options.onRefused?.({ method: c.req.method, path: c.req.path }, maxBytes);
		return tooLarge(maxBytes);
	};
	const limiter = (maxBytes: number) =>
		bodyLimit({
			maxSize: maxBytes,
			onError: (c) => {
				// Only under @hono/node-server; `app.request()` in tests has no socket.
				const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
				if (incoming) drain(incoming);
				return refuse(c, maxBytes);
			},
		});
	const fallback = limiter(defaultMaxBytes);
	const rules = (options.exceptions ?? BODY_LIMIT_EXCEPTIONS).map((rule) => ({
		...rule,
		check: limiter(rule.maxBytes),
	}));
	return (c, next) => {
		const rule = rules.find((r) => r.method === c.req.method && r.path.test(c.req.path));
		// Under @hono/node-server a body that is not chunked is the length its Content-Length
		// says, or nothing: Node's parser reads no more. Judged from the message's own headers,
		// as Hono's middleware judges it, but without making the Fetch API request it reads
		// them from, which the handler's read then waits on (7 % of a webhook request's CPU,
		// bench/findings/06.md, ninth stop). A chunked body is counted by Hono's, as it arrives.
		const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
		if (incoming && incoming.headers["transfer-encoding"] === undefined) {
			const maxBytes = rule?.maxBytes ?? defaultMaxBytes;
			if (Number(incoming.headers["content-length"] ?? 0) <= maxBytes) return next();
			drain(incoming);
			return refuse(c, maxBytes);
		}
		return (rule?.check ?? fallback)(c, next);
	};
}
