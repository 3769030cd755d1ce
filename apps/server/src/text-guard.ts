/**
 * Refuses, with 400, requests whose path, query or body holds text PostgreSQL cannot store
 * (a NUL character, a lone surrogate, a malformed %-escape or invalid UTF-8). Without it
 * such a request reached the database and came back as a 500 with a stack trace at error
 * level, on the unauthenticated webhook route too. Runs after the body limit, so what it
 * reads is bounded; handlers read the same body again from Hono's cache.
 */
import { AppError, findInvalidText, isInvalidText } from "@switchboard/domain";
import type { MiddlewareHandler } from "hono";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON escapes that can decode to a NUL or a surrogate; without one, parsing is not needed. */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

function decodedOrNull(component: string): string | null {
	try {
		return decodeURIComponent(component.replaceAll("+", " "));
	} catch {
		return null;
	}
}

/** Middleware: 400 `invalid` for invalid text in the URL or a textual body. */
export function textGuard(
	options: {
		/** Told of each body refused, before it is answered (the webhook source it was posted to records it). */
		onRefused?: (request: { method: string; path: string }) => Promise<void>;
	} = {},
): MiddlewareHandler {
	return async (c, next) => {
		const refuse = async (message: string): Promise<never> => {
			await options.onRefused?.({ method: c.req.method, path: c.req.path });
			throw new AppError("invalid", message);
		};
		const url = new URL(c.req.url);
		for (const part of [url.pathname, ...url.search.slice(1).split(/[&=]/)]) {
			const decoded = decodedOrNull(part);
			if (decoded === null || isInvalidText(decoded)) {
				throw new AppError(
					"invalid",
					"The address holds a malformed escape, a NUL character or a lone surrogate.",
				);
			}
		}
		// Read as bytes, not through `c.req.raw.body`: that would build the Fetch API request
		// and its stream, where @hono/node-server reads the body straight from the socket.
		if (!["GET", "HEAD"].includes(c.req.method)) {
			let text: string;
			try {
				text = utf8.decode(await c.req.arrayBuffer());
			} catch {
				return refuse("The body is not valid UTF-8.");
			}
			if (text.includes("\0")) return refuse("The body holds a NUL character.");
			if (SUSPECT_ESCAPE.test(text)) {
				let json: unknown;
				try {
					json = JSON.parse(text);
				} catch {
					// Not JSON after all: the route's own parsing answers that, with its own words.
					json = undefined;
				}
				const at = findInvalidText(json);
				if (at !== null) {
					return refuse(
						`${at || "body"}: text may not contain a NUL character or a lone surrogate.`,
					);
				}
			}
		}
		await next();
	};
}
