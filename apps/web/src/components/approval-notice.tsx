/**
 * Under an approved conversation: when the draft no longer is the text that was approved,
 * say so, and let the owner send the changed text back for review.
 */
import type { BoardMention, DraftHandle } from "@switchboard/client";
import { draftHash, draftText, reviewStanding } from "@switchboard/domain";
import { createSignal, onCleanup, Show } from "solid-js";
import { useWorkspace } from "../workspace.tsx";

export function ApprovalNotice(props: { mention: BoardMention; draft: DraftHandle }) {
	const ws = useWorkspace();
	const [hash, setHash] = createSignal(draftHash(draftText(props.draft.doc)));
	const update = () => setHash(draftHash(draftText(props.draft.doc)));
	props.draft.doc.on("update", update);
	onCleanup(() => props.draft.doc.off("update", update));
	const stale = () =>
		props.mention.status === "approved" &&
		reviewStanding(props.mention.review, hash()) === "approval_stale";
	const isOwner = () => props.mention.owner?.memberId === ws.me.id;
	return (
		<Show when={stale()}>
			<div class="callout callout-danger" data-testid="approval-stale">
				The approval no longer applies: the text changed after it was approved.
				<Show when={isOwner()}>
					{" "}
					<button
						type="button"
						class="button button-small"
						data-testid="resubmit-review"
						onClick={() =>
							void ws.run(
								{ name: "submitForReview", args: { mentionId: props.mention.id, hash: hash() } },
								"Submitted for review again.",
							)
						}
					>
						Submit the changed text for review
					</button>
				</Show>
			</div>
		</Show>
	);
}
