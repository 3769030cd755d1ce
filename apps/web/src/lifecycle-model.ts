/**
 * What the lifecycle controls offer and say, as pure functions: snooze presets, dismiss
 * reasons, which actions a conversation allows, whom to hand it off to, the command for one
 * or several conversations, and the sentence that reports a bulk command's per-item answer.
 * Kept apart from the components so it is tested without a browser.
 */
import {
	type BulkItemInput,
	type BulkItemResult,
	type CommandInput,
	draftHash,
	isActiveMember,
	type MemberCard,
	type Mention,
	type MentionStatus,
	type Priority,
	REOPENABLE,
} from "@switchboard/domain";
import { plural } from "./format.ts";

/**
 * The lifecycle actions the controls offer, in the order they offer them: the words for
 * each, and its shortcut as the help overlay lists it. Those with a form open the action
 * dialog.
 */
export const ACTIONS = {
	dismiss: { label: "Dismiss", key: "d" },
	snooze: { label: "Snooze", key: "s" },
	escalate: { label: "Escalate", key: "e" },
	tags: { label: "Tags", key: "t" },
	priority: { label: "Priority", key: "1–3" },
	close: { label: "Close", key: "⇧C" },
	reopen: { label: "Reopen", key: "⇧O" },
} as const satisfies Record<string, { label: string; key: string }>;
export type ActionKind = keyof typeof ACTIONS;
export const ActionKinds = Object.keys(ACTIONS) as ActionKind[];

/** Reasons offered when dismissing; "other" takes the note as the reason. */
export const DISMISS_REASONS: readonly { id: string; label: string }[] = [
	{ id: "spam", label: "Spam" },
	{ id: "off-topic", label: "Off-topic" },
	{ id: "duplicate", label: "Duplicate of another conversation" },
	{ id: "no-reply-needed", label: "No reply needed" },
	{ id: "other", label: "Other" },
];

/** The reason a dismiss records: the chosen label, and the note when there is one. */
export function dismissReason(reasonId: string, note: string): string {
	const label = DISMISS_REASONS.find((reason) => reason.id === reasonId)?.label ?? "Other";
	const text = note.trim();
	if (reasonId === "other") return text || "Other";
	return text ? `${label}: ${text}` : label;
}

export interface SnoozePreset {
	id: string;
	label: string;
	until: Date;
}

/** At `hour`:00 local time, `days` days after `now`'s date. */
function atHour(now: Date, days: number, hour: number): Date {
	const date = new Date(now);
	date.setDate(date.getDate() + days);
	date.setHours(hour, 0, 0, 0);
	return date;
}

/**
 * The snooze choices a busy board needs: an hour or three (waiting for an answer from
 * another team), tomorrow morning, and after the weekend. Local time, at 9:00.
 */
export function snoozePresets(now: Date): SnoozePreset[] {
	const daysToMonday = ((8 - now.getDay()) % 7 || 7) as number;
	return [
		{ id: "1h", label: "In 1 hour", until: new Date(now.getTime() + 3_600_000) },
		{ id: "3h", label: "In 3 hours", until: new Date(now.getTime() + 3 * 3_600_000) },
		{ id: "tomorrow", label: "Tomorrow, 9:00", until: atHour(now, 1, 9) },
		{ id: "monday", label: "Next Monday, 9:00", until: atHour(now, daysToMonday, 9) },
	];
}

/** A `datetime-local` input's value ("2026-12-02T09:00") as a time, or null when unusable. */
export function parseLocalDateTime(value: string): Date | null {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? null : date;
}

/** A time as a `datetime-local` value in local time, to the minute. */
export function toLocalDateTime(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, "0");
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * Whether the action makes sense for a conversation in this status, as the server's rules
 * see it (docs/PROTOCOL.md); who may do it is left to the server, which says why not.
 */
export function offers(kind: ActionKind, mention: Pick<Mention, "status">): boolean {
	const { status } = mention;
	switch (kind) {
		case "dismiss":
			return status !== "replied" && status !== "closed" && status !== "dismissed";
		case "snooze":
			return [
				"new",
				"snoozed",
				"claimed",
				"drafting",
				"in_review",
				"approved",
				"escalated",
			].includes(status);
		case "escalate":
			return ["new", "snoozed", "claimed", "drafting", "in_review", "approved"].includes(status);
		case "close":
			return status !== "closed" && status !== "dismissed";
		case "reopen":
			return REOPENABLE.includes(status);
		case "tags":
		case "priority":
			return true;
		default: {
			const unreachable: never = kind;
			return unreachable;
		}
	}
}

/**
 * Whom the conversation page offers to hand it off to: the board's members, by name, but
 * the one handing off, the owner and anyone an admin deactivated (the server refuses them).
 */
export function handoffTargets(
	members: readonly MemberCard[],
	meId: string,
	ownerId: string | null,
): MemberCard[] {
	return members.filter(
		(member) => member.id !== meId && member.id !== ownerId && isActiveMember(member),
	);
}

/**
 * The command that applies `item` to the conversations: the command itself for one, a
 * bulk command for several (each decided on its own by the server).
 */
export function commandFor(
	mentionIds: readonly string[],
	item: (mentionId: string) => BulkItemInput,
): CommandInput {
	const [only] = mentionIds;
	if (mentionIds.length === 1 && only !== undefined) return item(only);
	return { name: "bulk", args: { items: mentionIds.map(item) } };
}

/** The priority change for the conversations whose priority differs (setting it again is refused). */
export function priorityTargets(
	mentions: readonly Pick<Mention, "id" | "priority">[],
	priority: Priority,
): string[] {
	return mentions.filter((mention) => mention.priority !== priority).map((mention) => mention.id);
}

/**
 * What a bulk command did, in one sentence: "Closed 3 conversations." or "Closed 2 of 3
 * conversations. @kim: Dana owns this conversation; …". `done` is the past tense of the
 * action ("Closed").
 */
export function describeBulk(
	done: string,
	items: readonly BulkItemResult[],
	handleOf: (mentionId: string) => string | undefined,
): { kind: "info" | "error"; message: string } {
	const applied = items.filter((item) => item.ok).length;
	const refused = items.filter((item): item is Extract<BulkItemResult, { ok: false }> => !item.ok);
	if (refused.length === 0) {
		return { kind: "info", message: `${done} ${plural(applied, "conversation")}.` };
	}
	const why = refused
		.slice(0, 3)
		.map((item) => `@${handleOf(item.mentionId) ?? item.mentionId}: ${item.message}`)
		.join(" ");
	const more = refused.length > 3 ? ` And ${refused.length - 3} more.` : "";
	return {
		kind: "error",
		message: `${done} ${applied} of ${plural(items.length, "conversation")}. ${why}${more}`,
	};
}

/** Tags to suggest as the user types: the board's, minus those already on, best match first. */
export function tagSuggestions(
	boardTags: readonly string[],
	current: readonly string[],
	typed: string,
): string[] {
	const query = typed.trim().toLowerCase();
	const taken = new Set(current.map((tag) => tag.toLowerCase()));
	return boardTags
		.filter((tag) => !taken.has(tag.toLowerCase()) && tag.toLowerCase().includes(query))
		.sort(
			(a, b) =>
				Number(!a.toLowerCase().startsWith(query)) - Number(!b.toLowerCase().startsWith(query)) ||
				a.localeCompare(b),
		);
}

/**
 * Whether a conversation's recorded reply is its answer still: true while it is replied or
 * closed; false once a follow-up (or a reopen) put it back to work, when the reply was an
 * earlier one and the conversation waits for the next.
 */
export function replyStands(status: MentionStatus): boolean {
	return status === "replied" || status === "closed";
}

/**
 * The words a conversation's recorded reply said, for its page to show once it is answered:
 * the draft is emptied for the next answer when the reply is recorded, and the words live on
 * as our message in the thread (with the reply's link when recorded by hand or sent through
 * a connected account; by its text's hash for one sent before links were kept there). The
 * draft's own text while it still holds exactly the reply (not emptied yet). Null when
 * neither has them: a reply recorded with no text, only its link.
 */
export function answeredWords(
	mention: Pick<Mention, "reply" | "thread">,
	draftText: string,
): string | null {
	const { reply } = mention;
	if (!reply) return null;
	const ours = mention.thread.filter(
		(message) =>
			message.fromOrganisation &&
			(message.url === reply.url ||
				(reply.hash !== null && draftHash(message.text) === reply.hash)),
	);
	const message = ours.at(-1);
	if (message) return message.text;
	if (reply.hash !== null && draftHash(draftText) === reply.hash && draftText.trim() !== "") {
		return draftText.trim();
	}
	return null;
}
