/** Small pieces that cards, the conversation view, the queue and the lists share. */
import type { BoardMention, Presence } from "@switchboard/client";
import type { BoardSettings, MemberCard, Network, Priority } from "@switchboard/domain";
import { For, Show } from "solid-js";
import { NETWORK_LABELS, PRIORITY_LABELS, type SlaTimer, slaTimer } from "../board-model.ts";
import { formatDateTime, formatDuration, plural } from "../format.ts";
import { firstName, initials, memberColor } from "../people.ts";
import type { Disclosure } from "../popup.ts";

export function Avatar(props: {
	member: Pick<MemberCard, "id" | "name">;
	size?: "small" | "medium";
}) {
	return (
		<span
			class={`avatar avatar-${props.size ?? "small"}`}
			style={{ "background-color": memberColor(props.member.id) }}
			title={props.member.name}
			aria-hidden="true"
		>
			{initials(props.member.name)}
		</span>
	);
}

/** A row of avatars with the names for screen readers (and for all, in the phone's menu). */
export function AvatarStack(props: {
	members: readonly Pick<MemberCard, "id" | "name">[];
	label: string;
	max?: number;
	testId?: string;
}) {
	const shown = () => props.members.slice(0, props.max ?? 3);
	const more = () => props.members.length - shown().length;
	return (
		<Show when={props.members.length > 0}>
			<span class="avatar-stack" data-testid={props.testId}>
				<For each={shown()}>{(member) => <Avatar member={member} />}</For>
				<Show when={more() > 0}>
					<span class="avatar avatar-small avatar-more" aria-hidden="true">
						+{more()}
					</span>
				</Show>
				<span class="sr-only avatar-stack-names">
					{props.label}: {props.members.map((member) => member.name).join(", ")}
				</span>
			</span>
		</Show>
	);
}

const NETWORK_GLYPHS: Record<Network, string> = {
	twitter: "𝕏",
	mastodon: "M",
	bluesky: "B",
	rss: "R",
	webhook: "W",
	other: "•",
};

export function NetworkBadge(props: { network: Network }) {
	return (
		<span class={`network network-${props.network}`}>
			<span class="network-glyph" aria-hidden="true">
				{NETWORK_GLYPHS[props.network]}
			</span>
			{NETWORK_LABELS[props.network]}
		</span>
	);
}

export function PriorityBadge(props: { priority: Priority }) {
	return (
		<span class={`badge priority priority-${props.priority}`} data-testid="priority">
			<span class="sr-only">Priority: </span>
			{PRIORITY_LABELS[props.priority]}
		</span>
	);
}

function ClockIcon() {
	return (
		<svg class="icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
			<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6" />
			<path
				d="M8 4.5V8l2.5 1.5"
				fill="none"
				stroke="currentColor"
				stroke-width="1.6"
				stroke-linecap="round"
			/>
		</svg>
	);
}

/** The SLA clock: time left to claim (nobody owns it) or to reply; red once breached. */
export function SlaBadge(props: {
	mention: BoardMention;
	settings: BoardSettings;
	now: number;
	/** Cards have little room: "Overdue 2 h", with the kind of deadline for screen readers. */
	compact?: boolean;
}) {
	const timer = () => slaTimer(props.mention, props.settings, props.now);
	const kind = (sla: SlaTimer) => (sla.kind === "claim" ? "Claim" : "Reply");
	const label = (sla: SlaTimer) => {
		const duration = formatDuration(sla.remaining);
		if (!sla.breached) return `${duration} to ${sla.kind}`;
		return props.compact ? `Overdue ${duration}` : `${kind(sla)} overdue by ${duration}`;
	};
	return (
		<Show when={timer()}>
			{(sla) => (
				<span
					class="badge sla"
					classList={{
						"sla-breached": sla().breached,
						"sla-soon": !sla().breached && sla().remaining < 15 * 60_000,
					}}
					data-testid="sla"
					data-breached={sla().breached ? "true" : "false"}
					title={`${kind(sla())} by ${formatDateTime(sla().dueAt)}`}
				>
					<ClockIcon />
					<Show when={props.compact && sla().breached}>
						<span class="sr-only">{kind(sla())} </span>
					</Show>
					{/* One text node, changed in place: as parts of an array, the duration's text
					    node was replaced whenever it changed (each card a fling brings in). */}
					{label(sla())}
				</span>
			)}
		</Show>
	);
}

export function OwnerChip(props: {
	owner: Pick<MemberCard, "id" | "name">;
	isMe: boolean;
	wide?: boolean;
}) {
	return (
		<span
			class="owner-chip"
			classList={{ "owner-chip-wide": props.wide === true, "owner-me": props.isMe }}
			title={`Owner: ${props.owner.name}`}
			data-owner-name={props.owner.name}
			data-testid="owner"
			data-owner-id={props.owner.id}
		>
			<Avatar member={props.owner} />
			<span>
				<span class="sr-only">Owner: </span>
				{props.isMe ? "You" : props.owner.name}
			</span>
		</span>
	);
}

/** "Dana is typing", "2 people typing". */
export function typingLabel(typers: readonly Pick<MemberCard, "name">[], short = false): string {
	if (typers.length === 1) {
		const name = typers[0]?.name ?? "Someone";
		return `${short ? firstName(name) : name} is typing`;
	}
	return `${plural(typers.length, "person", "people")} typing`;
}

/** Who else is on a conversation: avatars of viewers, and who is typing. */
export function PresenceRow(props: {
	presence: Presence | undefined;
	label?: string;
	/** First names only, for cards. */
	short?: boolean;
}) {
	return (
		<Show
			when={
				props.presence && (props.presence.viewers.length > 0 || props.presence.typers.length > 0)
			}
		>
			<span class="presence">
				<Show when={props.label}>
					<span class="presence-label" aria-hidden="true">
						{props.label}
					</span>
				</Show>
				<AvatarStack members={props.presence?.viewers ?? []} label="Viewing now" testId="viewers" />
				<Show when={(props.presence?.typers.length ?? 0) > 0}>
					<span class="typing" data-testid="typing">
						<span class="typing-dots" aria-hidden="true">
							<i />
							<i />
							<i />
						</span>
						{typingLabel(props.presence?.typers ?? [], props.short)}
					</span>
				</Show>
			</span>
		</Show>
	);
}

/** A marker for commands of mine the server has not answered yet. */
/**
 * "2 new": follow-ups (the customer wrote again) the owner has not opened the
 * conversation since; the server clears it when they do.
 */
export function FollowUpMarker(props: { count: number }) {
	return (
		<Show when={props.count > 0}>
			<span
				class="badge follow-up-new"
				data-testid="follow-ups"
				title={`The customer wrote again: ${props.count} ${props.count === 1 ? "message" : "messages"} since the owner last opened this conversation`}
			>
				{props.count} new
			</span>
		</Show>
	);
}

export function PendingMarker(props: { mention: BoardMention }) {
	return (
		<Show when={props.mention.pending.length > 0}>
			<span
				class="badge pending"
				data-testid="pending"
				title={`Waiting for the server: ${props.mention.pending.map((p) => p.command.name).join(", ")}`}
			>
				<svg class="icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
					<path
						d="M13 8a5 5 0 1 1-1.5-3.55M13 2.5v3h-3"
						fill="none"
						stroke="currentColor"
						stroke-width="1.6"
						stroke-linecap="round"
						stroke-linejoin="round"
					/>
				</svg>
				Pending
			</span>
		</Show>
	);
}

/**
 * The button that shows or hides a list's filters on a phone (the board's, History's), with
 * how many of them are in use: `counted` says so to a screen reader (" set", " in use").
 */
export function FiltersToggle(props: {
	toggle: Disclosure["toggle"];
	count: number;
	counted: string;
	class: string;
	testId: string;
	countTestId?: string;
}) {
	return (
		<button
			type="button"
			class={`button ${props.class}`}
			{...props.toggle}
			data-testid={props.testId}
		>
			Filters
			<Show when={props.count > 0}>
				<span class="filters-count" data-testid={props.countTestId}>
					{props.count}
					<span class="sr-only">{props.counted}</span>
				</span>
			</Show>
		</button>
	);
}
