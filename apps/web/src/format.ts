/** Words and numbers as people read them: ages, durations, counts. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A compact duration: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
	const abs = Math.abs(ms);
	if (abs < MINUTE) return `${Math.max(0, Math.floor(abs / 1000))} s`;
	if (abs < HOUR) return `${Math.floor(abs / MINUTE)} min`;
	if (abs < DAY) {
		const hours = Math.floor(abs / HOUR);
		const minutes = Math.floor((abs % HOUR) / MINUTE);
		return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
	}
	const days = Math.floor(abs / DAY);
	const hours = Math.floor((abs % DAY) / HOUR);
	return hours ? `${days} d ${hours} h` : `${days} d`;
}

/** How long ago: "just now", "12 min", "3 h", "2 d". */
export function formatAge(since: string | number, now: number): string {
	const ms = now - (typeof since === "number" ? since : Date.parse(since));
	if (ms < MINUTE) return "just now";
	if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
	if (ms < DAY) return `${Math.floor(ms / HOUR)} h`;
	return `${Math.floor(ms / DAY)} d`;
}

/** "1 change", "3 changes" (the domain's, for the pages that format through this module). */
export { plural } from "@switchboard/domain";

/**
 * One formatter for every call: `toLocaleString` builds a new one each time (a fraction of a
 * millisecond), which a board rendering many cards per frame cannot afford.
 */
let dateTimeFormat: Intl.DateTimeFormat | null = null;

let countFormat: Intl.NumberFormat | null = null;

/** A count with the locale's digit grouping ("10,000"), like `toLocaleString`. */
export function formatCount(count: number): string {
	countFormat ??= new Intl.NumberFormat();
	return countFormat.format(count);
}

let collator: Intl.Collator | null = null;

/**
 * Words joined as a sentence says them: "Lease", "Lease and Templates", "A, B, and C". In
 * English, the language of the words around them, whatever the reader's locale.
 */
export function formatList(words: readonly string[]): string {
	return new Intl.ListFormat("en", { type: "conjunction" }).format(words);
}

/** Words in the reader's alphabetical order (tags, names), like `localeCompare`. */
export function compareText(a: string, b: string): number {
	collator ??= new Intl.Collator();
	return collator.compare(a, b);
}

/**
 * Builds the count format and the collator now. The first of each takes a browser 10–20 ms
 * (the locale's data is read in), which the task rendering a 10,000-card board paid on top of
 * its own work: the workspace calls this in idle time while the board is on its way.
 */
export function prepareFormats(): void {
	formatCount(0);
	compareText("a", "b");
}

/** Local date and time for titles and tooltips. */
export function formatDateTime(iso: string | number): string {
	dateTimeFormat ??= new Intl.DateTimeFormat(undefined, {
		dateStyle: "medium",
		timeStyle: "short",
	});
	const time = typeof iso === "number" ? iso : Date.parse(iso);
	return Number.isNaN(time) ? String(iso) : dateTimeFormat.format(time);
}

/** The first `length` characters of a text on one line, with an ellipsis when cut. */
export function excerpt(text: string, length = 160): string {
	const line = text.replace(/\s+/g, " ").trim();
	return line.length > length ? `${line.slice(0, length - 1).trimEnd()}…` : line;
}

/**
 * A moment relative to now: "just now", "12 min ago", "in 3 h". With a tense, a moment
 * on the wrong side of now (clocks differ a little; `now` ticks) reads as now.
 */
export function formatRelative(iso: string, now: number, tense?: "past" | "future"): string {
	let ms = Date.parse(iso) - now;
	if (tense === "past") ms = Math.min(ms, 0);
	if (tense === "future") ms = Math.max(ms, 0);
	if (Math.abs(ms) < MINUTE) {
		if (tense === "future") return ms === 0 ? "now" : "in under a minute";
		return ms > 0 ? "in under a minute" : "just now";
	}
	return ms > 0 ? `in ${formatDuration(ms)}` : `${formatDuration(ms)} ago`;
}

/** A list typed as "refund, not working, outage": trimmed, empty ones left out. */
export function parseList(text: string): string[] {
	return text
		.split(/[,\n]/)
		.map((word) => word.trim())
		.filter((word) => word.length > 0);
}

/**
 * What is wrong with a URL as typed, once the spaces around it are trimmed: a space inside
 * it (a URL has none; a path writes one as %20). Undefined when there is none. `what` names
 * the field ("The feed's URL").
 */
export function urlSpaceProblem(text: string, what = "The URL"): string | undefined {
	return /\s/.test(text.trim())
		? `${what} has a space in it: a URL has none (write a space in a path as %20).`
		: undefined;
}

/** Whether `url` is a URL (what the server's schema asks); `URL.canParse` is too new for Safari 16. */
function parses(url: string): boolean {
	try {
		new URL(url);
		return true;
	} catch {
		return false;
	}
}

/**
 * What is wrong with a URL as typed, trimmed: a space inside it (see {@link urlSpaceProblem}),
 * or no scheme in front. "forum.example/t/1", as a phone's address bar shows a page, is not
 * a URL: the server refuses it in its schema's words ("url: Invalid URL: Received …"), so it
 * is named here, at the field. `web` (the default) asks for http(s), as feeds and instances
 * need; without it any URL the server takes passes (a reply's link may be an `at://` URI).
 */
export function urlProblem(text: string, what = "The URL", web = true): string | undefined {
	const spaced = urlSpaceProblem(text, what);
	if (spaced) return spaced;
	const url = text.trim();
	if (parses(url) && (!web || /^https?:\/\/[^/]/i.test(url))) return undefined;
	// A whole address of another kind (ftp:, file:) is not one to say "whole" of.
	if (parses(url) && /^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(url)) {
		return `${what} must be a web address, starting with https:// or http://.`;
	}
	return `${what} must be the whole address, starting with https:// (copy it from the browser's address bar).`;
}
