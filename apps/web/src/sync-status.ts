/**
 * What the header's sync status says. The socket's connection is one part of it; the other
 * is whether the session is still there: when the server has ended it (expired, signed out
 * elsewhere, revoked) the socket is closed, yet the device is not offline, and the member
 * has something to do about it (sign in again), which "Offline" would not tell them.
 */
import type { Connection } from "@switchboard/client";
import { plural } from "./format.ts";

/** The connection's states, and the session ended by the server. */
export type SyncState = Connection | "signed-out";

export interface SyncStatusView {
	state: SyncState;
	/** The word in the bar, at every width. */
	label: string;
	/** The sentence beside it on a wide screen (read by screen readers at every width). */
	detail: string;
	/** A problem for the member (amber), not a calm state. */
	warns: boolean;
}

const LABELS: Record<SyncState, string> = {
	online: "Online",
	connecting: "Connecting…",
	offline: "Offline",
	"signed-out": "Session ended",
};

/**
 * The status for a connection, whether the session has ended, and how many of my changes
 * the server does not have yet. Connecting (every page load, a moment after a drop) is
 * calm; offline and signed out warn.
 */
export function syncStatusView(input: {
	connection: Connection;
	sessionEnded: boolean;
	unsynced: number;
}): SyncStatusView {
	const state: SyncState = input.sessionEnded ? "signed-out" : input.connection;
	const detail =
		input.unsynced > 0
			? `${plural(input.unsynced, "change")} not yet on the server`
			: state === "online"
				? "All changes saved"
				: state === "offline"
					? "Changes are kept on this device"
					: state === "signed-out"
						? "Sign in again to sync"
						: "";
	return {
		state,
		label: LABELS[state],
		detail,
		warns: state === "offline" || state === "signed-out",
	};
}
