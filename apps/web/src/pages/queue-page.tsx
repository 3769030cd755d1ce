/** My queue: the conversations I own, new messages and the next deadline first, with their SLA clocks. */
import type { BoardMention } from "@switchboard/client";
import { createMemo, onCleanup, Show } from "solid-js";
import { myQueue, serverStatus, statusLabel } from "../board-model.ts";
import {
	FollowUpMarker,
	PendingMarker,
	PresenceRow,
	PriorityBadge,
	SlaBadge,
} from "../components/bits.tsx";
import { ClaimNextButton } from "../components/command-button.tsx";
import { ListLink } from "../components/list-link.tsx";
import { Table } from "../components/table.tsx";
import { useReviewStanding } from "../draft-signals.ts";
import { excerpt, formatAge, plural } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";

export function QueuePage() {
	const ws = useWorkspace();
	const queue = createMemo(() =>
		myQueue(ws.board().mentions, ws.me.id, ws.board().settings, ws.now()),
	);
	const capacity = () => ws.membersById().get(ws.me.id)?.capacity;

	return (
		<div class="page queue-page">
			<div class="page-heading">
				<h1>My queue</h1>
				<p class="muted">
					{plural(queue().length, "open conversation")}
					<Show when={capacity() !== undefined}> of your capacity of {capacity()}</Show>.
					<Show when={queue().length > 1}>
						{" "}
						New messages from customers first, then by deadline.
					</Show>
				</p>
				<span class="toolbar-spacer" />
				<ClaimNextButton class="button button-primary">
					Claim next <kbd>n</kbd>
				</ClaimNextButton>
			</div>
			<Table
				class="queue-table"
				testId="queue"
				caption="Conversations I own"
				columns={["Conversation", "Status", "Priority", "Age", "SLA"]}
				rows={queue()}
				empty={
					<div class="empty-state" data-testid="queue-empty">
						<p>You own no open conversations.</p>
						<p class="muted">
							Pick one on the board, or press “Claim next” for the most urgent one for you.
						</p>
					</div>
				}
			>
				{(mention) => (
					<tr data-testid="queue-item" data-mention-id={mention.id}>
						<td class="row-target">
							<ListLink href={`/m/${encodeURIComponent(mention.id)}`} class="queue-link row-link">
								@{mention.author.handle}
							</ListLink>
							<FollowUpMarker count={mention.unseenFollowUps ?? 0} />
							<PendingMarker mention={mention} />
							<PresenceRow presence={ws.board().presence.get(mention.id)} />
							<div class="muted small queue-excerpt">{excerpt(mention.text, 140)}</div>
						</td>
						<td>
							<Show
								when={serverStatus(mention) === "approved"}
								fallback={
									<span
										class={`badge status status-${serverStatus(mention)}`}
										data-testid="queue-status"
									>
										{statusLabel(serverStatus(mention), null)}
									</span>
								}
							>
								<ApprovedStatus mention={mention} />
							</Show>
						</td>
						<td>
							<PriorityBadge priority={mention.priority} />
						</td>
						<td>
							<time datetime={mention.ingestedAt}>{formatAge(mention.ingestedAt, ws.now())}</time>
						</td>
						<td>
							<SlaBadge mention={mention} settings={ws.board().settings} now={ws.now()} />
						</td>
					</tr>
				)}
			</Table>
		</div>
	);
}

/**
 * An approved conversation's status: the approval names the exact text, so an edit since
 * reads "Approval no longer applies", as on the conversation and review pages.
 */
function ApprovedStatus(props: { mention: BoardMention }) {
	const ws = useWorkspace();
	const draft = ws.client.openDraft(props.mention.id);
	onCleanup(() => draft.close());
	const standing = useReviewStanding(
		draft,
		() => props.mention.confirmed?.review ?? props.mention.review,
	);
	return (
		<span
			class="badge status status-approved"
			classList={{ "status-stale": standing() === "approval_stale" }}
			data-testid="queue-status"
			data-standing={standing()}
		>
			{statusLabel("approved", standing())}
		</span>
	);
}
