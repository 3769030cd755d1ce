/**
 * Installing Switchboard as an app. Chromium fires `beforeinstallprompt` when the page
 * qualifies (a manifest with icons, a service worker) — often before anyone has signed in —
 * so the event is caught at start-up and kept until the member chooses. The offer is made
 * once: a dismissal is remembered on this device, and the header's menu keeps the action
 * for whoever changes their mind.
 */
import { createRoot, createSignal } from "solid-js";

/** Chromium's event; not in TypeScript's DOM library. */
interface BeforeInstallPromptEvent extends Event {
	prompt(): Promise<void>;
	readonly userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

/** Where the dismissal of the offer is remembered, per browser profile. */
export const INSTALL_DISMISSED_KEY = "switchboard:install-dismissed";

function readDismissed(): boolean {
	try {
		return localStorage.getItem(INSTALL_DISMISSED_KEY) !== null;
	} catch {
		// Storage refused (private mode with a quota of zero): offer again next time.
		return false;
	}
}

const install = createRoot(() => {
	const [deferred, setDeferred] = createSignal<BeforeInstallPromptEvent | null>(null);
	const [dismissed, setDismissed] = createSignal(readDismissed());
	if (typeof window !== "undefined") {
		window.addEventListener("beforeinstallprompt", (event) => {
			// Without this Chromium shows its own mini-bar at a moment of its choosing.
			event.preventDefault();
			setDeferred(event as BeforeInstallPromptEvent);
		});
		window.addEventListener("appinstalled", () => setDeferred(null));
	}
	return { deferred, setDeferred, dismissed, setDismissed };
});

/** The browser would install the app now (and it is not installed yet). */
export const canInstall = (): boolean => install.deferred() !== null;

/** The one-time offer should show: installable, and not turned down on this device. */
export const offerInstall = (): boolean => canInstall() && !install.dismissed();

/** Shows the browser's install dialog; the event can serve once, whatever the answer. */
export async function promptInstall(): Promise<"accepted" | "dismissed" | "unavailable"> {
	const event = install.deferred();
	if (!event) return "unavailable";
	install.setDeferred(null);
	await event.prompt();
	const { outcome } = await event.userChoice;
	if (outcome === "dismissed") dismissInstall();
	return outcome;
}

/** "Not now": the offer does not come back on this device. */
export function dismissInstall(): void {
	install.setDismissed(true);
	try {
		localStorage.setItem(INSTALL_DISMISSED_KEY, new Date().toISOString());
	} catch {
		// Not remembered; the offer returns on the next visit, which is harmless.
	}
}

/** True when Switchboard runs as the installed app (its own window, from the manifest). */
export function runsInstalled(): boolean {
	return typeof window !== "undefined" && window.matchMedia?.("(display-mode: standalone)").matches;
}

/**
 * Where signing in leads: the installed app opens on the member's queue, as its manifest's
 * `start_url` does; a browser tab goes on to the board, as before.
 */
export function landingPath(installed: boolean = runsInstalled()): string {
	return installed ? "/queue" : "/";
}
