/**
 * Web Push on this device: whether the browser can, and subscribing or unsubscribing with
 * the server's VAPID key. The subscription itself is the browser's (its push service); the
 * server keeps it per member and device (`PUT /api/me/push-devices`).
 */

/** True when this browser can receive push notifications (a service worker and the Push API). */
export function pushSupported(): boolean {
	return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
	const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
	const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
	const bytes = new Uint8Array(new ArrayBuffer(binary.length));
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/** This device's subscription, if it has one. */
export async function currentSubscription(): Promise<PushSubscription | null> {
	if (!pushSupported()) return null;
	const registration = await navigator.serviceWorker.getRegistration();
	return registration ? registration.pushManager.getSubscription() : null;
}

/** Ask for permission and subscribe with the server's key; the subscription as JSON. */
export async function subscribeThisDevice(publicKey: string): Promise<PushSubscriptionJSON> {
	const permission = await Notification.requestPermission();
	if (permission !== "granted") {
		throw new Error(
			"Notifications are blocked for Switchboard in this browser; allow them in its site settings.",
		);
	}
	const registration = await navigator.serviceWorker.ready;
	const existing = await registration.pushManager.getSubscription();
	const subscription =
		existing ??
		(await registration.pushManager.subscribe({
			userVisibleOnly: true,
			applicationServerKey: keyBytes(publicKey),
		}));
	return subscription.toJSON();
}

/** Unsubscribe this device; answers the endpoint it had, for the server to forget. */
export async function unsubscribeThisDevice(): Promise<string | null> {
	const subscription = await currentSubscription();
	if (!subscription) return null;
	const { endpoint } = subscription;
	await subscription.unsubscribe();
	return endpoint;
}

/** A short name for this device, to tell a member's devices apart ("Chrome on Android"). */
export function deviceLabel(userAgent = navigator.userAgent): string {
	const browser = /Edg\//.test(userAgent)
		? "Edge"
		: /Firefox\//.test(userAgent)
			? "Firefox"
			: /Chrome\//.test(userAgent)
				? "Chrome"
				: /Safari\//.test(userAgent)
					? "Safari"
					: "Browser";
	const system = /Android/.test(userAgent)
		? "Android"
		: /iPhone|iPad/.test(userAgent)
			? "iOS"
			: /Mac OS X/.test(userAgent)
				? "macOS"
				: /Windows/.test(userAgent)
					? "Windows"
					: /Linux/.test(userAgent)
						? "Linux"
						: "this device";
	return `${browser} on ${system}`;
}

/**
 * At sign-out: this device stops getting the member's push notifications (the next person
 * on this browser must not see them). Unsubscribes and tells the server, as far as each
 * works: offline, the push service answers the server's next send with 410 and the device
 * is removed then.
 */
export async function stopPushAtSignOut(tellServer: (endpoint: string) => Promise<unknown>) {
	try {
		const endpoint = await unsubscribeThisDevice();
		if (endpoint) await tellServer(endpoint);
	} catch {
		// Best effort: see above.
	}
}
