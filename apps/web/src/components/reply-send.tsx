/**
 * Sending the reply from the member's own connected account, and every send of this
 * conversation: a failed one stays with its error and can be retried by who sent it.
 * Posting by hand and recording the link ("Mark replied") stays beside it.
 */
import { A } from "@solidjs/router";
import type { BoardMention, DraftHandle, ReplySend } from "@switchboard/client";
import {
	characterCount,
	draftHash,
	draftRoots,
	mayReplyIn,
	type ReplyNetwork,
	ReplyNetworks,
	type ReplySendStatus,
	replyLimitFor,
	webLink,
} from "@switchboard/domain";
import { createEffect, createSignal, For, on, onCleanup, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import { NETWORK_LABELS } from "../board-model.ts";
import { excerpt } from "../format.ts";
import { useToasts } from "../toasts.tsx";
import { useWorkspace } from "../workspace.tsx";
import { ActionButton, FormError, When } from "./forms.tsx";

const SEND_LABELS: Record<ReplySendStatus, string> = {
	sending: "Sending",
	sent: "Sent",
	failed: "Failed",
};

function isReplyNetwork(network: string): network is ReplyNetwork {
	return (ReplyNetworks as readonly string[]).includes(network);
}

/** Renders only for networks a connector posts to (Mastodon, Bluesky). */
export function ReplySendPanel(props: { mention: BoardMention; draft: DraftHandle }) {
	return (
		<Show when={isReplyNetwork(props.mention.network)}>
			<ReplySendInner mention={props.mention} draft={props.draft} />
		</Show>
	);
}

function ReplySendInner(props: { mention: BoardMention; draft: DraftHandle }) {
	const ws = useWorkspace();
	const api = useApi();
	const toasts = useToasts();
	const mentionId = props.mention.id;
	const network = props.mention.network as ReplyNetwork;

	// The draft as a signal, so the button follows what the team types.
	const body = draftRoots(props.draft.doc).body;
	const [text, setText] = createSignal(body.toString());
	const observer = () => setText(body.toString());
	body.observe(observer);
	onCleanup(() => body.unobserve(observer));

	const accounts = createLoader(() => api.accounts.list());
	const account = () => accounts.data()?.find((candidate) => candidate.network === network);
	const sends = createLoader(() => api.sends.list(mentionId));
	// Whoever sends (here, in another tab, or a teammate), the board changes: list again.
	createEffect(
		on(
			() => props.mention.updatedAt,
			() => void sends.reload(),
			{ defer: true },
		),
	);

	const isOwner = () => props.mention.owner?.memberId === ws.me.id;
	const status = () => props.mention.status;
	const statusAllows = () => mayReplyIn(status());
	const limit = () => replyLimitFor(ws.board().settings.replyLimits, network);

	/** Why the reply cannot be sent now; null when it can. */
	const blocked = (): string | null => {
		const review = props.mention.review;
		if (ws.status().connection === "connecting") return "Sending needs the network; connecting…";
		if (!ws.status().online) return "Sending needs the network; you are offline.";
		if (review?.state === "changes_requested") {
			return "A moderator asked for changes: submit the reply for review again before sending it.";
		}
		const current = text();
		if (!current.trim()) return "The reply is empty.";
		if (characterCount(current) > limit()) {
			return `The reply is over ${NETWORK_LABELS[network]}'s limit of ${limit()} characters.`;
		}
		if (
			review?.state === "approved" &&
			review.hash !== null &&
			review.hash !== draftHash(current)
		) {
			return "The draft changed after it was approved: submit it for review again, or undo the change.";
		}
		if (sends.data()?.some((send) => send.status === "sending")) {
			return "A send of this reply is in progress.";
		}
		return null;
	};

	// One error at a time: the alert tells what the last attempt did.
	const send = createAction(async () => {
		retry.clearError();
		const outcome = await api.sends.send(mentionId, text());
		if (outcome.ok)
			toasts.notify("info", `Reply sent from ${account()?.handle ?? "your account"}.`);
		await sends.reload();
		if (!outcome.ok) throw new Error(`Sending failed: ${outcome.error}`);
	});
	const retry = createAction(async (failed: ReplySend) => {
		send.clearError();
		const outcome = await api.sends.retry(failed.id);
		await sends.reload();
		if (!outcome.ok) throw new Error(`Sending failed again: ${outcome.error}`);
		toasts.notify("info", "Sent.");
	});

	return (
		<div class="reply-send" data-testid="reply-send">
			<Show when={isOwner() && statusAllows()}>
				<div class="send-row">
					<Show
						when={account()}
						fallback={
							<Show when={accounts.data()}>
								<p class="muted small" data-testid="send-needs-account">
									To send from here,{" "}
									<A href="/settings">{`connect your ${NETWORK_LABELS[network]} account`}</A>; or
									post by hand and record the link.
								</p>
							</Show>
						}
					>
						{(connected) => (
							<>
								<button
									type="button"
									class="button button-primary"
									disabled={send.busy() || blocked() !== null}
									aria-describedby={blocked() ? `send-blocked-${mentionId}` : undefined}
									onClick={() => void send.run()}
									data-testid="send-reply"
								>
									{send.busy() ? "Sending…" : `Send as ${connected().handle}`}
								</button>
								<Show when={blocked()}>
									{(reason) => (
										<span
											id={`send-blocked-${mentionId}`}
											class="muted small"
											data-testid="send-blocked"
										>
											{reason()}
										</span>
									)}
								</Show>
							</>
						)}
					</Show>
				</div>
			</Show>
			<FormError error={send.error() ?? retry.error()} testId="send-error" />

			<Show when={(sends.data()?.length ?? 0) > 0}>
				<div class="sends">
					<h3 class="sends-title" id={`sends-${mentionId}`}>
						Sends
					</h3>
					<ul class="send-list" aria-labelledby={`sends-${mentionId}`} data-testid="sends">
						<For each={sends.data()}>
							{(item) => (
								<li
									class="send"
									classList={{ "send-failed": item.status === "failed" }}
									data-testid="send"
									data-send-id={item.id}
									data-status={item.status}
								>
									<div class="send-meta">
										<span class={`badge send-status send-status-${item.status}`}>
											{SEND_LABELS[item.status]}
										</span>
										<span>by {ws.memberName(item.memberId)}</span>
										<When iso={item.updatedAt} now={ws.now()} tense="past" />
										<span class="muted small">
											{item.attempts === 1 ? "1 attempt" : `${item.attempts} attempts`}
										</span>
										<Show when={webLink(item.url)}>
											{(url) => (
												<a href={url()} target="_blank" rel="noreferrer noopener">
													view the reply
												</a>
											)}
										</Show>
									</div>
									<p class="send-text">{excerpt(item.text, 200)}</p>
									<Show when={item.error}>
										<p
											class="send-error-message"
											classList={{ "send-warning": item.status === "sent" }}
											data-testid="send-error-message"
										>
											{item.error}
										</p>
									</Show>
									<Show when={item.status === "failed" && item.memberId === ws.me.id}>
										<ActionButton
											action={retry}
											args={[item]}
											class="button button-small"
											disabled={!ws.status().online}
											busyLabel="Retrying…"
											testId="send-retry"
										>
											Retry
										</ActionButton>
									</Show>
								</li>
							)}
						</For>
					</ul>
				</div>
			</Show>
		</div>
	);
}
