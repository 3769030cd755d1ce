/**
 * The entities Switchboard works with, as valibot schemas with inferred types.
 * Every value that crosses a boundary (HTTP, WebSocket, database row, import file)
 * is parsed with one of these.
 */
import * as v from "valibot";
import type { BusinessHours } from "./business-hours.ts";

/** Helper: the union of an `as const` object's values. */
export type ValueOf<T> = T[keyof T];

export const Roles = ["ambassador", "moderator", "admin"] as const;
export type Role = (typeof Roles)[number];
export const RoleSchema = v.picklist(Roles, `must be one of ${Roles.join(", ")}`);

export const Networks = ["twitter", "mastodon", "bluesky", "rss", "webhook", "other"] as const;
export type Network = (typeof Networks)[number];
export const NetworkSchema = v.picklist(Networks);

/** Each network's name as people write it. */
export const NETWORK_NAMES: Record<Network, string> = {
	twitter: "Twitter",
	mastodon: "Mastodon",
	bluesky: "Bluesky",
	rss: "RSS",
	webhook: "Webhook",
	other: "Other",
};

export const Priorities = ["high", "normal", "low"] as const;
export type Priority = (typeof Priorities)[number];
export const PrioritySchema = v.picklist(Priorities);

/**
 * The conversation lifecycle. `new → claimed → drafting → in_review → approved →
 * replied → closed`, plus the side states `dismissed`, `snoozed`, `escalated`.
 */
export const Statuses = [
	"new",
	"claimed",
	"drafting",
	"in_review",
	"approved",
	"replied",
	"closed",
	"dismissed",
	"snoozed",
	"escalated",
] as const;
export type MentionStatus = (typeof Statuses)[number];
export const StatusSchema = v.picklist(Statuses);

/** Statuses in which an owner is working on the conversation: they count against capacity. */
export const OPEN_OWNED_STATUSES: readonly MentionStatus[] = [
	"claimed",
	"drafting",
	"in_review",
	"approved",
	"escalated",
];

/** Statuses that are finished: the conversation leaves the live board after retention. */
export const DONE_STATUSES: readonly MentionStatus[] = ["replied", "closed", "dismissed"];

/** True when a conversation in this status counts against its owner's capacity. */
export function countsAgainstCapacity(status: MentionStatus): boolean {
	return OPEN_OWNED_STATUSES.includes(status);
}

/**
 * True when the owner may send or record a reply in this status: open and owned, and not
 * waiting for a moderator (in review). Whether the board's approval lets this text go is
 * a question of its own (approval.ts).
 */
export function mayReplyIn(status: MentionStatus): boolean {
	return countsAgainstCapacity(status) && status !== "in_review";
}

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

/**
 * The URL when it is an absolute `http:` or `https:` URL, else null. Only these are stored
 * or rendered as links: `javascript:`, `data:` or `vbscript:` in an `href` runs in the page.
 */
export function webLink(url: string | null | undefined): string | null {
	if (!url) return null;
	try {
		const { protocol } = new URL(url);
		return protocol === "http:" || protocol === "https:" ? url : null;
	} catch {
		return null;
	}
}

/** An absolute `http:` or `https:` URL (see {@link webLink}). */
export const WebUrlSchema = v.pipe(
	v.string(),
	v.url(),
	v.check((url) => webLink(url) !== null, "must be an http: or https: URL"),
);
const IsoDate = v.pipe(v.string(), v.isoTimestamp());
const ShortText = v.pipe(v.string(), v.maxLength(200));

export const OrganisationSchema = v.object({
	id: Id,
	name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
});
export type Organisation = v.InferOutput<typeof OrganisationSchema>;

/** The most open conversations a member may own at once. */
export const MAX_CAPACITY = 1000;

export const MemberSchema = v.object({
	id: Id,
	orgId: Id,
	email: v.pipe(v.string(), v.email()),
	name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
	role: RoleSchema,
	/** How many open conversations this member may own at once. */
	capacity: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_CAPACITY)),
	skills: v.array(ShortText),
	/** ISO 639-1 codes the member writes replies in. */
	languages: v.array(ShortText),
	active: v.boolean(),
});
export type Member = v.InferOutput<typeof MemberSchema>;

export const BoardSchema = v.object({
	id: Id,
	orgId: Id,
	name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
	/**
	 * When an admin archived it (ISO), or null. An archived board takes no new conversations
	 * and no changes; its conversations stay searchable (docs/PEOPLE.md, "Boards").
	 */
	archivedAt: v.nullable(v.string()),
});
export type Board = v.InferOutput<typeof BoardSchema>;

export const AuthorSchema = v.object({
	handle: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
	name: v.pipe(v.string(), v.maxLength(200)),
	/** Followers or comparable audience size; drives priority. */
	reach: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type Author = v.InferOutput<typeof AuthorSchema>;

/** One earlier or later message of the conversation the mention belongs to. */
export const ThreadMessageSchema = v.object({
	externalId: v.optional(v.string()),
	handle: v.string(),
	/** True when the message was written by the organisation's own account. */
	fromOrganisation: v.boolean(),
	text: v.pipe(v.string(), v.maxLength(20_000)),
	postedAt: IsoDate,
	/**
	 * Our reply recorded by hand (markReplied): the member who recorded it. Such a message
	 * has no external id; the network may report it later with one (see `mergeThread`).
	 */
	by: v.optional(Id),
	/** Where our recorded reply is on the network. */
	url: v.optional(WebUrlSchema),
});
export type ThreadMessage = v.InferOutput<typeof ThreadMessageSchema>;

export const OwnerSchema = v.object({ memberId: Id, since: IsoDate });
export type Owner = v.InferOutput<typeof OwnerSchema>;

export const ReviewStates = ["requested", "approved", "changes_requested"] as const;
export type ReviewState = (typeof ReviewStates)[number];

const ReviewComment = v.nullable(v.pipe(v.string(), v.maxLength(2000)));

/**
 * The changes a moderator asked for last, kept on the review when the writer submits the
 * text again: the reviewer of the new text reads what was asked of it.
 */
export const ChangesAskedSchema = v.object({ by: Id, at: IsoDate, comment: ReviewComment });
export type ChangesAsked = v.InferOutput<typeof ChangesAskedSchema>;

export const ReviewSchema = v.object({
	state: v.picklist(ReviewStates),
	/** Content hash of the draft snapshot submitted or approved. */
	hash: v.nullable(v.string()),
	by: Id,
	at: IsoDate,
	comment: ReviewComment,
	/**
	 * On a text submitted again after changes were asked for: what was asked. Absent on
	 * other reviews, and on those written before it was kept.
	 */
	changesAsked: v.optional(ChangesAskedSchema),
});
export type Review = v.InferOutput<typeof ReviewSchema>;

export const ReplySchema = v.object({
	url: WebUrlSchema,
	/** Content hash of the reply text, when known. */
	hash: v.nullable(v.string()),
	by: Id,
	sentAt: IsoDate,
});
export type Reply = v.InferOutput<typeof ReplySchema>;

/**
 * What a mention is: written once at ingest and never changed by the lifecycle.
 */
export const MentionContentSchema = v.object({
	id: Id,
	network: NetworkSchema,
	externalId: v.pipe(v.string(), v.minLength(1), v.maxLength(500)),
	url: v.nullable(WebUrlSchema),
	author: AuthorSchema,
	text: v.pipe(v.string(), v.maxLength(20_000)),
	thread: v.array(ThreadMessageSchema),
	postedAt: IsoDate,
	ingestedAt: IsoDate,
	language: v.nullable(v.pipe(v.string(), v.maxLength(16))),
	/** Sentiment score, negative is unhappy (AFINN comparative score). */
	sentiment: v.number(),
});
export type MentionContent = v.InferOutput<typeof MentionContentSchema>;

/**
 * Where the work on a mention stands: changed only by commands, through the server.
 */
export const MentionWorkSchema = v.object({
	status: StatusSchema,
	priority: PrioritySchema,
	tags: v.array(ShortText),
	owner: v.nullable(OwnerSchema),
	review: v.nullable(ReviewSchema),
	reply: v.nullable(ReplySchema),
	snoozedUntil: v.nullable(IsoDate),
	/**
	 * Set once an approval rule matched this conversation (a priority, a tag or a new
	 * owner), and never cleared: lowering the priority, removing the tag or handing the
	 * conversation on does not lift the need for a moderator's approval of the text.
	 * Absent in work written before the rule existed, which reads as false.
	 */
	approvalRequired: v.optional(v.boolean(), false),
	/**
	 * Follow-ups (messages from the public that joined the thread after ingest) the owner
	 * has not opened the conversation since: the card's "2 new". Absent reads as 0.
	 */
	unseenFollowUps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
	/**
	 * When the conversation's current service-level round began: the follow-up that
	 * reopened it after a reply. Null while the first round (from `ingestedAt`) runs.
	 */
	slaFrom: v.optional(v.nullable(IsoDate), null),
	/** Time of the last change, for ordering and for the client's "updated" hints. */
	updatedAt: IsoDate,
});
export type MentionWork = v.InferOutput<typeof MentionWorkSchema>;

/** A mention as the board shows it: its content and its work state. */
export type Mention = MentionContent & MentionWork;

/** The content half of a mention (what ingest wrote). */
export function mentionContent(mention: Mention): MentionContent {
	const {
		status,
		priority,
		tags,
		owner,
		review,
		reply,
		snoozedUntil,
		approvalRequired,
		unseenFollowUps,
		slaFrom,
		updatedAt,
		...content
	} = mention;
	return content;
}

/** The work half of a mention (what commands change). */
export function mentionWork(mention: Mention): MentionWork {
	return {
		status: mention.status,
		priority: mention.priority,
		tags: mention.tags,
		owner: mention.owner,
		review: mention.review,
		reply: mention.reply,
		snoozedUntil: mention.snoozedUntil,
		approvalRequired: mention.approvalRequired,
		unseenFollowUps: mention.unseenFollowUps,
		slaFrom: mention.slaFrom,
		updatedAt: mention.updatedAt,
	};
}

/** An entry of the append-only activity log. */
export interface Activity {
	id: string;
	orgId: string;
	mentionId: string | null;
	actorId: string | null;
	/** Command name, or a server action such as `lease_expired`. */
	action: string;
	commandId: string | null;
	fromStatus: MentionStatus | null;
	toStatus: MentionStatus | null;
	detail: Record<string, unknown>;
	at: string;
}

/**
 * Which conversations need a moderator's approval before their reply is recorded. A
 * conversation needs it when any rule matches; the empty rules (the default) ask for
 * none, so an organisation opts in.
 */
export interface ApprovalRules {
	/** Conversations of these priorities, e.g. `["high"]`. */
	priorities: Priority[];
	/** Conversations carrying any of these tags, e.g. `["legal", "press"]`. */
	tags: string[];
	/** Members whose replies a moderator reads first: ambassadors marked as new. */
	newMembers: string[];
}

/**
 * A reply template of a board. `{{handle}}` is the author's handle with its @,
 * `{{firstName}}` the author's first name, `{{myName}}` the signed-in member's name
 * (the web client's templates.ts fills them in).
 */
export interface ReplyTemplate {
	/** Stable within the board: a draft remembers the template it was started from by id. */
	id: string;
	name: string;
	body: string;
}

/** Board-wide settings kept on the board document. */
export interface BoardSettings {
	/** Minutes until a new conversation should be claimed, per priority. */
	slaClaimMinutes: Record<Priority, number>;
	/** Minutes until the first reply should be sent, per priority. */
	slaReplyMinutes: Record<Priority, number>;
	/** Minutes an owner may be offline before their conversations are released. */
	leaseMinutes: number;
	/** Character limit of a reply, per network. */
	replyLimits: Record<Network, number>;
	/** Which conversations need approval before their reply is recorded. */
	approval: ApprovalRules;
	/**
	 * When the board works; SLA clocks then count working time only (business-hours.ts).
	 * Null: round the clock.
	 */
	businessHours: BusinessHours | null;
	/** Reply templates offered in the conversation, in this order. */
	templates: ReplyTemplate[];
}

/**
 * The longest reply a network takes whoever writes it. A Bluesky post holds 300 graphemes
 * (`app.bsky.feed.post`); an X post 25,000 characters from a Premium account, 280 from
 * others (the default limit). A Mastodon server sets its own (500 unless changed), so none is
 * assumed there.
 */
export const NETWORK_REPLY_MAXIMUM: Readonly<Partial<Record<Network, number>>> = {
	bluesky: 300,
	twitter: 25_000,
};

/**
 * A board's reply limit on `network`, never above what the network takes: a limit set before
 * the maximum was known, or stored by hand, cannot pass a reply the network would refuse.
 */
export function replyLimitFor(limits: Readonly<Record<Network, number>>, network: Network): number {
	return Math.min(limits[network], NETWORK_REPLY_MAXIMUM[network] ?? Number.POSITIVE_INFINITY);
}

export const DEFAULT_BOARD_SETTINGS: BoardSettings = {
	slaClaimMinutes: { high: 15, normal: 60, low: 240 },
	slaReplyMinutes: { high: 60, normal: 240, low: 1440 },
	leaseMinutes: 15,
	replyLimits: {
		twitter: 280,
		mastodon: 500,
		bluesky: 300,
		rss: 5000,
		webhook: 5000,
		other: 5000,
	},
	approval: { priorities: [], tags: [], newMembers: [] },
	businessHours: null,
	templates: [
		{
			id: "apology",
			name: "Apology, taking it to DM",
			body: "{{handle}} Hi {{firstName}}, I'm sorry about this. Could you send us a DM with your order number so we can sort it out? ^{{myName}}",
		},
		{
			id: "thanks",
			name: "Thanks for the kind words",
			body: "{{handle}} Thank you {{firstName}}, that means a lot to the whole team! ^{{myName}}",
		},
		{
			id: "looking-into-it",
			name: "Looking into it",
			body: "{{handle}} Hi {{firstName}}, thanks for flagging this. We're looking into it now and will get back to you here shortly. ^{{myName}}",
		},
		{
			id: "follow-up",
			name: "Follow-up",
			body: "{{handle}} Hi {{firstName}}, just checking in: is everything sorted now? We're here if you need anything else. ^{{myName}}",
		},
	],
};

/** Activity actions the server records on its own (actor null), next to command names. */
export const SystemActions = {
	/** A conversation missed its claim or reply target; recorded once per conversation and kind. */
	slaBreached: "sla_breached",
	/** The owner was offline longer than the lease; the conversation went back to the board. */
	leaseExpired: "lease_expired",
	/**
	 * Messages from the public joined the conversation's thread after ingest (a follow-up):
	 * reopens a replied or closed conversation, see the domain's thread.ts.
	 */
	followUp: "follow_up",
	/** A snooze ran out: the conversation went back to the board as new. */
	snoozeEnded: "snooze_ended",
	/** The owner was deactivated by an admin; their open conversations went back to the board. */
	memberDeactivated: "member_deactivated",
	/**
	 * The owner can no longer open the board (an admin took them off it, or their role no
	 * longer sees every board); their open conversations on it went back to the board.
	 */
	memberLeftBoard: "member_left_board",
} as const;
export type SystemAction = (typeof SystemActions)[keyof typeof SystemActions];
