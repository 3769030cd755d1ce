/**
 * Under a conversation in review or approved: when the draft no longer is the text that was
 * submitted or approved, say so, and let the owner send the changed text for review.
 */
import type { BoardMention, DraftHandle } from "@switchboard/client";
import { draftHash, replyLimitFor, replyTextBlock, reviewStanding } from "@switchboard/domain";
import { Show } from "solid-js";
import { serverStatus } from "../board-model.ts";
import { createDraftText } from "../draft-text.ts";
import { useWorkspace } from "../workspace.tsx";
import { CommandButton } from "./command-button.tsx";

export function ApprovalNotice(props: { mention: BoardMention; draft: DraftHandle }) {
	const ws = useWorkspace();
	const text = createDraftText(props.draft);
	const hash = () => draftHash(text());
	const standing = () =>
		reviewStanding(props.mention.confirmed?.review ?? props.mention.review, hash());
	/** What changed since, in words; null while the draft is the text submitted or approved. */
	const changed = () => {
		const status = serverStatus(props.mention);
		if (status === "approved" && standing() === "approval_stale") {
			return "The approval no longer applies: the text changed after it was approved.";
		}
		if (status === "in_review" && standing() === "requested_changed") {
			return "The text changed after it was submitted: a moderator can approve only the text submitted.";
		}
		return null;
	};
	const blocked = () =>
		replyTextBlock(
			text(),
			props.mention.network,
			replyLimitFor(ws.board().settings.replyLimits, props.mention.network),
		);
	const isOwner = () => props.mention.owner?.memberId === ws.me.id;
	return (
		<Show when={changed()}>
			{(words) => (
				<div class="callout callout-danger" data-testid="approval-stale">
					{words()}
					<Show when={isOwner()}>
						{" "}
						<CommandButton
							class="button button-small"
							testId="resubmit-review"
							disabled={blocked() !== null}
							title={blocked()?.message}
							command={{
								name: "submitForReview",
								args: { mentionId: props.mention.id, hash: hash(), text: text() },
							}}
							success="Submitted for review again."
						>
							Submit the changed text for review
						</CommandButton>
					</Show>
				</div>
			)}
		</Show>
	);
}
