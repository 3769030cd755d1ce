/**
 * Notifications: what a member is told about, by whom, and where (issue 13, part 3; Web
 * Push from issue 14). Pure: who a command or a note notifies, the words a notification
 * reads as, the member's settings per kind and channel, and the Web Push payload, which
 * the server sends and the service worker reads with the same schema.
 *
 * A notification names the conversation it is about (`mentionId`, `boardId`) and carries
 * only what its member may see anyway: a teammate's name, the public author's handle and
 * network. Never the reply text, a note's text or anyone's email.
 */
import * as v from "valibot";
import type { LeaseExpiry } from "./lease.ts";
import { type MentionWork, NetworkSchema } from "./model.ts";
import type { Command } from "./protocol.ts";
import { SlaKinds } from "./sla.ts";

/** What a notification is about. */
export const NotificationKinds = [
	/** A teammate @mentioned me in a draft's internal notes. */
	"mentioned",
	/** A moderator assigned me a conversation. */
	"assigned",
	/** A teammate handed me their conversation. */
	"handed_off",
	/** The customer wrote again in a conversation I own. */
	"follow_up",
	/** My reply was approved, or changes were asked for. */
	"review_decided",
	/** A conversation I own missed its claim or reply time. */
	"sla_breach",
	/** I was away longer than the board's lease, and a conversation I owned went back to the board. */
	"lease_expired",
	/**
	 * Someone else (a moderator) took a conversation I own: gave it to a teammate, took it
	 * themselves or sent it back to the board.
	 */
	"taken_away",
] as const;
export type NotificationKind = (typeof NotificationKinds)[number];
export const NotificationKindSchema = v.picklist(NotificationKinds);

/**
 * Kinds whose unread entries about one conversation fold into one: the customer writing
 * ten times is one entry, "10 new messages", at the top of the feed, not ten. The newest
 * entry takes in the older unread ones and their `count`; a read entry stays as it is.
 */
export const FOLDED_KINDS: ReadonlySet<NotificationKind> = new Set(["follow_up"]);

/**
 * A feed with the folding of `FOLDED_KINDS` applied, newest first: of the unread entries of
 * such a kind about one conversation only the newest stays (the server folded the others
 * into it; a client that held them drops them).
 */
export function foldFeed(entries: readonly Notification[]): Notification[] {
	const newestFirst = [...entries].sort((a, b) => compareIds(b.id, a.id));
	const seen = new Set<string>();
	return newestFirst.filter((entry) => {
		if (entry.readAt !== null || !FOLDED_KINDS.has(entry.kind)) return true;
		const key = `${entry.kind}\u0000${entry.mentionId}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** Feed ids are whole numbers as strings: by length, then by digits. */
function compareIds(a: string, b: string): number {
	return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Where a notification reaches its member: the feed and bell in the app, or the phone. */
export const NotificationChannels = ["app", "push"] as const;
export type NotificationChannel = (typeof NotificationChannels)[number];

const IsoTime = v.pipe(v.string(), v.isoTimestamp());
const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

/** What a notification says beyond its kind; each field for the kinds that have it. */
export const NotificationDetailSchema = v.object({
	/** The teammate who did it, by name as it was then. */
	actorName: v.optional(v.pipe(v.string(), v.maxLength(200))),
	/** The public author of the conversation. */
	handle: v.optional(v.pipe(v.string(), v.maxLength(200))),
	network: v.optional(NetworkSchema),
	/** `review_decided`: what the reviewer decided. */
	decision: v.optional(v.picklist(["approved", "changes_requested"])),
	/** `sla_breach`: which clock ran out. */
	slaKind: v.optional(v.picklist(SlaKinds)),
	/** `mentioned`: the note, so that the conversation can show it. */
	noteId: v.optional(Id),
	/** `lease_expired`: whole minutes the owner had been away when the conversation went back. */
	awayMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
	/**
	 * `follow_up`: how many messages the customer wrote since the member last read about the
	 * conversation (`FOLDED_KINDS`); absent reads as 1. A client of an earlier release drops it.
	 */
	count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
	/**
	 * `taken_away`: the teammate who owns the conversation now, by id and by name as it was
	 * then; both absent when it went back to the board.
	 */
	newOwnerId: v.optional(Id),
	newOwnerName: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
export type NotificationDetail = v.InferOutput<typeof NotificationDetailSchema>;

/** One entry of a member's feed. */
export const NotificationSchema = v.object({
	/** Opaque; ordered with the feed (newest has the highest). */
	id: Id,
	kind: NotificationKindSchema,
	/** The conversation it is about; the feed opens it. */
	mentionId: Id,
	boardId: Id,
	/** The teammate who caused it; null when the server did (a breach, a follow-up). */
	actorId: v.nullable(Id),
	at: IsoTime,
	/** When the member read it; null while unread. */
	readAt: v.nullable(IsoTime),
	detail: NotificationDetailSchema,
});
export type Notification = v.InferOutput<typeof NotificationSchema>;

const ChannelChoice = v.object({ app: v.boolean(), push: v.boolean() });

/** Per kind, per channel: whether the member wants it. */
export const NotificationSettingsSchema = v.object({
	mentioned: ChannelChoice,
	assigned: ChannelChoice,
	handed_off: ChannelChoice,
	follow_up: ChannelChoice,
	review_decided: ChannelChoice,
	sla_breach: ChannelChoice,
	lease_expired: ChannelChoice,
	taken_away: ChannelChoice,
});
export type NotificationSettings = v.InferOutput<typeof NotificationSettingsSchema>;

const ChannelPatch = v.strictObject({
	app: v.optional(v.boolean()),
	push: v.optional(v.boolean()),
});

/** A change of settings: the kinds and channels named change, the rest keep their value. */
export const NotificationSettingsPatchSchema = v.strictObject({
	mentioned: v.optional(ChannelPatch),
	assigned: v.optional(ChannelPatch),
	handed_off: v.optional(ChannelPatch),
	follow_up: v.optional(ChannelPatch),
	review_decided: v.optional(ChannelPatch),
	sla_breach: v.optional(ChannelPatch),
	lease_expired: v.optional(ChannelPatch),
	taken_away: v.optional(ChannelPatch),
});
export type NotificationSettingsPatch = v.InferOutput<typeof NotificationSettingsPatchSchema>;

/**
 * Stored settings as read back: like a patch, but a kind this release does not know (saved
 * by a newer release, before a rollback) is passed over instead of voiding the member's
 * other choices.
 */
const StoredNotificationSettingsSchema = v.object(NotificationSettingsPatchSchema.entries);

/**
 * Until a member chooses: everything in the app; on the phone everything that asks for
 * them personally, but not breaches, which a busy board produces by the dozen and which
 * the board already shows in red. A released lease goes to the phone: it happens while
 * the member is away from the app, to work they took on, at most once per conversation
 * they held, and otherwise they come back to a queue that emptied without a word. A
 * conversation taken away goes to the phone as its assignment does to the new owner's: the
 * former owner may be writing its reply there.
 */
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
	mentioned: { app: true, push: true },
	assigned: { app: true, push: true },
	handed_off: { app: true, push: true },
	follow_up: { app: true, push: true },
	review_decided: { app: true, push: true },
	sla_breach: { app: true, push: false },
	lease_expired: { app: true, push: true },
	taken_away: { app: true, push: true },
};

/** Stored settings (maybe from an older release, maybe partial) over the defaults. */
export function notificationSettings(stored: unknown): NotificationSettings {
	const settings = structuredClone(DEFAULT_NOTIFICATION_SETTINGS);
	const patch = v.safeParse(StoredNotificationSettingsSchema, stored ?? {});
	return patch.success ? applyNotificationSettings(settings, patch.output) : settings;
}

/** Settings with a patch applied. */
export function applyNotificationSettings(
	settings: NotificationSettings,
	patch: NotificationSettingsPatch,
): NotificationSettings {
	const next = structuredClone(settings);
	for (const kind of NotificationKinds) {
		const change = patch[kind];
		if (change?.app !== undefined) next[kind].app = change.app;
		if (change?.push !== undefined) next[kind].push = change.push;
	}
	return next;
}

/** Someone to tell, and why, before the server adds who the author is. */
export interface NotificationIntent {
	/** The member to tell. */
	memberId: string;
	kind: NotificationKind;
	detail: NotificationDetail;
}

/**
 * The commands by which someone other than its owner may take a conversation from them: a
 * moderator's `assign` to someone else and `unassign`, and a moderator's `handoff` or
 * `release` of a conversation they do not own. A moderator's `dismiss` or `snooze` leaves
 * a conversation unowned too, but sets the conversation itself aside rather than its owner
 * (nobody is to work on it; its Activity says who and why), and a moderator clearing spam
 * in bulk would ring every owner by the dozen. A lease running out tells `lease_expired`.
 */
const TAKING_COMMANDS: ReadonlySet<Command["name"]> = new Set([
	"assign",
	"unassign",
	"handoff",
	"release",
]);

/**
 * Kinds that ask a conversation's owner to act on it: once it is taken from them, their
 * unread entries of these kinds about it are read, so the bell stops asking them to do
 * someone else's work. That it was given to them (assigned, handed off) and what a review
 * said of their reply are among them: the new owner carries it on from here.
 */
export const OWNER_ONLY_KINDS: readonly NotificationKind[] = [
	"follow_up",
	"sla_breach",
	"assigned",
	"handed_off",
	"review_decided",
];

/**
 * The member a command took the conversation from when someone else did it: its owner
 * before (`ownerBefore`) when the command is one of `TAKING_COMMANDS`, the actor is not that
 * owner and the owner is not the same after. Null otherwise. `work` is the conversation
 * as the command left it.
 */
export function takenFrom(
	command: Command,
	ownerBefore: string | null,
	work: Pick<MentionWork, "owner">,
	actorId: string,
): string | null {
	if (!TAKING_COMMANDS.has(command.name)) return null;
	if (ownerBefore === null || ownerBefore === actorId) return null;
	return work.owner?.memberId === ownerBefore ? null : ownerBefore;
}

/**
 * The kinds of entry of the conversation that a member's own command answers, read by it:
 * a reply submitted again answers what its review said; a reply recorded answers every
 * entry that asked its owner to act on the conversation.
 */
export function answeredBy(command: Command): readonly NotificationKind[] {
	switch (command.name) {
		case "submitForReview":
			return ["review_decided"];
		case "markReplied":
			return OWNER_ONLY_KINDS;
		default:
			return [];
	}
}

/**
 * Who a command that was accepted tells: the member assigned or handed the conversation,
 * the owner whose reply a reviewer decided, and the owner someone else took it from
 * (`takenFrom`). Never the member who sent the command. `work` is the conversation as the
 * command left it; `ownerBefore` who owned it before.
 */
export function notificationsForCommand(
	command: Command,
	work: Pick<MentionWork, "owner">,
	actorId: string,
	ownerBefore: string | null,
): NotificationIntent[] {
	const intents: NotificationIntent[] = [];
	const tell = (memberId: string | undefined, kind: NotificationKind, detail = {}) => {
		if (memberId && memberId !== actorId) intents.push({ memberId, kind, detail });
	};
	switch (command.name) {
		case "assign":
			tell(command.args.memberId, "assigned");
			break;
		case "handoff":
			tell(command.args.to, "handed_off");
			break;
		case "approve":
			tell(work.owner?.memberId, "review_decided", { decision: "approved" });
			break;
		case "requestChanges":
			tell(work.owner?.memberId, "review_decided", { decision: "changes_requested" });
			break;
		default:
			break;
	}
	const from = takenFrom(command, ownerBefore, work, actorId);
	if (from) tell(from, "taken_away", work.owner ? { newOwnerId: work.owner.memberId } : {});
	return intents;
}

/**
 * Who notes added to a draft tell: every member a new note @mentions, except its writer.
 * `known` holds the ids of the notes the draft had before.
 */
export function notificationsForNotes(
	notes: readonly { id: string; authorId: string; mentions: readonly string[] }[],
	known: ReadonlySet<string>,
	writerId: string,
): (NotificationIntent & { noteId: string })[] {
	const intents: (NotificationIntent & { noteId: string })[] = [];
	for (const note of notes) {
		if (known.has(note.id)) continue;
		for (const memberId of new Set(note.mentions)) {
			if (memberId === writerId) continue;
			intents.push({ memberId, kind: "mentioned", detail: { noteId: note.id }, noteId: note.id });
		}
	}
	return intents;
}

/**
 * Who a conversation given back at the end of its owner's lease tells: the owner it was
 * taken from (the board's watchers see it return on the board), with how long they had
 * been away when it went back, in whole minutes. `releasedAt` is ISO.
 */
export function notificationForLeaseExpiry(
	expiry: Pick<LeaseExpiry, "memberId" | "offlineSince">,
	releasedAt: string,
): NotificationIntent {
	const away = Date.parse(releasedAt) - Date.parse(expiry.offlineSince);
	return {
		memberId: expiry.memberId,
		kind: "lease_expired",
		detail: { awayMinutes: Math.max(0, Math.floor(away / 60_000)) },
	};
}

/** A stretch of whole minutes in words: "1 minute", "45 minutes", "2 hours 5 minutes". */
function minutesInWords(minutes: number): string {
	const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
	if (minutes < 60) return count(minutes, "minute");
	const hours = Math.floor(minutes / 60);
	const rest = minutes % 60;
	return rest === 0 ? count(hours, "hour") : `${count(hours, "hour")} ${count(rest, "minute")}`;
}

/**
 * A notification in words, for the feed and the phone. A kind this release does not know
 * (a newer server's, read from the feed by a page loaded before the upgrade) still reads
 * as something about its conversation rather than breaking the feed.
 */
export function notificationText(
	notification: Pick<Notification, "kind" | "detail"> & Partial<Pick<Notification, "actorId">>,
	/**
	 * A teammate's name now, where the reader knows it: one renamed since reads as the feed's
	 * other pages do (the stored `actorName` is the name as it was then, for a phone's push).
	 */
	nameNow?: (memberId: string) => string | undefined,
): {
	title: string;
	body: string;
} {
	const { detail } = notification;
	const who =
		(notification.actorId ? nameNow?.(notification.actorId) : undefined) ??
		detail.actorName ??
		"A teammate";
	const author = detail.handle ? `@${detail.handle}` : "a customer";
	const conversation = `The conversation with ${author}`;
	switch (notification.kind) {
		case "mentioned":
			return {
				title: `${who} mentioned you`,
				body: `In a note on the conversation with ${author}`,
			};
		case "assigned":
			return { title: `${who} assigned you a conversation`, body: conversation };
		case "handed_off":
			return { title: `${who} handed you a conversation`, body: conversation };
		case "follow_up":
			return {
				title: `${author} wrote again`,
				body:
					(detail.count ?? 1) > 1
						? `${detail.count} new messages in a conversation you own`
						: "A follow-up in a conversation you own",
			};
		case "review_decided":
			return detail.decision === "changes_requested"
				? { title: `${who} asked for changes`, body: `Your reply to ${author}` }
				: { title: `${who} approved your reply`, body: `Your reply to ${author}` };
		case "sla_breach":
			return {
				title: detail.slaKind === "claim" ? "Not claimed in time" : "Not answered in time",
				body: `${conversation} is past its ${detail.slaKind ?? "reply"} time`,
			};
		case "lease_expired":
			return {
				title: "Your conversation went back to the board",
				body:
					detail.awayMinutes === undefined
						? `${conversation}, released while you were away`
						: `${conversation}, released after ${minutesInWords(detail.awayMinutes)} away`,
			};
		case "taken_away": {
			const to = detail.newOwnerId;
			if (to === undefined) {
				return { title: `${who} took your conversation back to the board`, body: conversation };
			}
			if (to === notification.actorId) {
				return { title: `${who} took over your conversation`, body: conversation };
			}
			const newOwner = nameNow?.(to) ?? detail.newOwnerName ?? "a teammate";
			return { title: `${who} gave your conversation to ${newOwner}`, body: conversation };
		}
		default: {
			const _newer: never = notification.kind;
			return { title: "News about a conversation", body: conversation };
		}
	}
}

/**
 * Where the client opens a notification: its conversation, and for a mention the note that
 * mentioned the member (`#note-<id>`, which the conversation scrolls to and marks).
 */
export function notificationPath(
	notification: Pick<Notification, "kind" | "mentionId" | "detail">,
): string {
	const path = `/m/${encodeURIComponent(notification.mentionId)}`;
	const noteId = notification.kind === "mentioned" ? notification.detail.noteId : undefined;
	return noteId ? `${path}#${noteAnchor(noteId)}` : path;
}

/** The element id of a note on its conversation's page, and the fragment that leads to it. */
export function noteAnchor(noteId: string): string {
	return `note-${encodeURIComponent(noteId)}`;
}

/**
 * What a Web Push message carries, encrypted to the member's device (RFC 8291): the words
 * to show and where a tap leads. Nothing the member could not read in the app.
 */
export const PushPayloadSchema = v.object({
	/** Payload format version. */
	v: v.literal(1),
	/** The feed entry, when the member keeps the kind in the app too. */
	id: v.nullable(Id),
	kind: NotificationKindSchema,
	mentionId: Id,
	title: v.pipe(v.string(), v.maxLength(300)),
	body: v.pipe(v.string(), v.maxLength(500)),
	/** Same-origin path a tap opens. */
	url: v.pipe(v.string(), v.startsWith("/m/"), v.maxLength(300)),
});
export type PushPayload = v.InferOutput<typeof PushPayloadSchema>;

/** The push message for a notification (`actorId` tells a moderator who took over work). */
export function pushPayload(
	notification: Pick<Notification, "kind" | "mentionId" | "detail"> &
		Partial<Pick<Notification, "actorId">> & { id: string | null },
): PushPayload {
	return {
		v: 1,
		id: notification.id,
		kind: notification.kind,
		mentionId: notification.mentionId,
		...notificationText(notification),
		url: notificationPath(notification),
	};
}

/** A browser's push subscription as `PushSubscription.toJSON()` gives it. */
export const PushSubscriptionSchema = v.object({
	endpoint: v.pipe(
		v.string(),
		v.url("must be a URL"),
		// Browsers give https; plain http is for a push service stand-in on the operator's network.
		v.check((url) => /^https?:\/\//.test(url), "must be an http(s) URL"),
		v.maxLength(2000),
	),
	keys: v.object({
		/** The device's P-256 public key, base64url (65 bytes uncompressed). */
		p256dh: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, "a P-256 public key")),
		/** The 16-byte authentication secret, base64url. */
		auth: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,24}={0,2}$/, "a 16-byte secret")),
	}),
});
export type PushSubscriptionInput = v.InferOutput<typeof PushSubscriptionSchema>;
