/**
 * One conversation on the board: who wrote what, its tags, who owns it and its clock, with
 * Claim, a checkbox that selects it for an action on several, and its Actions button.
 */

import type { BoardMention } from "@switchboard/client";
import { For, Show } from "solid-js";
import { claimableAt } from "../board-model.ts";
import { excerpt, formatAge, formatDateTime } from "../format.ts";
import { ActionKinds, offers } from "../lifecycle-model.ts";
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
import { CommandButton } from "./command-button.tsx";

/** Height of a card in the virtualised lists, in px (the excerpt is clamped to fit). */
export const CARD_HEIGHT = 156;

/**
 * Whether the board shows the column of `status`. A phone shows one status at a time, so a
 * card claimed from the New tab leaves the screen, and the next card's Claim takes its place.
 */
function columnShown(status: string): boolean {
	const column = document.querySelector<HTMLElement>(
		`[data-testid="column"][data-status="${status}"]`,
	);
	return column?.checkVisibility() ?? false;
}

/** Tags shown on a card; the rest are counted ("+2"). */
const CARD_TAGS = 3;

export function MentionCard(props: {
	mention: BoardMention;
	selected: boolean;
	/**
	 * The card has left its column but keeps its slot for a moment (see board-column.tsx):
	 * shown faded, and deaf to taps, which fall on nothing.
	 */
	held?: boolean;
	/** Told at a press of Claim that takes the card off the screen (a phone's New tab). */
	onClaimOffScreen?: () => void;
	/** Told when the server refuses a claim pressed on this card, with the card's id then. */
	onClaimRefused?: (mentionId: string) => void;
}) {
	const ws = useWorkspace();
	const owner = () => {
		const id = props.mention.owner?.memberId;
		return id ? { id, name: ws.memberName(id) } : null;
	};
	const claimable = () => claimableAt(props.mention, ws.now());
	const presence = () => ws.board().presence.get(props.mention.id);
	const headingId = () => `card-${props.mention.id}-title`;

	const onClick = (event: MouseEvent) => {
		// Buttons, the checkbox and the link inside the card do their own thing.
		if ((event.target as HTMLElement).closest("button, a, input, label")) return;
		ws.open(props.mention.id);
	};
	const picked = () => ws.selection().includes(props.mention.id);
	const tags = () => props.mention.tags;
	const firstAction = () => ActionKinds.find((kind) => offers(kind, props.mention)) ?? "tags";

	return (
		// biome-ignore lint/a11y/useKeyWithClickEvents: Enter and "o" open the focused card through the workspace shortcuts; the title link is the accessible way in.
		<article
			class="card"
			classList={{
				selected: props.selected,
				"has-presence": presence() !== undefined,
				"has-tags": tags().length > 0,
				picked: picked(),
				mine: props.mention.owner?.memberId === ws.me.id,
				"card-held": props.held === true,
				[`card-${props.mention.priority}`]: true,
			}}
			inert={props.held === true}
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
				{/* The label is the box's tap target, larger than the box (see .card-select-target). */}
				<label class="card-select-target">
					<input
						type="checkbox"
						class="card-select"
						checked={picked()}
						onChange={() => ws.toggleSelected(props.mention.id)}
						aria-label={`Select the conversation with @${props.mention.author.handle}`}
						data-testid="card-select"
					/>
				</label>
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
			<p class="excerpt" lang={props.mention.language ?? undefined}>
				{excerpt(props.mention.text, 180)}
			</p>
			<Show when={tags().length > 0}>
				<ul class="card-tags" aria-label="Tags" data-testid="card-tags">
					<For each={tags().slice(0, CARD_TAGS)}>
						{(tag) => <li class="chip chip-tag">{tag}</li>}
					</For>
					<Show when={tags().length > CARD_TAGS}>
						<li class="chip" title={tags().slice(CARD_TAGS).join(", ")}>
							+{tags().length - CARD_TAGS}
						</li>
					</Show>
				</ul>
			</Show>
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
							<CommandButton
								class="button button-small button-primary"
								testId="claim"
								label={`Claim conversation with @${props.mention.author.handle}`}
								command={{ name: "claim", args: { mentionId: props.mention.id } }}
								onPress={() => {
									if (!columnShown("claimed")) props.onClaimOffScreen?.();
								}}
								onRefused={(command) => {
									if (command.name === "claim") props.onClaimRefused?.(command.args.mentionId);
								}}
								success={() =>
									// Said where the card leaves the screen; elsewhere it moves to Claimed in view.
									columnShown("claimed")
										? undefined
										: `You now own the conversation with @${props.mention.author.handle}; it is in My queue.`
								}
							>
								Claim
							</CommandButton>
						</Show>
					}
				>
					{(member) => <OwnerChip owner={member()} isMe={member().id === ws.me.id} />}
				</Show>
				<button
					type="button"
					class="icon-button card-actions"
					aria-haspopup="dialog"
					aria-label={`Actions for the conversation with @${props.mention.author.handle}`}
					onClick={() => ws.openAction(firstAction(), [props.mention.id])}
					data-testid="card-actions"
				>
					⋯
				</button>
			</div>
		</article>
	);
}
