/**
 * A board column: its cards in a virtualised list, so that only the cards in view (and a
 * few around them) are in the DOM, however many the column holds.
 */
import type { BoardMention } from "@switchboard/client";
import type { MentionStatus } from "@switchboard/domain";
import type { VirtualItem } from "@tanstack/solid-virtual";
import {
	createEffect,
	createMemo,
	createSignal,
	type JSX,
	on,
	onCleanup,
	onMount,
	Show,
} from "solid-js";
import { formatCount } from "../format.ts";
import { BoardMarks, markOnce } from "../perf-marks.ts";
import { useWorkspace } from "../workspace.tsx";
import { CARD_HEIGHT, MentionCard } from "./mention-card.tsx";
import { RecycledRows } from "./recycled-rows.tsx";
import { createVirtualRows } from "./virtual-rows.ts";

const GAP = 8;

/**
 * How long a card claimed off the screen keeps its slot after the column's last touch, in ms.
 * A phone shows one status at a time, so a card claimed on the New tab leaves it, and the rows
 * are recycled by index: without the hold, the next card's Claim is under the finger before
 * the finger is up, and the second tap of a double tap (Android waits 300 ms for one) or an
 * impatient second tap claims it too. The claimed card stays where it was, faded and deaf to
 * taps, so a second tap lands on nothing; the list closes up once the finger has been still
 * for this long, never under a finger still tapping. The card the user meant to claim next
 * does not move meanwhile, so a quick deliberate second Claim still lands where it was aimed.
 */
const HOLD_MS = 1_000;

/** A card held in the slot it had when it was claimed off the screen. */
interface Held {
	mentionId: string;
	index: number;
}

/**
 * The page's first board is built in two tasks: the columns (their virtualisers, counts
 * and the board's derived lists), then the first cards, a task later. On a 10,000-card
 * board the two together took one task of ~100-120 ms on the bench machine, most of it
 * code running for the first time; apart, each stays well under the 100 ms that makes a
 * page feel stuck. Later boards (back from a conversation) build at once, warm.
 */
const [firstRowsDue, setFirstRowsDue] = createSignal(false);

/**
 * How far each column was scrolled, by status. It outlives the page, as the phone's tab does
 * (board-page.tsx): back from a conversation opened 3,000 px down a column, the column opens
 * where it was left instead of at its top.
 */
const scrolledTo = new Map<MentionStatus, number>();

export interface ColumnHandle {
	/** Bring the card at `index` into view, then focus it. */
	reveal(index: number, mentionId: string): void;
}

/** One row of the list; recycled for another card when its card scrolls out. */
function ColumnRow(props: {
	item: VirtualItem;
	mentions: BoardMention[];
	isHeld: (mentionId: string) => boolean;
	onClaimOffScreen: (held: Held) => void;
	onClaimRefused: (mentionId: string) => void;
}) {
	const ws = useWorkspace();
	let row: HTMLLIElement | undefined;
	const mention = () => props.mentions[props.item.index];
	// After the DOM is updated: the first time, the board's first cards are in the page.
	onMount(() => markOnce(BoardMarks.rendered));
	// Focus belongs to a card, not to the row: when the row shows another card (the focused one
	// was claimed and left the column, say), the focus goes to the card that took its place, as
	// a card, so that it is announced; not to one of its buttons, where a second Enter would act
	// on a conversation nobody chose, nor to the page itself, from where Tab starts at the top.
	createEffect(
		on(
			() => mention()?.id,
			() => {
				const focused = document.activeElement;
				if (!(focused instanceof HTMLElement) || !row?.contains(focused)) return;
				focused.blur();
				const card = row.querySelector<HTMLElement>("article.card:not([inert])");
				card?.focus({ preventScroll: true });
			},
			{ defer: true },
		),
	);
	return (
		<li
			ref={row}
			class="column-item"
			aria-setsize={props.mentions.length}
			aria-posinset={props.item.index + 1}
			style={{
				transform: `translateY(${props.item.start}px)`,
				height: `${CARD_HEIGHT}px`,
			}}
		>
			<Show when={mention()}>
				{(current) => (
					<MentionCard
						mention={current()}
						selected={ws.selectedId() === current().id}
						held={props.isHeld(current().id)}
						onClaimOffScreen={() =>
							props.onClaimOffScreen({ mentionId: current().id, index: props.item.index })
						}
						onClaimRefused={props.onClaimRefused}
					/>
				)}
			</Show>
		</li>
	);
}

export function BoardColumn(props: {
	status: MentionStatus;
	title: string;
	/** The one column a phone shows (its tab is selected); desktop shows every column. */
	active: boolean;
	mentions: BoardMention[];
	/** What the column says when it has no card; "Nothing here." without it. */
	empty?: JSX.Element;
	onReady: (handle: ColumnHandle) => void;
}) {
	const ws = useWorkspace();
	let scroller: HTMLDivElement | undefined;
	// Cards claimed off the screen that keep their slot (see HOLD_MS), by index.
	const [held, setHeld] = createSignal<readonly Held[]>([]);
	let release: ReturnType<typeof setTimeout> | undefined;
	// The slot of a card claimed from the keyboard: a held card is inert, which drops the focus
	// on the page itself; when the list closes up, the card that took the slot gets it.
	let focusSlot: number | undefined;
	const holdOn = () => {
		clearTimeout(release);
		release = setTimeout(() => {
			setHeld([]);
			const slot = focusSlot;
			focusSlot = undefined;
			if (slot === undefined) return;
			// Once the virtualiser has drawn the closed-up list, and only if nothing else took the
			// focus meanwhile.
			requestAnimationFrame(() =>
				requestAnimationFrame(() => {
					const active = document.activeElement;
					if (active !== null && active !== document.body) return;
					scroller
						?.querySelector<HTMLElement>(`[aria-posinset="${slot + 1}"] article.card:not([inert])`)
						?.focus({ preventScroll: true });
				}),
			);
		}, HOLD_MS);
	};
	onCleanup(() => clearTimeout(release));
	const hold = (card: Held) => {
		const focused = document.activeElement?.closest("[data-mention-id]");
		if (focused?.getAttribute("data-mention-id") === card.mentionId) focusSlot = card.index;
		setHeld((list) =>
			list.some((one) => one.mentionId === card.mentionId)
				? list
				: [...list, card].sort((a, b) => a.index - b.index),
		);
		holdOn();
	};
	/**
	 * A refused claim whose card is still in the column (no room left, say) lets go of it at
	 * once: nothing moves under the finger, and the card is no longer faded and deaf while the
	 * refusal is read. A card that left anyway (someone else's claim won) keeps its slot.
	 */
	const letGo = (mentionId: string) => {
		if (!props.mentions.some((mention) => mention.id === mentionId)) return;
		setHeld((list) => list.filter((one) => one.mentionId !== mentionId));
	};
	const heldIds = createMemo(() => new Set(held().map((one) => one.mentionId)));
	/** The column's cards with the held ones back in their slots. */
	const mentions = createMemo(() => {
		const list = held();
		if (list.length === 0) return props.mentions;
		const here = new Set(props.mentions.map((mention) => mention.id));
		const shown = [...props.mentions];
		for (const { mentionId, index } of list) {
			// Still in the column (the claim not applied yet, or refused): nothing to put back.
			if (here.has(mentionId)) continue;
			const mention = ws.mentionsById().get(mentionId);
			if (mention) shown.splice(Math.min(index, shown.length), 0, mention);
		}
		return shown;
	});
	// Changes when a scroll ends, which changes no item of the virtualiser's.
	const [rested, setRested] = createSignal(0);
	const virtual = createVirtualRows<HTMLDivElement, HTMLLIElement>({
		get count() {
			return mentions().length;
		},
		getScrollElement: () => scroller ?? null,
		estimateSize: () => CARD_HEIGHT + GAP,
		initialOffset: () => scrolledTo.get(props.status) ?? 0,
		getItemKey: (index) => mentions()[index]?.id ?? index,
		overscan: 2,
		paddingStart: GAP,
		paddingEnd: GAP,
		onChange: (instance) => {
			if (!instance.isScrolling) setRested((n) => n + 1);
		},
	});
	/**
	 * The cards to render. At rest, those in view and the overscan on both sides. While
	 * scrolling, the overscan ahead only: the cards behind have just left the view, and the
	 * first card that comes back into view if the scroll turns brings them back (react-window
	 * too overscans only ahead while scrolling). While the list moves more than a screen
	 * between two updates (a fling, a drag of the scrollbar), no overscan at all: the next
	 * frame shows none of this one's cards anyway. Every card a fling shows is new in its
	 * frame, so this is work saved: 10 cards laid out a frame at 900 px, 6-7 now.
	 */
	let lastOffset = 0;
	const rows = createMemo(() => {
		const items = virtual.items();
		rested();
		const { isScrolling, scrollDirection, range, scrollOffset, scrollRect } = virtual.instance;
		const offset = scrollOffset ?? 0;
		const leaping = Math.abs(offset - lastOffset) > (scrollRect?.height ?? 0);
		lastOffset = offset;
		// A copy, so that the memo follows the items (virtual-core keeps its array while the
		// range stays, and the memo also runs when only `rested` changed).
		if (!isScrolling || !scrollDirection || !range) return [...items];
		const { startIndex: first, endIndex: last } = range;
		const forward = scrollDirection === "forward";
		return items.filter((item) => {
			if (item.index >= first && item.index <= last) return true;
			const ahead = forward ? item.index > last : item.index < first;
			return ahead && !leaping;
		});
	});

	onMount(() => {
		if (firstRowsDue()) return;
		const timer = setTimeout(() => setFirstRowsDue(true));
		onCleanup(() => clearTimeout(timer));
	});

	onMount(() =>
		props.onReady({
			reveal(index, mentionId) {
				virtual.instance.scrollToIndex(index, { align: "auto" });
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
			classList={{ "column-active": props.active }}
			id={`column-panel-${props.status}`}
			aria-labelledby={headingId()}
			data-testid="column"
			data-status={props.status}
		>
			<h2 class="column-title" id={headingId()}>
				<span>{props.title}</span>
				<span class="column-count" data-testid="column-count">
					{formatCount(props.mentions.length)}
				</span>
			</h2>
			{/* A touch while cards are held keeps them (see HOLD_MS). */}
			<div
				class="column-scroll"
				ref={scroller}
				onScroll={() => {
					if (scroller) scrolledTo.set(props.status, scroller.scrollTop);
				}}
				onPointerDown={() => {
					if (held().length > 0) holdOn();
				}}
			>
				<Show
					when={mentions().length > 0}
					fallback={props.empty ?? <p class="column-empty">Nothing here.</p>}
				>
					<ul
						aria-labelledby={headingId()}
						class="column-list"
						style={{ height: `${virtual.totalSize()}px` }}
					>
						<Show when={firstRowsDue()}>
							<RecycledRows items={rows()}>
								{(item) => (
									<ColumnRow
										item={item()}
										mentions={mentions()}
										isHeld={(mentionId) => heldIds().has(mentionId)}
										onClaimOffScreen={hold}
										onClaimRefused={letGo}
									/>
								)}
							</RecycledRows>
						</Show>
					</ul>
				</Show>
			</div>
		</section>
	);
}
