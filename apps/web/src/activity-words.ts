/**
 * A conversation's activity log in words, as its page lists it: "Dana claimed it", "Sam closed
 * it" with how it was settled, "@vera wrote again (2 messages)". The log keeps members by id (a
 * member renamed since is still the same member); the page names them as they are now, and the
 * reader as "you", as the rest of the app does ("You claimed it", "Dana handed it to you").
 */
import { type ActivityEntry, Priorities, SystemActions } from "@switchboard/domain";
import { PRIORITY_LABELS } from "./board-model.ts";
import { formatDateTime, formatList, plural } from "./format.ts";

/** What a page knows to say an entry: members' names and the conversation's author. */
export interface ActivityContext {
	/** A member's name by id (the workspace's `memberName`). */
	name(memberId: string): string;
	/** The public author's handle, as the thread shows it. */
	author: string;
	/** The signed-in member's id: said "you". */
	me: string;
}

/** An entry in words: what happened, and the note a member wrote with it (a reason, a comment). */
export interface ActivityWords {
	words: string;
	/** Quoted after the words; null when the member wrote none. */
	note: string | null;
}

/** Who did it: a member by name, or the server for what it did by itself. */
const SERVER = "Switchboard";

/** A detail that is a non-empty string, or null (the log keeps what `decide` wrote, untyped). */
function text(detail: Record<string, unknown>, key: string): string | null {
	const value = detail[key];
	return typeof value === "string" && value.trim() !== "" ? value : null;
}

function strings(detail: Record<string, unknown>, key: string): string[] {
	const value = detail[key];
	return Array.isArray(value)
		? value.filter((item): item is string => typeof item === "string")
		: [];
}

function priorityWords(value: string | null): string {
	const known = Priorities.find((priority) => priority === value);
	return known ? PRIORITY_LABELS[known].toLowerCase() : (value ?? "another priority");
}

/** What an entry says, in words. Unknown actions (a newer server's) are named as recorded. */
export function activityWords(entry: ActivityEntry, ctx: ActivityContext): ActivityWords {
	const { detail } = entry;
	const isMe = (id: string) => id === ctx.me;
	/** A member the words end on: "handed it to you", "assigned it to yourself". */
	const whom = (id: string) =>
		isMe(id) ? (id === entry.actorId ? "yourself" : "you") : ctx.name(id);
	const who = entry.actorId ? (isMe(entry.actorId) ? "You" : ctx.name(entry.actorId)) : SERVER;
	const member = (key: string) => {
		const id = text(detail, key);
		return id ? whom(id) : null;
	};
	/** "Dana was", "you were": the owner a server action took a conversation from. */
	const ownerWas = () => {
		const id = text(detail, "previousOwner");
		if (!id) return "its owner was";
		return isMe(id) ? "you were" : `${ctx.name(id)} was`;
	};
	const said = (words: string, note: string | null = null): ActivityWords => ({ words, note });
	const author = `@${ctx.author.replace(/^@/, "")}`;
	switch (entry.action) {
		case "claim":
		case "claimNext":
			return said(`${who} claimed it`);
		case "release": {
			const previous = text(detail, "previousOwner");
			return said(
				previous && previous !== entry.actorId
					? `${who} released it from ${whom(previous)}`
					: `${who} released it`,
			);
		}
		case "handoff":
			return said(`${who} handed it to ${member("to") ?? "someone"}`);
		case "assign":
			return said(`${who} assigned it to ${member("to") ?? "someone"}`);
		case "unassign":
			return said(`${who} took it off ${member("previousOwner") ?? "its owner"}`);
		case "submitForReview":
			return said(`${who} submitted the reply for review`);
		case "approve":
			return said(`${who} approved the reply`);
		case "requestChanges":
			return said(`${who} asked for changes`, text(detail, "comment"));
		case "markReplied":
			return said(`${who} recorded the reply`);
		case "dismiss":
			return said(`${who} dismissed it`, text(detail, "reason"));
		case "snooze": {
			const until = text(detail, "until");
			return said(until ? `${who} snoozed it until ${formatDateTime(until)}` : `${who} snoozed it`);
		}
		case "escalate":
			return said(`${who} escalated it`, text(detail, "reason"));
		case "tag": {
			const added = strings(detail, "add");
			const removed = strings(detail, "remove");
			const parts = [
				...(added.length > 0 ? [`tagged it ${formatList(added)}`] : []),
				...(removed.length > 0 ? [`took off ${formatList(removed)}`] : []),
			];
			return said(`${who} ${parts.length > 0 ? parts.join(" and ") : "changed the tags"}`);
		}
		case "setPriority":
			return said(`${who} set the priority to ${priorityWords(text(detail, "to"))}`);
		case "close":
			return said(`${who} closed it`, text(detail, "reason"));
		case "reopen": {
			const owner = text(detail, "owner");
			if (owner && owner !== entry.actorId) return said(`${who} reopened it for ${whom(owner)}`);
			return said(owner ? `${who} reopened it` : `${who} reopened it; it went back to the board`);
		}
		case SystemActions.followUp: {
			const count = typeof detail.count === "number" ? detail.count : 1;
			const words =
				count > 1 ? `${author} wrote again (${plural(count, "message")})` : `${author} wrote again`;
			return said(detail.reopened === true ? `${words}; it was reopened` : words);
		}
		case SystemActions.leaseExpired:
			return said(`Back on the board: ${ownerWas()} offline longer than the lease`);
		case SystemActions.snoozeEnded:
			return said("The snooze ended; back on the board");
		case SystemActions.memberDeactivated:
			return said(`Back on the board: ${ownerWas()} deactivated`);
		case SystemActions.memberLeftBoard:
			return said(`Back on the board: ${member("previousOwner") ?? "its owner"} left the board`);
		case SystemActions.slaBreached:
			return said(
				text(detail, "kind") === "claim" ? "Not claimed in time" : "Not answered in time",
			);
		default:
			return said(`${who}: ${entry.action}`);
	}
}

/**
 * How a finished conversation was settled: the newest entry that closed or dismissed it, from
 * a list newest first (one reopened and closed again was settled by the last close). Null when
 * the list holds none: not loaded yet, or never settled.
 */
export function settlement(entries: readonly ActivityEntry[]): ActivityEntry | null {
	return entries.find((entry) => entry.action === "close" || entry.action === "dismiss") ?? null;
}
