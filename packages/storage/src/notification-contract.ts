/**
 * The notifications ports' part of the contract suite: a member's feed is theirs alone,
 * newest first and paged, told once per cause; read marks touch only the member's own
 * entries; settings fall back to the defaults; a push device is one row per endpoint.
 */
import { DEFAULT_NOTIFICATION_SETTINGS } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import type {
	NewNotification,
	NotificationStore,
	PushDeviceStore,
} from "./notification-storage.ts";
import type { Directory } from "./storage.ts";
import { newColleagues, unique } from "./test-fixtures.ts";

const KEYS = { p256dh: `B${"a".repeat(86)}`, auth: "c".repeat(22) };

export function notificationStoreContract(portOf: () => NotificationStore & Directory): void {
	async function team() {
		const storage = portOf();
		const { orgId, boardId, dana, sam } = await newColleagues(storage);
		const entry = (memberId: string, key: string, extra: Partial<NewNotification> = {}) =>
			({
				orgId,
				memberId,
				kind: "assigned",
				mentionId: "m-1",
				boardId,
				actorId: sam.id,
				detail: { actorName: "Sam", handle: "someone" },
				key,
				...extra,
			}) satisfies NewNotification;
		return { storage, dana, sam, entry };
	}

	describe("notifications", () => {
		it("adds each cause once per member and answers what it added", async () => {
			const { storage, dana, sam, entry } = await team();
			const first = await storage.addNotifications([
				entry(dana.id, "command:1"),
				entry(sam.id, "command:1", { actorId: null }),
			]);
			expect(first.map((n) => [n.kind, n.actorId, n.readAt])).toEqual([
				["assigned", sam.id, null],
				["assigned", null, null],
			]);
			expect(first[0]?.detail).toEqual({ actorName: "Sam", handle: "someone" });
			const again = await storage.addNotifications([
				entry(dana.id, "command:1"),
				entry(dana.id, "command:2", { kind: "handed_off" }),
			]);
			expect(again.map((n) => n.kind)).toEqual(["handed_off"]);
			expect(await storage.countUnread(dana.id)).toBe(2);
			expect(await storage.countUnread(sam.id)).toBe(1);
		});

		it("lists a member's feed newest first, a page at a time, unread only when asked", async () => {
			const { storage, dana, sam, entry } = await team();
			for (let i = 0; i < 5; i++) await storage.addNotifications([entry(dana.id, `k${i}`)]);
			await storage.addNotifications([entry(sam.id, "other")]);
			const first = await storage.listNotifications(dana.id, { limit: 2 });
			expect(first.notifications).toHaveLength(2);
			const second = await storage.listNotifications(dana.id, {
				limit: 2,
				before: first.next ?? "",
			});
			const third = await storage.listNotifications(dana.id, {
				limit: 2,
				before: second.next ?? "",
			});
			expect(third.next).toBeNull();
			const ids = [...first.notifications, ...second.notifications, ...third.notifications].map(
				(n) => Number(n.id),
			);
			expect(ids).toHaveLength(5);
			expect([...ids].sort((a, b) => b - a)).toEqual(ids);

			const newest = first.notifications[0]?.id ?? "";
			expect(await storage.markNotificationsRead(dana.id, { ids: [newest] })).toBe(1);
			const unread = await storage.listNotifications(dana.id, { unread: true, limit: 10 });
			expect(unread.notifications.map((n) => n.id)).not.toContain(newest);
			expect(unread.notifications).toHaveLength(4);
			expect(
				(await storage.listNotifications(dana.id, { limit: 1 })).notifications[0]?.readAt,
			).not.toBeNull();
			expect(await storage.listNotifications(dana.id, { limit: 2, before: "x'; --" })).toEqual({
				notifications: [],
				next: null,
			});
		});

		it("marks only the member's own entries read, named or all", async () => {
			const { storage, dana, sam, entry } = await team();
			const [mine] = await storage.addNotifications([entry(dana.id, "a")]);
			const [theirs] = await storage.addNotifications([entry(sam.id, "a")]);
			await storage.addNotifications([entry(dana.id, "b"), entry(dana.id, "c")]);
			expect(await storage.markNotificationsRead(dana.id, { ids: [theirs?.id ?? ""] })).toBe(0);
			expect(await storage.countUnread(sam.id)).toBe(1);
			expect(await storage.markNotificationsRead(dana.id, { ids: [mine?.id ?? "", "nope"] })).toBe(
				1,
			);
			expect(await storage.markNotificationsRead(dana.id, { ids: [mine?.id ?? ""] })).toBe(0);
			expect(await storage.markNotificationsRead(dana.id, { all: true })).toBe(2);
			expect(await storage.countUnread(dana.id)).toBe(0);
			expect(await storage.countUnread(sam.id)).toBe(1);
		});

		it("folds a conversation's unread follow-ups into the newest, adding up their count", async () => {
			const { storage, dana, sam, entry } = await team();
			const followUp = (memberId: string, key: string, mentionId = "m-1") =>
				entry(memberId, key, { kind: "follow_up", actorId: null, mentionId, detail: {} });
			const first = await storage.foldNotification(followUp(dana.id, "f1"));
			expect(first).toMatchObject({ added: { kind: "follow_up", detail: {} }, folded: [] });
			await storage.addNotifications([entry(dana.id, "assigned")]);
			await storage.foldNotification(followUp(sam.id, "f1"));
			await storage.foldNotification(followUp(dana.id, "other", "m-2"));
			const second = await storage.foldNotification(followUp(dana.id, "f2"));
			expect(second?.folded).toEqual([first?.added.id]);
			expect(second?.added.detail).toEqual({ count: 2 });
			// The same cause again adds nothing and folds nothing.
			expect(await storage.foldNotification(followUp(dana.id, "f2"))).toBeUndefined();
			const third = await storage.foldNotification(followUp(dana.id, "f3"));
			expect(third?.added.detail.count).toBe(3);
			const { notifications } = await storage.listNotifications(dana.id, { limit: 10 });
			expect(notifications.map((n) => [n.kind, n.mentionId, n.detail.count ?? 1])).toEqual([
				["follow_up", "m-1", 3],
				["follow_up", "m-2", 1],
				["assigned", "m-1", 1],
			]);
			expect(await storage.countUnread(sam.id)).toBe(1);
			// A read entry is left as it is.
			await storage.markNotificationsRead(dana.id, { ids: [third?.added.id ?? ""] });
			const fourth = await storage.foldNotification(followUp(dana.id, "f4"));
			expect(fourth).toMatchObject({ added: { detail: {} }, folded: [] });
			expect(await storage.countUnread(dana.id)).toBe(3);
			// Seen by its owner: the conversation's follow-ups are read, nothing else.
			expect(
				await storage.markNotificationsRead(dana.id, { mentionId: "m-1", kind: "follow_up" }),
			).toBe(1);
			expect(await storage.countUnread(dana.id)).toBe(2);
			expect(await storage.countUnread(sam.id)).toBe(1);
			// Taken from her: its entries of the kinds named are read, its assignment is not.
			const taken = { mentionId: "m-2", kind: ["sla_breach", "follow_up"] } as const;
			expect(await storage.markNotificationsRead(dana.id, taken)).toBe(1);
			expect(await storage.countUnread(dana.id)).toBe(1);
		});

		it("keeps a member's settings, the defaults until they choose", async () => {
			const { storage, dana, sam } = await team();
			expect(await storage.getNotificationSettings(dana.id)).toEqual(DEFAULT_NOTIFICATION_SETTINGS);
			const chosen = structuredClone(DEFAULT_NOTIFICATION_SETTINGS);
			chosen.sla_breach = { app: false, push: true };
			expect(await storage.saveNotificationSettings(dana.id, chosen)).toEqual(chosen);
			chosen.mentioned.push = false;
			await storage.saveNotificationSettings(dana.id, chosen);
			expect(await storage.getNotificationSettings(dana.id)).toEqual(chosen);
			expect(await storage.getNotificationSettings(sam.id)).toEqual(DEFAULT_NOTIFICATION_SETTINGS);
		});
	});
}

export function pushDeviceStoreContract(portOf: () => PushDeviceStore & Directory): void {
	describe("push devices", () => {
		it("keeps one row per endpoint, lists a member's, and forgets by endpoint", async () => {
			const storage = portOf();
			const { dana, sam } = await newColleagues(storage);
			const phone = `https://push.example/${unique("phone")}`;
			const laptop = `https://push.example/${unique("laptop")}`;
			const saved = await storage.savePushDevice({
				memberId: dana.id,
				endpoint: phone,
				keys: KEYS,
				label: "Phone",
			});
			expect(saved).toMatchObject({
				memberId: dana.id,
				endpoint: phone,
				keys: KEYS,
				label: "Phone",
			});
			await storage.savePushDevice({
				memberId: dana.id,
				endpoint: laptop,
				keys: KEYS,
				label: null,
			});
			// The same browser, now signed in as Sam: the device is his.
			await storage.savePushDevice({
				memberId: sam.id,
				endpoint: phone,
				keys: KEYS,
				label: "Phone",
			});
			expect((await storage.listPushDevices(dana.id)).map((d) => d.endpoint)).toEqual([laptop]);
			expect((await storage.listPushDevices(sam.id)).map((d) => d.endpoint)).toEqual([phone]);
			expect(await storage.deletePushDevice(phone, dana.id)).toBe(false);
			expect(await storage.deletePushDevice(phone, sam.id)).toBe(true);
			expect(await storage.deletePushDevice(laptop)).toBe(true);
			expect(await storage.listPushDevices(dana.id)).toEqual([]);
			expect(await storage.listPushDevices(sam.id)).toEqual([]);
		});
	});
}
