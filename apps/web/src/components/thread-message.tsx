/** One message of a conversation's thread, as the conversation page and History show it. */

import { webLink } from "@switchboard/domain";
import { Show } from "solid-js";
import { formatDateTime } from "../format.ts";
import type { ThreadItem } from "../thread-model.ts";
import { useWorkspace } from "../workspace.tsx";

export function ThreadMessage(props: { message: ThreadItem }) {
	const ws = useWorkspace();
	const message = () => props.message;
	// A reply recorded by hand names the member who sent it, not an account.
	const author = () => {
		const by = message().recordedBy;
		return by !== undefined ? ws.memberName(by) : `@${message().handle}`;
	};
	return (
		<li
			class="message"
			classList={{
				"message-org": message().fromOrganisation,
				"message-mention": message().isMention,
				"message-new": message().isNew,
			}}
			data-testid={message().isMention ? "mention-message" : "thread-message"}
		>
			<div class="message-meta">
				<strong>{author()}</strong>
				<Show when={message().fromOrganisation}>
					<span class="badge badge-org">Our team</span>
				</Show>
				<Show when={message().isMention}>
					<span class="badge badge-mention">This mention</span>
				</Show>
				<Show when={message().isNew}>
					<span class="badge badge-new" data-testid="new-message">
						New
					</span>
				</Show>
				<time datetime={message().postedAt} title={formatDateTime(message().postedAt)}>
					{formatDateTime(message().postedAt)}
				</time>
			</div>
			{/* In its own language, so a screen reader reads it with the right voice. */}
			<p class="message-text" lang={message().language}>
				{message().text}
			</p>
			<Show when={webLink(message().url)}>
				{(url) => (
					<a
						class="message-link"
						href={url()}
						target="_blank"
						rel="noreferrer noopener"
						data-testid="thread-reply-link"
					>
						View the reply
					</a>
				)}
			</Show>
		</li>
	);
}
