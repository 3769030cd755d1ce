/**
 * Inviting someone again on a real (embedded) database: what the fresh link keeps of the
 * open one it replaces.
 */
import { embeddedStorageForTests } from "@switchboard/storage/test-template";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createInvitationService } from "./invitations.ts";

const logger = pino({ level: "silent" });
let orgs = 0;

describe("inviting again", () => {
	const embedded = embeddedStorageForTests();

	it("keeps the open link's boards that are still active; with none left, the default board", async () => {
		const storage = embedded();
		const orgId = `invite-again-${++orgs}`;
		await storage.createOrganisation({ id: orgId, name: "Acme" });
		await storage.createBoard({ id: "main", orgId, name: "Main" });
		await storage.createBoard({ id: "spring", orgId, name: "Spring campaign" });
		await storage.createBoard({ id: "press", orgId, name: "Press" });
		const invitations = createInvitationService({ storage, logger });
		const invite = (value: unknown) =>
			invitations.invite(orgId, [{ value }], { baseUrl: "https://sb.test", invitedBy: null });
		const open = async (q: string) =>
			(await storage.listOpenInvitations(orgId, { q, limit: 1 }))[0];

		await invite({ email: "kim@acme.test", role: "moderator", boards: ["spring", "press"] });
		await invite({ email: "lee@acme.test", boards: ["spring"] });
		// The campaign is over: its board takes no new work, and no new member.
		await storage.updateBoard(orgId, "spring", { archived: true });

		await invite({ email: "kim@acme.test" });
		expect(await open("kim")).toMatchObject({ role: "moderator", boards: ["press"] });
		// A fresh link names the archived board no more than a typed one may.
		await expect(invite({ email: "lee@acme.test", boards: ["spring"] })).rejects.toThrow(
			"boards: the board spring is archived",
		);
		await invite({ email: "lee@acme.test" });
		expect(await open("lee")).toMatchObject({ boards: ["main"] });
	});
});
