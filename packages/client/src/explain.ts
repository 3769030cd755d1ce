/**
 * Words for a person when a command was refused. The server's messages for rule
 * violations are already written for people ("Already claimed by Dana."); those about a
 * malformed message are written for developers, so the user gets a plain sentence.
 */
import type { CommandName, Reject, RejectCode } from "@switchboard/domain";
import type { CommandResult } from "./api.ts";

/** Said when the server's message is missing or not meant for the user. */
const FALLBACK: Record<RejectCode, string> = {
	malformed: "Switchboard could not read that request. Reload the page and try again.",
	invalid: "Switchboard could not read that request. Reload the page and try again.",
	unsupported_version: "This page is out of date. Reload it to get the current version.",
	too_large: "That is too large to send.",
	forbidden: "Your role does not allow that.",
	not_found: "That conversation or member is no longer on the board.",
	already_claimed: "Someone else already owns this conversation.",
	not_owner: "Only the owner or a moderator can do that.",
	capacity_reached: "That would go over the capacity for open conversations.",
	invalid_transition: "The conversation's status does not allow that right now.",
	nothing_to_claim: "No open conversation is waiting for you right now.",
	stale_hash: "The draft changed since it was submitted; review the current text.",
	unavailable: "The server could not record this right now. It will be retried.",
	rate_limited: "Too many actions in a short time. Wait a moment and try again.",
	text_empty: "The reply is empty.",
	text_too_long: "The reply is over the network's character limit.",
};

/**
 * Codes whose server message describes a fault of the app rather than the work. Not
 * `invalid`: the rules use it for things a person asked for ("Snooze until a time in the
 * future."), and a schema complaint still names the field.
 */
const TECHNICAL: ReadonlySet<RejectCode> = new Set([
	"malformed",
	"unsupported_version",
	"too_large",
]);

/**
 * Refusals that say how things stand, not that something went wrong: "Claim next" on a board
 * with nothing waiting. An app shows them as a notice, not as an error to act on (a red alert
 * for 12 s was what a new organisation's first tap on an empty board got).
 */
const NOTICES: ReadonlySet<RejectCode> = new Set(["nothing_to_claim"]);

/** Whether a refusal is a notice of how things stand rather than an error. */
export function isNoticeReject(reject: Pick<Reject, "code">): boolean {
	return NOTICES.has(reject.code);
}

/** A sentence for the user about why a command was refused. */
export function explainReject(reject: Pick<Reject, "code" | "message">): string {
	const message = reject.message.trim();
	if (TECHNICAL.has(reject.code) || message.length === 0) return FALLBACK[reject.code];
	return message;
}

/** What a command is called in a sentence: "your claim of the conversation with @kim". */
const COMMAND_WORDS: Record<CommandName, string> = {
	claim: "claim",
	claimNext: "claim of the next conversation",
	release: "release",
	handoff: "hand-off",
	assign: "assignment",
	unassign: "unassignment",
	submitForReview: "review request",
	approve: "approval",
	requestChanges: "change request",
	markReplied: "reply record",
	dismiss: "dismissal",
	snooze: "snooze",
	escalate: "escalation",
	tag: "tag change",
	setPriority: "priority change",
	close: "closing",
	reopen: "reopening",
	bulk: "action on several conversations",
};

/**
 * A refusal told where the user is now, which may be far from where they acted: it names
 * the conversation when they are not looking at it, and says when the command was made
 * offline (or before a reload) and refused only once the connection came back. Without
 * that, "Already claimed by Kim." on an unrelated page names neither.
 */
export function describeRefusal(
	result: Pick<Extract<CommandResult, { ok: false }>, "explanation" | "command" | "madeOffline">,
	context: {
		/** The author's handle of a conversation on the board, without @. */
		handleOf(mentionId: string): string | undefined;
		/** The conversation on screen, if any. */
		viewing: string | null;
	},
): string {
	const command = result.command;
	const args = command?.args as { mentionId?: unknown } | undefined;
	const mentionId = typeof args?.mentionId === "string" ? args.mentionId : null;
	const handle = mentionId ? context.handleOf(mentionId) : undefined;
	const what = command
		? `your ${COMMAND_WORDS[command.name]}${handle ? ` of the conversation with @${handle}` : ""}`
		: "a change you made";
	if (result.madeOffline) {
		return `While you were offline, ${what} could not be applied: ${result.explanation}`;
	}
	if (handle && mentionId !== context.viewing) {
		return `${what.charAt(0).toUpperCase()}${what.slice(1)} was refused: ${result.explanation}`;
	}
	return result.explanation;
}
