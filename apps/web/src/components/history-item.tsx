/** One past or present conversation as history shows it, and the author's earlier ones. */

import { A } from "@solidjs/router";
import { type Mention, type Network, HttpRoutes as R, webLink } from "@switchboard/domain";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { errorMessage, useApi } from "../api.ts";
import { STATUS_LABELS } from "../board-model.ts";
import { excerpt, formatDateTime, plural } from "../format.ts";
import { threadItems } from "../thread-model.ts";
import { useWorkspace } from "../workspace.tsx";
import { NetworkBadge, PriorityBadge } from "./bits.tsx";
import { ActivityLog } from "./conversation-activity.tsx";
import { ListLink } from "./list-link.tsx";
import { ThreadMessage } from "./thread-message.tsx";

/**
 * One conversation as history shows it: who wrote, what, where it stands and how it was
 * answered. One still on the board shows the board's copy (it is live: a search shown again
 * on coming back may be older) and opens its page; a finished one shows its thread here.
 */
export function HistoryItem(props: { mention: Mention }) {
	const ws = useWorkspace();
	const live = () => ws.mentionsById().get(props.mention.id);
	const mention = (): Mention => live() ?? props.mention;
	const onBoard = () => live() !== undefined;
	// The reply is credited to whoever recorded it; the owner now may be someone else (handed
	// off since, or given it back by a follow-up), named apart only then.
	const repliedBy = () => {
		const by = mention().reply?.by;
		return by ? ws.memberName(by) : null;
	};
	const owner = () => {
		const memberId = mention().owner?.memberId;
		return memberId && memberId !== mention().reply?.by ? ws.memberName(memberId) : null;
	};
	const replyLink = () => webLink(mention().reply?.url);
	const handle = () => mention().author.handle.replace(/^@/, "");
	return (
		<li class="history-item row-target" data-testid="history-item" data-mention-id={mention().id}>
			<div class="history-item-head">
				<NetworkBadge network={mention().network} />
				{/* On the board, the author's name opens the conversation, and so does a tap anywhere
				    on the item (see .row-link); a finished one is not on the board to open. */}
				<Show when={onBoard()} fallback={<strong>@{handle()}</strong>}>
					<ListLink href={`/m/${encodeURIComponent(mention().id)}`} class="history-link row-link">
						@{handle()}
					</ListLink>
				</Show>
				<time class="muted small" datetime={mention().postedAt}>
					{formatDateTime(mention().postedAt)}
				</time>
				<span class={`badge status status-${mention().status}`}>
					{STATUS_LABELS[mention().status]}
				</span>
				<PriorityBadge priority={mention().priority} />
			</div>
			<p class="history-text">{excerpt(mention().text, 280)}</p>
			<Show when={mention().thread.length > 0}>
				<Show when={onBoard()} fallback={<PastThread mention={mention()} />}>
					<p class="muted small">{plural(mention().thread.length, "message")} in the thread</p>
				</Show>
			</Show>
			<p class="small history-outcome">
				<Show when={owner()}>{(name) => <span>Handled by {name()}. </span>}</Show>
				<Show when={mention().reply} fallback={<span class="muted">No reply recorded.</span>}>
					{(reply) => (
						<span>
							Answered by {repliedBy()} {formatDateTime(reply().sentAt)}
							<Show when={replyLink()}>
								{(href) => (
									<>
										{" "}
										(
										<a href={href()} target="_blank" rel="noopener noreferrer">
											the reply
										</a>
										)
									</>
								)}
							</Show>
							.
						</span>
					)}
				</Show>
				<Show when={mention().tags.length > 0}>
					<span class="muted"> Tags: {mention().tags.join(", ")}.</span>
				</Show>
			</p>
			{/* What happened to it, how it was settled included: its page, which lists that, does
			    not open once it left the board. Read only when opened. */}
			<Show when={!onBoard()}>
				<ActivityLog
					mentionId={mention().id}
					author={mention().author.handle}
					testId="history-activity"
				/>
			</Show>
		</li>
	);
}

/**
 * The thread of a conversation that is no longer on the board, whose page cannot open: read
 * here, drawn only once opened (a thread may hold hundreds of messages).
 */
function PastThread(props: { mention: Mention }) {
	const [open, setOpen] = createSignal(false);
	const messages = () =>
		threadItems(props.mention, new Set(), []).filter((message) => !message.isMention);
	return (
		<details
			class="history-thread"
			data-testid="history-thread"
			onToggle={(event) => setOpen(event.currentTarget.open)}
		>
			<summary class="muted small">
				{plural(props.mention.thread.length, "message")} in the thread
			</summary>
			<Show when={open()}>
				<ol class="thread history-thread-messages">
					<For each={messages()}>{(message) => <ThreadMessage message={message} />}</For>
				</ol>
			</Show>
		</details>
	);
}

/** How many of the author's earlier conversations a conversation shows. */
const EARLIER = 5;

/**
 * The author's earlier conversations with the organisation and how they were answered, so
 * whoever answers now knows the history ("third time this month", "was promised a refund").
 */
export function EarlierConversations(props: {
	mentionId: string;
	author: string;
	network: Network;
}) {
	const api = useApi();
	// Asked once per author and conversation: the props are read again each time the
	// conversation changes (a follow-up, a claim), and a new source object would ask again,
	// each answer carrying this conversation's whole thread.
	const asked = createMemo(
		() => ({ author: props.author, network: props.network, mentionId: props.mentionId }),
		undefined,
		{
			equals: (a, b) =>
				a.author === b.author && a.network === b.network && a.mentionId === b.mentionId,
		},
	);
	const [earlier] = createResource(asked, async ({ author, network, mentionId }) => {
		const page = await api.request(R.history, {
			query: { author, network, limit: String(EARLIER + 1) },
		});
		return page.conversations.filter((mention) => mention.id !== mentionId).slice(0, EARLIER);
	});
	const search = () => `/history?author=${encodeURIComponent(props.author.replace(/^@/, ""))}`;
	return (
		<section class="earlier-conversations" aria-labelledby="earlier-title" data-testid="earlier">
			<h2 id="earlier-title" class="panel-title">
				Earlier with @{props.author.replace(/^@/, "")}
			</h2>
			<Show
				when={!earlier.error}
				fallback={<p class="form-error">{errorMessage(earlier.error)}</p>}
			>
				<Show when={earlier()} fallback={<p class="muted small">Looking…</p>}>
					{(list) => (
						<Show
							when={list().length > 0}
							fallback={<p class="muted small">The first conversation with this author.</p>}
						>
							<ol>
								<For each={list()}>{(mention) => <HistoryItem mention={mention} />}</For>
							</ol>
							<A href={search()} class="small">
								All of them in History
							</A>
						</Show>
					)}
				</Show>
			</Show>
		</section>
	);
}
