/**
 * Which web pages may talk to this server with a browser's credentials. A browser sends
 * the session cookie with any request to this host, also one a foreign page makes, and
 * a WebSocket is not bound by CORS at all. So WebSocket upgrades and requests that
 * authenticate with the cookie must come from an allowed origin: this server's own
 * (same host) or one listed in `ALLOWED_ORIGINS`. Cookie-authenticated writes must also
 * carry the `X-Switchboard-CSRF` header, which a foreign page cannot set without a CORS
 * preflight this server never grants. Requests with a bearer token carry no ambient
 * credential and are not affected.
 */
import { AppError, CSRF_HEADER } from "@switchboard/domain";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface OriginPolicy {
	/**
	 * True when a request with this `Origin` header to this `Host` may use the browser's
	 * credentials. A request without `Origin` is not a cross-origin browser request.
	 */
	allows(origin: string | undefined, host: string | undefined): boolean;
}

/** `scheme://host[:port]` of an origin, or null when it is not one. */
export function normaliseOrigin(origin: string): string | null {
	try {
		const url = new URL(origin);
		if (url.protocol !== "http:" && url.protocol !== "https:") return null;
		return url.origin;
	} catch {
		return null;
	}
}

/**
 * The public origin (`PUBLIC_URL`) and listed ones; without a public origin, also the own
 * host, whose scheme is not compared then (TLS may end at a proxy). With one, the origin
 * must match it exactly: a proxy may forward another `Host`, and an `http:` page of the
 * same host is not the https deployment.
 */
export function createOriginPolicy(
	allowedOrigins: readonly string[] = [],
	publicUrl?: string,
): OriginPolicy {
	const listed = new Set(allowedOrigins.map((origin) => normaliseOrigin(origin) ?? origin));
	const own = publicUrl === undefined ? null : normaliseOrigin(publicUrl);
	if (own) listed.add(own);
	return {
		allows(origin, host) {
			if (origin === undefined) return true;
			const normalised = normaliseOrigin(origin);
			// "null" (sandboxed frames, file: pages) and anything unparsable are refused.
			if (!normalised) return false;
			if (!own && host !== undefined && new URL(normalised).host === host.toLowerCase()) {
				return true;
			}
			return listed.has(normalised);
		},
	};
}

/** Minimal view of a request, so the checks work for Hono and for Node's upgrade requests. */
export interface RequestFacts {
	method: string;
	origin: string | undefined;
	host: string | undefined;
	/** The value of the CSRF header, if sent. */
	csrf: string | undefined;
}

/**
 * Refuse a request that authenticates with the session cookie from a foreign origin, and
 * a cookie-authenticated write without the CSRF header. Throws `AppError("forbidden")`.
 */
export function checkCookieRequest(policy: OriginPolicy, request: RequestFacts): void {
	if (!policy.allows(request.origin, request.host)) {
		throw new AppError("forbidden", `Requests from ${request.origin} may not use this session.`);
	}
	if (!SAFE_METHODS.has(request.method.toUpperCase()) && request.csrf === undefined) {
		throw new AppError(
			"forbidden",
			`A write authenticated by the session cookie needs the ${CSRF_HEADER} header (or send the token as a bearer token).`,
		);
	}
}
