/**
 * Security headers on every response (issue 15, rows 8 and 11), through Hono's
 * `secureHeaders`. The web client's pages get a strict Content-Security-Policy: scripts,
 * styles, workers and connections from this origin only, no inline script, no plugins,
 * and no framing, so an injected `<script>` or `javascript:` link does not run and the app
 * cannot be framed for clickjacking. Everything else (the API's JSON, errors) gets a
 * policy that allows nothing at all, since nothing there is meant to render. HSTS only
 * when the public address is https: on plain http it would be ignored at best, and on a
 * host that later moves to TLS it must come from the TLS deployment.
 */
import type { Env, MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** One year, the preload lists' minimum. */
export const HSTS_MAX_AGE_S = 31_536_000;

/**
 * The web client's policy. `connect-src 'self'` covers the same-origin `ws:`/`wss:`
 * socket in CSP 3 browsers; the public origin's `wss:` is named too for those that do not
 * (older Safari). `img-src data:` is for the small inline icons Vite and CSS emit.
 * Styles may be inline (`'unsafe-inline'` in `style-src`), scripts may not: CodeMirror
 * (style-mod) writes its themes into a `<style>` element of the document (it uses
 * constructed style sheets only inside shadow roots), and y-codemirror.next paints each
 * collaborator's cursor in their colour through `style` attributes. Injected CSS cannot
 * run code, and it cannot send what it reads anywhere: images, fonts and connections are
 * limited to this origin.
 */
export function webClientPolicy(publicUrl?: string): string {
	const socket = publicUrl ? ` ${publicUrl.replace(/^http/, "ws")}` : "";
	return [
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self'",
		`connect-src 'self'${socket}`,
		"manifest-src 'self'",
		"worker-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
		...(publicUrl?.startsWith("https:") ? ["upgrade-insecure-requests"] : []),
	].join("; ");
}

export interface SecurityHeaderOptions {
	/** Send HSTS (`PUBLIC_URL` is https). @default false */
	hsts?: boolean;
}

/**
 * The headers every response carries. A handler that set its own
 * Content-Security-Policy (the web client's) keeps it.
 */
export function securityHeaders<E extends Env>(
	options: SecurityHeaderOptions = {},
): MiddlewareHandler<E> {
	return secureHeaders({
		// For responses that are not the web client's: nothing may load, nothing may frame.
		contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
		xFrameOptions: "DENY",
		referrerPolicy: "no-referrer",
		xContentTypeOptions: true,
		strictTransportSecurity: options.hsts ? `max-age=${HSTS_MAX_AGE_S}; includeSubDomains` : false,
		// The web client opens links to the networks' posts in new tabs; those tabs must not
		// reach back into it, nor it into them.
		crossOriginOpenerPolicy: true,
		overwrite: false,
	}) as MiddlewareHandler<E>;
}
