/**
 * Approvals. Rules (board settings) say which conversations need a moderator's approval
 * before their reply is recorded; an approval names the SHA-256 of the draft text it
 * approved, so it applies to that text only: once the draft changes, it no longer does.
 * The need sticks: once a rule matched, the work state records `approvalRequired`, so
 * lowering the priority or removing the tag afterwards does not walk around it.
 */
import {
	type ApprovalRules,
	type Mention,
	NETWORK_NAMES,
	type Network,
	type Review,
} from "./model.ts";
import { characterCount } from "./text.ts";

/** Why a conversation needs approval. */
export type ApprovalReason =
	| { kind: "priority"; priority: Mention["priority"] }
	| { kind: "tag"; tag: string }
	| { kind: "new_member"; memberId: string };

/** The rules that ask for no approval at all (the default). */
export const NO_APPROVAL_RULES: ApprovalRules = { priorities: [], tags: [], newMembers: [] };

/**
 * Every rule that asks for approval of this conversation; empty when none does. The
 * "new member" rule looks at the owner, who writes (and posts) the reply.
 */
export function approvalReasons(
	mention: Pick<Mention, "priority" | "tags" | "owner">,
	rules: ApprovalRules,
): ApprovalReason[] {
	const reasons: ApprovalReason[] = [];
	if (rules.priorities.includes(mention.priority)) {
		reasons.push({ kind: "priority", priority: mention.priority });
	}
	const tags = new Set(rules.tags.map((tag) => tag.toLowerCase()));
	for (const tag of mention.tags) {
		if (tags.has(tag.toLowerCase())) reasons.push({ kind: "tag", tag });
	}
	const owner = mention.owner?.memberId;
	if (owner !== undefined && rules.newMembers.includes(owner)) {
		reasons.push({ kind: "new_member", memberId: owner });
	}
	return reasons;
}

/**
 * Whether a conversation needs approval: a rule matches it now, or one matched before
 * (recorded in its work state).
 */
export function needsApproval(
	mention: Pick<Mention, "priority" | "tags" | "owner" | "approvalRequired">,
	rules: ApprovalRules,
): boolean {
	return mention.approvalRequired || approvalReasons(mention, rules).length > 0;
}

/** A reason in words: "high priority", "tagged legal", "Dana is new". */
export function describeApprovalReason(
	reason: ApprovalReason,
	memberName: (id: string) => string = () => "the owner",
): string {
	switch (reason.kind) {
		case "priority":
			return `${reason.priority} priority`;
		case "tag":
			return `tagged ${reason.tag}`;
		case "new_member":
			return `${memberName(reason.memberId)} is new`;
		default: {
			const unreachable: never = reason;
			return unreachable;
		}
	}
}

/**
 * Where a conversation's review stands against the draft as it is now:
 * - `none`: never submitted;
 * - `requested` / `requested_changed`: waiting for a moderator, with the submitted text
 *   or with a text changed since (approving it now would name a text nobody submitted);
 * - `approved` / `approval_stale`: approved, and the draft is still that text, or it
 *   changed since and the approval no longer applies;
 * - `changes_requested`: sent back to the writer.
 *
 * `currentHash` is `draftHash(draftText(doc))`; null when the draft is not loaded yet,
 * which keeps the submitted or approved standing.
 */
export type ReviewStanding =
	| "none"
	| "requested"
	| "requested_changed"
	| "approved"
	| "approval_stale"
	| "changes_requested";

export function reviewStanding(review: Review | null, currentHash: string | null): ReviewStanding {
	if (!review) return "none";
	const changed = currentHash !== null && review.hash !== null && review.hash !== currentHash;
	switch (review.state) {
		case "requested":
			return changed ? "requested_changed" : "requested";
		case "approved":
			return changed ? "approval_stale" : "approved";
		case "changes_requested":
			return "changes_requested";
		default: {
			const unreachable: never = review.state;
			return unreachable;
		}
	}
}

/** Why a reply may not be recorded yet; null when it may. */
export type ApprovalBlock = { code: "invalid_transition" | "stale_hash"; message: string } | null;

/**
 * Whether the rules let the reply with text hash `hash` be recorded now: a conversation
 * that needs approval must be approved, for exactly that text.
 */
export function approvalBlock(
	mention: Pick<Mention, "priority" | "tags" | "owner" | "status" | "review" | "approvalRequired">,
	rules: ApprovalRules,
	hash: string | null,
): ApprovalBlock {
	if (!needsApproval(mention, rules)) return null;
	const reasons = approvalReasons(mention, rules);
	const why =
		reasons.length > 0
			? reasons.map((reason) => describeApprovalReason(reason)).join(", ")
			: "an approval rule matched it earlier";
	if (mention.status !== "approved" || mention.review?.state !== "approved") {
		return {
			code: "invalid_transition",
			message: `This conversation needs a moderator's approval before the reply (${why}); submit it for review.`,
		};
	}
	if (hash === null || hash !== mention.review.hash) {
		return {
			code: "stale_hash",
			message: "The reply is not the text that was approved; submit the changed text for review.",
		};
	}
	return null;
}

/** Why a reply text may not be submitted or approved; null when it may. */
export type ReplyTextBlock = { code: "text_empty" | "text_too_long"; message: string } | null;

/**
 * Whether `text` can go out as a reply on `network` with the board's `limit` (characters
 * as people count them): not empty, not longer. The server refuses submitForReview and
 * approve with this; the client shows the same count against the same limit.
 */
export function replyTextBlock(text: string, network: Network, limit: number): ReplyTextBlock {
	if (text.trim().length === 0) {
		return { code: "text_empty", message: "The reply is empty; write it before it is reviewed." };
	}
	const count = characterCount(text);
	if (count > limit) {
		const over = count - limit;
		return {
			code: "text_too_long",
			message: `The reply is ${count} characters, ${over} over the limit of ${limit} on ${NETWORK_NAMES[network]}; shorten it first.`,
		};
	}
	return null;
}
