/**
 * The review queue: drafts submitted for review, oldest first, each with the reply as it
 * stands, who wrote which part (from the draft's history), why it needs approval, and
 * approve or request changes with a comment. Approved conversations not yet posted stay
 * listed: an approval names the text's hash, so when the draft changes afterwards the
 * card says the approval no longer applies.
 */
import type { BoardMention } from "@switchboard/client";
import {
	approvalReasons,
	authorshipShares,
	characterCount,
	describeApprovalReason,
	draftHash,
	NETWORK_NAMES,
	type ReviewStanding,
	replyLimitFor,
	replyTextBlock,
	reviewStanding,
} from "@switchboard/domain";
import { createMemo, For, onCleanup, Show } from "solid-js";
import { serverStatus, statusLabel } from "../board-model.ts";
import { Avatar, NetworkBadge, PriorityBadge } from "../components/bits.tsx";
import { ChangesAsked } from "../components/changes-asked.tsx";
import { RequestChangesForm } from "../components/command-button.tsx";
import { ListLink } from "../components/list-link.tsx";
import { ModeratorPage, moderatorsOnly } from "../components/moderator-nav.tsx";
import { reviewQueue } from "../coverage-model.ts";
import { useDraft } from "../draft-signals.ts";
import { holdFocus } from "../focus.ts";
import { excerpt, formatDateTime, formatRelative, plural } from "../format.ts";
import { memberColor } from "../people.ts";
import { createReviewComments } from "../review-comment.ts";
import { useWorkspace } from "../workspace.tsx";
import "../coverage.css";

/** Drafts opened at once; each is a live document on the shared socket. */
const SHOWN = 20;

export const ReviewsPage = moderatorsOnly(Reviews);

function Reviews() {
	const ws = useWorkspace();
	const queue = createMemo(() => reviewQueue(ws.board().mentions));
	// One list keyed by id: a card that moves from waiting to approved keeps its open
	// draft instead of closing and reopening it.
	const ids = createMemo(
		() => [...queue().waiting, ...queue().approved].slice(0, SHOWN).map((mention) => mention.id),
		[],
		{ equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]) },
	);
	return (
		<ModeratorPage title="Review queue" name="reviews">
			<p class="muted" data-testid="review-counts">
				{plural(queue().waiting.length, "draft")} waiting for review · {queue().approved.length}{" "}
				approved, not posted yet
			</p>
			<Show
				when={ids().length > 0}
				fallback={
					<div class="empty-state" data-testid="reviews-empty">
						<p>No draft waits for review, and every approved reply is out.</p>
					</div>
				}
			>
				<ol class="review-list">
					<For each={ids()}>{(id) => <ReviewCard mentionId={id} />}</For>
				</ol>
			</Show>
		</ModeratorPage>
	);
}

const STANDING_TEXT: Partial<Record<ReviewStanding, string>> = {
	requested: "The text as submitted.",
	approved: "Approved for exactly this text.",
};

function ReviewCard(props: { mentionId: string }) {
	const ws = useWorkspace();
	// The last known state while the card fades out after a decision.
	const mention = createMemo<BoardMention>(
		(previous) => ws.mentionsById().get(props.mentionId) ?? previous,
		ws.mentionsById().get(props.mentionId) as BoardMention,
	);
	const draft = ws.client.openDraft(props.mentionId);
	onCleanup(() => draft.close());
	const { text, spans, synced } = useDraft(draft);
	// Memos from here to the markup: the board changes ten times a second while mentions pour
	// in, and each change reached every binding that read the board, which hashed each card's
	// draft again (SHA-256, six bindings a card) for a text that had not changed. The settings
	// keep their identity from one board to the next until they change.
	const settings = createMemo(() => ws.board().settings);
	const currentHash = createMemo(() => (synced() ? draftHash(text()) : null));
	// The server's review, never the optimistic one: an approval shows once it is decided.
	const standing = createMemo(() =>
		reviewStanding(mention().confirmed?.review ?? mention().review, currentHash()),
	);
	const status = () => serverStatus(mention());
	const limit = createMemo(() => replyLimitFor(settings().replyLimits, mention().network));
	const count = createMemo(() => characterCount(text()));
	/** Why the server would refuse to approve this text; null when it would not. */
	const blocked = createMemo(() => replyTextBlock(text(), mention().network, limit()));
	const approving = () => mention().pending.some((pending) => pending.command.name === "approve");
	const reasons = createMemo(() => {
		const now = approvalReasons(mention(), settings().approval).map((reason) =>
			describeApprovalReason(reason, ws.memberName),
		);
		// A rule that matched earlier still binds (its priority or tag may be gone since).
		return now.length === 0 && mention().approvalRequired
			? ["an approval rule matched it earlier"]
			: now;
	});
	const writers = createMemo(() =>
		[...authorshipShares(spans()).entries()].sort((a, b) => b[1] - a[1]),
	);
	// Kept on this device as typed: a role change takes this page away (role-change-notice.tsx),
	// and the conversation's page shows the comment then.
	const comments = createReviewComments(ws.me);
	// A decision takes the card's buttons away (an approved card moves after the drafts still
	// waiting, one sent back leaves): the focus goes on to the card that came next (the one
	// before at the end of the list), or to the page's heading when no other is left. The
	// neighbour is noted while the card is still in its place.
	let card: HTMLLIElement | undefined;
	let neighbour: Element | null = null;
	let heading: HTMLElement | null = null;
	const noteNeighbour = () => {
		neighbour = card?.nextElementSibling ?? card?.previousElementSibling ?? null;
		heading = card?.closest(".page")?.querySelector<HTMLElement>("h1") ?? null;
	};
	const afterDecision = () =>
		(neighbour?.isConnected ? neighbour.querySelector<HTMLElement>(".review-link") : null) ??
		heading;
	const review = () => mention().review;
	const owner = () => mention().owner?.memberId ?? null;
	const commentId = `changes-${props.mentionId}`;

	return (
		<li
			ref={card}
			onFocusIn={noteNeighbour}
			class="review-card panel"
			data-testid="review-card"
			data-mention-id={props.mentionId}
			data-standing={standing()}
			data-status={status()}
		>
			<header class="review-head">
				<span
					class={`badge status status-${status()}`}
					classList={{ "status-stale": standing() === "approval_stale" }}
					data-testid="review-status"
				>
					{status() === "in_review" ? "Waiting for review" : statusLabel(status(), standing())}
				</span>
				<PriorityBadge priority={mention().priority} />
				<NetworkBadge network={mention().network} />
				<ListLink href={`/m/${encodeURIComponent(props.mentionId)}`} class="review-link">
					Reply to @{mention().author.handle}
				</ListLink>
				<span class="toolbar-spacer" />
				<Show when={review()}>
					{(r) => (
						<span class="muted small">
							{r().state === "approved" ? "approved by " : "submitted by "}
							{ws.memberName(r().by)}{" "}
							<time datetime={r().at} title={formatDateTime(r().at)}>
								{formatRelative(r().at, ws.now(), "past")}
							</time>
						</span>
					)}
				</Show>
			</header>
			<blockquote class="review-mention">{excerpt(mention().text, 280)}</blockquote>
			<Show when={reasons().length > 0}>
				<p class="small review-reasons" data-testid="approval-reasons">
					Needs approval: {reasons().join(", ")}
				</p>
			</Show>

			<ChangesAsked review={review()} />
			<div class="review-draft" data-testid="review-draft">
				<Show when={text().length > 0} fallback={<span class="muted">The draft is empty.</span>}>
					<For each={spans()}>
						{(span) => (
							<span
								class="authored"
								style={{
									"--author": span.memberId ? memberColor(span.memberId) : "#8792a2",
								}}
								title={
									span.memberId ? `Written by ${ws.memberName(span.memberId)}` : "Writer unknown"
								}
								data-member-id={span.memberId ?? ""}
							>
								{span.text}
							</span>
						)}
					</For>
				</Show>
			</div>
			<Show when={writers().length > 0}>
				<ul class="writers" data-testid="writers" aria-label="Who wrote it">
					<For each={writers()}>
						{([memberId, chars]) => (
							<li data-member-id={memberId ?? ""}>
								<Show
									when={memberId}
									fallback={<span class="writer-swatch" style={{ "--author": "#8792a2" }} />}
								>
									{(id) => <Avatar member={{ id: id(), name: ws.memberName(id()) }} />}
								</Show>
								{memberId ? ws.memberName(memberId) : "Unknown"}
								<span class="muted small"> · {plural(chars, "character")}</span>
							</li>
						)}
					</For>
				</ul>
			</Show>

			<p
				class="char-count small"
				classList={{ "char-over": count() > limit() }}
				data-testid="review-count"
			>
				{count()} / {limit()} characters on {NETWORK_NAMES[mention().network]}
				<Show when={count() > limit()}>
					<span> · {count() - limit()} over the limit</span>
				</Show>
			</p>
			<Show when={!synced()}>
				<p class="muted small">Loading the draft from the server…</p>
			</Show>
			<Show when={STANDING_TEXT[standing()]}>
				{(words) => (
					<p class="muted small" data-testid="review-current">
						{words()}
					</p>
				)}
			</Show>
			<Show when={standing() === "requested_changed"}>
				<p class="callout callout-warning" data-testid="review-changed">
					The draft changed after it was submitted. An approval names the submitted text, so ask{" "}
					{owner() ? ws.memberName(owner() as string) : "the writer"} to submit it again, or request
					changes.
				</p>
			</Show>
			<Show when={standing() === "approval_stale"}>
				<p class="callout callout-danger" data-testid="approval-stale">
					This approval no longer applies: the draft changed after{" "}
					{review() ? ws.memberName(review()!.by) : "a moderator"} approved it. The changed text
					needs a new review before it is posted.
				</p>
			</Show>

			<Show when={status() === "in_review"}>
				<Show when={synced() && blocked()}>
					{(problem) => (
						<p
							class="callout callout-warning small"
							id={`review-blocked-${props.mentionId}`}
							data-testid="review-blocked"
						>
							{problem().message}
						</p>
					)}
				</Show>
				<div class="review-actions">
					<button
						type="button"
						class="button button-primary"
						data-testid="approve"
						disabled={standing() !== "requested" || blocked() !== null || approving()}
						aria-describedby={blocked() ? `review-blocked-${props.mentionId}` : undefined}
						onClick={() => {
							const hash = currentHash();
							if (!hash) return;
							const settle = holdFocus();
							void ws
								.run(
									{ name: "approve", args: { mentionId: props.mentionId, hash, text: text() } },
									"Approved.",
								)
								.then((result) => result.ok && settle(afterDecision()));
						}}
					>
						{approving() ? "Approving…" : "Approve this text"}
					</button>
					<RequestChangesForm
						mentionId={props.mentionId}
						inputId={commentId}
						comment={comments.get(props.mentionId)}
						onComment={(text) => comments.set(props.mentionId, text)}
						focusAfter={afterDecision}
					/>
				</div>
			</Show>
		</li>
	);
}
