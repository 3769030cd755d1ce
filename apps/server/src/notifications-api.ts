/**
 * The signed-in member's notifications over HTTP (docs/HTTP-API.md, "Notifications"): the
 * feed, read marks, settings per kind and channel, and the devices push notifications go
 * to. Every route acts on the caller's own rows only.
 */
import {
	applyNotificationSettings,
	HttpRoutes,
	type PushSubscriptionInput,
} from "@switchboard/domain";
import type { NotificationStore, PushDevice, PushDeviceStore } from "@switchboard/storage";
import { Hono } from "hono";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";
import type { Notifier } from "./notifications.ts";

export interface NotificationsApiOptions {
	storage: NotificationStore & PushDeviceStore;
	notifier: Pick<Notifier, "markRead">;
	/** The server's VAPID public key, which browsers subscribe with. */
	publicKey: string;
}

function deviceListing({ id, endpoint, label, createdAt }: PushDevice) {
	return { id, endpoint, label, createdAt };
}

export function createNotificationsApi(options: NotificationsApiOptions): Hono<ApiEnv> {
	const { storage, notifier } = options;
	const app = new Hono<ApiEnv>();

	handle(app, HttpRoutes.notifications, async (c, { query }) => {
		const { memberId } = c.get("member");
		const page = await storage.listNotifications(memberId, {
			unread: query.unread,
			limit: query.limit,
			...(query.cursor ? { before: query.cursor } : {}),
		});
		return {
			notifications: page.notifications,
			unread: await storage.countUnread(memberId),
			nextCursor: page.next,
		};
	});

	handle(app, HttpRoutes.readNotifications, async (c, { body }) =>
		notifier.markRead(c.get("member").memberId, "all" in body ? { all: true } : { ids: body.ids }),
	);

	handle(app, HttpRoutes.notificationSettings, async (c) => ({
		settings: await storage.getNotificationSettings(c.get("member").memberId),
	}));

	handle(app, HttpRoutes.saveNotificationSettings, async (c, { body }) => {
		const { memberId } = c.get("member");
		const current = await storage.getNotificationSettings(memberId);
		const next = applyNotificationSettings(current, body);
		return { settings: await storage.saveNotificationSettings(memberId, next) };
	});

	handle(app, HttpRoutes.pushDevices, async (c) => ({
		publicKey: options.publicKey,
		devices: (await storage.listPushDevices(c.get("member").memberId)).map(deviceListing),
	}));

	handle(app, HttpRoutes.addPushDevice, async (c, { body }) => {
		const subscription: PushSubscriptionInput = body.subscription;
		const device = await storage.savePushDevice({
			memberId: c.get("member").memberId,
			endpoint: subscription.endpoint,
			keys: subscription.keys,
			label: body.label || null,
		});
		return { device: deviceListing(device) };
	});

	handle(app, HttpRoutes.removePushDevice, async (c, { body }) => ({
		removed: await storage.deletePushDevice(body.endpoint, c.get("member").memberId),
	}));

	return app;
}
