/**
 * Under an approved conversation: when the draft no longer is the text that was approved,
 * say so, and let the owner send the changed text back for review.
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
	const stale = () =>
		serverStatus(props.mention) === "approved" &&
		reviewStanding(props.mention.confirmed?.review ?? props.mention.review, hash()) ===
			"approval_stale";
	const blocked = () =>
		replyTextBlock(
			text(),
			props.mention.network,
			replyLimitFor(ws.board().settings.replyLimits, props.mention.network),
		);
	const isOwner = () => props.mention.owner?.memberId === ws.me.id;
	return (
		<Show when={stale()}>
			<div class="callout callout-danger" data-testid="approval-stale">
				The approval no longer applies: the text changed after it was approved.
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
		</Show>
	);
}
