/**
 * The notifier: turns what happened (a command accepted, a note naming teammates, a breach
 * on an owned conversation, a customer's follow-up, an owner's lease running out, a
 * conversation taken from its owner) into entries of members' feeds, told live over their
 * sockets on every instance and, for the kinds they chose, pushed to their phones. One path
 * for every cause:
 *
 * 1. the domain says who is told and why (`notificationsForCommand`, `notificationsForNotes`,
 *    `notificationForLeaseExpiry`), and whom a command took a conversation from
 *    (`takenFrom`: their unread entries that ask its owner to act are read first);
 * 2. each recipient must be an active member of the organisation, and their settings say
 *    which channels the kind goes to;
 * 3. the feed entry is stored once per cause (its key), so a replay tells nobody twice;
 * 4. the new entry and unread count go out on the bus; the push goes to their devices.
 *
 * Telling never holds up what caused it: callers do not wait for the push services.
 */
import {
	answeredBy,
	FOLDED_KINDS,
	isActiveMembership,
	type Mention,
	type Notification,
	type NotificationIntent,
	type NotificationKind,
	NotificationsMessageSchema,
	notificationForLeaseExpiry,
	notificationsForCommand,
	OWNER_ONLY_KINDS,
	pushPayload,
	takenFrom,
} from "@switchboard/domain";
import type {
	Directory,
	MentionStore,
	NotificationSelection,
	NotificationStore,
	PushDeviceStore,
} from "@switchboard/storage";
import type { AppliedCommand, MemberMessageBus, NoteMentions } from "@switchboard/sync";
import type { Logger } from "pino";
import * as v from "valibot";
import type { OwnedBreach, ReleasedLease } from "./coverage-watcher.ts";
import type { PushSender } from "./push.ts";

/** The Redis channel members' notification messages cross instances on. */
export const NOTIFICATION_CHANNEL = "switchboard:notifications";

/** A bus message: one member's notifications message. */
export const MemberMessageSchema = v.object({
	memberId: v.string(),
	message: NotificationsMessageSchema,
});

/** True when `memberId` owns the conversation and has seen every follow-up of it. */
function isSeenBy(mention: Mention, memberId: string): boolean {
	return mention.owner?.memberId === memberId && mention.unseenFollowUps === 0;
}

/** What the notifier needs to know of one cause: where, who did it, who to tell. */
interface Cause {
	orgId: string;
	boardId?: string;
	mentionId: string;
	actorId: string | null;
	/** Unique per recipient's feed: the cause told twice makes one entry. */
	key: string;
	intents: NotificationIntent[];
}

export interface NotifierOptions {
	storage: Directory & MentionStore & NotificationStore & PushDeviceStore;
	bus: MemberMessageBus;
	push: PushSender;
	logger: Pick<Logger, "warn" | "debug">;
}

export class Notifier {
	private readonly options: NotifierOptions;
	/** Causes being told; `idle()` waits for them (tests, a stopping server). */
	private readonly pending = new Set<Promise<unknown>>();

	constructor(options: NotifierOptions) {
		this.options = options;
	}

	/**
	 * A command was accepted (not replayed): tell whom it concerns. When it took the
	 * conversation from its owner, their unread entries that ask its owner to act on it are
	 * read first, whatever their settings, so the bell no longer asks them to; so are the
	 * actor's own entries the command answered (`answeredBy`: a reply submitted again, or
	 * recorded).
	 */
	commandApplied(input: AppliedCommand): void {
		const { command, work, actorId, ownerBefore, mentionId } = input;
		const intents = notificationsForCommand(command, work, actorId, ownerBefore);
		const from = takenFrom(command, ownerBefore, work, actorId);
		const cause: Cause = {
			orgId: input.orgId,
			boardId: input.boardId,
			mentionId,
			actorId,
			key: `command:${input.commandId}`,
			intents,
		};
		const reads: [memberId: string, kinds: readonly NotificationKind[]][] = [];
		if (from !== null) reads.push([from, OWNER_ONLY_KINDS]);
		const answered = answeredBy(command);
		if (answered.length > 0) reads.push([actorId, answered]);
		if (reads.length === 0) {
			if (intents.length > 0) this.tellLater(cause);
			return;
		}
		this.later(cause.key, async () => {
			for (const [memberId, kind] of reads) await this.markRead(memberId, { mentionId, kind });
			await this.tell(cause);
		});
	}

	/** Notes naming teammates were added to a draft. */
	noteMentions(input: NoteMentions): void {
		const byNote = new Map<string, NotificationIntent[]>();
		for (const intent of input.intents) {
			byNote.set(intent.noteId, [...(byNote.get(intent.noteId) ?? []), intent]);
		}
		for (const [noteId, intents] of byNote) {
			this.tellLater({
				orgId: input.orgId,
				mentionId: input.mentionId,
				actorId: input.writerId,
				key: `note:${input.mentionId}:${noteId}`,
				intents,
			});
		}
	}

	/** Breaches were recorded (once, by whichever instance saw them): tell each owner. */
	breachesRecorded(orgId: string, boardId: string, breaches: readonly OwnedBreach[]): void {
		for (const breach of breaches) {
			if (!breach.ownerId) continue;
			this.tellLater({
				orgId,
				boardId,
				mentionId: breach.mentionId,
				actorId: null,
				key: `breach:${breach.mentionId}:${breach.kind}:${breach.dueAt}`,
				intents: [
					{ memberId: breach.ownerId, kind: "sla_breach", detail: { slaKind: breach.kind } },
				],
			});
		}
	}

	/**
	 * Conversations went back to the board because their owners were away longer than the
	 * lease (released once, by whichever instance's transaction did it): tell each former
	 * owner. The release's revision keys it, so a conversation released, claimed again and
	 * released again tells twice, and one release never does.
	 */
	leasesReleased(orgId: string, boardId: string, released: readonly ReleasedLease[]): void {
		for (const lease of released) {
			this.tellLater({
				orgId,
				boardId,
				mentionId: lease.mentionId,
				actorId: null,
				key: `lease:${lease.mentionId}:${lease.rev}`,
				intents: [notificationForLeaseExpiry(lease, lease.releasedAt)],
			});
		}
	}

	/**
	 * The customer wrote again in a conversation a member owns: `count` messages (several when
	 * they came together, in one request or one poll). `messageId` names the last of them (its
	 * external id), so a follow-up delivered twice tells once.
	 */
	followUp(input: {
		orgId: string;
		boardId: string;
		mentionId: string;
		ownerId: string;
		messageId: string;
		count: number;
	}): void {
		this.tellLater({
			orgId: input.orgId,
			boardId: input.boardId,
			mentionId: input.mentionId,
			actorId: null,
			key: `follow_up:${input.mentionId}:${input.messageId}`,
			intents: [
				{
					memberId: input.ownerId,
					kind: "follow_up",
					detail: input.count > 1 ? { count: input.count } : {},
				},
			],
		});
	}

	/**
	 * The owner saw a conversation's follow-ups (opened it, or had it open as they came): its
	 * unread follow-up entries are read too, so the bell and the board agree.
	 */
	async followUpsSeen(memberId: string, mentionId: string): Promise<void> {
		await this.markRead(memberId, { mentionId, kind: "follow_up" });
	}

	/** Mark read and tell the member's other sockets the new count. */
	async markRead(memberId: string, which: NotificationSelection) {
		const { storage } = this.options;
		const marked = await storage.markNotificationsRead(memberId, which);
		const unread = await storage.countUnread(memberId);
		if (marked > 0) await this.publish(memberId, { type: "notifications", unread });
		return { marked, unread };
	}

	/** Wait until every cause handed over so far is told. */
	async idle(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}

	private tellLater(cause: Cause): void {
		this.later(cause.key, () => this.tell(cause));
	}

	/** Run `work` without holding up the caller; `idle()` waits for it. */
	private later(key: string, work: () => Promise<void>): void {
		const telling = work().catch((error: unknown) =>
			this.options.logger.warn({ err: error, key }, "notification not told"),
		);
		this.pending.add(telling);
		void telling.finally(() => this.pending.delete(telling));
	}

	private async tell(cause: Cause): Promise<void> {
		const { storage } = this.options;
		const stored = await storage.getMention(cause.orgId, cause.mentionId);
		if (!stored) return;
		const { mention } = stored;
		const boardId = cause.boardId ?? (await storage.getMentionBoardId(cause.orgId, mention.id));
		if (!boardId) return;
		const actor = cause.actorId ? await storage.getMember(cause.actorId) : null;
		for (const intent of cause.intents) {
			// Seen as it came: its owner had the conversation open (follow-up-seen.ts), so the
			// board shows nothing new and neither does the bell.
			if (intent.kind === "follow_up" && isSeenBy(mention, intent.memberId)) continue;
			const member = await storage.getMember(intent.memberId);
			// A note may name anyone; only active members of the organisation hear of it.
			if (!isActiveMembership(member, cause.orgId)) continue;
			const settings = (await storage.getNotificationSettings(member.id))[intent.kind];
			if (!settings.app && !settings.push) continue;
			// A conversation taken away names whom it went to, by name as it is now.
			const newOwner = intent.detail.newOwnerId
				? await storage.getMember(intent.detail.newOwnerId)
				: null;
			const detail = {
				...intent.detail,
				...(actor ? { actorName: actor.name } : {}),
				...(newOwner ? { newOwnerName: newOwner.name } : {}),
				handle: mention.author.handle,
				network: mention.network,
			};
			let added: Notification | undefined;
			if (settings.app) {
				const entry = {
					orgId: cause.orgId,
					memberId: member.id,
					kind: intent.kind,
					mentionId: mention.id,
					boardId,
					actorId: cause.actorId,
					detail,
					key: cause.key,
				};
				// A follow-up's entry takes in the unread ones before it: "3 new messages".
				[added] = FOLDED_KINDS.has(intent.kind)
					? [(await storage.foldNotification(entry))?.added]
					: await storage.addNotifications([entry]);
				// Told before: a replay, or another instance was first.
				if (!added) continue;
				// Seen while it was being told (the check above read the conversation before):
				// read at once, as `followUpsSeen` would have made it had it been there.
				if (intent.kind === "follow_up" && (await this.seenByOwner(cause, intent.memberId))) {
					await this.markRead(member.id, { ids: [added.id] });
					continue;
				}
				const unread = await storage.countUnread(member.id);
				await this.publish(member.id, { type: "notifications", unread, added });
			}
			if (settings.push) {
				await this.options.push.send(
					member.id,
					pushPayload({
						id: added?.id ?? null,
						kind: intent.kind,
						mentionId: mention.id,
						actorId: cause.actorId,
						detail: added?.detail ?? detail,
					}),
				);
			}
		}
	}

	/** Whether the conversation's follow-ups are seen by `memberId`, its owner, by now. */
	private async seenByOwner(cause: Cause, memberId: string): Promise<boolean> {
		const now = await this.options.storage.getMention(cause.orgId, cause.mentionId);
		return now !== null && isSeenBy(now.mention, memberId);
	}

	private async publish(
		memberId: string,
		message: { type: "notifications"; unread: number; added?: Notification },
	): Promise<void> {
		await this.options.bus.publish({ memberId, message }).catch((error: unknown) => {
			// The entry is stored: the member sees it when their client next reads the feed.
			this.options.logger.warn({ err: error, memberId }, "notification not sent live");
		});
	}
}
