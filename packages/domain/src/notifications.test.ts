import { describe, expect, it } from "vitest";
import {
	applyNotificationSettings,
	DEFAULT_NOTIFICATION_SETTINGS,
	foldFeed,
	type Notification,
	notificationForLeaseExpiry,
	notificationPath,
	notificationSettings,
	notificationsForCommand,
	notificationsForNotes,
	notificationText,
	pushPayload,
} from "./notifications.ts";

const owned = { owner: { memberId: "dana", since: "2026-12-02T07:00:00.000Z" } };

describe("who a command tells", () => {
	it("tells the assignee, the member handed to, and the owner of a review decision", () => {
		const cases = [
			{
				command: { name: "assign", args: { mentionId: "m", memberId: "dana" } },
				actor: "morgan",
				before: null,
				told: [{ memberId: "dana", kind: "assigned", detail: {} }],
			},
			{
				command: { name: "handoff", args: { mentionId: "m", to: "sam" } },
				actor: "dana",
				before: "dana",
				told: [{ memberId: "sam", kind: "handed_off", detail: {} }],
			},
			{
				command: { name: "requestChanges", args: { mentionId: "m", comment: "shorter" } },
				actor: "morgan",
				before: "dana",
				told: [
					{ memberId: "dana", kind: "review_decided", detail: { decision: "changes_requested" } },
				],
			},
		] as const;
		for (const { command, actor, before, told } of cases) {
			expect(notificationsForCommand(command, owned, actor, before)).toEqual(told);
		}
	});

	it("never tells the member who acted, and nobody of a command that concerns no one else", () => {
		const approve = { name: "approve", args: { mentionId: "m", hash: "0".repeat(64) } } as const;
		expect(notificationsForCommand(approve, owned, "dana", "dana")).toEqual([]);
		expect(notificationsForCommand(approve, { owner: null }, "morgan", null)).toEqual([]);
		expect(
			notificationsForCommand(
				{ name: "assign", args: { mentionId: "m", memberId: "morgan" } },
				{ owner: { memberId: "morgan", since: owned.owner.since } },
				"morgan",
				null,
			),
		).toEqual([]);
		expect(
			notificationsForCommand({ name: "claim", args: { mentionId: "m" } }, owned, "kim", null),
		).toEqual([]);
	});
});

describe("who a command taking a conversation from its owner tells", () => {
	const to = (memberId: string) => ({ owner: { memberId, since: "2026-12-08T09:00:00.000Z" } });
	const board = { owner: null };
	const m = "m";

	it("tells the owner a moderator took it from, and where it went", () => {
		const cases = [
			// Given to someone else: Kim hears she has it, Dana that it is gone.
			{
				command: { name: "assign", args: { mentionId: m, memberId: "kim" } },
				after: to("kim"),
				told: [
					{ memberId: "kim", kind: "assigned", detail: {} },
					{ memberId: "dana", kind: "taken_away", detail: { newOwnerId: "kim" } },
				],
			},
			{
				command: { name: "handoff", args: { mentionId: m, to: "kim" } },
				after: to("kim"),
				told: [
					{ memberId: "kim", kind: "handed_off", detail: {} },
					{ memberId: "dana", kind: "taken_away", detail: { newOwnerId: "kim" } },
				],
			},
			// Taken by the moderator themselves.
			{
				command: { name: "assign", args: { mentionId: m, memberId: "morgan" } },
				after: to("morgan"),
				told: [{ memberId: "dana", kind: "taken_away", detail: { newOwnerId: "morgan" } }],
			},
			// Back to the board.
			{
				command: { name: "unassign", args: { mentionId: m } },
				after: board,
				told: [{ memberId: "dana", kind: "taken_away", detail: {} }],
			},
			{
				command: { name: "release", args: { mentionId: m } },
				after: board,
				told: [{ memberId: "dana", kind: "taken_away", detail: {} }],
			},
		] as const;
		for (const { command, after, told } of cases) {
			expect(notificationsForCommand(command, after, "morgan", "dana"), command.name).toEqual(told);
		}
	});

	it("tells nobody of what the owner does with their own conversation", () => {
		for (const [command, after] of [
			[{ name: "release", args: { mentionId: m } }, board],
			[{ name: "unassign", args: { mentionId: m } }, board],
		] as const) {
			expect(notificationsForCommand(command, after, "dana", "dana")).toEqual([]);
		}
		expect(
			notificationsForCommand(
				{ name: "handoff", args: { mentionId: m, to: "kim" } },
				to("kim"),
				"dana",
				"dana",
			),
		).toEqual([{ memberId: "kim", kind: "handed_off", detail: {} }]);
	});

	it("tells nobody of a conversation that had no owner, kept it, or was set aside", () => {
		expect(
			notificationsForCommand(
				{ name: "assign", args: { mentionId: m, memberId: "kim" } },
				to("kim"),
				"morgan",
				null,
			),
		).toEqual([{ memberId: "kim", kind: "assigned", detail: {} }]);
		// A tag or a review decision leaves the owner as they were.
		expect(
			notificationsForCommand(
				{ name: "tag", args: { mentionId: m, add: ["vip"], remove: [] } },
				owned,
				"morgan",
				"dana",
			),
		).toEqual([]);
		// A moderator's dismiss or snooze sets the conversation aside: not told (see TAKING_COMMANDS).
		for (const command of [
			{ name: "dismiss", args: { mentionId: m, reason: "spam" } },
			{ name: "snooze", args: { mentionId: m, until: "2026-12-09T09:00:00.000Z" } },
		] as const) {
			expect(notificationsForCommand(command, board, "morgan", "dana")).toEqual([]);
		}
	});
});

describe("who a note tells", () => {
	it("tells each member a new note names, once, but not its writer", () => {
		const notes = [
			{ id: "old", authorId: "sam", mentions: ["kim"] },
			{ id: "new", authorId: "sam", mentions: ["kim", "kim", "sam", "dana"] },
		];
		expect(notificationsForNotes(notes, new Set(["old"]), "sam")).toEqual([
			{ memberId: "kim", kind: "mentioned", detail: { noteId: "new" }, noteId: "new" },
			{ memberId: "dana", kind: "mentioned", detail: { noteId: "new" }, noteId: "new" },
		]);
	});
});

describe("who a released lease tells", () => {
	it("tells the owner it was taken from, with how long they had been away", () => {
		const expiry = { memberId: "dana", offlineSince: "2026-12-03T10:00:00.000Z" };
		expect(notificationForLeaseExpiry(expiry, "2026-12-03T10:45:30.000Z")).toEqual({
			memberId: "dana",
			kind: "lease_expired",
			detail: { awayMinutes: 45 },
		});
		// A clock a little behind another instance's never makes a negative stretch.
		expect(notificationForLeaseExpiry(expiry, "2026-12-03T09:59:59.000Z").detail.awayMinutes).toBe(
			0,
		);
	});
});

describe("settings", () => {
	it("reads stored settings over the defaults, ignoring what it does not know", () => {
		expect(notificationSettings(null)).toEqual(DEFAULT_NOTIFICATION_SETTINGS);
		const stored = { mentioned: { push: false } };
		expect(notificationSettings(stored).mentioned).toEqual({ app: true, push: false });
		expect(notificationSettings({ mentioned: { push: "no" } })).toEqual(
			DEFAULT_NOTIFICATION_SETTINGS,
		);
		const changed = applyNotificationSettings(DEFAULT_NOTIFICATION_SETTINGS, {
			sla_breach: { push: true },
		});
		expect(changed.sla_breach).toEqual({ app: true, push: true });
		expect(DEFAULT_NOTIFICATION_SETTINGS.sla_breach.push).toBe(false);
	});

	it("tells of a released lease in the app and on the phone until the member chooses", () => {
		expect(DEFAULT_NOTIFICATION_SETTINGS.lease_expired).toEqual({ app: true, push: true });
		expect(notificationSettings({ lease_expired: { push: false } }).lease_expired).toEqual({
			app: true,
			push: false,
		});
	});

	it("tells of a conversation taken away in the app and on the phone, as of one assigned", () => {
		expect(DEFAULT_NOTIFICATION_SETTINGS.taken_away).toEqual(
			DEFAULT_NOTIFICATION_SETTINGS.assigned,
		);
		expect(DEFAULT_NOTIFICATION_SETTINGS.taken_away).toEqual({ app: true, push: true });
	});

	it("keeps a member's choices when stored settings name a kind this release does not know", () => {
		// Saved by a newer release, read after a rollback.
		const stored = { mentioned: { push: false }, from_the_future: { app: false, push: false } };
		expect(notificationSettings(stored).mentioned).toEqual({ app: true, push: false });
	});
});

describe("words and payloads", () => {
	it("says who did what to which conversation, and a tap opens it", () => {
		const notification = {
			id: "7",
			kind: "review_decided" as const,
			mentionId: "m/1",
			detail: { actorName: "Morgan", handle: "ana", decision: "changes_requested" as const },
		};
		expect(notificationText(notification)).toEqual({
			title: "Morgan asked for changes",
			body: "Your reply to @ana",
		});
		expect(pushPayload(notification)).toEqual({
			v: 1,
			id: "7",
			kind: "review_decided",
			mentionId: "m/1",
			title: "Morgan asked for changes",
			body: "Your reply to @ana",
			url: "/m/m%2F1",
		});
	});

	it("names a teammate as the reader knows them now, else as they were then", () => {
		const handedOff = {
			kind: "handed_off" as const,
			actorId: "m-sam",
			detail: { actorName: "Sam", handle: "ana" },
		};
		const names = new Map([["m-sam", "Samira Okafor"]]);
		expect(notificationText(handedOff, (id) => names.get(id)).title).toBe(
			"Samira Okafor handed you a conversation",
		);
		// Someone the reader's board does not list keeps the name stored with the notification.
		expect(notificationText(handedOff, () => undefined).title).toBe(
			"Sam handed you a conversation",
		);
		expect(notificationText(handedOff).title).toBe("Sam handed you a conversation");
	});

	it("tells the former owner which conversation went back, and after how long away", () => {
		const text = (awayMinutes?: number) =>
			notificationText({
				kind: "lease_expired",
				detail: { handle: "ana", ...(awayMinutes === undefined ? {} : { awayMinutes }) },
			});
		expect(text(45)).toEqual({
			title: "Your conversation went back to the board",
			body: "The conversation with @ana, released after 45 minutes away",
		});
		expect(text(1).body).toBe("The conversation with @ana, released after 1 minute away");
		expect(text(120).body).toBe("The conversation with @ana, released after 2 hours away");
		expect(text(61).body).toBe("The conversation with @ana, released after 1 hour 1 minute away");
		expect(text().body).toBe("The conversation with @ana, released while you were away");
		expect(
			pushPayload({
				id: null,
				kind: "lease_expired",
				mentionId: "m1",
				detail: { awayMinutes: 30 },
			}),
		).toMatchObject({
			kind: "lease_expired",
			title: "Your conversation went back to the board",
			body: "The conversation with a customer, released after 30 minutes away",
			url: "/m/m1",
		});
	});

	it("tells a former owner who took their conversation and where it went, by names as they are now", () => {
		const taken = (detail: Notification["detail"]) => ({
			kind: "taken_away" as const,
			actorId: "morgan",
			detail: { actorName: "Morgan Moderator", handle: "markramsey", ...detail },
		});
		const body = "The conversation with @markramsey";
		const given = taken({ newOwnerId: "kim", newOwnerName: "Kim Ambassador" });
		expect(notificationText(given)).toEqual({
			title: "Morgan Moderator gave your conversation to Kim Ambassador",
			body,
		});
		expect(notificationText(taken({}))).toEqual({
			title: "Morgan Moderator took your conversation back to the board",
			body,
		});
		expect(notificationText(taken({ newOwnerId: "morgan" })).title).toBe(
			"Morgan Moderator took over your conversation",
		);
		// Renamed since: the feed says the names of now; the phone's push the stored ones.
		const renamed = { morgan: "Morgan Lee", kim: "Kim Park" } as Record<string, string>;
		expect(notificationText(given, (id) => renamed[id]).title).toBe(
			"Morgan Lee gave your conversation to Kim Park",
		);
		expect(
			pushPayload({ ...taken({ newOwnerId: "morgan" }), id: "5", mentionId: "m1" }),
		).toMatchObject({
			kind: "taken_away",
			title: "Morgan Moderator took over your conversation",
			body,
			url: "/m/m1",
		});
	});

	it("counts a conversation's follow-ups in one entry, and a feed keeps the newest unread one", () => {
		const followUp = (
			id: string,
			mentionId: string,
			count?: number,
			readAt: string | null = null,
		) =>
			({
				id,
				kind: "follow_up",
				mentionId,
				boardId: "main",
				actorId: null,
				at: "2026-12-05T10:00:00.000Z",
				readAt,
				detail: { handle: "ana", ...(count ? { count } : {}) },
			}) satisfies Notification;
		expect(notificationText(followUp("1", "m1")).body).toBe(
			"A follow-up in a conversation you own",
		);
		expect(notificationText(followUp("2", "m1", 4))).toEqual({
			title: "@ana wrote again",
			body: "4 new messages in a conversation you own",
		});
		const assigned = { ...followUp("3", "m1"), kind: "assigned" as const };
		const feed = foldFeed([
			followUp("9", "m1", 2),
			followUp("10", "m1", 3),
			assigned,
			followUp("8", "m2"),
			followUp("7", "m1", 5, "2026-12-05T09:00:00.000Z"),
		]);
		// The older unread "9" was folded into "10"; a read one and other kinds stay.
		expect(feed.map((n) => n.id)).toEqual(["10", "8", "7", "3"]);
	});

	it("leads a mention to its note, every other kind to the conversation", () => {
		const mentioned = {
			id: "9",
			kind: "mentioned" as const,
			mentionId: "m/1",
			detail: { actorName: "Sam", noteId: "n 1" },
		};
		expect(notificationPath(mentioned)).toBe("/m/m%2F1#note-n%201");
		expect(pushPayload(mentioned).url).toBe("/m/m%2F1#note-n%201");
		expect(notificationPath({ ...mentioned, detail: { actorName: "Sam" } })).toBe("/m/m%2F1");
		expect(notificationPath({ ...mentioned, kind: "assigned" })).toBe("/m/m%2F1");
	});

	it("reads a kind from a newer release as news about its conversation", () => {
		// The feed is read over HTTP unparsed: a page loaded before an upgrade meets new kinds.
		const newer = { kind: "from_the_future", detail: { handle: "ana" } } as unknown as Notification;
		expect(notificationText(newer)).toEqual({
			title: "News about a conversation",
			body: "The conversation with @ana",
		});
	});
});
