/**
 * Where signing in leads back to. Someone who opens a link to a page of Switchboard while
 * signed out (a conversation from a notification, a colleague's link to a report) is sent to
 * sign in first, and once signed in lands on that page rather than on the board. The page
 * travels as `?next=` on `/login` and `/sso/done`, and across the identity provider's round
 * trip in this tab's sessionStorage (the provider sends the browser back to `/sso/done` with
 * nothing of ours).
 */
import { landingPath } from "./install.ts";

const PENDING_KEY = "switchboard.after-sign-in";

/** The pages signing in goes through: never a page to come back to. */
const SIGN_IN_PAGES = ["/login", "/sso", "/invite", "/forgot-password"];

/**
 * `candidate` as a page of this app to return to after signing in, or null when it is none:
 * anything but a path on this origin (another site, `//host`, `javascript:`), or a sign-in
 * page itself.
 */
export function returnPath(candidate: unknown, origin: string = location.origin): string | null {
	if (typeof candidate !== "string" || !candidate.startsWith("/")) return null;
	let url: URL;
	try {
		url = new URL(candidate, origin);
	} catch {
		return null;
	}
	if (url.origin !== origin) return null;
	const page = url.pathname;
	if (SIGN_IN_PAGES.some((prefix) => page === prefix || page.startsWith(`${prefix}/`))) return null;
	return `${page}${url.search}${url.hash}`;
}

/** The sign-in page's address for someone signed out on `path`. */
export function signInHref(path: string, origin: string = location.origin): string {
	const next = returnPath(path, origin);
	return next === null || next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}

/** Keeps `next` for `/sso/done` while the identity provider has the browser. */
export function rememberReturnPath(
	next: unknown,
	storage: Storage = sessionStorage,
	origin: string = location.origin,
): void {
	try {
		const path = returnPath(next, origin);
		if (path === null) storage.removeItem(PENDING_KEY);
		else storage.setItem(PENDING_KEY, path);
	} catch {
		// Storage refused (a private window): signing in then leads to the board, as before.
	}
}

/**
 * Where a sign-in that just finished goes: `next` when it is a page of this app, else the page
 * kept before the identity provider's round trip, else the landing page. What was kept is
 * used once.
 */
export function afterSignIn(
	next: unknown,
	storage: Storage = sessionStorage,
	origin: string = location.origin,
): string {
	let kept: string | null = null;
	try {
		kept = storage.getItem(PENDING_KEY);
		storage.removeItem(PENDING_KEY);
	} catch {
		// As above: nothing kept.
	}
	return returnPath(next, origin) ?? returnPath(kept, origin) ?? landingPath();
}
