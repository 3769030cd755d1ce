/**
 * Comments asking for changes beside the reply: the one a text submitted again answers, and
 * one typed and not sent whose form went away.
 */
import type { Review } from "@switchboard/domain";
import { Show } from "solid-js";
import { formatDateTime, formatRelative } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";

/**
 * On a text submitted again after a moderator asked for changes: what they asked, so whoever
 * reviews it now (the same moderator or another) checks the new text against it.
 */
export function ChangesAsked(props: { review: Review | null }) {
	const ws = useWorkspace();
	const asked = () => (props.review?.state === "requested" ? props.review.changesAsked : undefined);
	return (
		<Show when={asked()}>
			{(earlier) => (
				<p class="callout callout-info small" data-testid="changes-asked">
					<strong>
						Changes asked for by {ws.memberName(earlier().by)}{" "}
						<time datetime={earlier().at} title={formatDateTime(earlier().at)}>
							{formatRelative(earlier().at, ws.now(), "past")}
						</time>
						:
					</strong>{" "}
					{earlier().comment || "No comment."}
				</p>
			)}
		</Show>
	);
}

/**
 * A comment asking for changes that was typed and not sent, where its form was: the member's
 * role changed, or the reply left review, while they typed. Shown until they discard it, so
 * nothing they typed goes without a word.
 */
export function KeptReviewComment(props: { comment: string; why: string; onDiscard: () => void }) {
	return (
		<Show when={props.comment.trim()}>
			<div class="callout callout-warning small" data-testid="kept-review-comment">
				<p>{props.why} What you typed is kept here until you discard it:</p>
				<blockquote class="kept-comment" data-testid="kept-review-comment-text">
					{props.comment}
				</blockquote>
				<button
					type="button"
					class="button button-small"
					data-testid="discard-review-comment"
					onClick={() => props.onDiscard()}
				>
					Discard
				</button>
			</div>
		</Show>
	);
}
