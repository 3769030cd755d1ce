/**
 * The service worker's Web Push handlers, in their own file so that a test can run them
 * with stand-ins for the worker's registration and clients. The build inlines this file
 * into `sw.js` (service-worker-plugin.ts drops the `export` keywords); plain JavaScript,
 * because the worker is not bundled.
 *
 * A push message is the server's `PushPayload` (packages/domain notifications.ts): the
 * words to show and the conversation a tap opens. Nothing is shown for a message that is
 * not one, and a tap only ever opens a path of this app.
 */

/**
 * Read a push message's text as a payload; null when it is not one.
 * @param {string | null} text
 * A customer's follow-ups show as one notification per conversation, which each new one
 * replaces and announces again (the feed folds them the same way: FOLDED_KINDS); any other
 * notification shows on its own.
 * @returns {{ title: string, body: string, url: string, tag: string, renotify: boolean } | null}
 */
export function readPushPayload(text) {
	if (!text) return null;
	let data;
	try {
		data = JSON.parse(text);
	} catch {
		return null;
	}
	if (typeof data !== "object" || data === null || data.v !== 1) return null;
	if (typeof data.title !== "string" || typeof data.body !== "string") return null;
	if (typeof data.url !== "string" || !data.url.startsWith("/m/")) return null;
	const perConversation = data.kind === "follow_up" && typeof data.mentionId === "string";
	const tag = perConversation
		? `switchboard-follow_up-${data.mentionId}`
		: `switchboard-${typeof data.id === "string" ? data.id : data.mentionId}`;
	return { title: data.title, body: data.body, url: data.url, tag, renotify: perConversation };
}

/**
 * Show a push message as a notification.
 * @param {{ showNotification(title: string, options?: NotificationOptions & { renotify?: boolean }): Promise<void> }} registration
 *   (`renotify`, which Chromium and Firefox read, is missing from TypeScript's DOM types)
 * @param {string | null} text the message's data as text
 * @returns {Promise<void>}
 */
export async function showPush(registration, text) {
	const payload = readPushPayload(text);
	if (!payload) return;
	await registration.showNotification(payload.title, {
		body: payload.body,
		tag: payload.tag,
		renotify: payload.renotify,
		icon: "/icons/icon-192.png",
		badge: "/icons/icon-192.png",
		data: { url: payload.url },
	});
}

/**
 * A tap on a notification: open its conversation in a window of the app (telling an open
 * one to go there, so its state and socket stay), or in a new window.
 * @typedef {{ url: string, postMessage(message: unknown): void, focus(): Promise<unknown> }} WindowLike
 * @param {{ matchAll(options?: object): Promise<readonly WindowLike[]>, openWindow(url: string): Promise<unknown> }} clients
 * @param {string} origin the worker's origin
 * @param {{ data?: { url?: unknown } | null, close(): void }} notification
 * @returns {Promise<unknown>}
 */
export async function openNotification(clients, origin, notification) {
	notification.close();
	const path = notification.data?.url;
	const target = new URL(
		typeof path === "string" && path.startsWith("/m/") ? path : "/queue",
		origin,
	);
	const windows = await clients.matchAll({ type: "window", includeUncontrolled: true });
	const open = windows.find((client) => new URL(client.url).origin === origin);
	if (open) {
		open.postMessage({ type: "switchboard:open", path: target.pathname });
		return open.focus();
	}
	return clients.openWindow(target.href);
}
