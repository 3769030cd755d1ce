/**
 * A board column: its cards in a virtualised list, so that only the cards in view (and a
 * few around them) are in the DOM, however many the column holds.
 */
import type { BoardMention } from "@switchboard/client";
import type { MentionStatus } from "@switchboard/domain";
import { createVirtualizer } from "@tanstack/solid-virtual";
import { For, onMount, Show } from "solid-js";
import { useWorkspace } from "../workspace.tsx";
import { CARD_HEIGHT, MentionCard } from "./mention-card.tsx";

const GAP = 8;

export interface ColumnHandle {
	/** Bring the card at `index` into view, then focus it. */
	reveal(index: number, mentionId: string): void;
}

export function BoardColumn(props: {
	status: MentionStatus;
	title: string;
	mentions: BoardMention[];
	onReady: (handle: ColumnHandle) => void;
}) {
	const ws = useWorkspace();
	let scroller: HTMLDivElement | undefined;
	const virtualizer = createVirtualizer({
		get count() {
			return props.mentions.length;
		},
		getScrollElement: () => scroller ?? null,
		estimateSize: () => CARD_HEIGHT + GAP,
		getItemKey: (index) => props.mentions[index]?.id ?? index,
		overscan: 4,
		paddingStart: GAP,
		paddingEnd: GAP,
	});

	onMount(() =>
		props.onReady({
			reveal(index, mentionId) {
				virtualizer.scrollToIndex(index, { align: "auto" });
				// The card exists once the virtualiser has rendered the new range.
				requestAnimationFrame(() =>
					requestAnimationFrame(() => {
						const card = scroller?.querySelector<HTMLElement>(
							`[data-mention-id="${CSS.escape(mentionId)}"]`,
						);
						if (card && document.activeElement !== card) card.focus({ preventScroll: true });
					}),
				);
			},
		}),
	);

	const headingId = () => `column-${props.status}`;
	return (
		<section
			class="column"
			aria-labelledby={headingId()}
			data-testid="column"
			data-status={props.status}
		>
			<h2 class="column-title" id={headingId()}>
				<span>{props.title}</span>
				<span class="column-count" data-testid="column-count">
					{props.mentions.length.toLocaleString()}
				</span>
			</h2>
			<div class="column-scroll" ref={scroller}>
				<Show when={props.mentions.length > 0} fallback={<p class="column-empty">Nothing here.</p>}>
					<ul
						aria-labelledby={headingId()}
						class="column-list"
						style={{ height: `${virtualizer.getTotalSize()}px` }}
					>
						<For each={virtualizer.getVirtualItems()}>
							{(item) => (
								<Show when={props.mentions[item.index]}>
									{(mention) => (
										<li
											class="column-item"
											aria-setsize={props.mentions.length}
											aria-posinset={item.index + 1}
											style={{
												transform: `translateY(${item.start}px)`,
												height: `${CARD_HEIGHT}px`,
											}}
										>
											<MentionCard
												mention={mention()}
												selected={ws.selectedId() === mention().id}
											/>
										</li>
									)}
								</Show>
							)}
						</For>
					</ul>
				</Show>
			</div>
		</section>
	);
}
