/**
 * The board document (`board/<orgId>/<boardId>`): a projection of the database that the
 * server writes and clients hold read-only.
 *
 * Shape (top-level types of the Y.Doc):
 * - `mentions`: keyed list id → MentionContent, written once at ingest.
 * - `work`: keyed list id → BoardWork (a MentionWork without its fields at their
 *   default), rewritten by every accepted command. Kept apart from the content so that a
 *   status change sends a few dozen bytes, not the mention's text and thread again.
 * - `messages`: keyed list `<mentionId>#<n>` → ThreadMessage, the messages that joined a
 *   conversation's thread after its content entry was written (follow-ups, our recorded
 *   replies), one entry each, numbered from 0 per conversation with no gap. A follow-up to
 *   a 300-message thread sends the one message to every member of the board, not the
 *   thread again (80 KiB each, bench/findings/10-busy-board.md). An entry counts while its
 *   revision is newer than the content entry's: a content write carries the whole thread
 *   up to its revision. The web client of earlier releases does not read this list and
 *   shows such a conversation's thread as its content entry holds it until it is reloaded.
 * - `members`: keyed list id → MemberCard (what the board shows of a member, deactivated
 *   ones included and marked).
 * - `settings`: Y.Map of BoardSettings fields.
 * - `breaches`: keyed list `<mentionId>:<kind>` → SlaBreachEntry, the SLA breaches the
 *   server detected (rev: the activity record's id), so moderators see them at once.
 *
 * Revisions are the database's (positive integers, one counter per mention): a write
 * carrying a revision that is not newer than the stored one is skipped, so replays and
 * concurrent writes from several server instances converge on the database's state.
 *
 * Origins: every writer takes an optional `origin` that is passed to `doc.transact`. A
 * writer called inside the caller's own `doc.transact(fn, origin)` joins that transaction
 * and its origin, which is how the server usually calls them.
 */

import { equalityDeep } from "lib0/function";
import type * as Y from "yjs";
import { type BusinessHours, businessHoursProblems, Weekdays } from "./business-hours.ts";
import {
	compactDuplicates,
	deleteEntries,
	deleteEntry,
	type KeyedEntry,
	type KeyedValue,
	type KeyedWrite,
	readEntry,
	readKeyed,
	setEntries,
	setEntry,
} from "./keyed-list.ts";
import {
	type ApprovalRules,
	type BoardSettings,
	DEFAULT_BOARD_SETTINGS,
	type Member,
	type Mention,
	type MentionContent,
	type MentionWork,
	Priorities,
	type Priority,
	type ReplyTemplate,
	type ThreadMessage,
} from "./model.ts";
import type { SlaKind } from "./sla.ts";
import { compareThreadMessages, threadMessageKey } from "./thread.ts";

/** Names of the board document's top-level types. */
export const BoardKeys = {
	mentions: "mentions",
	work: "work",
	members: "members",
	settings: "settings",
	breaches: "breaches",
	messages: "messages",
} as const;

/** An SLA breach as the board shows it; the server writes one per conversation and kind. */
export interface SlaBreachEntry {
	mentionId: string;
	kind: SlaKind;
	/** When the target fell due (ISO). */
	dueAt: string;
	/** When the server detected and recorded it (ISO). */
	at: string;
}

/** The key of a breach in the `breaches` list. */
export function breachKey(mentionId: string, kind: SlaKind): string {
	return `${mentionId}:${kind}`;
}

/**
 * What the board shows of a member. A deactivated member keeps their card, so that their
 * name on past replies, notes and activity still reads as theirs; `active: false` marks it,
 * and pickers, load views and suggestions leave them out (`isActiveMember`).
 */
export interface MemberCard
	extends Pick<Member, "id" | "name" | "role" | "capacity" | "skills" | "languages"> {
	/**
	 * False once an admin deactivated the member. Stored only then: a card without it (every
	 * active member's, and every card written before the field existed) means active, and the
	 * web client of earlier releases ignores it.
	 */
	active?: boolean;
}

/**
 * The member card of a member, with its fields in a fixed order; `active` only when false,
 * so a reactivated member's card is again the one it was.
 */
export function memberCard(member: MemberCard): MemberCard {
	const { id, name, role, capacity, skills, languages } = member;
	const card: MemberCard = { id, name, role, capacity, skills, languages };
	if (member.active === false) card.active = false;
	return card;
}

/** True unless an admin deactivated the member (a card without `active` is active). */
export function isActiveMember(card: Pick<MemberCard, "active">): boolean {
	return card.active !== false;
}

/** The board as a client shows it. */
export interface BoardView {
	/** Mentions whose content and work are both on the board, oldest post first. */
	mentions: Mention[];
	/** Members, by name, deactivated ones included (`isActiveMember`). */
	members: MemberCard[];
	/** Stored settings over the defaults. */
	settings: BoardSettings;
	/** False until settings were written to this board (then `settings` are the defaults). */
	settingsStored: boolean;
}

/** The board document's top-level types. Getting them does not write to the document. */
export interface BoardRoots {
	mentions: Y.Array<KeyedEntry<MentionContent>>;
	work: Y.Array<KeyedEntry<BoardWork>>;
	members: Y.Array<KeyedEntry<MemberCard>>;
	settings: Y.Map<unknown>;
	breaches: Y.Array<KeyedEntry<SlaBreachEntry>>;
	messages: Y.Array<KeyedEntry<ThreadMessage>>;
}

export function boardRoots(doc: Y.Doc): BoardRoots {
	return {
		mentions: doc.getArray<KeyedEntry<MentionContent>>(BoardKeys.mentions),
		work: doc.getArray<KeyedEntry<BoardWork>>(BoardKeys.work),
		members: doc.getArray<KeyedEntry<MemberCard>>(BoardKeys.members),
		settings: doc.getMap<unknown>(BoardKeys.settings),
		breaches: doc.getArray<KeyedEntry<SlaBreachEntry>>(BoardKeys.breaches),
		messages: doc.getArray<KeyedEntry<ThreadMessage>>(BoardKeys.messages),
	};
}

/** The key of a conversation's `n`th entry in the `messages` list. */
export function messageEntryKey(mentionId: string, n: number): string {
	return `${mentionId}#${n}`;
}

/** The conversation an entry of the `messages` list belongs to. */
export function messageEntryMention(key: string): string {
	return key.slice(0, key.lastIndexOf("#"));
}

/** Finds an entry of the `messages` list by key (a view's, an index's or a map's `get`). */
export type MessageLookup = (key: string) => KeyedValue<ThreadMessage> | undefined;

/** A conversation's entries in the `messages` list with their keys, from 0 to the first gap. */
function messageEntries(
	lookup: MessageLookup,
	mentionId: string,
): { key: string; entry: KeyedValue<ThreadMessage> }[] {
	const found: { key: string; entry: KeyedValue<ThreadMessage> }[] = [];
	for (let n = 0; ; n++) {
		const key = messageEntryKey(mentionId, n);
		const entry = lookup(key);
		if (!entry) return found;
		found.push({ key, entry });
	}
}

/**
 * The thread the board shows for a content entry: the entry's, and the messages written
 * after it (`messages` entries newer than it) that it does not hold, in posted order. The
 * content's own array when nothing joined it.
 */
export function boardThread(
	content: KeyedValue<MentionContent>,
	lookup: MessageLookup,
): ThreadMessage[] {
	return threadOf(content, messageEntries(lookup, content.v.id));
}

function threadOf(
	content: KeyedValue<MentionContent>,
	entries: readonly { entry: KeyedValue<ThreadMessage> }[],
): ThreadMessage[] {
	let thread: ThreadMessage[] | null = null;
	let seen: Set<string> | null = null;
	for (const { entry } of entries) {
		if (entry.rev <= content.rev) continue;
		thread ??= [...content.v.thread];
		seen ??= new Set(content.v.thread.map(threadMessageKey));
		const key = threadMessageKey(entry.v);
		if (seen.has(key)) continue;
		seen.add(key);
		thread.push(entry.v);
	}
	return thread ? thread.sort(compareThreadMessages) : content.v.thread;
}

/**
 * The messages of `thread` (the database's whole thread) that a board showing `shown` is
 * missing, or null when `shown` holds a message `thread` does not hold as it is (the
 * content entry must then be written again).
 */
function missingMessages(
	shown: readonly ThreadMessage[],
	thread: readonly ThreadMessage[],
): ThreadMessage[] | null {
	const wanted = new Map(thread.map((message) => [threadMessageKey(message), message]));
	for (const message of shown) {
		const key = threadMessageKey(message);
		if (!equalityDeep(wanted.get(key), message)) return null;
		wanted.delete(key);
	}
	return [...wanted.values()];
}

/**
 * The work fields a board entry leaves out while they hold these values. Every reader puts
 * them back (`workFromBoard`), and the web client of earlier releases reads an absent field
 * as these (`?.`, `??`, truthiness): what every reader of the board decodes and encodes
 * again for each change is then the fields that say something. A claim's entry shrank from
 * 289 to 215 bytes (bench/findings/05.md).
 */
export const WORK_DEFAULTS = {
	review: null,
	reply: null,
	snoozedUntil: null,
	approvalRequired: false,
	unseenFollowUps: 0,
	slaFrom: null,
} as const satisfies Partial<MentionWork>;

type DefaultedWorkField = keyof typeof WORK_DEFAULTS;

/** A work entry's value on the board: a MentionWork whose fields at their default may be absent. */
export type BoardWork = Omit<MentionWork, DefaultedWorkField> &
	Partial<Pick<MentionWork, DefaultedWorkField>>;

/** What the board stores of `work`: every field but those at their default, in a fixed order. */
export function boardWork(work: MentionWork): BoardWork {
	const stored: BoardWork = {
		status: work.status,
		priority: work.priority,
		tags: work.tags,
		owner: work.owner,
		updatedAt: work.updatedAt,
	};
	if (work.review !== null) stored.review = work.review;
	if (work.reply !== null) stored.reply = work.reply;
	if (work.snoozedUntil !== null) stored.snoozedUntil = work.snoozedUntil;
	if (work.approvalRequired) stored.approvalRequired = true;
	if (work.unseenFollowUps !== 0) stored.unseenFollowUps = work.unseenFollowUps;
	if (work.slaFrom !== null) stored.slaFrom = work.slaFrom;
	return stored;
}

/**
 * A work entry as a MentionWork: the fields left out at their default put back (entries
 * written before, which hold every field, read as they are).
 */
export function workFromBoard(stored: BoardWork): MentionWork {
	return {
		status: stored.status,
		priority: stored.priority,
		tags: stored.tags,
		owner: stored.owner,
		review: stored.review ?? WORK_DEFAULTS.review,
		reply: stored.reply ?? WORK_DEFAULTS.reply,
		snoozedUntil: stored.snoozedUntil ?? WORK_DEFAULTS.snoozedUntil,
		approvalRequired: stored.approvalRequired ?? WORK_DEFAULTS.approvalRequired,
		unseenFollowUps: stored.unseenFollowUps ?? WORK_DEFAULTS.unseenFollowUps,
		slaFrom: stored.slaFrom ?? WORK_DEFAULTS.slaFrom,
		updatedAt: stored.updatedAt,
	};
}

/**
 * A mention from its content entry and its work entry, with `thread` in place of the
 * content's (`boardThread`) when given.
 */
export function joinMention(
	content: MentionContent,
	work: BoardWork,
	thread: ThreadMessage[] = content.thread,
): Mention {
	return { ...content, thread, ...workFromBoard(work) };
}

function byPostedAt(a: Mention, b: Mention): number {
	return a.postedAt.localeCompare(b.postedAt) || a.id.localeCompare(b.id);
}

// Writers: server only.

/** What a batch of mention writes puts on the board, planned before anything is written. */
interface ContentWrites {
	contents: KeyedWrite<MentionContent>[];
	messages: KeyedWrite<ThreadMessage>[];
	/** `messages` entries of conversations whose content entry is written again. */
	stale: string[];
	/** The mentions with anything planned. */
	changed: Set<string>;
}

/**
 * Plan the write of `content` at `rev`: nothing when the board holds this or a newer
 * revision of it, or shows it as it is; the messages the board's thread lacks when only
 * the thread grew; else the content entry again, its `messages` entries dropped.
 */
function planContent(
	roots: BoardRoots,
	content: MentionContent,
	rev: number,
	into: ContentWrites,
): void {
	const stored = readEntry(roots.mentions, content.id);
	if (stored && stored.rev >= rev) return;
	const lookup: MessageLookup = (key) => readEntry(roots.messages, key);
	const entries = messageEntries(lookup, content.id);
	if (stored && equalityDeep({ ...stored.v, thread: [] }, { ...content, thread: [] })) {
		const missing = missingMessages(threadOf(stored, entries), content.thread);
		if (missing) {
			missing.forEach((value, i) => {
				into.messages.push({ key: messageEntryKey(content.id, entries.length + i), rev, value });
			});
			if (missing.length > 0) into.changed.add(content.id);
			return;
		}
	}
	for (const { key } of entries) into.stale.push(key);
	into.contents.push({ key: content.id, rev, value: content });
	into.changed.add(content.id);
}

/** Write what `planContent` planned, in the caller's transaction. */
function writeContents(roots: BoardRoots, writes: ContentWrites): void {
	deleteEntries(roots.messages, writes.stale);
	setEntries(roots.mentions, writes.contents);
	setEntries(roots.messages, writes.messages);
}

/**
 * Put a mention on the board at revision `rev`. The content is written when the board
 * does not have it, or shows an older revision of it that differs: only the new messages
 * when just the thread grew (`messages`), else the whole entry. The work is written when
 * the stored work is older than `rev`. Returns true when anything was written.
 */
export function writeMention(
	doc: Y.Doc,
	content: MentionContent,
	work: MentionWork,
	rev: number,
	origin: unknown = null,
): boolean {
	return writeMentions(doc, [{ content, work, rev }], origin) > 0;
}

/** One mention for `writeMentions`. */
export interface MentionWrite {
	content: MentionContent;
	work: MentionWork;
	rev: number;
}

/**
 * `writeMention` for many mentions in one transaction, O(mentions written): for ingest,
 * loading or reconciling a whole board. Returns how many mentions had anything written.
 */
export function writeMentions(
	doc: Y.Doc,
	mentions: readonly MentionWrite[],
	origin: unknown = null,
): number {
	const roots = boardRoots(doc);
	const writes: ContentWrites = { contents: [], messages: [], stale: [], changed: new Set() };
	doc.transact(() => {
		for (const { content, rev } of mentions) planContent(roots, content, rev, writes);
		writeContents(roots, writes);
		for (const key of setEntries(
			roots.work,
			mentions.map(({ content, work, rev }) => ({ key: content.id, rev, value: boardWork(work) })),
		)) {
			writes.changed.add(key);
		}
	}, origin);
	return writes.changed.size;
}

/** The keys of the `messages` entries of these conversations. */
function messageKeys(roots: BoardRoots, mentionIds: readonly string[]): string[] {
	const lookup: MessageLookup = (key) => readEntry(roots.messages, key);
	return mentionIds.flatMap((id) => messageEntries(lookup, id).map(({ key }) => key));
}

/**
 * `removeMention` for many mentions with one scan per list. Returns how many content and
 * work entries were deleted.
 */
export function removeMentions(
	doc: Y.Doc,
	mentionIds: Iterable<string>,
	origin: unknown = null,
): number {
	const roots = boardRoots(doc);
	const ids = [...mentionIds];
	let removed = 0;
	doc.transact(() => {
		removed += deleteEntries(roots.mentions, ids);
		removed += deleteEntries(roots.work, ids);
		deleteEntries(roots.messages, messageKeys(roots, ids));
	}, origin);
	return removed;
}

/**
 * Write a mention's work state at revision `rev`. Skipped (returns false) when the
 * board already holds this or a newer revision.
 */
export function writeWork(
	doc: Y.Doc,
	mentionId: string,
	work: MentionWork,
	rev: number,
	origin: unknown = null,
): boolean {
	return setEntry(
		doc.getArray<KeyedEntry<BoardWork>>(BoardKeys.work),
		mentionId,
		rev,
		boardWork(work),
		origin,
	);
}

/** Take a mention off the live board. Returns false when it was not there. */
export function removeMention(doc: Y.Doc, mentionId: string, origin: unknown = null): boolean {
	const roots = boardRoots(doc);
	let removed = false;
	doc.transact(() => {
		removed = deleteEntry(roots.mentions, mentionId) || removed;
		removed = deleteEntry(roots.work, mentionId) || removed;
		deleteEntries(roots.messages, messageKeys(roots, [mentionId]));
	}, origin);
	return removed;
}

/**
 * Write a member's card when it differs from the stored one. Members carry no database
 * revision: each change takes the stored rev + 1, and two instances writing the same
 * member at once converge on the rightmost write (both wrote what the database said).
 */
export function writeMember(doc: Y.Doc, card: MemberCard, origin: unknown = null): boolean {
	const members = boardRoots(doc).members;
	const next = memberCard(card);
	const stored = readEntry(members, next.id);
	if (stored && equalityDeep(stored.v, next)) return false;
	return setEntry(members, next.id, (stored?.rev ?? 0) + 1, next, origin);
}

/** Take a member's card off the board. */
export function removeMember(doc: Y.Doc, memberId: string, origin: unknown = null): boolean {
	return deleteEntry(boardRoots(doc).members, memberId, origin);
}

const SETTING_KEYS = Object.keys(DEFAULT_BOARD_SETTINGS) as (keyof BoardSettings)[];

/** Write the given settings fields, each only when it differs from the stored value. */
export function writeSettings(
	doc: Y.Doc,
	settings: Partial<BoardSettings>,
	origin: unknown = null,
): boolean {
	const map = boardRoots(doc).settings;
	const changed = SETTING_KEYS.filter(
		(key) => settings[key] !== undefined && !equalityDeep(map.get(key), settings[key]),
	);
	if (changed.length === 0) return false;
	doc.transact(() => {
		for (const key of changed) map.set(key, structuredClone(settings[key]));
	}, origin);
	return true;
}

/**
 * Delete superseded duplicates (left by concurrent writes on several instances) from
 * every list, work or content entries whose other half is gone (left by a removal racing
 * a write), and a conversation's `messages` entries when its content is gone or holds
 * them all (none newer than it). Server only, e.g. after loading a board. Returns how
 * many entries were deleted.
 */
export function compactBoard(doc: Y.Doc, origin: unknown = null): number {
	const roots = boardRoots(doc);
	let deleted = 0;
	doc.transact(() => {
		deleted += compactDuplicates(roots.mentions);
		deleted += compactDuplicates(roots.work);
		deleted += compactDuplicates(roots.members);
		deleted += compactDuplicates(roots.breaches);
		deleted += compactDuplicates(roots.messages);
		const contents = readKeyed(roots.mentions);
		// Each conversation's `messages` keys, and those with an entry that counts.
		const keysOf = new Map<string, string[]>();
		const live = new Set<string>();
		for (const [key, entry] of readKeyed(roots.messages)) {
			const id = messageEntryMention(key);
			const keys = keysOf.get(id);
			if (keys) keys.push(key);
			else keysOf.set(id, [key]);
			const content = contents.get(id);
			if (content && entry.rev > content.rev) live.add(id);
		}
		deleted += deleteEntries(
			roots.messages,
			[...keysOf].flatMap(([id, keys]) => (live.has(id) ? [] : keys)),
		);
		const works = readKeyed(roots.work);
		for (const id of contents.keys()) {
			if (!works.has(id)) deleted += Number(deleteEntry(roots.mentions, id));
		}
		for (const id of works.keys()) {
			if (!contents.has(id)) deleted += Number(deleteEntry(roots.work, id));
		}
	}, origin);
	return deleted;
}

/** A breach with the revision it was recorded at (the activity record's id). */
export interface BreachWrite {
	breach: SlaBreachEntry;
	rev: number;
}

/** Put breaches on the board; skipped where the board has them at this revision. */
export function writeBreaches(
	doc: Y.Doc,
	breaches: readonly BreachWrite[],
	origin: unknown = null,
): number {
	if (breaches.length === 0) return 0;
	let written = 0;
	doc.transact(() => {
		written = setEntries(
			boardRoots(doc).breaches,
			breaches.map(({ breach, rev }) => ({
				key: breachKey(breach.mentionId, breach.kind),
				rev,
				value: breach,
			})),
		).length;
	}, origin);
	return written;
}

/** Take breaches off the board by key. */
export function removeBreaches(doc: Y.Doc, keys: Iterable<string>, origin: unknown = null): number {
	const list = [...keys];
	if (list.length === 0) return 0;
	let removed = 0;
	doc.transact(() => {
		removed = deleteEntries(boardRoots(doc).breaches, list);
	}, origin);
	return removed;
}

// Readers: pure, never write; safe on a client's read-only copy.

function numberRecord<K extends string>(stored: unknown, defaults: Record<K, number>) {
	const out = { ...defaults };
	if (typeof stored !== "object" || stored === null) return out;
	for (const key of Object.keys(defaults) as K[]) {
		const value = (stored as Record<string, unknown>)[key];
		if (typeof value === "number" && Number.isFinite(value)) out[key] = value;
	}
	return out;
}

function stringList(value: unknown): string[] | null {
	return Array.isArray(value) && value.every((item) => typeof item === "string")
		? [...value]
		: null;
}

/** Approval rules from stored JSON; a malformed field falls back to its default. */
export function parseApprovalRules(stored: unknown): ApprovalRules {
	const defaults = DEFAULT_BOARD_SETTINGS.approval;
	if (typeof stored !== "object" || stored === null) return structuredClone(defaults);
	const raw = stored as Record<string, unknown>;
	const priorities = stringList(raw.priorities)?.filter((p): p is Priority =>
		(Priorities as readonly string[]).includes(p),
	);
	return {
		priorities: priorities ?? [...defaults.priorities],
		tags: stringList(raw.tags) ?? [...defaults.tags],
		newMembers: stringList(raw.newMembers) ?? [...defaults.newMembers],
	};
}

/** Business hours from stored JSON; anything malformed or invalid reads as none (round the clock). */
export function parseBusinessHours(stored: unknown): BusinessHours | null {
	if (typeof stored !== "object" || stored === null) return null;
	const raw = stored as Record<string, unknown>;
	const weeklyRaw = raw.weekly;
	if (typeof raw.timeZone !== "string" || typeof weeklyRaw !== "object" || weeklyRaw === null) {
		return null;
	}
	const weekly = {} as BusinessHours["weekly"];
	for (const day of Weekdays) {
		const intervals = (weeklyRaw as Record<string, unknown>)[day] ?? [];
		if (!Array.isArray(intervals)) return null;
		weekly[day] = [];
		for (const interval of intervals) {
			const { start, end } = (interval ?? {}) as Record<string, unknown>;
			if (typeof start !== "string" || typeof end !== "string") return null;
			weekly[day].push({ start, end });
		}
	}
	const holidays = raw.holidays === undefined ? [] : stringList(raw.holidays);
	if (holidays === null) return null;
	const hours: BusinessHours = { timeZone: raw.timeZone, weekly, holidays };
	return businessHoursProblems(hours).length === 0 ? hours : null;
}

/** Templates from stored JSON; a malformed list falls back to the defaults. */
export function parseTemplates(stored: unknown): ReplyTemplate[] {
	const fine =
		Array.isArray(stored) &&
		stored.every(
			(item) =>
				typeof item === "object" &&
				item !== null &&
				typeof (item as ReplyTemplate).id === "string" &&
				typeof (item as ReplyTemplate).name === "string" &&
				typeof (item as ReplyTemplate).body === "string",
		);
	const list = fine ? (stored as ReplyTemplate[]) : DEFAULT_BOARD_SETTINGS.templates;
	return list.map(({ id, name, body }) => ({ id, name, body }));
}

/**
 * Settings from stored fields (the board's `settings` map, or the database's JSON) over
 * the defaults; a missing or malformed field falls back to its default.
 */
export function parseSettings(get: (key: keyof BoardSettings) => unknown): BoardSettings {
	const lease = get("leaseMinutes");
	return {
		slaClaimMinutes: numberRecord(get("slaClaimMinutes"), DEFAULT_BOARD_SETTINGS.slaClaimMinutes),
		slaReplyMinutes: numberRecord(get("slaReplyMinutes"), DEFAULT_BOARD_SETTINGS.slaReplyMinutes),
		leaseMinutes:
			typeof lease === "number" && Number.isFinite(lease)
				? lease
				: DEFAULT_BOARD_SETTINGS.leaseMinutes,
		replyLimits: numberRecord(get("replyLimits"), DEFAULT_BOARD_SETTINGS.replyLimits),
		approval: parseApprovalRules(get("approval")),
		businessHours: parseBusinessHours(get("businessHours")),
		templates: parseTemplates(get("templates")),
	};
}

/** The board's settings: stored fields over the defaults (malformed fields fall back). */
export function readSettings(doc: Y.Doc): BoardSettings {
	const map = boardRoots(doc).settings;
	return parseSettings((key) => map.get(key));
}

/**
 * Newest first: by when the server found them, then (found in one round) by the latest
 * deadline, so a fresh breach is not buried under a backlog recorded with it.
 */
export function compareBreaches(a: SlaBreachEntry, b: SlaBreachEntry): number {
	return (
		b.at.localeCompare(a.at) ||
		b.dueAt.localeCompare(a.dueAt) ||
		a.mentionId.localeCompare(b.mentionId) ||
		a.kind.localeCompare(b.kind)
	);
}

/** The SLA breaches on the board, newest first (`compareBreaches`). */
export function readBreaches(doc: Y.Doc): SlaBreachEntry[] {
	return [...readKeyed(boardRoots(doc).breaches).values()]
		.map((entry) => entry.v)
		.sort(compareBreaches);
}

/** The member cards on the board, by name. */
export function readMembers(doc: Y.Doc): MemberCard[] {
	return [...readKeyed(boardRoots(doc).members).values()]
		.map((entry) => entry.v)
		.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * Read the whole board. O(entries). Objects nested in the result (author, tags, owner…)
 * are shared with the document: treat them as read-only.
 */
export function readBoard(doc: Y.Doc): BoardView {
	const roots = boardRoots(doc);
	const works = readKeyed(roots.work);
	const messages = readKeyed(roots.messages);
	const lookup: MessageLookup = (key) => messages.get(key);
	const mentions: Mention[] = [];
	for (const [id, content] of readKeyed(roots.mentions)) {
		const work = works.get(id);
		if (work) mentions.push(joinMention(content.v, work.v, boardThread(content, lookup)));
	}
	mentions.sort(byPostedAt);
	return {
		mentions,
		members: readMembers(doc),
		settings: readSettings(doc),
		settingsStored: SETTING_KEYS.some((key) => roots.settings.has(key)),
	};
}

/** One mention, or null when its content or work is not on the board. */
export function readMention(doc: Y.Doc, mentionId: string): Mention | null {
	const roots = boardRoots(doc);
	const content = readEntry(roots.mentions, mentionId);
	const work = content && readEntry(roots.work, mentionId);
	if (!content || !work) return null;
	return joinMention(
		content.v,
		work.v,
		boardThread(content, (key) => readEntry(roots.messages, key)),
	);
}

/**
 * The revision of one mention as `boardRevisions` gives it, or undefined when the board
 * does not show it. O(1) (after the first read of the board's lists).
 */
export function mentionRevision(doc: Y.Doc, mentionId: string): number | undefined {
	const roots = boardRoots(doc);
	const content = readEntry(roots.mentions, mentionId);
	const work = content && readEntry(roots.work, mentionId);
	return content && work ? Math.max(content.rev, work.rev) : undefined;
}

/**
 * The revision of every mention `readBoard` shows (the newer of its content's and its
 * work's), for the server to reconcile the board against the database: a mention the
 * database has at a newer revision needs `writeWork`, one missing here needs
 * `writeMention` (which also fills in a half-written mention), one here but not wanted
 * needs `removeMention`.
 */
export function boardRevisions(doc: Y.Doc): Map<string, number> {
	const roots = boardRoots(doc);
	const works = readKeyed(roots.work);
	const revisions = new Map<string, number>();
	for (const [id, content] of readKeyed(roots.mentions)) {
		const work: KeyedValue<BoardWork> | undefined = works.get(id);
		if (work) revisions.set(id, Math.max(content.rev, work.rev));
	}
	return revisions;
}
