/**
 * The conversation's thread as its page lists it: the mention, then every message of the
 * thread, in posted order.
 *
 * The page lists it with `<For>`, which keeps a row for as long as its item is the same
 * object. The mention changes as a whole whenever anything of it does (a follow-up joins its
 * thread, its status or unseen count changes), so the items are made again each time; an item
 * equal to the one shown before is given back as that object, and only new or changed
 * messages are drawn again. A 300-message thread open on a 360 px phone with the CPU slowed
 * 4× and a follow-up a second: every row drawn again (and the author's earlier conversations
 * asked for again, see history-item.tsx) kept the page busy 56 % of the time, 16 long tasks
 * of 4.2 s in 8 s, against 15 % and none with both mended. It also dropped a selection the
 * reader had made in an older message.
 */
import { type Mention, threadMessageKey } from "@switchboard/domain";

/** One row of the thread. */
export interface ThreadItem {
	/** Unique in the thread: the mention's, or its message's key (`threadMessageKey`). */
	key: string;
	handle: string;
	fromOrganisation: boolean;
	text: string;
	/** The text's language (a code such as `fr`), when known: the mention's, detected on ingest. */
	language: string | undefined;
	postedAt: string;
	/** The member who recorded our reply by hand. */
	recordedBy: string | undefined;
	url: string | undefined;
	isMention: boolean;
	/** A follow-up new to the reader. */
	isNew: boolean;
}

/** The one key no message has: message keys start with `id:` or `at:`. */
const MENTION_KEY = "mention";

function sameItem(a: ThreadItem, b: ThreadItem): boolean {
	return (
		a.key === b.key &&
		a.handle === b.handle &&
		a.fromOrganisation === b.fromOrganisation &&
		a.text === b.text &&
		a.language === b.language &&
		a.postedAt === b.postedAt &&
		a.recordedBy === b.recordedBy &&
		a.url === b.url &&
		a.isMention === b.isMention &&
		a.isNew === b.isNew
	);
}

/**
 * The thread's rows for `mention`, each unchanged one the very object of `previous`.
 *
 * @param newKeys keys (`threadMessageKey`) of the follow-ups shown as new.
 * @param previous the rows shown until now (empty at first).
 */
export function threadItems(
	mention: Pick<Mention, "author" | "text" | "language" | "postedAt" | "thread">,
	newKeys: ReadonlySet<string>,
	previous: readonly ThreadItem[],
): ThreadItem[] {
	const shown = new Map(previous.map((item) => [item.key, item]));
	const keep = (item: ThreadItem): ThreadItem => {
		const before = shown.get(item.key);
		return before && sameItem(before, item) ? before : item;
	};
	const messages = mention.thread.map((message) => {
		const key = threadMessageKey(message);
		return keep({
			key,
			handle: message.handle,
			fromOrganisation: message.fromOrganisation,
			text: message.text,
			// A message of the thread has no language of its own: it may be ours, or another's.
			language: undefined,
			postedAt: message.postedAt,
			recordedBy: message.by,
			url: message.url,
			isMention: false,
			isNew: newKeys.has(key),
		});
	});
	const first = keep({
		key: MENTION_KEY,
		handle: mention.author.handle,
		fromOrganisation: false,
		text: mention.text,
		language: mention.language ?? undefined,
		postedAt: mention.postedAt,
		recordedBy: undefined,
		url: undefined,
		isMention: true,
		isNew: false,
	});
	// In posted order; a stable sort keeps the mention before messages of its own time.
	return [first, ...messages].sort((a, b) => a.postedAt.localeCompare(b.postedAt));
}

/**
 * How many of a long thread's latest rows the page draws at first, besides its first row.
 * A 300-message conversation opened on a 360 px phone with the CPU slowed 4× drew 1,606
 * thread nodes in a longest task of 468 ms; with the latest forty, 221 nodes and 236 ms
 * (medians of 7 alternated runs, bench/findings/10-busy-board.md). The page's open time
 * moved less (1.39 → 1.29 s): most of it is the rest of the page.
 */
export const THREAD_TAIL = 40;

/**
 * Where the page starts drawing a thread of `items` as it opens: the key of the first of its
 * `THREAD_TAIL` latest rows, or of its first new follow-up when that is earlier; null when
 * the thread is short enough to draw whole.
 */
export function threadStart(items: readonly ThreadItem[]): string | null {
	if (items.length <= THREAD_TAIL + 2) return null;
	const firstNew = items.findIndex((item) => item.isNew);
	const from = Math.max(
		1,
		Math.min(items.length - THREAD_TAIL, firstNew < 0 ? items.length : firstNew),
	);
	return from > 1 ? (items[from]?.key ?? null) : null;
}

/**
 * The rows the page draws: the thread's first (where the conversation began), then every row
 * from `start` (`threadStart` as the page opened; rows that came since follow it), and how
 * many rows between them it leaves out. All of them when `start` is null or no longer there.
 */
export function shownThread(
	items: readonly ThreadItem[],
	start: string | null,
): { first: ThreadItem[]; rest: ThreadItem[]; hidden: number } {
	const at = start === null ? -1 : items.findIndex((item) => item.key === start);
	const from = Math.max(at, 1);
	return { first: items.slice(0, 1), rest: items.slice(from), hidden: from - 1 };
}
