/** One conversation on the board. */

import type { BoardMention } from "@switchboard/client";
import { Show } from "solid-js";
import { claimableAt } from "../board-model.ts";
import { excerpt, formatAge, formatDateTime } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";
import {
	FollowUpMarker,
	NetworkBadge,
	OwnerChip,
	PendingMarker,
	PresenceRow,
	PriorityBadge,
	SlaBadge,
} from "./bits.tsx";

/** Height of a card in the virtualised lists, in px (the excerpt is clamped to fit). */
export const CARD_HEIGHT = 156;

export function MentionCard(props: { mention: BoardMention; selected: boolean }) {
	const ws = useWorkspace();
	const owner = () => {
		const id = props.mention.owner?.memberId;
		return id ? { id, name: ws.memberName(id) } : null;
	};
	const claimable = () => claimableAt(props.mention, ws.now());
	const presence = () => ws.board().presence.get(props.mention.id);
	const headingId = () => `card-${props.mention.id}-title`;

	const onClick = (event: MouseEvent) => {
		// Buttons and the link inside the card do their own thing.
		if ((event.target as HTMLElement).closest("button, a")) return;
		ws.open(props.mention.id);
	};

	return (
		// biome-ignore lint/a11y/useKeyWithClickEvents: Enter and "o" open the focused card through the workspace shortcuts; the title link is the accessible way in.
		<article
			class="card"
			classList={{
				selected: props.selected,
				"has-presence": presence() !== undefined,
				mine: props.mention.owner?.memberId === ws.me.id,
				[`card-${props.mention.priority}`]: true,
			}}
			data-testid="card"
			data-mention-id={props.mention.id}
			data-status={props.mention.status}
			aria-labelledby={headingId()}
			// biome-ignore lint/a11y/noNoninteractiveTabindex: cards are the unit j/k move between; they need focus.
			tabIndex={0}
			onFocus={() => ws.setSelectedId(props.mention.id)}
			onClick={onClick}
			style={{ height: `${CARD_HEIGHT}px` }}
		>
			<div class="card-top">
				<NetworkBadge network={props.mention.network} />
				<PriorityBadge priority={props.mention.priority} />
				<PendingMarker mention={props.mention} />
				{/* Work written before follow-ups existed has no count. */}
				<FollowUpMarker count={props.mention.unseenFollowUps ?? 0} />
				<time
					class="age"
					datetime={props.mention.postedAt}
					title={formatDateTime(props.mention.postedAt)}
				>
					{formatAge(props.mention.postedAt, ws.now())}
				</time>
			</div>
			<h3 class="card-title" id={headingId()}>
				{/* A plain link: the router still navigates it in the page, without <A>'s per-link
				    memos for the active state, which a card never shows. */}
				<a href={`/m/${encodeURIComponent(props.mention.id)}`} class="author" data-testid="open">
					@{props.mention.author.handle}
				</a>
				<Show
					when={
						props.mention.author.name && props.mention.author.name !== props.mention.author.handle
					}
				>
					<span class="author-name">{props.mention.author.name}</span>
				</Show>
			</h3>
			<p class="excerpt">{excerpt(props.mention.text, 180)}</p>
			<Show when={presence()}>
				{(here) => (
					<div class="card-presence">
						<PresenceRow presence={here()} short />
					</div>
				)}
			</Show>
			<div class="card-bottom">
				<SlaBadge mention={props.mention} settings={ws.board().settings} now={ws.now()} compact />
				<Show
					when={owner()}
					fallback={
						<Show when={claimable()}>
							<button
								type="button"
								class="button button-small button-primary"
								data-testid="claim"
								onClick={() =>
									void ws.run({ name: "claim", args: { mentionId: props.mention.id } })
								}
							>
								Claim<span class="sr-only"> conversation with @{props.mention.author.handle}</span>
							</button>
						</Show>
					}
				>
					{(member) => <OwnerChip owner={member()} isMe={member().id === ws.me.id} />}
				</Show>
			</div>
		</article>
	);
}
