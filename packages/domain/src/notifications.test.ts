import { describe, expect, it } from "vitest";
import {
	applyNotificationSettings,
	DEFAULT_NOTIFICATION_SETTINGS,
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
				told: [{ memberId: "dana", kind: "assigned", detail: {} }],
			},
			{
				command: { name: "handoff", args: { mentionId: "m", to: "sam" } },
				actor: "dana",
				told: [{ memberId: "sam", kind: "handed_off", detail: {} }],
			},
			{
				command: { name: "requestChanges", args: { mentionId: "m", comment: "shorter" } },
				actor: "morgan",
				told: [
					{ memberId: "dana", kind: "review_decided", detail: { decision: "changes_requested" } },
				],
			},
		] as const;
		for (const { command, actor, told } of cases) {
			expect(notificationsForCommand(command, owned, actor)).toEqual(told);
		}
	});

	it("never tells the member who acted, and nobody of a command that concerns no one else", () => {
		const approve = { name: "approve", args: { mentionId: "m", hash: "0".repeat(64) } } as const;
		expect(notificationsForCommand(approve, owned, "dana")).toEqual([]);
		expect(notificationsForCommand(approve, { owner: null }, "morgan")).toEqual([]);
		expect(
			notificationsForCommand(
				{ name: "assign", args: { mentionId: "m", memberId: "morgan" } },
				owned,
				"morgan",
			),
		).toEqual([]);
		expect(
			notificationsForCommand({ name: "claim", args: { mentionId: "m" } }, owned, "kim"),
		).toEqual([]);
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
});
