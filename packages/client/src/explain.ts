/**
 * Words for a person when a command was refused. The server's messages for rule
 * violations are already written for people ("Already claimed by Dana."); those about a
 * malformed message are written for developers, so the user gets a plain sentence.
 */
import type { Reject, RejectCode } from "@switchboard/domain";

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

/** A sentence for the user about why a command was refused. */
export function explainReject(reject: Pick<Reject, "code" | "message">): string {
	const message = reject.message.trim();
	if (TECHNICAL.has(reject.code) || message.length === 0) return FALLBACK[reject.code];
	return message;
}
