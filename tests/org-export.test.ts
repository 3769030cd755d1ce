/**
 * An organisation takes its data away (issue 16): admins export every conversation with its
 * thread, reply, tags, draft and notes, and the members, boards and sources, as one JSON
 * document or one CSV per table; nothing secret is in it, other organisations and other roles
 * are refused, and each export is in the audit log.
 */
import { beforeAll, expect, it } from "vitest";
import { type TestMember, testServerForFile, waitFor } from "./utils/test-server.ts";

const server = testServerForFile();
let admin: TestMember;
beforeAll(async () => {
	admin = await server.addMember("acme", "Ada Admin", "admin");
});

it("exports an organisation as JSON and as CSV, without secrets, to admins only, audited", async () => {
	const mention = server.mentions[0]!.mention;
	const draft = await server.draft(server.members.dana!, mention.id);
	draft.doc.getText("body").insert(0, "Sorry, we are on it.");
	draft.doc.getArray("notes").push([
		{
			id: "n-export",
			authorId: server.members.dana!.id,
			text: "Called the courier",
			at: new Date().toISOString(),
			mentions: [],
		},
	]);
	await waitFor(() => draft.provider.unsyncedChanges === 0, 60_000, "the draft stored");

	const json = await server.request("/api/orgs/acme/export", { token: admin.token });
	expect(json.status).toBe(200);
	expect(json.headers.get("content-disposition")).toMatch(
		/attachment; filename="switchboard-acme-/,
	);
	const text = await json.text();
	expect(text).not.toMatch(/password|secret|hash"/i);
	const data = JSON.parse(text) as {
		format: string;
		members: { email: string }[];
		conversations: {
			id: string;
			thread: unknown[];
			draft: { text: string; notes: { text: string }[] };
		}[];
		sources: unknown[];
		boards: { id: string }[];
	};
	expect(data.format).toBe("switchboard-export");
	expect(data.conversations).toHaveLength(server.mentions.length);
	const exported = data.conversations.find((c) => c.id === mention.id);
	expect(exported?.draft).toEqual({
		text: "Sorry, we are on it.",
		notes: [expect.objectContaining({ text: "Called the courier" })],
	});
	expect(data.members.map((m) => m.email)).toContain("dana@acme.test");
	expect(data.members.map((m) => m.email)).not.toContain("gabi@globex.test");
	expect(data.boards.map((b) => b.id)).toEqual(["main"]);

	const notes = await server.request("/api/orgs/acme/export?format=csv&part=notes", {
		token: admin.token,
	});
	expect(notes.headers.get("content-type")).toMatch(/^text\/csv/);
	const lines = (await notes.text()).trim().split("\r\n");
	expect(lines[0]).toBe("conversation_id,note_id,author_id,at,text");
	expect(lines.slice(1)).toEqual([expect.stringContaining("n-export")]);
	const members = await (
		await server.request("/api/orgs/acme/export?format=csv&part=members", { token: admin.token })
	).text();
	expect(members.split("\r\n")[0]).toBe("id,email,name,role,capacity,active,skills,languages");
	expect(members).not.toMatch(/argon|\$2[aby]\$/);

	const refused = await server.request("/api/orgs/acme/export", {
		token: server.members.morgan!.token,
	});
	expect(refused.status).toBe(403);
	const otherOrg = await server.request("/api/orgs/globex/export", { token: admin.token });
	expect(otherOrg.status).toBe(403);
	const badPart = await server.request("/api/orgs/acme/export?format=csv&part=passwords", {
		token: admin.token,
	});
	expect(badPart.status).toBe(400);

	const audit = await server.switchboard.storage.listAuditEntries("acme", {
		actions: ["data.exported"],
		limit: 10,
	});
	expect(audit.map((entry) => entry.details)).toEqual([
		{ format: "csv", part: "members" },
		{ format: "csv", part: "notes" },
		{ format: "json" },
	]);
});
