/**
 * The notifications ports (issue 13, part 3; issue 14's Web Push): each member's feed and
 * their choice of kinds and channels (`NotificationStore`), and the devices they opted in
 * from (`PushDeviceStore`). docs/STORAGE.md has the promises.
 */
import type {
	Notification,
	NotificationDetail,
	NotificationKind,
	NotificationSettings,
} from "@switchboard/domain";

/** An entry to add to a member's feed. */
export interface NewNotification {
	orgId: string;
	memberId: string;
	kind: NotificationKind;
	mentionId: string;
	boardId: string;
	actorId: string | null;
	detail: NotificationDetail;
	/**
	 * What caused it, unique per member: a second entry with the same key is not added
	 * (a replayed command, two instances telling the same breach).
	 */
	key: string;
	/** ISO time; the database's clock when left out. */
	at?: string;
}

/** Which of a member's entries `markNotificationsRead` marks. */
export type NotificationSelection =
	| { ids: readonly string[] }
	| { all: true }
	| { mentionId: string; kind: NotificationKind | readonly NotificationKind[] };

export interface NotificationPage {
	/** Newest first. */
	notifications: Notification[];
	/** The id to pass as `before` for the next page; null on the last. */
	next: string | null;
}

export interface NotificationStore {
	/** Add entries; answers those added, in input order, without the ones already there by key. */
	addNotifications(entries: readonly NewNotification[]): Promise<Notification[]>;
	/**
	 * Add an entry of a folded kind (`FOLDED_KINDS`): it takes in the member's unread entries
	 * of its kind about its conversation, which are deleted, and its `detail.count` is theirs
	 * and its own added up (each absent count is 1). Answers the entry and the ids it took
	 * in, or undefined when its key was there already.
	 */
	foldNotification(
		entry: NewNotification,
	): Promise<{ added: Notification; folded: string[] } | undefined>;
	/**
	 * A member's feed, newest first, `limit` at a time, from below `before` (an id of the
	 * previous page); only unread ones with `unread`.
	 */
	listNotifications(
		memberId: string,
		options: { unread?: boolean; before?: string; limit: number },
	): Promise<NotificationPage>;
	countUnread(memberId: string): Promise<number>;
	/**
	 * Mark the member's entries read: the ones named, those of a kind (or kinds) about one
	 * conversation (its follow-ups, once the owner has seen them; its follow-ups and breaches,
	 * once it is taken from them), or all of them; others' ids are left
	 * alone. Answers how many were unread before.
	 */
	markNotificationsRead(
		memberId: string,
		which: NotificationSelection,
		at?: string,
	): Promise<number>;
	/** The member's settings, the defaults where they chose nothing. */
	getNotificationSettings(memberId: string): Promise<NotificationSettings>;
	saveNotificationSettings(
		memberId: string,
		settings: NotificationSettings,
	): Promise<NotificationSettings>;
}

/** A device a member opted in from: a browser's push subscription. */
export interface PushDevice {
	id: string;
	memberId: string;
	endpoint: string;
	/** The device's P-256 key and auth secret (base64url), which encrypt what is sent to it. */
	keys: { p256dh: string; auth: string };
	/** What the member's browser said it is, to tell their devices apart. */
	label: string | null;
	createdAt: string;
}

export interface PushDeviceStore {
	/**
	 * Store a subscription for a member; the same endpoint again (the browser renewed its
	 * keys, or another member signed in on that browser) replaces the row.
	 */
	savePushDevice(device: {
		memberId: string;
		endpoint: string;
		keys: { p256dh: string; auth: string };
		label: string | null;
	}): Promise<PushDevice>;
	listPushDevices(memberId: string): Promise<PushDevice[]>;
	/** Forget a device by endpoint, for one member or (an endpoint gone, 404/410) for all. */
	deletePushDevice(endpoint: string, memberId?: string): Promise<boolean>;
}
