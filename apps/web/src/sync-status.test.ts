import { describe, expect, it } from "vitest";
import { syncStatusView } from "./sync-status.ts";

describe("the header's sync status", () => {
	it("says signed out, as a problem, while the server has ended the session, whatever the socket", () => {
		for (const connection of ["online", "connecting", "offline"] as const) {
			const view = syncStatusView({ connection, sessionEnded: true, unsynced: 0 });
			expect(view).toEqual({
				state: "signed-out",
				label: "Session ended",
				detail: "Sign in again to sync",
				warns: true,
			});
		}
		// What waits to be sent still says how much.
		expect(syncStatusView({ connection: "offline", sessionEnded: true, unsynced: 2 }).detail).toBe(
			"2 changes not yet on the server",
		);
	});

	it("goes back to the connection once signed in again", () => {
		expect(syncStatusView({ connection: "connecting", sessionEnded: false, unsynced: 1 })).toEqual({
			state: "connecting",
			label: "Connecting…",
			detail: "1 change not yet on the server",
			warns: false,
		});
		expect(syncStatusView({ connection: "online", sessionEnded: false, unsynced: 0 })).toEqual({
			state: "online",
			label: "Online",
			detail: "All changes saved",
			warns: false,
		});
	});

	it("says offline, as a problem, only when the device is offline with its session", () => {
		expect(syncStatusView({ connection: "offline", sessionEnded: false, unsynced: 0 })).toEqual({
			state: "offline",
			label: "Offline",
			detail: "Changes are kept on this device",
			warns: true,
		});
	});
});
